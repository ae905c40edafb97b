"""Remake the trained models the course ships in data/ (lessons 06 and 07 load them).

    .venv/bin/python scripts/train_shipped_models.py            # writes data/*.keras
    .venv/bin/python scripts/train_shipped_models.py --out /tmp  # elsewhere, e.g. to compare

Both models are course_utils.mnist_models.convnet (the lesson-04 network), trained on the
shipped data/mnist.npz with the course's recipe (``course_utils.training.fit_fast``), a fixed
seed and TensorFlow's deterministic ops, so a rerun on the same versions gives the same
weights. The script prints each model's ``pretrained.model_digest`` (architecture and weights),
which ``load_shipped_model`` accepts for a remade file; the .keras file's own sha256 changes
from run to run, since the archive records the date.

- mnist_convnet: all ten digits, the whole training set.
- digits_0_4_convnet: digits 0-4 only (5 classes): the source model of lesson 07's transfer.

The files are saved without optimizer state, so each is about 3.3 MB.  After a rerun, copy
the printed digests, sha256 and accuracies into course_utils/pretrained.py and data/README.md
(only needed when the digest changed: a different recipe or library version).
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path

import numpy as np

from course_utils.data import as_network_input, data_dir, load_mnist, sha256_of
from course_utils.mnist_models import convnet
from course_utils.pretrained import model_digest
from course_utils.evaluation import predicted_classes
from course_utils.training import fit_fast

SEED = 2024
EPOCHS = 3  # lesson 04's recipe reaches 99.2% test accuracy in 3 epochs


def train(x: np.ndarray, y: np.ndarray, num_classes: int):
    """The lesson-04 convnet trained on (x, y) with the course's recipe, deterministically."""
    import keras
    import tensorflow as tf

    tf.config.experimental.enable_op_determinism()
    keras.utils.set_random_seed(SEED)
    model = convnet(num_classes=num_classes)
    fit_fast(model, as_network_input(x), y, epochs=EPOCHS, seed=SEED, verbose=2)
    bare = convnet(num_classes=num_classes)  # never compiled: no optimizer state in the file
    bare.set_weights(model.get_weights())
    return bare


def accuracy(model, x: np.ndarray, y: np.ndarray) -> float:
    return float((predicted_classes(model, as_network_input(x)) == y).mean())


def main() -> None:
    os.environ["KERAS_BACKEND"] = "tensorflow"  # before Keras is imported: the recipe is deterministic there
    os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "0")  # the same kernels on every x86 CPU
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=data_dir(), help="folder for the .keras files (default: data/)")
    out = parser.parse_args().out
    out.mkdir(parents=True, exist_ok=True)
    (x_train, y_train), (x_test, y_test) = load_mnist(subset=False)
    source_train, source_test = y_train < 5, y_test < 5
    jobs = {
        "mnist_convnet": (x_train, y_train, x_test, y_test, 10),
        "digits_0_4_convnet": (x_train[source_train], y_train[source_train],
                               x_test[source_test], y_test[source_test], 5),
    }
    for name, (x, y, x_eval, y_eval, num_classes) in jobs.items():
        start = time.perf_counter()
        model = train(x, y, num_classes)
        path = out / f"{name}.keras"
        model.save(path)
        print(f"{name}: {len(x)} training digits, {time.perf_counter() - start:.0f} s; "
              f"test accuracy {accuracy(model, x_eval, y_eval):.4f} on {len(x_eval)} test digits; "
              f"{path.stat().st_size / 1e6:.2f} MB\n  file sha256    {sha256_of(path)}\n"
              f"  digest         {model_digest(model)}")


if __name__ == "__main__":
    main()
