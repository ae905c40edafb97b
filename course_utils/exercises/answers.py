"""Reading a student's answer, once for every check: numbers, shapes, arrays, functions, models.

Every reader accepts each reasonable form of a right answer (Python and numpy scalars, 0-d
arrays, backend tensors, tuples or lists) and turns every malformed one (text, NaN, an
infinity, a huge value, a half-way size, a shape with the batch axis) into a :class:`Mistake`
that says what was given, never into a traceback.  The checks of the lessons use only these
readers, so an answer means the same thing in every exercise.

>>> expect_number(np.array(1792), "The count", whole=True)
1792
>>> expect_number(1792.0000001, "The count", whole=True)
Traceback (most recent call last):
...
course_utils.exercises.answers.Mistake: The count should be a whole number, but yours is 1792.0000001.
>>> expect_shape([30, 22.0, np.int64(32)], "The output shape")
(30, 22, 32)
>>> expect_shape((None, 30, 22, 32), "The output shape")
Traceback (most recent call last):
...
course_utils.exercises.answers.Mistake: The output shape should not include the batch axis: give (30, 22, 32), without the None in front.
"""

from __future__ import annotations

import contextlib
import inspect
import math
import numbers
import random
import sys
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np

HUGE = 1e15
"""Any number in an answer at least this large is refused as far too large (no count in the course comes near it)."""

_BACKEND_MODULES = ("tensorflow", "jax", "jaxlib", "torch", "keras")


class Mistake(Exception):
    """Raised by a check: ``message`` says what is wrong, ``hint`` how to get closer."""

    def __init__(self, message: str, hint: str = ""):
        super().__init__(message)
        self.message, self.hint = message, hint


class Unanswered(Mistake):
    """Raised by a check when the answer is still the notebook's placeholder (a function returning None)."""


def show(value: Any) -> str:
    """A number as a student would want to read it back: whole ints with thousands separators, floats
    in full (``repr``, so 1792.0000001 is not rounded into 1792), huge ints by their number of digits.

    >>> show(824970), show(1792.0000001), show(10 ** 400), show(float("nan"))
    ('824,970', '1792.0000001', 'a 401-digit number', 'nan')
    """
    if isinstance(value, numbers.Integral) and not isinstance(value, bool):
        digits = len(str(abs(int(value))))
        return f"a {digits}-digit number" if digits > 18 else f"{int(value):,}"
    if isinstance(value, float):
        return repr(value)
    return repr(value)


def _describe(answer: Any) -> str:
    """What the student gave, short: its type and (for small things) its value."""
    text = repr(answer)
    return f"a {type(answer).__name__}" + (f" ({text})" if len(text) <= 60 else "")


def to_numpy(value: Any) -> np.ndarray | None:
    """``value`` as a numpy array (a copy where it had to convert), or ``None`` when numpy cannot read it.

    Backend tensors (TensorFlow, JAX, PyTorch) go through ``keras.ops.convert_to_numpy``.
    Ragged lists, text and objects give ``None``.
    """
    if isinstance(value, (str, bytes)):
        return None
    module = type(value).__module__.split(".")[0]
    if module in _BACKEND_MODULES and "keras" in sys.modules:
        with contextlib.suppress(Exception):
            import keras

            return np.asarray(keras.ops.convert_to_numpy(value))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            array = np.asarray(value)
    except Exception:  # a ragged list, an object numpy cannot read  # noqa: BLE001
        return None
    return None if array.dtype.kind in "OUSV" else array


def _finite(value: float, what: str) -> None:
    if math.isnan(value):
        raise Mistake(f"{what} is NaN (not a number).",
                      "NaN comes out of 0 / 0, inf - inf or the log of a negative number: check the step that computes it.")
    if math.isinf(value):
        raise Mistake(f"{what} is infinite ({value}).",
                      "Something overflowed (np.exp of a large number?) or was divided by zero.")


