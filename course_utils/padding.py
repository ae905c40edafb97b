"""Padding modes: what goes outside the image before a convolution slides over it.

``numpy.pad`` implements them all; this module gives them the names the lectures use
(Khanzhina's lecture draws each one on a row ``A B C`` padded by two on both sides):

==========  ===============  ==================  =================================
mode        ``numpy.pad``    lecture's name      ``A B C`` padded by 2
==========  ===============  ==================  =================================
zero        ``constant``     zero shift          ``0 0 | A B C | 0 0``
replicate   ``edge``         border extension    ``A A | A B C | C C``
symmetric   ``symmetric``    mirror shift (1st)  ``B A | A B C | C B`` (edge repeated)
reflect     ``reflect``      mirror shift (2nd)  ``C B | A B C | B A`` (edge not repeated)
wrap        ``wrap``         cyclic shift        ``B C | A B C | A B``
==========  ===============  ==================  =================================

Keras ``padding='same'`` always pads with zeros; the other modes need an explicit
padding step (``numpy.pad``, ``keras.ops.pad`` or ``tf.pad``).  How much to pad is read by
:func:`course_utils.arithmetic.padding_per_axis`, the one parser of padding specs.

Example:
    >>> "".join(pad(list("ABC"), 2, mode="symmetric"))
    'BAABCCB'
"""

from __future__ import annotations

import numpy as np

from course_utils.arithmetic import KERAS_MODES, padding_per_axis

MODES = {"zero": "constant", "replicate": "edge", "symmetric": "symmetric", "reflect": "reflect", "wrap": "wrap"}
"""The course's name for each padding mode -> the name ``numpy.pad`` uses."""

MAX_VALUES = 10 ** 8
"""The largest padded array :func:`pad` makes (400 MB of float32): more is a typo, not a lesson."""

LECTURE_NAMES = {"zero": "zero shift", "replicate": "border extension", "symmetric": "mirror shift (edge repeated)",
                 "reflect": "mirror shift (edge not repeated)", "wrap": "cyclic shift"}
"""How Khanzhina's lecture labels each mode (the names ``pad`` does not take, for display)."""


def pad(image, padding, mode: str = "zero") -> np.ndarray:
    """``image`` padded on its spatial axes with ``numpy.pad`` in one of the :data:`MODES`.

    ``image`` is a row ``(W,)``, a grey image ``(H, W)`` or a colour image ``(H, W, C)`` (the
    channels are not padded).  ``padding`` is an int (all sides), and for images also
    ``(pad_h, pad_w)`` or ``((top, bottom), (left, right))``, as Keras ``ZeroPadding2D`` takes it
    (for a row, ``(before, after)``).  'valid' and 'same' are refused: they depend on a kernel.

    >>> pad(np.array([1, 2, 3]), (1, 2), mode="wrap")
    array([3, 1, 2, 3, 1, 2])
    >>> pad(np.ones((2, 2, 3)), ((1, 0), 2)).shape
    (3, 6, 3)
    """
    if mode not in MODES:
        raise ValueError(f"mode must be one of {', '.join(MODES)}; got {mode!r}.")
    image = np.asarray(image)
    if image.ndim not in (1, 2, 3):
        raise ValueError(f"image must be a row (W,), an image (H, W) or (H, W, C); got shape {image.shape}.")
    spatial = min(image.ndim, 2)
    if isinstance(padding, str) and padding in KERAS_MODES:
        forms = ("an int or (before, after)" if spatial == 1
                 else "an int, (pad_h, pad_w) or ((top, bottom), (left, right))")
        raise ValueError(f"padding={padding!r} is a convolution's mode, not an amount of zeros, and pad has no kernel "
                         f"to size it: give the zeros ({forms}); course_utils.arithmetic.padding_zeros computes them "
                         "for a kernel.")
    widths = [*padding_per_axis(padding, spatial, modes=()), *[(0, 0)] * (image.ndim - spatial)]
    if mode != "zero" and 0 in image.shape[:spatial]:
        raise ValueError(f"image has no pixels to copy (shape {image.shape}): mode {mode!r} repeats the image's own "
                         "values; only mode 'zero' can pad an empty image.")
    size = int(np.prod([n + before + after for n, (before, after) in zip(image.shape, widths)], dtype=object))
    if size > MAX_VALUES:
        raise ValueError(f"padding={padding!r} would make an array of {size:,} values; keep it under {MAX_VALUES:,}.")
    if image.dtype.kind in "US" and mode == "zero":  # the lecture's lettered rows: pad with the character 0
        return np.pad(image, widths, mode="constant", constant_values="0")
    return np.pad(image, widths, mode=MODES[mode])
