"""The numpy backward pass of a convolution agrees with its loop version, with finite differences and with the
automatic differentiation of TensorFlow, JAX and (when installed) PyTorch, for channels, strides and paddings."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from course_utils.arithmetic import padding_per_axis, padding_zeros
from course_utils.convolution import conv2d, conv2d_backward, conv2d_backward_loops

# (image shape, kernel shape, stride, padding): every case the lesson's layers use, and uneven ones
CASES = [
    ((7, 7, 3), (3, 3, 3, 4), 1, "valid"),
    ((8, 9, 2), (3, 2, 2, 3), 2, "valid"),  # the stride skips the last row and column
    ((8, 8, 3), (3, 3, 3, 2), 1, "same"),
    ((9, 7, 2), (5, 3, 2, 3), 2, "same"),  # uneven 'same' zeros
    ((6, 6, 1), (3, 3, 1, 1), 3, 1),
    ((10, 11, 2), (4, 4, 2, 2), (2, 3), ((1, 0), (2, 1))),
]


def _case(image_shape, kernel_shape, stride, padding, seed=0):
    rng = np.random.default_rng(seed)
    image, kernel = rng.normal(size=image_shape), rng.normal(size=kernel_shape)
    grad = rng.normal(size=conv2d(image, kernel, stride, padding=padding).shape)
    return image, kernel, grad


def _tf_padding(padding, zeros):
    return padding.upper() if padding in ("valid", "same") else [[0, 0], *map(list, zeros), [0, 0]]


def _zeros(image, kernel, stride, padding):
    """The zeros ``padding`` adds, ((top, bottom), (left, right)), from the course's one parser of padding specs."""
    strides = (stride, stride) if isinstance(stride, int) else stride
    return tuple(padding_zeros(n, f, stride=s, padding=p) for n, f, s, p in zip(
        image.shape[:2], kernel.shape[:2], strides, padding_per_axis(padding)))


@pytest.mark.parametrize("case", CASES, ids=str)
def test_fast_equals_loops(case):
    image, kernel, grad = _case(*case)
    for fast, loops in zip(conv2d_backward(image, kernel, grad, case[2], padding=case[3]),
                           conv2d_backward_loops(image, kernel, grad, case[2], padding=case[3])):
        np.testing.assert_allclose(fast, loops, atol=1e-10)


@st.composite
def any_case(draw):
    h, w, c_in, c_out = (draw(st.integers(1, n)) for n in (9, 9, 3, 3))
    f_h, f_w = draw(st.integers(1, h)), draw(st.integers(1, w))
    stride = (draw(st.integers(1, 3)), draw(st.integers(1, 3)))
    padding = draw(st.sampled_from(["valid", "same", 0, 1, 2]))
    return (h, w, c_in), (f_h, f_w, c_in, c_out), stride, padding, draw(st.integers(0, 2 ** 16))


@settings(max_examples=80, deadline=None, derandomize=True)
@given(any_case())
def test_fast_equals_loops_for_any_shape_stride_and_padding(case):
    image, kernel, grad = _case(*case)
    for fast, loops in zip(conv2d_backward(image, kernel, grad, case[2], padding=case[3]),
                           conv2d_backward_loops(image, kernel, grad, case[2], padding=case[3])):
        assert fast.shape == loops.shape
        np.testing.assert_allclose(fast, loops, atol=1e-10)


def test_two_dimensional_arguments_give_two_dimensional_gradients():
    image, kernel, grad = _case((6, 5, 1), (3, 2, 1, 1), 1, "same")
    grad_image, grad_kernel = conv2d_backward(image[..., 0], kernel[..., 0, 0], grad[..., 0], padding="same")
    full_image, full_kernel = conv2d_backward(image, kernel, grad, padding="same")
    assert grad_image.shape == (6, 5) and grad_kernel.shape == (3, 2)
    np.testing.assert_allclose(grad_image, full_image[..., 0])
    np.testing.assert_allclose(grad_kernel, full_kernel[..., 0, 0])


