"""Show it, then reuse it: a helper whose docstring says "Shown in lesson NN" is written out in that lesson's
cells (its marker strings appear in the code cells) before the lesson first calls the helper."""

import importlib
import inspect
import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
MODULES = sorted(p.stem for p in (ROOT / "course_utils").glob("*.py") if p.stem != "__init__")

# (module, helper): (lesson, strings that the lesson's code cells must contain: the code the helper hides)
SHOWN = {
    ("mnist_models", "mlp"): ("04", ['keras.Input((28, 28, 1)', 'keras.layers.Flatten(', 'keras.layers.Dense(256',
                                     'keras.Model(inputs, outputs, name="mlp")']),
    ("mnist_models", "convnet"): ("04", ['keras.layers.Conv2D(32, 5, padding="same"', 'keras.layers.MaxPooling2D(2',
                                         'keras.layers.Conv2D(64, 3, padding="same"',
                                         'keras.Model(inputs, outputs, name="convnet")']),
    ("training", "fit_fast"): ("04", ["keras.utils.set_random_seed(info.seed)", "model.compile(",
                                      "keras.optimizers.Adam(learning_rate=learning_rate_schedule(",
                                      'loss="sparse_categorical_crossentropy"', 'metrics=["accuracy"]', "model.fit("]),
    ("architectures", "inception_module"): ("05", ["keras.layers.Conv2D(", "keras.layers.MaxPooling2D(3, strides=1",
                                                   "keras.layers.Concatenate("]),
    ("architectures", "basic_block"): ("05", ["keras.layers.BatchNormalization()", "keras.layers.Add()([shortcut,"]),
    ("architectures", "small_vgg"): ("05", ["keras.Sequential([", "keras.layers.Conv2D(16, 3", "keras.layers.Conv2D(32, 3"]),
    ("visualization", "value_and_gradient"): ("06", ["tf.GradientTape()", "tape.gradient(", "jax.value_and_grad(",
                                                     ".backward()"]),
    ("transfer", "with_new_head"): ("07", ["trainable = False", "keras.layers.Dense(", "keras.Model(base.input"]),
    ("transfer", "set_trainable_from"): ("07", ['.trainable = True', "model.compile("]),
}


def _code(lesson: str) -> list[str]:
    (path,) = (ROOT / "notebooks").glob(f"{lesson}_*.ipynb")
    return [c.source for c in nbformat.read(path, as_version=4).cells if c.cell_type == "code"]


def _said_shown() -> dict[tuple[str, str], str]:
    """Every course_utils function whose docstring says "Shown in lesson NN", with NN."""
    found = {}
    for module_name in MODULES:
        module = importlib.import_module(f"course_utils.{module_name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__:
                match = re.search(r"Shown in lesson (\d\d)", inspect.getdoc(function) or "")
                if match:
                    found[module_name, name] = match.group(1)
    return found


def test_every_helper_said_shown_is_listed_here_with_its_lesson():
    assert _said_shown() == {key: lesson for key, (lesson, _) in SHOWN.items()}


@pytest.mark.parametrize("key", list(SHOWN), ids=[".".join(k) for k in SHOWN])
def test_the_lesson_writes_the_helper_out_before_it_calls_it(key):
    lesson, markers = SHOWN[key]
    cells = _code(lesson)
    first = {}
    for marker in markers:
        hits = [i for i, source in enumerate(cells) if marker in source]
        assert hits, f"lesson {lesson} shows {'.'.join(key)}, but no code cell contains {marker!r}"
        first[marker] = hits[0]
    calls = [i for i, source in enumerate(cells) if re.search(rf"(?<![\w.]){key[1]}\(|\.{key[1]}\(", source)
             and not re.search(rf"def {key[1]}\(", source)]
    if calls:  # the lesson reuses the helper: only after its code has been shown
        assert max(first.values()) <= calls[0], (f"lesson {lesson} calls {key[1]} in code cell {calls[0]} before "
                                                 f"showing it (markers first seen in cells {first})")