def expect_number(answer: Any, what: str, *, whole: bool = False) -> int | float:
    """``answer`` as one Python number, or a :class:`Mistake` saying what is wrong with it.

    Accepts ints, floats, numpy scalars, 0-d arrays and 0-d backend tensors.  Refuses text,
    bools, arrays of several numbers, NaN, infinities and numbers of :data:`HUGE` or more.  With
    ``whole=True`` (counts, sizes) the result is an ``int``; a float that is not exactly whole is
    refused with its value in full.

    >>> expect_number(np.float32(0.5), "The loss"), expect_number(np.int64(7), "The count", whole=True)
    (0.5, 7)
    """
    if isinstance(answer, bool) or isinstance(answer, np.bool_):
        raise Mistake(f"{what} should be a number, but you gave {answer!r}, a bool.")
    if isinstance(answer, (str, bytes)):
        raise Mistake(f"{what} should be a number, but you gave the text {answer!r}.",
                      "Remove the quotes: write the number itself.")
    if isinstance(answer, numbers.Integral):
        value: int | float = int(answer)
    else:
        array = to_numpy(answer)
        if array is None or array.dtype.kind not in "iuf":
            kind = "bools" if array is not None and array.dtype.kind == "b" else None
            raise Mistake(f"{what} should be a number, but you gave {_describe(answer)}"
                          + (" of bools." if kind else "."))
        if array.shape != ():
            raise Mistake(f"{what} should be one number, but you gave an array of shape {array.shape}.",
                          "Give the number itself" + (" (take it out with .item())." if array.size == 1 else "."))
        value = array.item()
    if isinstance(value, float):
        _finite(value, what)
    if abs(value) >= HUGE:
        raise Mistake(f"{what}, {show(value)}, is far too large to be right.",
                      "Check the formula: a product too many, or a power instead of a product?")
    if whole:
        if isinstance(value, float):
            if not value.is_integer():
                raise Mistake(f"{what} should be a whole number, but yours is {value!r}.",
                              "Counts and sizes are whole numbers. If yours comes out of float arithmetic, "
                              "round it (round(x)); if a division does not come out even, round down.")
            value = int(value)
    return value


def expect_shape(answer: Any, what: str, length: int = 3) -> tuple[int, ...]:
    """``answer`` as a shape: a tuple of ``length`` positive whole numbers.

    Accepts tuples, lists, 1-d arrays and tensors, ``TensorShape`` and ``torch.Size``, with ints,
    numpy ints, 0-d arrays or whole floats inside; for a one-axis shape also a bare number.
    Refuses text, half-way sizes such as 28.5, NaN, infinities, huge or non-positive sizes, a
    leading ``None`` (the batch axis) and the wrong number of axes, each with its own message.
    """
    if isinstance(answer, (str, bytes)):
        raise Mistake(f"{what} should be a tuple of {length} numbers, but you gave the text {answer!r}.",
                      "Remove the quotes: e.g. (28, 28, 32).")
    if length == 1 and not isinstance(answer, (tuple, list)):
        array = to_numpy(answer)
        if isinstance(answer, numbers.Number) or (array is not None and array.ndim == 0):
            answer = (answer,)  # a one-axis shape given as a bare number, e.g. 3136 for (3136,)
    items = _items(answer)
    if items is None:
        raise Mistake(f"{what} should be a tuple of {length} numbers, such as {(28, 28, 32)[:length]}, "
                      f"but you gave {_describe(answer)}.")
    items = [_plain(item) for item in items]
    if len(items) == length + 1 and items[0] is None:
        rest = tuple(items[1:])
        raise Mistake(f"{what} should not include the batch axis: give {rest}, without the None in front.")
    if any(item is None for item in items):
        raise Mistake(f"{what} has a None in it: {tuple(items)}. Give every size as a number.")
    if len(items) != length:
        shown = f": {tuple(items)}" if len(items) < 10 else ""
        raise Mistake(f"{what} should have {length} number{'s' * (length != 1)}, but yours has {len(items)}{shown}.")
    shape = tuple(expect_number(item, f"Number {i + 1} of {what.lower()}", whole=True)
                  for i, item in enumerate(items))
    if any(n < 1 for n in shape):
        raise Mistake(f"{what} {shape} has a size below 1: every axis of a tensor has at least one element.")
    return shape


def _plain(item: Any) -> Any:
    """A numpy scalar or 0-d array as the Python number it holds (so that messages show 28, not np.int64(28))."""
    if isinstance(item, (np.generic, np.ndarray)) and np.ndim(item) == 0:
        return item.item()
    return item


