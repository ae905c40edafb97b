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
and :class:`Unanswered` when the answer is still the placeholder.  They read answers
only through :mod:`course_utils.exercises.answers` (numbers, shapes, arrays, functions,
layers, models), never change what they are given (a model they train is a copy),
and draw any random numbers from a fixed seed (:func:`fixed_seed`), so the same answer
always gets the same verdict.
"""

from __future__ import annotations

import html
import inspect
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from course_utils.exercises.answers import (Mistake, Unanswered, call_student, copy_of, expect_array,
                                            expect_function, expect_layer, expect_model, expect_number,
                                            expect_shape, fixed_seed, output_of, show, to_numpy)

__all__ = ["ANSWER_KINDS", "CHECK_SEED", "CODE_KINDS", "Exercise", "Feedback", "Mistake", "Solution", "Unanswered", "call_student",
           "copy_of", "exercise", "expect_array", "expect_function", "expect_layer", "expect_model", "expect_number",
           "expect_shape", "fixed_seed", "output_of", "show", "to_numpy"]

ANSWER_KINDS = ("number", "shape", "array", "function", "layer", "model")
"""What an exercise asks for.  The last three are code that the check runs."""
CODE_KINDS = ("function", "layer", "model")
CHECK_SEED = 0
"""Every check draws its random numbers from this seed, whatever ``COURSE_SEED`` says (see :func:`fixed_seed`)."""

_STYLE = {  # status: (symbol, background colour, heading)
    "pass": ("✅", "#e6f4ea", "Correct"),
    "fail": ("❌", "#fce8e6", "Not yet"),
    "unanswered": ("✏️", "#fef7e0", "Not answered yet"),
}


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

    def __init__(self, title: str, check: Callable[[Any], str | None], reference: Callable[[], Any],
                 answer: str = "number"):
        if answer not in ANSWER_KINDS:
            raise ValueError(f"answer must be one of {', '.join(ANSWER_KINDS)}, got {answer!r}.")
        self.title, self._check, self._reference, self.answer = title, check, reference, answer

    @property
    def asks_for_code(self) -> bool:
        """True when the student writes code that the check runs: a function, a layer or a model."""
        return self.answer in CODE_KINDS

    def check(self, answer: Any) -> Feedback:
        """Judge ``answer``; ``None`` or ``...`` means the student has not answered yet.

        The check never changes ``answer`` and gives the same verdict every time it sees the same answer.
        """
        if answer is None or answer is Ellipsis:
            return Feedback(self.title, "unanswered",
                            "Replace None (or ...) with your answer, then run the cell again.")
        try:
            with fixed_seed(CHECK_SEED):  # the same draws every time; the notebook's own draws are left alone
                praise = self._check(answer)
        except Unanswered as placeholder:
            return Feedback(self.title, "unanswered", placeholder.message, placeholder.hint)
        except Mistake as mistake:
            return Feedback(self.title, "fail", mistake.message, mistake.hint)
        except Exception as err:  # noqa: BLE001  a check that did not foresee an answer: report it, never crash
            return Feedback(self.title, "fail", f"checking your answer raised {type(err).__name__}: {err}",
                            "Run your answer on its own to see where it fails.")
        return Feedback(self.title, "pass", praise if isinstance(praise, str) else "Well done.")

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


def exercise(title: str, *, check: Callable[[Any], str | None],
             answer: str = "number") -> Callable[[Callable[[], Any]], Exercise]:
    """Decorator: turn a function returning the reference answer into an :class:`Exercise`.

    The function's body is what ``solution()`` shows, so write it as the student would:
    compute the answer into a variable, then ``return`` that variable on the last line.
    ``answer`` says what the student gives (one of :data:`ANSWER_KINDS`). ``check`` raises
    :class:`Mistake` for a wrong answer; it may return a sentence to show when the answer is right.
    """
    if answer not in ANSWER_KINDS:
        raise ValueError(f"answer must be one of {', '.join(ANSWER_KINDS)}, got {answer!r}.")
    return lambda reference: Exercise(title, check, reference, answer)
