"""Several devices: data parallel training through Keras's distribution API gives what one device gives.

Run on the CPU with two virtual JAX devices (XLA_FLAGS=--xla_force_host_platform_device_count=2), the
same code path `setup()` takes with several GPUs in the full profile.
"""

import json
import os
import subprocess
import sys

import pytest

from course_utils import environment
from course_utils.profiles import PROFILES

TOLERANCE = 1e-5  # largest |weight difference| after training, one device vs two (float32 rounding)

SCRIPT = """
import json, numpy as np, keras
from course_utils.environment import data_parallel

rng = np.random.default_rng(0)
x, y = rng.random((256, 12, 12, 1), dtype=np.float32), rng.integers(0, 10, 256)

def train(initial=None):
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((12, 12, 1)), keras.layers.Conv2D(8, 3, activation="relu"),
                              keras.layers.MaxPooling2D(2), keras.layers.Flatten(),
                              keras.layers.Dense(10, activation="softmax")])
    if initial is not None:
        model.set_weights(initial)
    start = [w.copy() for w in model.get_weights()]
    model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    model.fit(x, y, batch_size=64, epochs=1, shuffle=False, verbose=0)
    return model, start

one, start = train()
distribution = data_parallel(keras.distribution.list_devices("cpu"))
two, _ = train(start)
print(json.dumps({
    "devices": keras.distribution.list_devices("cpu"),
    "mesh": list(distribution.device_mesh.shape),
    "batch_layout": list(distribution.get_data_layout((64, 12, 12, 1)).axes),
    "weight_devices": len(two.weights[0].value.sharding.device_set),
    "largest_difference": max(float(np.abs(a - b).max()) for a, b in zip(one.get_weights(), two.get_weights())),
    "largest_change": max(float(np.abs(a - b).max()) for a, b in zip(one.get_weights(), start)),
}))
"""


@pytest.fixture(scope="module")
def two_devices():
    pytest.importorskip("jax")
    env = os.environ | {"KERAS_BACKEND": "jax", "JAX_PLATFORMS": "cpu", "CUDA_VISIBLE_DEVICES": "-1",
                        "XLA_FLAGS": "--xla_force_host_platform_device_count=2"}
    result = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr[-2000:]
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_the_batch_is_split_across_the_devices_and_the_weights_replicated(two_devices):
    assert two_devices["devices"] == ["cpu:0", "cpu:1"] and two_devices["mesh"] == [2]
    assert two_devices["batch_layout"] == ["batch", None, None, None]
    assert two_devices["weight_devices"] == 2


def test_two_devices_train_the_same_weights_as_one(two_devices):
    assert two_devices["largest_change"] > 100 * TOLERANCE, "training moved the weights"
    assert two_devices["largest_difference"] < TOLERANCE


def test_setup_says_what_it_does_with_several_gpus():
    full, student = PROFILES["full"], PROFILES["student"]
    assert environment._parallel("jax", ["gpu:0"], full) == ""
    assert "KERAS_BACKEND=jax trains on all" in environment._parallel("tensorflow", ["/gpu:0", "/gpu:1"], full)
    assert "COURSE_PROFILE=full trains on all" in environment._parallel("jax", ["gpu:0", "gpu:1"], student)


def test_data_parallel_needs_jax_and_devices():
    import keras

    if keras.backend.backend() != "jax":
        with pytest.raises(ValueError, match="data_parallel needs the JAX backend"):
            environment.data_parallel(["cpu:0"])
    else:
        with pytest.raises(ValueError, match="devices must be a non-empty list"):
            environment.data_parallel([])