def _items(answer: Any) -> list | None:
    """The elements of a shape-like answer, or ``None`` if it is not one."""
    if isinstance(answer, (tuple, list)):
        return list(answer)
    if hasattr(answer, "as_list") and callable(answer.as_list):  # tf.TensorShape
        with contextlib.suppress(Exception):
            return list(answer.as_list())
    array = to_numpy(answer) if not isinstance(answer, numbers.Number) else None
    if array is not None and array.ndim == 1:
        return list(array)
    return None


def expect_array(answer: Any, what: str, shape: tuple[int, ...] | None = None) -> np.ndarray:
    """``answer`` as a new float array (never the student's own array), or a :class:`Mistake`.

    Accepts nested lists, numpy arrays of any numeric dtype and backend tensors; refuses text,
    ragged lists, bools, NaN, infinities, huge values and, when ``shape`` is given, another shape.
    """
    array = to_numpy(answer)
    if array is None or array.dtype.kind not in "iuf" or isinstance(answer, (bool, np.bool_)):
        wanted = f" of shape {shape}" if shape is not None else ""
        raise Mistake(f"{what} should be an array of numbers{wanted}, but it is {_describe(answer)}.",
                      "For example np.array([[..., ..., ...], ...]) with the same number of values in every row.")
    if shape is not None and array.shape != shape:
        raise Mistake(f"{what} should have shape {shape}, but yours has shape {array.shape}.")
    array = np.array(array, dtype=float, copy=True)
    if np.isnan(array).any():
        raise Mistake(f"{what} contains NaN (not a number).")
    if np.isinf(array).any():
        raise Mistake(f"{what} contains an infinite value.")
    if np.abs(array).max(initial=0) >= HUGE:
        raise Mistake(f"{what} contains values far too large to be right (up to {np.abs(array).max():.3g}).")
    return array


def expect_function(answer: Any, what: str, example: str) -> Callable:
    """``answer`` if it is a function (or another callable that is not a class), else a :class:`Mistake`.

    ``example`` is how its definition starts, e.g. ``"def my_max_pool(x)"``.
    """
    if inspect.isclass(answer) or not callable(answer):
        raise Mistake(f"{what} should be a function, but you gave {_describe(answer)}.",
                      f"Write `{example}: ...` and pass the function itself, without calling it (no parentheses).")
    return answer


def call_student(function: Callable, *args: Any, returns: str = "the result") -> Any:
    """``function(*args)``; whatever it raises becomes a :class:`Mistake` naming the error, and a
    ``None`` result an :class:`Unanswered` (the notebook's placeholder returns ``None``).

    numpy's overflow and invalid-value warnings are silenced: the check reports their effect.
    """
    try:
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            result = function(*args)
    except Mistake:
        raise
    except Exception as err:  # a student's function may fail in any way  # noqa: BLE001
        first_line = (str(err).strip().splitlines() or [""])[0][:300]
        raise Mistake(f"Your function raised {type(err).__name__}: {first_line}",
                      "Run it on its own on a small example to see where it fails.") from None
    if result is None:
        raise Unanswered(f"Your function returns None: write its body and return {returns}.")
    return result


def expect_model(answer: Any, what: str = "Your answer"):
    """``answer`` if it is a Keras model with a known input shape, else a :class:`Mistake` saying what it is."""
    import keras

    if not isinstance(answer, keras.Model):
        if isinstance(answer, keras.layers.Layer):
            raise Mistake(f"{what} is a layer ({type(answer).__name__}), not a model.",
                          "Put it in a model: keras.Sequential([keras.Input(...), your_layer, ...]).")
        raise Mistake(f"{what} should be a Keras model, such as keras.Sequential([...]), but you gave "
                      f"{_describe(answer)}.")
    try:
        answer.inputs  # noqa: B018  (a model without an Input has no inputs yet)
        answer.output_shape  # noqa: B018
    except Exception:  # noqa: BLE001
        raise Mistake(f"{what} has no input shape yet, so it cannot be checked.",
                      "Start it with keras.Input(shape), e.g. keras.Sequential([keras.Input((28, 28, 1)), ...]).") from None
    return answer


