"""Layer arithmetic: parameter counts of Dense and Conv2D layers.

Example (seed 000: a Dense layer on a 640x480 RGB image):
    >>> dense_params(640 * 480 * 3, 1000)
    921601000
    >>> conv2d_params(5, in_channels=3, filters=1000)
    76000
"""

from __future__ import annotations

from course_utils.validation import positive_int, positive_pair


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
