"""2-D convolution in numpy, written to be read, and the kernels of lesson 01.

Deep-learning libraries (Keras ``Conv2D`` included) compute a *cross-correlation*:
the kernel slides over the image unflipped.  The textbook *convolution* flips the
kernel first.  :func:`conv2d` and :func:`conv2d_loops` compute what ``Conv2D``
computes ('valid' padding, a stride, no bias); :func:`convolve2d` is the textbook one.

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

from course_utils.validation import positive_pair

KERNELS = {
    "blur": np.ones((3, 3)),
    "edge": np.array([[0, 1, 0], [1, -4, 1], [0, 1, 0]], dtype=float),
    "sharpen": np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]], dtype=float),
}
"""The seed lectures' 3x3 feature detectors: blur (all ones), edge (a Laplacian), sharpen."""


def _prepare(image, kernel, stride) -> tuple[np.ndarray, np.ndarray, tuple[int, int], bool]:
    """Check the arguments; return image (H, W, C), kernel (Fh, Fw, C, Co), stride, and
    whether the result loses its channel axis."""
    image, kernel = np.asarray(image), np.asarray(kernel)
    strides = positive_pair(stride, "stride")
    if image.ndim not in (2, 3):
        raise ValueError(f"image must be 2-D (H, W) or 3-D (H, W, C); got shape {image.shape}.")
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
    if kernel.shape[0] > image.shape[0] or kernel.shape[1] > image.shape[1]:
        raise ValueError(f"kernel of size {kernel.shape[0]}x{kernel.shape[1]} is larger than the "
                         f"{image.shape[0]}x{image.shape[1]} image: a 'valid' convolution needs the "
                         "kernel to fit inside the image on both axes.")
    if 0 in kernel.shape:
        raise ValueError(f"kernel must not be empty; got shape {kernel.shape}.")
    dtype = np.result_type(image.dtype, kernel.dtype, np.float32)
    return image.astype(dtype, copy=False), kernel.astype(dtype, copy=False), strides, squeeze


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
    image, kernel, (s_h, s_w), squeeze = _prepare(image, kernel, stride)
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


def conv2d(image, kernel, stride=1) -> np.ndarray:
    """Cross-correlate ``image`` with ``kernel``, vectorized (what Keras ``Conv2D`` computes).

    Takes every kernel-sized window at once with ``sliding_window_view`` and
    multiplies-and-sums them with the kernel in one ``einsum``.

    >>> conv2d(np.arange(16.0).reshape(4, 4), np.ones((3, 3)), stride=2)
    array([[45.]])
    """
    image, kernel, (s_h, s_w), squeeze = _prepare(image, kernel, stride)
    f_h, f_w = kernel.shape[:2]
    windows = np.lib.stride_tricks.sliding_window_view(image, (f_h, f_w), axis=(0, 1))[::s_h, ::s_w]
    out = np.einsum("hwcij,ijco->hwo", windows, kernel, optimize=True)
    return out[..., 0] if squeeze else out


def flip_kernel(kernel) -> np.ndarray:
    """The kernel turned by 180 degrees (flipped along both spatial axes).

    >>> flip_kernel(np.array([[1, 2], [3, 4]]))
    array([[4, 3],
           [2, 1]])
    """
    kernel = np.asarray(kernel)
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
    kernel = np.asarray(kernel)
    if kernel.ndim != 2:
        raise ValueError(f"kernel must be 2-D (F_h, F_w); got shape {kernel.shape}.")
    if len(input_shape) != 2:
        raise ValueError(f"input_shape must be (H, W); got {input_shape!r}.")
    basis = np.eye(input_shape[0] * input_shape[1]).reshape(-1, *input_shape)
    return np.stack([conv2d(pixel, kernel).ravel() for pixel in basis], axis=1)