def expect_layer(answer: Any, what: str = "Your answer"):
    """``answer`` if it is a Keras layer whose weights exist (built), else a :class:`Mistake`."""
    import keras

    if not isinstance(answer, keras.layers.Layer):
        raise Mistake(f"{what} should be a Keras layer, such as keras.layers.Conv2D(...), but you gave "
                      f"{_describe(answer)}.")
    if not answer.built:
        raise Mistake(f"{what} has no weights yet, so they cannot be yours.",
                      "Build it for its input first, e.g. layer.build((None, None, None, channels)), "
                      "then set its weights with layer.set_weights([...]).")
    return answer


def output_of(layer_or_model: Any, x: np.ndarray, what: str = "Your layer") -> np.ndarray:
    """``layer_or_model(x)`` as a float numpy array; a failure or a non-finite output becomes a :class:`Mistake`."""
    import keras

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = keras.ops.convert_to_numpy(layer_or_model(x))
    except Exception as err:  # noqa: BLE001
        first_line = (str(err).strip().splitlines() or [""])[0][:300]
        raise Mistake(f"{what} fails on a batch of shape {x.shape}: {type(err).__name__}: {first_line}") from None
    out = np.asarray(out, dtype=float)
    if not np.isfinite(out).all():
        raise Mistake(f"{what} outputs NaN or infinite values on an ordinary input.")
    return out


def copy_of(model):
    """A new model with ``model``'s architecture and current weights, for a check to train or change:
    the student's model itself is never touched."""
    import keras

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            copy = keras.models.clone_model(model)
            copy.set_weights(model.get_weights())
    except Exception as err:  # noqa: BLE001
        first_line = (str(err).strip().splitlines() or [""])[0][:200]
        raise Mistake(f"Your model could not be copied for checking (keras.models.clone_model: {first_line}).",
                      "Build it with keras.Sequential or the functional API (keras.Input ... keras.Model).") from None
    return copy


@contextlib.contextmanager
def fixed_seed(seed: int = 0) -> Iterator[None]:
    """Run a check's random draws (weight initialization, shuffling, dropout) from ``seed``, whatever
    ``COURSE_SEED`` or the notebook's earlier cells did, then put Python's, numpy's and Keras's global
    random state back as it was, so that checking an answer does not change the lesson's later draws.

    Keras's part applies when Keras is already imported (a check that imports it itself calls this
    again afterwards).  TensorFlow's global seed is set back to the notebook's seed, which restarts
    its sequence: TensorFlow keeps no other state that could be read back.

    >>> np.random.seed(5); before = np.random.random()
    >>> np.random.seed(5)
    >>> with fixed_seed(0):
    ...     _ = np.random.random()
    >>> np.random.random() == before
    True
    """
    python_state, numpy_state = random.getstate(), np.random.get_state()
    restore_keras = _seed_keras(seed) if "keras" in sys.modules else None
    random.seed(seed)
    np.random.seed(seed)
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)
        if restore_keras is not None:
            restore_keras()


def _seed_keras(seed: int) -> Callable[[], None]:
    """Seed Keras (and its backend); return the function that puts their global random state back."""
    import keras

    try:  # where Keras 3 keeps its global seed and seed generator
        from keras.src.backend.common import global_state
        from keras.src.random.seed_generator import GLOBAL_SEED_GENERATOR
        from keras.src.utils.rng_utils import GLOBAL_RANDOM_SEED
        names = (GLOBAL_RANDOM_SEED, GLOBAL_SEED_GENERATOR)
    except ImportError:  # pragma: no cover
        global_state, names, GLOBAL_RANDOM_SEED = None, (), None
    saved = {name: global_state.get_global_attribute(name) for name in names}
    torch_state = None
    if keras.backend.backend() == "torch":
        import torch

        torch_state = torch.get_rng_state()
    keras.utils.set_random_seed(seed)

    def restore() -> None:
        for name, value in saved.items():
            global_state.set_global_attribute(name, value)
        if "tensorflow" in sys.modules:
            import tensorflow as tf

            tf.random.set_seed(saved.get(GLOBAL_RANDOM_SEED))
        if torch_state is not None:
            import torch

            torch.set_rng_state(torch_state)

    return restore
