"""2-D convolution in numpy, written to be read, and the kernels of lesson 01.

Deep-learning libraries (Keras ``Conv2D`` included) compute a *cross-correlation*:
the kernel slides over the image unflipped.  The textbook *convolution* flips the
kernel first.  :func:`conv2d` and :func:`conv2d_loops` compute what ``Conv2D``
computes (no bias); :func:`convolve2d` is the textbook one.  :func:`conv2d` also takes
Keras's ``padding`` ('valid', 'same') or an explicit amount, a padding ``mode`` from
:mod:`course_utils.padding` (zero, replicate, symmetric, reflect, wrap) and a ``dilation``;
the zeros each ``padding`` adds come from :func:`course_utils.arithmetic.padding_zeros`, the one
parser of padding specs.  :func:`conv2d_backward_loops` (to read) and :func:`conv2d_backward` (fast,
two convolutions) are the backward pass of lesson 09: the gradients with respect to the image and
the kernel, given the gradient with respect to the output (zero padding, stride, channels).

Shapes follow Keras: an image is ``(H, W)`` or ``(H, W, C_in)``; a kernel is
``(F_h, F_w)`` for a 2-D image, ``(F_h, F_w, C_in)`` for one output channel of a
colour image (the channels are summed), or ``(F_h, F_w, C_in, C_out)``.

Example:
    >>> import numpy as np
    >>> image = np.arange(16.0).reshape(4, 4)
    >>> conv2d(image, np.ones((3, 3)))
    array([[45., 54.],
           [81., 90.]])
"""

from __future__ import annotations

import numpy as np

from course_utils.arithmetic import dilated_kernel_size, padding_per_axis, padding_zeros
from course_utils.padding import MODES, pad
from course_utils.validation import numeric_array, positive_pair

MATRIX_PIXELS = 4096
"""conv_as_matrix builds a (positions x pixels) matrix: it is for small images, at most this many pixels (64x64)."""

KERNELS = {
    "blur": np.ones((3, 3)),
    "edge": np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=float),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float),
}
"""The 3x3 feature detectors Khanzhina's lecture shows: blur (all ones), edge (a Laplacian), sharpen."""


def _prepare(image, kernel, stride, padding="valid", mode="zero",
             dilation=1) -> tuple[np.ndarray, np.ndarray, tuple[int, int], tuple[int, int], tuple, bool]:
    """Check the arguments; return the padded image (H, W, C), kernel (Fh, Fw, C, Co), stride,
    dilation, the zeros the padding added (``((top, bottom), (left, right))``) and whether the
    result loses its channel axis."""
    image, kernel = numeric_array(image, "image"), numeric_array(kernel, "kernel")
    strides, dilations = positive_pair(stride, "stride"), positive_pair(dilation, "dilation")
    if image.ndim not in (2, 3):
        raise ValueError(f"image must be 2-D (H, W) or 3-D (H, W, C); got shape {image.shape}.")
    if 0 in image.shape:
        raise ValueError(f"image must not be empty; got shape {image.shape}.")
    allowed = {2: (2,), 3: (3, 4)}[image.ndim]
    if kernel.ndim not in allowed:
        forms = "(F_h, F_w)" if image.ndim == 2 else "(F_h, F_w, C_in) or (F_h, F_w, C_in, C_out)"
        raise ValueError(f"kernel for a {image.ndim}-D image must have shape {forms}; got shape {kernel.shape}.")
    squeeze = kernel.ndim < 4
    if image.ndim == 2:
        image, kernel = image[..., None], kernel[..., None]
    if kernel.ndim == 3:
        kernel = kernel[..., None]
    if kernel.shape[2] != image.shape[2]:
        raise ValueError(f"kernel has {kernel.shape[2]} input channels but the image has {image.shape[2]} "
                         f"(kernel shape {kernel.shape[:3]}, image shape {image.shape}).")
    if 0 in kernel.shape:
        raise ValueError(f"kernel must not be empty; got shape {kernel.shape}.")
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}; got {mode!r}.")
    spans = [dilated_kernel_size(f, d) for f, d in zip(kernel.shape[:2], dilations)]
    zeros = tuple(padding_zeros(n, f, stride=s, padding=p, dilation=d) for n, f, s, p, d in zip(
        image.shape[:2], kernel.shape[:2], strides, padding_per_axis(padding), dilations))
    padded = image if zeros == ((0, 0), (0, 0)) else pad(image, zeros, mode)
    if spans[0] > padded.shape[0] or spans[1] > padded.shape[1]:
        dilated = f" (dilated to span {spans[0]}x{spans[1]})" if spans != list(kernel.shape[:2]) else ""
        where = "" if padded is image else f" padded to {padded.shape[0]}x{padded.shape[1]}"
        raise ValueError(f"kernel of size {kernel.shape[0]}x{kernel.shape[1]}{dilated} is larger than the "
                         f"{image.shape[0]}x{image.shape[1]} image{where}: the kernel must fit inside the "
                         "(padded) image on both axes.")
    dtype = np.result_type(image.dtype, kernel.dtype, np.float32)
    return padded.astype(dtype, copy=False), kernel.astype(dtype, copy=False), strides, dilations, zeros, squeeze


