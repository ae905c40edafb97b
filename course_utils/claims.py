"""A lesson's measured claims: asserted, printed with their margin, and logged for the margin report.

A notebook cell that states a fact which depends on training or on floating-point rounding
(an accuracy, a loss gap, a largest difference between numpy and Keras) calls :func:`claim`
instead of a bare ``assert``. It

- asserts the fact, and on failure says by how much it missed;
- prints one line with the measured value, the threshold and the margin, so a student sees
  how comfortably the lesson's point holds on their machine;
- when the environment variable ``COURSE_CLAIMS_LOG`` names a file, appends the claim to it
  as one JSON line. ``scripts/claim_margins.py`` runs notebooks in several numeric lanes,
  seeds and profiles and gathers these lines into a table of margins.

Example:
    >>> claim("convnet test accuracy", 0.991, ">", 0.98)
    ✓ convnet test accuracy: 0.991 > 0.98 (margin 0.011)
    >>> claim("largest |Keras - numpy|", 3e-7, "<", 1e-4)
    ✓ largest |Keras - numpy|: 3e-07 < 0.0001 (margin 9.97e-05)
    >>> claim("residual loss gap", 0.05, ">", 0.2)
    Traceback (most recent call last):
    ...
    AssertionError: claim failed: residual loss gap: 0.05 is not > 0.2 (short by 0.15)
"""

from __future__ import annotations

import json
import math
import numbers
import operator
import os

LOG_VAR = "COURSE_CLAIMS_LOG"
OPERATORS = {">": operator.gt, ">=": operator.ge, "<": operator.lt, "<=": operator.le}


def _number(value, name: str) -> float:
    """A real number from Python, numpy or a 0-d backend tensor; ``TypeError`` naming ``name`` otherwise."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        try:
            import numpy as np

            array = np.asarray(value)
        except Exception:  # a backend tensor numpy cannot read  # noqa: BLE001
            array = None
        if array is None or array.shape != () or array.dtype.kind not in "iuf":
            raise TypeError(f"{name} must be a real number, got {value!r} ({type(value).__name__}).")
        value = array.item()
    return float(value)


def margin(value: float, op: str, threshold: float) -> float:
    """How far ``value`` is on the right side of ``threshold`` (negative: the claim fails).

    >>> margin(0.99, ">", 0.98), margin(0.5, "<", 0.2)
    (0.01, -0.3)
    """
    if op not in OPERATORS:
        raise ValueError(f"op must be one of {', '.join(OPERATORS)}, got {op!r}.")
    return round(value - threshold if op in (">", ">=") else threshold - value, 12)


def claim(description: str, value, op: str, threshold) -> None:
    """Assert ``value op threshold``, print it with its margin, and log it (nothing is returned, so
    a claim on a cell's last line shows no ``Out[]``)."""
    if not isinstance(description, str) or not description.strip():
        raise ValueError(f"description must be a non-empty str, got {description!r}.")
    value, threshold = _number(value, "value"), _number(threshold, "threshold")
    slack = margin(value, op, threshold)
    holds = not math.isnan(value) and OPERATORS[op](value, threshold)
    _log({"claim": description, "value": value, "op": op, "threshold": threshold, "margin": slack, "holds": holds})
    if not holds:
        raise AssertionError(f"claim failed: {description}: {value:.4g} is not {op} {threshold:.4g} "
                             f"(short by {abs(slack):.3g})")
    print(f"✓ {description}: {value:.4g} {op} {threshold:.4g} (margin {slack:.3g})")


def _log(record: dict) -> None:
    path = os.environ.get(LOG_VAR)
    if path:
        with open(path, "a", encoding="utf-8") as log:
            log.write(json.dumps(record) + "\n")
