"""Every exercise: its reference solution passes, and unanswered or wrong answers get friendly feedback."""

import importlib
import pkgutil

import numpy as np
import pytest

import course_utils.exercises as exercises
from course_utils.exercises import Exercise, Feedback

MODULES = [importlib.import_module(f"course_utils.exercises.{m.name}")
           for m in pkgutil.iter_modules(exercises.__path__) if m.name.startswith("lesson")]
ALL = [pytest.param(ex, id=f"{module.__name__.rsplit('.', 1)[1]}.{name}")
       for module in MODULES for name, ex in vars(module).items() if isinstance(ex, Exercise)]


def test_there_are_exercises():
    assert len(ALL) >= 3


@pytest.mark.parametrize("ex", ALL)
def test_reference_answer_passes(ex):
    feedback = ex.check(ex.reference_answer())
    assert feedback.passed, feedback


@pytest.mark.parametrize("ex", ALL)
def test_shown_solution_runs_and_passes(ex):
    """What solution() shows, run as a student would paste it, gives an answer that passes."""
    source = ex.solution().source
    name = _returned_name(ex)
    namespace = dict(vars(importlib.import_module(ex._reference.__module__)))
    exec(source, namespace)
    assert ex.check(namespace[name]).passed


def _returned_name(ex):
    import inspect

    last = inspect.getsource(ex._reference).strip().splitlines()[-1].strip()
    assert last.startswith("return "), "a reference must end with `return <variable>`"
    return last.removeprefix("return ").strip()


@pytest.mark.parametrize("ex", ALL)
@pytest.mark.parametrize("placeholder", [None, ...])
def test_unanswered_gets_a_friendly_message(ex, placeholder):
    feedback = ex.check(placeholder)
    assert feedback.status == "unanswered" and not feedback
    assert "Not answered yet" in repr(feedback)


@pytest.mark.parametrize("ex", ALL)
@pytest.mark.parametrize("wrong", ["abc", 12345, -1.5, [1, 2], object(), np.zeros((7, 7)), lambda *a: 1 / 0])
def test_wrong_answers_get_feedback_not_a_crash(ex, wrong):
    feedback = ex.check(wrong)
    assert isinstance(feedback, Feedback) and feedback.status == "fail"
    assert feedback.message
    assert "Not yet" in repr(feedback) and "Not yet" in feedback._repr_html_()


def test_feedback_html_escapes_the_student_text():
    from course_utils.exercises import lesson01

    feedback = lesson01.conv_params.check("<script>")
    assert "<script>" in repr(feedback) and "<script>" not in feedback._repr_html_()


def test_lesson01_hints_name_the_usual_mistakes():
    from course_utils.convolution import conv2d
    from course_utils.exercises import lesson01 as ex

    assert "bias" in ex.conv_params.check(1728).hint
    assert "3 channels" in ex.conv_params.check(640).hint
    assert "sum to zero" in ex.vertical_edge_kernel.check(np.ones((3, 3))).hint
    assert "row" in ex.vertical_edge_kernel.check([[1, 0, 0], [0, 0, 0], [0, 0, -1]]).hint
    assert "left column" in ex.vertical_edge_kernel.check([[1, 0, -1]] * 3).hint
    assert "cross-correlation" in ex.convolve.check(conv2d).message
    assert "one axis" in ex.convolve.check(lambda i, k: conv2d(i, k[::-1])).message
    unanswered = ex.convolve.check(lambda image, kernel: None)
    assert unanswered.status == "unanswered" and "returns None" in unanswered.message


@pytest.mark.parametrize(("lesson", "name"), [("lesson02", "output_shape"), ("lesson03", "pool_shape"),
                                              ("lesson05", "pool1_shape"), ("lesson06", "feature_map_shape")])
def test_shape_answers_are_not_rounded_into_right_ones(lesson, name):
    ex = getattr(importlib.import_module(f"course_utils.exercises.{lesson}"), name)
    right = ex.reference_answer()
    assert ex.check(list(right)).passed, "a list is as good as a tuple"
    nudged = (right[0] + 0.5, *right[1:])
    feedback = ex.check(nudged)
    assert not feedback.passed and str(right[0] + 0.5) in feedback.message