def conv2d_loops(image, kernel, stride=1) -> np.ndarray:
    """Cross-correlate ``image`` with ``kernel`` using plain Python loops: slow, for reading.

    Written for teaching (hand-written on purpose): each output pixel is the sum of
    the image window under the kernel times the kernel.  Same result as
    :func:`conv2d` and as ``keras.layers.Conv2D(padding='valid', use_bias=False)``.

    >>> conv2d_loops(np.arange(16.0).reshape(4, 4), np.ones((3, 3)), stride=1)
    array([[45., 54.],
           [81., 90.]])
    """
    # Check the arguments; make the image (H, W, C_in) and the kernel (F_h, F_w, C_in, C_out).
    image, kernel, (s_h, s_w), _, _, squeeze = _prepare(image, kernel, stride)
    f_h, f_w, _, c_out = kernel.shape
    h_out = (image.shape[0] - f_h) // s_h + 1  # how many positions the kernel fits in
    w_out = (image.shape[1] - f_w) // s_w + 1
    out = np.zeros((h_out, w_out, c_out), dtype=image.dtype)
    for c in range(c_out):
        for i in range(h_out):
            for j in range(w_out):
                window = image[i * s_h : i * s_h + f_h, j * s_w : j * s_w + f_w, :]
                out[i, j, c] = np.sum(window * kernel[:, :, :, c])
    return out[..., 0] if squeeze else out  # drop the channel axis the caller did not give


def conv2d(image, kernel, stride=1, *, padding="valid", mode: str = "zero", dilation=1) -> np.ndarray:
    """Cross-correlate ``image`` with ``kernel``, vectorized (what Keras ``Conv2D`` computes).

    Pads the image (``padding``: 'valid' = none, 'same' = as Keras, an int, ``(pad_h, pad_w)``
    or ``((top, bottom), (left, right))``; ``mode``: one of :data:`course_utils.padding.MODES`),
    takes every window the dilated kernel spans with ``sliding_window_view``, keeps every
    ``stride``-th window and every ``dilation``-th pixel in it, and multiplies-and-sums them
    with the kernel in one ``einsum``.  Unlike Keras it accepts a stride and a dilation together.

    >>> conv2d(np.arange(16.0).reshape(4, 4), np.ones((3, 3)), stride=2)
    array([[45.]])
    >>> conv2d(np.ones((3, 3)), np.ones((3, 3)), padding="same")
    array([[4., 6., 4.],
           [6., 9., 6.],
           [4., 6., 4.]])
    """
    image, kernel, (s_h, s_w), (d_h, d_w), _, squeeze = _prepare(image, kernel, stride, padding, mode, dilation)
    span_h, span_w = dilated_kernel_size(kernel.shape[0], d_h), dilated_kernel_size(kernel.shape[1], d_w)
    windows = np.lib.stride_tricks.sliding_window_view(image, (span_h, span_w), axis=(0, 1))
    windows = windows[::s_h, ::s_w, :, ::d_h, ::d_w]
    out = np.einsum("hwcij,ijco->hwo", windows, kernel, optimize=True)
    return out[..., 0] if squeeze else out