@pytest.mark.parametrize("case", CASES[:4], ids=str)
def test_central_finite_differences(case):
    """L = sum(conv2d(image, kernel) * grad): nudge every entry of the image and of the kernel by ±h."""
    image, kernel, grad = _case(*case)
    stride, padding = case[2], case[3]

    def loss(x, k):
        return np.sum(conv2d(x, k, stride, padding=padding) * grad)

    def numeric(array, of):
        result, h = np.zeros_like(array), 1e-6
        for index in np.ndindex(array.shape):
            up, down = array.copy(), array.copy()
            up[index] += h
            down[index] -= h
            result[index] = (of(up) - of(down)) / (2 * h)
        return result

    grad_image, grad_kernel = conv2d_backward(image, kernel, grad, stride, padding=padding)
    np.testing.assert_allclose(grad_image, numeric(image, lambda x: loss(x, kernel)), atol=1e-6)
    np.testing.assert_allclose(grad_kernel, numeric(kernel, lambda k: loss(image, k)), atol=1e-6)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_tensorflow_gradient_tape(case):
    tf = pytest.importorskip("tensorflow")
    image, kernel, grad = _case(*case)
    stride, padding = case[2], case[3]
    x, w = tf.constant(image[None]), tf.constant(kernel)
    with tf.GradientTape() as tape:
        tape.watch([x, w])
        y = tf.nn.conv2d(x, w, strides=stride, padding=_tf_padding(padding, _zeros(image, kernel, stride, padding)))
        loss = tf.reduce_sum(y * grad[None])
    tf_image, tf_kernel = tape.gradient(loss, [x, w])
    grad_image, grad_kernel = conv2d_backward(image, kernel, grad, stride, padding=padding)
    np.testing.assert_allclose(grad_image, tf_image.numpy()[0], atol=1e-9)
    np.testing.assert_allclose(grad_kernel, tf_kernel.numpy(), atol=1e-9)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_jax_grad(case):
    jax = pytest.importorskip("jax")
    image, kernel, grad = _case(*case)
    stride, padding = case[2], case[3]
    strides = (stride, stride) if isinstance(stride, int) else stride
    pads = _zeros(image, kernel, stride, padding)

    def loss(x, w):
        y = jax.lax.conv_general_dilated(x[None], w, strides, pads, dimension_numbers=("NHWC", "HWIO", "NHWC"))
        return jax.numpy.sum(y[0] * grad)

    jax_image, jax_kernel = jax.grad(loss, argnums=(0, 1))(image.astype("float32"), kernel.astype("float32"))
    grad_image, grad_kernel = conv2d_backward(image, kernel, grad, stride, padding=padding)
    scale = np.abs(grad).sum() * max(np.abs(image).max(), np.abs(kernel).max())  # JAX computes in float32 here
    np.testing.assert_allclose(grad_image, np.asarray(jax_image), atol=1e-6 * scale)
    np.testing.assert_allclose(grad_kernel, np.asarray(jax_kernel), atol=1e-6 * scale)


@pytest.mark.parametrize("case", CASES, ids=str)
def test_torch_autograd(case):
    torch = pytest.importorskip("torch")
    image, kernel, grad = _case(*case)
    stride, padding = case[2], case[3]
    (top, bottom), (left, right) = _zeros(image, kernel, stride, padding)
    x = torch.tensor(image.transpose(2, 0, 1)[None], requires_grad=True)  # PyTorch: (N, C, H, W)
    w = torch.tensor(kernel.transpose(3, 2, 0, 1), requires_grad=True)  # (C_out, C_in, F_h, F_w)
    y = torch.nn.functional.conv2d(torch.nn.functional.pad(x, (left, right, top, bottom)), w, stride=stride)
    (y * torch.tensor(grad.transpose(2, 0, 1)[None])).sum().backward()
    grad_image, grad_kernel = conv2d_backward(image, kernel, grad, stride, padding=padding)
    np.testing.assert_allclose(grad_image, x.grad.numpy()[0].transpose(1, 2, 0), atol=1e-9)
    np.testing.assert_allclose(grad_kernel, w.grad.numpy().transpose(2, 3, 1, 0), atol=1e-9)


def test_a_flipped_kernel_would_be_caught():
    """The transposed convolution needs the kernel turned by 180 degrees: without the turn the result differs."""
    image, kernel, grad = _case((6, 6, 1), (3, 3, 1, 1), 1, "valid")
    grad_image, _ = conv2d_backward(image, kernel, grad)
    unturned = conv2d(grad[..., 0], kernel[..., 0, 0], padding=2)
    assert not np.allclose(grad_image[..., 0], unturned)
    np.testing.assert_allclose(grad_image[..., 0], conv2d(grad[..., 0], kernel[::-1, ::-1, 0, 0], padding=2))


@pytest.mark.parametrize("function", [conv2d_backward, conv2d_backward_loops])
def test_bad_arguments_say_what_was_given_and_what_is_allowed(function):
    image, kernel = np.ones((5, 5, 2)), np.ones((3, 3, 2, 4))
    with pytest.raises(ValueError, match=r"grad_output must have the shape.*\(3, 3, 4\).*got shape \(3, 3\)"):
        function(image, kernel, np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"grad_output must have the shape.*\(5, 5, 4\)"):
        function(image, kernel, np.ones((3, 3, 4)), padding="same")
    with pytest.raises(ValueError, match="stride"):
        function(image, kernel, np.ones((3, 3, 4)), 0)
    with pytest.raises(TypeError, match="grad_output must be an array of numbers"):
        function(image, kernel, "gradient")
    with pytest.raises(ValueError, match="input channels"):
        function(np.ones((5, 5, 3)), kernel, np.ones((3, 3, 4)))
