"""Exercises with immediate feedback, the same way in every lesson.

A lesson module (``course_utils.exercises.lesson01`` ...) defines each exercise as
a function that returns the reference answer, decorated with :func:`exercise`
and the check that judges an answer.  In the notebook the student writes an
answer and calls ``check``; the reference solution stays in this package, out
of sight, until the student calls ``solution()``.

Example (in a notebook)::

    from course_utils.exercises import lesson01 as ex
    n_params = None                   # the student replaces None with an answer
    ex.conv_params.check(n_params)    # says: correct, not answered yet, or what is wrong + a hint
    ex.conv_params.solution()         # shows the reference solution, when asked for

A check never raises: a wrong type, or a student's function that crashes, is
reported as feedback.  Checks raise :class:`Mistake` to explain a wrong answer,
and :class:`Unanswered` when the answer is still the placeholder.
"""

from __future__ import annotations

import html
import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

_STYLE = {  # status: (symbol, background colour, heading)
    "pass": ("✅", "#e6f4ea", "Correct"),
    "fail": ("❌", "#fce8e6", "Not yet"),
    "unanswered": ("✏️", "#fef7e0", "Not answered yet"),
}


class Mistake(Exception):
    """Raised by a check: ``message`` says what is wrong, ``hint`` how to get closer."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


class Unanswered(Mistake):
    """Raised by a check when the answer is still the notebook's placeholder (a function returning None)."""


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer; shows as a coloured box in Jupyter and as text elsewhere."""

    title: str
    status: str  # "pass", "fail" or "unanswered"
    message: str
    hint: str = ""

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    def __bool__(self) -> bool:
        return self.passed

    def __repr__(self) -> str:
        symbol, _, heading = _STYLE[self.status]
        hint = f"\nHint: {self.hint}" if self.hint else ""
        return f"{symbol} {self.title}: {heading}. {self.message}{hint}"

    def _repr_html_(self) -> str:
        symbol, colour, heading = _STYLE[self.status]
        hint = f"<br><b>Hint:</b> {html.escape(self.hint)}" if self.hint else ""
        return (f'<div style="background:{colour};color:#202124;padding:8px 12px;border-radius:6px">'
                f"{symbol} <b>{html.escape(self.title)}: {heading}.</b> {html.escape(self.message)}{hint}</div>")


@dataclass(frozen=True)
class Solution:
    """Reference solution source; shows as highlighted code in Jupyter, plain text elsewhere."""

    title: str
    source: str

    def __repr__(self) -> str:
        return f"Solution to {self.title}:\n{self.source}"

    def _repr_html_(self) -> str:
        from IPython.display import Code

        return f"<b>Solution to {html.escape(self.title)}</b>" + Code(self.source, language="python")._repr_html_()


class Exercise:
    """One exercise: a title, a check, and the function that returns the reference answer."""

    def __init__(self, title: str, check: Callable[[Any], None], reference: Callable[[], Any]):
        self.title, self._check, self._reference = title, check, reference

    def check(self, answer: Any) -> Feedback:
        """Judge ``answer``; ``None`` or ``...`` means the student has not answered yet."""
        if answer is None or answer is Ellipsis:
            return Feedback(self.title, "unanswered",
                            "Replace None (or ...) with your answer, then run the cell again.")
        try:
            self._check(answer)
        except Unanswered as placeholder:
            return Feedback(self.title, "unanswered", placeholder.message, placeholder.hint)
        except Mistake as mistake:
            return Feedback(self.title, "fail", mistake.message, mistake.hint)
        except Exception as err:  # a student's code may fail in any way: report it, never crash
            return Feedback(self.title, "fail", f"checking your answer raised {type(err).__name__}: {err}",
                            "Run your answer on its own to see where it fails.")
        return Feedback(self.title, "pass", "Well done.")

    def reference_answer(self) -> Any:
        """The answer the reference solution gives (the tests check that it passes)."""
        return self._reference()

    def solution(self) -> Solution:
        """Show the reference solution: the body of its function, less the final ``return``."""
        lines = inspect.getsource(self._reference).splitlines()
        body = lines[next(i for i, line in enumerate(lines) if line.lstrip().startswith("def ")) + 1:]
        if body and body[-1].lstrip().startswith("return "):
            body = body[:-1]
        return Solution(self.title, textwrap.dedent("\n".join(body)).strip())

    def __repr__(self) -> str:
        return f"<Exercise {self.title!r}: .check(answer), .solution()>"


def exercise(title: str, *, check: Callable[[Any], None]) -> Callable[[Callable[[], Any]], Exercise]:
    """Decorator: turn a function returning the reference answer into an :class:`Exercise`.

    The function's body is what ``solution()`` shows, so write it as the student would:
    compute the answer into a variable, then ``return`` that variable on the last line.
    """
    return lambda reference: Exercise(title, check, reference)


def expect_number(answer: Any, what: str) -> float:
    """Return ``answer`` as a float, or raise :class:`Mistake` saying a number was expected."""
    if isinstance(answer, bool) or not isinstance(answer, (int, float, np.integer, np.floating)):
        raise Mistake(f"{what} should be a number, but you gave a {type(answer).__name__}: {answer!r}.")
    return float(answer)


def expect_array(answer: Any, what: str, shape: tuple[int, ...]) -> np.ndarray:
    """Return ``answer`` as a float array of ``shape``, or raise :class:`Mistake` saying what is off."""
    try:
        array = np.asarray(answer, dtype=float)
    except (TypeError, ValueError):
        raise Mistake(f"{what} should be an array of numbers, but you gave {answer!r}.") from None
    if array.shape != shape:
        raise Mistake(f"{what} should have shape {shape}, but yours has shape {array.shape}.")
    return array


def expect_shape(answer: Any, what: str, length: int = 3) -> tuple:
    """Return ``answer`` as a shape tuple of ``length`` numbers: ints where whole, floats kept as they are
    (so that a half-way size such as 30.5 is reported, not rounded into a right answer).

    >>> expect_shape([30, 22.0, 32], "The output shape")
    (30, 22, 32)
    >>> expect_shape((30.5, 22, 32), "The output shape")
    (30.5, 22, 32)
    """
    return tuple(int(n) if float(n).is_integer() else float(n) for n in expect_array(answer, what, (length,)))