def flip_kernel(kernel) -> np.ndarray:
    """The kernel turned by 180 degrees (flipped along both spatial axes).

    >>> flip_kernel(np.array([[1, 2], [3, 4]]))
    array([[4, 3],
           [2, 1]])
    """
    kernel = numeric_array(kernel, "kernel")
    if kernel.ndim < 2:
        raise ValueError(f"kernel must have at least 2 dimensions (F_h, F_w, ...); got shape {kernel.shape}.")
    return kernel[::-1, ::-1, ...]


def convolve2d(image, kernel, stride=1) -> np.ndarray:
    """The textbook (flipped-kernel) 2-D convolution, 'valid' part only.

    Equals ``scipy.signal.convolve2d(image, kernel, mode='valid')`` for 2-D inputs.
    """
    return conv2d(image, flip_kernel(kernel), stride)


def conv_as_matrix(input_shape: tuple[int, int], kernel) -> np.ndarray:
    """The matrix ``M`` with ``M @ image.ravel() == conv2d(image, kernel).ravel()``.

    Shows a convolution as a Dense layer whose weight matrix is mostly zeros (local
    connectivity) and repeats the same few numbers (weight sharing).

    >>> conv_as_matrix((3, 3), np.ones((2, 2))).shape
    (4, 9)
    """
    kernel = numeric_array(kernel, "kernel")
    if kernel.ndim != 2:
        raise ValueError(f"kernel must be 2-D (F_h, F_w); got shape {kernel.shape}.")
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 2:
        raise ValueError(f"input_shape must be (H, W); got {input_shape!r}.")
    input_shape = positive_pair(tuple(input_shape), "input_shape")
    if input_shape[0] * input_shape[1] > MATRIX_PIXELS:
        raise ValueError(f"input_shape {input_shape} has {input_shape[0] * input_shape[1]:,} pixels: the matrix would "
                         f"have that many columns and about as many rows; keep to {MATRIX_PIXELS:,} pixels (64x64).")
    basis = np.eye(input_shape[0] * input_shape[1]).reshape(-1, *input_shape)
    return np.stack([conv2d(pixel, kernel).ravel() for pixel in basis], axis=1)


