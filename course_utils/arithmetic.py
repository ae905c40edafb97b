"""Layer arithmetic: parameter counts, output sizes, receptive fields.

The output sizes are the ones Keras builds (``tests/test_conv_arithmetic_keras.py``
checks them against real ``Conv2D``, ``Conv2DTranspose`` and pooling layers).
The lecture formulas are special cases of :func:`conv_output_size`:

- ``O = (W - F + 2P) / S + 1``: ``conv_output_size(W, F, stride=S, padding=P)``;
- ``floor((m + 2p - n - (n - 1)(d - 1)) / s) + 1``: the same with ``dilation=d``.

This module is the one place a convolution's ``padding`` is parsed: :func:`padding_zeros` turns
one axis's spec into the zeros added before and after, :func:`padding_per_axis` splits an image's
spec into one spec per axis.  :mod:`course_utils.padding`, :mod:`course_utils.convolution` and
:mod:`course_utils.explorer` call them rather than reading ``padding`` themselves.

Example (the worked examples of Ollion and Grisel's lecture and of Pitié's handout):
    >>> dense_params(640 * 480 * 3, 1000)
    921601000
    >>> conv2d_params(5, in_channels=3, filters=1000)
    76000
    >>> conv_output_shape((443, 592), 5, padding="valid")
    (439, 588)
    >>> transposed_conv_output_shape((10, 8), 3, strides=2)
    (21, 17)
    >>> receptive_field([3, 2, 3], strides=[1, 2, 1])
    (8, 2)
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, Sequence

from course_utils.validation import non_negative_int, positive_int, positive_pair

Padding = str | int | tuple[int, int]
"""Padding of one axis: ``'valid'``, ``'same'``, an int (that many zeros on both sides) or ``(before, after)``."""


def dense_params(n_inputs: int, units: int, *, bias: bool = True) -> int:
    """Weights (``n_inputs * units``) plus one bias per unit."""
    n_inputs, units = positive_int(n_inputs, "n_inputs"), positive_int(units, "units")
    return n_inputs * units + (units if bias else 0)


def conv2d_params(kernel_size, in_channels: int, filters: int, *, bias: bool = True) -> int:
    """``(F_h * F_w * C_in + 1) * C_out``: one F_h x F_w x C_in kernel and one bias per filter.

    ``kernel_size`` is an int (square kernel) or a pair ``(F_h, F_w)``.  The image size
    does not appear: the same weights are shared by every position.
    """
    f_h, f_w = positive_pair(kernel_size, "kernel_size")
    in_channels, filters = positive_int(in_channels, "in_channels"), positive_int(filters, "filters")
    return (f_h * f_w * in_channels + (1 if bias else 0)) * filters


KERAS_MODES = ("valid", "same")
"""The padding modes Keras names: no zeros, or enough zeros for ``ceil(size / stride)`` positions."""


def _one_of(forms: list[str]) -> str:
    """``'a, b or c'``."""
    return forms[0] if len(forms) == 1 else ", ".join(forms[:-1]) + " or " + forms[-1]


def _is_zeros(value) -> bool:
    """Whether ``value`` is a number of zeros: an int >= 0 (numpy's too), not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool) and value >= 0


def _axis_padding(value, name: str = "padding", *, modes: tuple[str, ...] = KERAS_MODES,
                  zeros: bool = True) -> str | tuple[int, int]:
    """The check of one axis's padding: a mode of ``modes`` as it is, and (if ``zeros``) an int ``p``
    as ``(p, p)`` or a ``(before, after)`` pair as a tuple of ints; else a ValueError naming ``name``."""
    if isinstance(value, str):
        if value in modes:
            return value
    elif zeros:
        pair = value if isinstance(value, (tuple, list)) else (value, value)
        if len(pair) == 2 and all(_is_zeros(n) for n in pair):
            return int(pair[0]), int(pair[1])
    forms = [repr(mode) for mode in modes] + (["a non-negative int", "a (before, after) pair of them"] if zeros else [])
    note = "" if zeros else " (the only modes Keras offers here)"
    raise ValueError(f"{name} must be {_one_of(forms)}{note}; got {value!r}.")


def padding_per_axis(padding, axes: int = 2, *, modes: tuple[str, ...] = KERAS_MODES) -> tuple:
    """An image's ``padding`` split into one checked spec per spatial axis: a mode or ``(before, after)``.

    With ``axes=2`` (height, width) it takes what Keras ``Conv2D`` and ``ZeroPadding2D`` take: a mode
    of ``modes`` or an int for both axes, ``(pad_h, pad_w)``, or ``((top, bottom), (left, right))``.
    With ``axes=1`` (a row) it is one axis's spec: a mode, an int or ``(before, after)``.
    ``modes=()`` refuses 'valid' and 'same' (for callers without a kernel to size them).

    >>> padding_per_axis("same"), padding_per_axis(1), padding_per_axis(((2, 0), 1))
    (('same', 'same'), ((1, 1), (1, 1)), ((2, 0), (1, 1)))
    >>> padding_per_axis((1, 2), axes=1)
    ((1, 2),)
    """
    if axes == 1:
        return (_axis_padding(padding, modes=modes),)
    if axes != 2:
        raise ValueError(f"axes must be 1 (a row) or 2 (an image); got {axes!r}.")
    if isinstance(padding, (tuple, list)) and len(padding) == 2:
        return tuple(_axis_padding(part, f"padding for the {axis}", modes=())
                     for part, axis in zip(padding, ("height", "width")))
    if (isinstance(padding, str) and padding in modes) or _is_zeros(padding):
        return (_axis_padding(padding, modes=modes),) * 2
    forms = [repr(mode) for mode in modes] + ["a non-negative int", "(pad_h, pad_w)", "((top, bottom), (left, right))"]
    raise ValueError(f"padding must be {_one_of(forms)}; got {padding!r}.")


def _no_stride_with_dilation(stride: int, dilation: int) -> None:
    if stride > 1 and dilation > 1:
        raise ValueError(f"dilation={dilation} together with stride={stride}: Keras convolutions refuse "
                         "strides > 1 with dilation_rate > 1; use one of them per layer.")


def dilated_kernel_size(kernel_size: int, dilation: int = 1) -> int:
    """The span of a kernel with ``dilation - 1`` gaps between its taps: ``d * (F - 1) + 1``.

    >>> dilated_kernel_size(3, dilation=2)
    5
    """
    kernel_size, dilation = positive_int(kernel_size, "kernel_size"), positive_int(dilation, "dilation")
    return dilation * (kernel_size - 1) + 1


def conv_output_size(size: int, kernel_size: int, *, stride: int = 1, padding: Padding = "valid",
                     dilation: int = 1) -> int:
    """Output length of a convolution along one axis.

    The input is padded with the zeros of :func:`padding_zeros` and
    ``floor((size + before + after - span) / stride) + 1`` positions fit, where
    ``span = dilation * (kernel_size - 1) + 1``; for ``'same'`` that is ``ceil(size / stride)``.

    >>> conv_output_size(16, 3, stride=2)
    7
    >>> conv_output_size(7, 3, padding=1), conv_output_size(7, 3, padding="same", stride=2)
    (7, 4)
    """
    size, stride = positive_int(size, "size"), positive_int(stride, "stride")
    span = dilated_kernel_size(kernel_size, dilation)
    _no_stride_with_dilation(stride, dilation)
    before, after = padding_zeros(size, kernel_size, stride=stride, padding=padding, dilation=dilation)
    padded = size + before + after
    if span > padded:
        raise ValueError(f"kernel_size={kernel_size} with dilation={dilation} spans {span} pixels, more than the "
                         f"padded input ({size} + {before} + {after} = {padded}): the output would be empty.")
    return (padded - span) // stride + 1


def same_padding(size: int, kernel_size: int, *, stride: int = 1, dilation: int = 1) -> tuple[int, int]:
    """The zeros ``(before, after)`` that ``padding='same'`` adds along one axis (TensorFlow's rule).

    Just enough for ``ceil(size / stride)`` positions; an odd total puts the extra zero after.

    >>> same_padding(7, 3), same_padding(8, 4), same_padding(8, 4, stride=2), same_padding(5, 3, dilation=2)
    ((1, 1), (1, 2), (1, 1), (2, 2))
    """
    size, stride = positive_int(size, "size"), positive_int(stride, "stride")
    span = dilated_kernel_size(kernel_size, dilation)
    _no_stride_with_dilation(stride, dilation)
    out = -(-size // stride)
    total = max((out - 1) * stride + span - size, 0)
    return total // 2, total - total // 2


def padding_zeros(size: int, kernel_size: int, *, stride: int = 1, padding: Padding = "valid",
                  dilation: int = 1) -> tuple[int, int]:
    """The zeros ``(before, after)`` a convolution's ``padding`` adds along one axis.

    ``'valid'``: none; ``'same'``: :func:`same_padding` (Keras's split); an int ``p``: ``(p, p)``;
    a ``(before, after)`` pair: as given.  Anything else is a ValueError listing these.  The sizes
    (checked by :func:`same_padding`) matter only for ``'same'``.

    >>> padding_zeros(8, 4), padding_zeros(8, 4, padding="same"), padding_zeros(8, 4, padding=2)
    ((0, 0), (1, 2), (2, 2))
    >>> padding_zeros(8, 4, padding=(0, 3))
    (0, 3)
    """
    spec = _axis_padding(padding)
    if spec == "same":
        return same_padding(size, kernel_size, stride=stride, dilation=dilation)
    return (0, 0) if spec == "valid" else spec


def transposed_conv_output_size(size: int, kernel_size: int, *, stride: int = 1, padding: str = "valid",
                                output_padding: int | None = None, dilation: int = 1) -> int:
    """Output length of a transposed convolution (Keras ``Conv2DTranspose``) along one axis.

    Without ``output_padding``: ``size * stride`` for ``'same'``, and
    ``size * stride + max(span - stride, 0)`` for ``'valid'``.  With it:
    ``(size - 1) * stride + span + output_padding`` (``'valid'``) or
    ``(size - 1) * stride + span % 2 + output_padding`` (``'same'``).  ``output_padding``
    picks one of the ``stride`` input sizes that a strided convolution maps to ``size``.

    >>> transposed_conv_output_size(10, 3, stride=2), transposed_conv_output_size(10, 3, stride=2, padding="same")
    (21, 20)
    """
    size, stride = positive_int(size, "size"), positive_int(stride, "stride")
    span = dilated_kernel_size(kernel_size, dilation)
    _no_stride_with_dilation(stride, dilation)
    padding = _axis_padding(padding, zeros=False)
    if output_padding is None:
        return size * stride + (max(span - stride, 0) if padding == "valid" else 0)
    output_padding = non_negative_int(output_padding, "output_padding")
    if output_padding >= stride:
        raise ValueError(f"output_padding must be smaller than stride; got output_padding={output_padding} "
                         f"and stride={stride}.")
    length = (size - 1) * stride + (span if padding == "valid" else span % 2) + output_padding
    if length < 1:
        raise ValueError(f"output_padding={output_padding} with padding='same', an even kernel_size={kernel_size} "
                         f"and size={size} leaves an empty output; use output_padding >= 1 or an odd kernel.")
    return length


def pool_output_size(size: int, pool_size: int, *, stride: int | None = None, padding: str = "valid") -> int:
    """Output length of max or average pooling along one axis: ``floor((I - P) / S) + 1``.

    ``stride`` defaults to ``pool_size`` (Keras's default: windows side by side);
    ``'same'`` gives ``ceil(I / S)``.

    >>> pool_output_size(28, 2), pool_output_size(7, 3, stride=2), pool_output_size(7, 2, padding="same")
    (14, 3, 4)
    """
    size, pool_size = positive_int(size, "size"), positive_int(pool_size, "pool_size")
    stride = pool_size if stride is None else stride
    if _axis_padding(padding, zeros=False) == "valid" and pool_size > size:
        raise ValueError(f"pool_size={pool_size} is larger than the input (size={size}) with padding='valid': "
                         "the output would be empty.")
    return conv_output_size(size, pool_size, stride=stride, padding=padding)


def _per_axis(value, name: str) -> tuple:
    """An int (or None, or a string) for both axes, or a pair, as a pair."""
    if isinstance(value, (tuple, list)):
        if len(value) != 2:
            raise ValueError(f"{name} must be one value for both axes or a pair (height, width); got {value!r}.")
        return tuple(value)
    return value, value


def conv_output_shape(input_shape: tuple[int, int], kernel_size, *, strides=1, padding="valid",
                      dilation=1) -> tuple[int, int]:
    """Output ``(height, width)`` of a 2-D convolution; each argument is one value or a pair.

    ``padding`` follows Keras: ``'valid'``, ``'same'``, or as ``ZeroPadding2D`` takes it: an int,
    ``(pad_h, pad_w)``, or ``((top, bottom), (left, right))`` (see :func:`padding_per_axis`).

    >>> conv_output_shape((16, 16), 3, strides=(2, 3)), conv_output_shape((5, 6), (3, 2), padding=((1, 0), 2))
    ((7, 5), (4, 9))
    """
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 2:
        raise ValueError(f"input_shape must be (height, width); got {input_shape!r}.")
    strides, dilation = positive_pair(strides, "strides"), positive_pair(dilation, "dilation")
    _no_stride_with_dilation(max(strides), max(dilation))  # Keras refuses it even on different axes
    return tuple(conv_output_size(n, k, stride=s, padding=p, dilation=d) for n, k, s, p, d in zip(
        input_shape, positive_pair(kernel_size, "kernel_size"), strides, padding_per_axis(padding), dilation))


def transposed_conv_output_shape(input_shape: tuple[int, int], kernel_size, *, strides=1, padding="valid",
                                 output_padding=None, dilation=1) -> tuple[int, int]:
    """Output ``(height, width)`` of Keras ``Conv2DTranspose``; each argument is one value or a pair.

    >>> transposed_conv_output_shape((4, 4), 3, strides=2, padding="same", output_padding=(0, 1))
    (7, 8)
    """
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 2:
        raise ValueError(f"input_shape must be (height, width); got {input_shape!r}.")
    strides, dilation = positive_pair(strides, "strides"), positive_pair(dilation, "dilation")
    _no_stride_with_dilation(max(strides), max(dilation))
    return tuple(transposed_conv_output_size(n, k, stride=s, padding=padding, output_padding=o, dilation=d)
                 for n, k, s, o, d in zip(input_shape, positive_pair(kernel_size, "kernel_size"), strides,
                                          _per_axis(output_padding, "output_padding"), dilation))


def pool_output_shape(input_shape: tuple[int, int], pool_size, *, strides=None, padding="valid") -> tuple[int, int]:
    """Output ``(height, width)`` of ``MaxPooling2D`` / ``AveragePooling2D``.

    >>> pool_output_shape((28, 28), 2), pool_output_shape((7, 5), (3, 2), strides=1)
    ((14, 14), (5, 4))
    """
    if not isinstance(input_shape, (tuple, list)) or len(input_shape) != 2:
        raise ValueError(f"input_shape must be (height, width); got {input_shape!r}.")
    return tuple(pool_output_size(n, p, stride=s, padding=padding) for n, p, s in zip(
        input_shape, _per_axis(pool_size, "pool_size"), _per_axis(strides, "strides")))


def _per_layer(values, name: str, layers: int | None = None) -> list[int]:
    """A sequence of positive ints (one per layer) as a list; else a ValueError naming ``name``."""
    if isinstance(values, (str, bytes)) or not isinstance(values, Iterable):
        raise ValueError(f"{name} must be a sequence of positive ints, one per layer; got {values!r}.")
    values = [positive_int(v, name) for v in values]
    if layers is not None and len(values) != layers:
        raise ValueError(f"{name} must be a list of {layers} positive ints (one per layer, like kernel_sizes); "
                         f"got {len(values)}: {values!r}.")
    return values


def receptive_field(kernel_sizes: Sequence[int], strides: Sequence[int] | None = None,
                    dilations: Sequence[int] | None = None) -> tuple[int, int]:
    """(receptive field, effective stride) along one axis of a stack of layers, first layer first.

    Each layer widens the field by ``dilation * (kernel_size - 1)`` steps of the stride
    accumulated so far (``r += d * (k - 1) * j``), then multiplies that stride by its own
    (``j *= s``).  Pooling layers count as layers with ``kernel_size = pool_size``.

    >>> receptive_field([3, 3]), receptive_field([3, 3, 3], dilations=[1, 2, 4])
    ((5, 1), (15, 1))
    """
    kernel_sizes = _per_layer(kernel_sizes, "kernel_sizes")
    if not kernel_sizes:
        raise ValueError("kernel_sizes must list at least one layer; got an empty sequence.")
    layers = len(kernel_sizes)
    strides = [1] * layers if strides is None else _per_layer(strides, "strides", layers)
    dilations = [1] * layers if dilations is None else _per_layer(dilations, "dilations", layers)
    field, jump = 1, 1
    for k, s, d in zip(kernel_sizes, strides, dilations):
        field += d * (k - 1) * jump
        jump *= s
    return field, jump
