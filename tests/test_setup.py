"""The profile switch and the one setup call."""

import os
import subprocess
import sys

import numpy as np
import pytest

from course_utils.profiles import PROFILES, current_profile


def test_profile_default_and_names():
    assert current_profile({}).name == "student"
    assert current_profile({"COURSE_PROFILE": ""}).name == "student"
    assert current_profile({"COURSE_PROFILE": " CI "}).name == "ci"
    assert current_profile({"COURSE_PROFILE": "full"}) is PROFILES["full"]


def test_unknown_profile_names_the_variable_and_the_choices():
    with pytest.raises(ValueError, match=r"COURSE_PROFILE='fast' is not a course profile; allowed: ci, student, full"):
        current_profile({"COURSE_PROFILE": "fast"})


def test_ci_profile_is_smaller_than_student():
    ci, student = PROFILES["ci"], PROFILES["student"]
    assert ci.mnist_train < 60000 and student.mnist_train is None
    assert ci.epochs <= student.epochs and ci.image_size < student.image_size


def _python(code: str, **env) -> subprocess.CompletedProcess:
    environ = {k: v for k, v in os.environ.items() if k not in ("TF_CPP_MIN_LOG_LEVEL", "COURSE_PROFILE")} | env
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=environ, check=True)


def test_importing_course_utils_loads_no_deep_learning_framework():
    code = ("import sys, course_utils, course_utils.data, course_utils.convolution, course_utils.exercises.lesson01; "
            "print(sorted(m for m in ('tensorflow', 'keras', 'jax', 'torch') if m in sys.modules))")
    assert _python(code).stdout.strip() == "[]"


def test_setup_reports_in_a_few_lines_and_keeps_tensorflow_quiet():
    result = _python("import course_utils; course_utils.setup(seed=7)", COURSE_PROFILE="ci")
    lines = result.stdout.strip().splitlines()
    assert len(lines) == 4
    assert lines[0].startswith("Course profile: ci")
    assert "backend tensorflow" in lines[1] and "Keras 3." in lines[1]
    assert "CPU only (no GPU visible to tensorflow) | mixed precision: off (never on a CPU)" in lines[2]
    assert lines[3].startswith("Random seed: 7")
    assert result.stderr.strip() == "", result.stderr  # no C++ start-up log (oneDNN, CUDA) in the notebook


def test_setup_fixes_the_seeds(capsys):
    import keras

    from course_utils import setup

    draws = []
    for _ in range(2):
        info = setup(seed=3, verbose=False)
        draws.append((np.random.random(), keras.ops.convert_to_numpy(keras.random.uniform((2,)))))
    assert draws[0][0] == draws[1][0]
    np.testing.assert_array_equal(draws[0][1], draws[1][1])
    assert info.seed == 3 and not info.mixed_precision
    assert keras.mixed_precision.global_policy().name == "float32"
    assert capsys.readouterr().out == ""


@pytest.mark.parametrize("seed", [-1, 1.5, "42", True, 2 ** 32])
def test_setup_rejects_a_bad_seed(seed):
    from course_utils import setup

    with pytest.raises(ValueError, match=f"seed must be an int from 0 to 4294967295, got {seed!r}"):
        setup(seed=seed)


def test_a_visible_gpu_turns_on_mixed_precision_and_is_reported(monkeypatch, capsys):
    import keras

    from course_utils import environment

    monkeypatch.setattr(environment, "_visible_gpus", lambda backend: ["/physical_device:GPU:0"])
    try:
        info = environment.setup(seed=1)
        assert info.mixed_precision and keras.mixed_precision.global_policy().name == "mixed_float16"
    finally:
        keras.mixed_precision.set_global_policy("float32")
    assert "Devices: GPU: /physical_device:GPU:0 | mixed precision: on (mixed_float16)" in capsys.readouterr().out


def test_course_seed_variable_sets_the_seed_and_is_reported():
    from course_utils.environment import current_seed

    assert current_seed({}) == 42 and current_seed({"COURSE_SEED": " 7 "}) == 7 and current_seed({"COURSE_SEED": ""}) == 42
    result = _python("import course_utils; info = course_utils.setup(); print(info.seed)", COURSE_SEED="5")
    lines = result.stdout.strip().splitlines()
    assert lines[3] == "Random seed: 5 (Python, numpy and tensorflow; set COURSE_SEED to change it)"
    assert lines[-1] == "5"


@pytest.mark.parametrize("text", ["-1", "1.5", "abc", "4294967296", "²"])
def test_a_bad_course_seed_names_the_variable(text):
    from course_utils.environment import current_seed

    with pytest.raises(ValueError, match=rf"COURSE_SEED='{text}' is not a seed; allowed: a whole number from 0 to 4294967295"):
        current_seed({"COURSE_SEED": text})


def test_fit_fast_follows_the_course_seed(monkeypatch):
    """Two runs with one COURSE_SEED train alike; another seed shuffles differently."""
    import keras

    from course_utils.training import fit_fast

    x = np.random.default_rng(0).random((64, 2)).astype("float32")
    y = (x[:, 0] > x[:, 1]).astype(int)
    losses = {}
    for run, seed in (("a", "1"), ("b", "1"), ("c", "2")):
        monkeypatch.setenv("COURSE_SEED", seed)
        keras.utils.set_random_seed(0)  # the same initial weights for all three
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
        losses[run] = fit_fast(model, x, y, epochs=2, batch_size=8, verbose=0).history["loss"]
    assert losses["a"] == losses["b"] and losses["a"] != losses["c"]