def _backward_arguments(image, kernel, grad_output, stride, padding):
    """Check the arguments of a backward pass; return the padded image (H, W, C), the kernel (Fh, Fw, C, Co),
    the stride, the zeros the padding added, and ``grad_output`` as (H_out, W_out, C_out)."""
    shapes = np.shape(image), np.shape(kernel)
    padded, kernel, strides, _, zeros, squeeze = _prepare(image, kernel, stride, padding)
    h_out, w_out = ((p - f) // s + 1 for p, f, s in zip(padded.shape, kernel.shape, strides))
    expected = (h_out, w_out) if squeeze else (h_out, w_out, kernel.shape[3])
    grad_output = numeric_array(grad_output, "grad_output")
    if grad_output.shape != expected:
        raise ValueError(f"grad_output must have the shape of the forward pass's output, {expected} here "
                         f"(image {shapes[0]}, kernel {shapes[1]}, stride {strides}, padding {padding!r}); "
                         f"got shape {grad_output.shape}.")
    grad_output = grad_output.reshape(h_out, w_out, kernel.shape[3]).astype(padded.dtype, copy=False)
    return padded, kernel, strides, zeros, grad_output, shapes


def _unpad(grad_padded: np.ndarray, zeros) -> np.ndarray:
    """Cut off the gradient of the zeros the padding added: they are not part of the image."""
    (top, bottom), (left, right) = zeros
    return grad_padded[top:grad_padded.shape[0] - bottom, left:grad_padded.shape[1] - right]


def conv2d_backward_loops(image, kernel, grad_output, stride=1, *,
                          padding="valid") -> tuple[np.ndarray, np.ndarray]:
    """The backward pass of :func:`conv2d` with plain Python loops: slow, for reading.

    Given ``grad_output`` = ∂L/∂Y for ``Y = conv2d(image, kernel, stride, padding=padding)``, returns
    (∂L/∂image, ∂L/∂kernel), shaped like ``image`` and ``kernel``.  It retraces the forward loops of
    :func:`conv2d_loops`: output pixel (i, j, c) was ``sum(window * kernel[..., c])``, so by the chain
    rule it sends ``grad * kernel`` back to its window of the image and ``grad * window`` to the kernel.
    The padding's zeros get a gradient too; it is cut off at the end.

    >>> grad_image, grad_kernel = conv2d_backward_loops(np.arange(9.0).reshape(3, 3), np.ones((2, 2)), np.ones((2, 2)))
    >>> grad_image  # how many windows each pixel is in
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    >>> grad_kernel  # the sum of the pixels each weight multiplied
    array([[ 8., 12.],
           [20., 24.]])
    """
    image, kernel, (s_h, s_w), zeros, grad_output, (image_shape, kernel_shape) = _backward_arguments(
        image, kernel, grad_output, stride, padding)
    f_h, f_w, _, c_out = kernel.shape
    h_out, w_out, _ = grad_output.shape
    grad_image, grad_kernel = np.zeros_like(image), np.zeros_like(kernel)
    for c in range(c_out):
        for i in range(h_out):
            for j in range(w_out):
                rows, cols = slice(i * s_h, i * s_h + f_h), slice(j * s_w, j * s_w + f_w)
                grad_image[rows, cols, :] += grad_output[i, j, c] * kernel[:, :, :, c]  # ∂Y[i, j, c]/∂window = kernel
                grad_kernel[:, :, :, c] += grad_output[i, j, c] * image[rows, cols, :]  # ∂Y[i, j, c]/∂kernel = window
    return _unpad(grad_image, zeros).reshape(image_shape), grad_kernel.reshape(kernel_shape)


def conv2d_backward(image, kernel, grad_output, stride=1, *, padding="valid") -> tuple[np.ndarray, np.ndarray]:
    """The backward pass of :func:`conv2d`, vectorized: (∂L/∂image, ∂L/∂kernel) from ``grad_output`` = ∂L/∂Y.

    Same result as :func:`conv2d_backward_loops` (zero padding, no dilation), written as two convolutions:

    - ∂L/∂kernel is the (padded) image cross-correlated with ∂L/∂Y, whose pixels are spread ``stride``
      apart (a dilated kernel): weight (a, b) met the pixels at (a + s i, b + s j);
    - ∂L/∂image is the *transposed convolution* of ∂L/∂Y: ``stride - 1`` zeros inserted between its pixels,
      ``F - 1`` zeros all round (a "full" convolution), then :func:`conv2d` with the kernel turned by 180
      degrees and its input and output channels swapped.  The padding's share is cut off.

    >>> rng = np.random.default_rng(0)
    >>> image, kernel, grad = rng.normal(size=(7, 6, 2)), rng.normal(size=(3, 3, 2, 4)), rng.normal(size=(3, 2, 4))
    >>> fast, loops = conv2d_backward(image, kernel, grad, 2), conv2d_backward_loops(image, kernel, grad, 2)
    >>> all(np.allclose(a, b) for a, b in zip(fast, loops)), fast[0].shape, fast[1].shape
    (True, (7, 6, 2), (3, 3, 2, 4))
    """
    image, kernel, (s_h, s_w), zeros, grad_output, (image_shape, kernel_shape) = _backward_arguments(
        image, kernel, grad_output, stride, padding)
    f_h, f_w, _, c_out = kernel.shape
    h_out, w_out, _ = grad_output.shape
    span_h, span_w = (h_out - 1) * s_h + 1, (w_out - 1) * s_w + 1  # ∂L/∂Y with its pixels spread out
    windows = np.lib.stride_tricks.sliding_window_view(image, (span_h, span_w), axis=(0, 1))
    grad_kernel = np.einsum("abchw,hwo->abco", windows[:f_h, :f_w, :, ::s_h, ::s_w], grad_output, optimize=True)
    spread = np.zeros((span_h, span_w, c_out), dtype=image.dtype)
    spread[::s_h, ::s_w] = grad_output  # stride - 1 zeros between the pixels
    unused = image.shape[0] - (span_h + f_h - 1), image.shape[1] - (span_w + f_w - 1)  # rows the stride skipped
    full = ((f_h - 1, f_h - 1 + unused[0]), (f_w - 1, f_w - 1 + unused[1]))
    grad_image = conv2d(spread, flip_kernel(kernel).transpose(0, 1, 3, 2), padding=full)
    return _unpad(grad_image, zeros).reshape(image_shape), grad_kernel.reshape(kernel_shape)
