"""The course's fast training recipe (lesson 04); the evaluation helpers are in :mod:`course_utils.evaluation`.

The recipe (:func:`fit_fast`) is plain Keras 3, so it runs the same under the
TensorFlow, JAX and PyTorch backends:

- **batch size** :data:`BATCH_SIZE` (256): on a CPU a larger batch does more work per
  call, so an epoch costs less time than with the usual 32 or 128, and there are still
  over 200 updates per epoch of MNIST;
- **Adam with a warm-up and a cosine decay** (``keras.optimizers.schedules.CosineDecay``):
  the learning rate climbs to :data:`PEAK_LEARNING_RATE` during the first
  :data:`WARMUP_FRACTION` of the steps, then glides down to zero by the last step, so a
  short run ends with small, careful steps instead of bouncing around a minimum;
- **in-memory float32 arrays** as the data pipeline: MNIST fits in memory many times
  over, and Keras shuffles and batches numpy arrays itself on every backend.

Measured for lesson 04's convnet on the course's 2-core CPU (a shared machine; CPU seconds
per 60,000 digits): batch 64: 52, 128: 39, 256: 31, 512: 31; XLA (``jit_compile=True``)
was 4 to 7 times slower; a ``tf.data`` pipeline (shuffle, batch, prefetch) took the same
30 to 35 as the numpy arrays, which every backend accepts. With this recipe the convnet
reached 99.2% test accuracy after 3 epochs in ``benchmarks/mnist_recipes.py``, which
compares it with keras.io's MNIST example.

On a 2-core AVX2 CPU without oneDNN (most laptops), wall seconds per 54,000 digits after the first
epoch: batch 256: 32, 512: 36, 1024: 37; XLA at batch 256: 82; the JAX backend: 61 (256), 72 (512),
79 (1024). So batch 256 under TensorFlow without XLA stays the recipe. There keras.io's example took
2.3 times as long as this recipe took to reach 99.2% (260 s against 111 s in ``benchmarks/mnist_recipes.py``).
Lesson 04 trains 5 epochs in ``student``: after 3, the MLP reached only 97.25% on the test digits,
too close to its 97% floor, and the convnet 99.15%.

Example:
    >>> learning_rate_schedule(100).warmup_steps
    10
"""

from __future__ import annotations

import numbers

from course_utils.environment import current_seed
from course_utils.validation import images_fit_model, keras_model, labelled_images, positive_int, real, seed_value

BATCH_SIZE = 256
PEAK_LEARNING_RATE = 3e-3
WARMUP_FRACTION = 0.1


def learning_rate_schedule(total_steps: int, *, peak: float = PEAK_LEARNING_RATE,
                           warmup_fraction: float = WARMUP_FRACTION):
    """Linear warm-up from ``peak / 10`` to ``peak``, then a cosine decay to 0 at ``total_steps``.

    >>> schedule = learning_rate_schedule(100, peak=1e-3)
    >>> [round(float(schedule(step)), 6) for step in (0, 10, 100)]
    [0.0001, 0.001, 0.0]
    """
    import keras

    total_steps = positive_int(total_steps, "total_steps")
    if isinstance(peak, bool) or not isinstance(peak, numbers.Real) or not 0 < peak < 1:
        raise ValueError(f"peak must be a learning rate between 0 and 1, got {peak!r}.")
    real(warmup_fraction, "warmup_fraction", low=0, high=1, high_open=True)
    warmup_steps = int(total_steps * warmup_fraction)
    return keras.optimizers.schedules.CosineDecay(
        initial_learning_rate=peak / 10, decay_steps=total_steps - warmup_steps,
        warmup_target=peak, warmup_steps=warmup_steps)


def augmented_batches(images, labels, augmentation, *, batch_size: int = BATCH_SIZE, seed: int | None = None):
    """Shuffled batches of ``(augmentation(images), labels)``, made by ``tf.data`` on the CPU while the model trains.

    Lesson 08 writes these lines out: Keras's "option 2" for preprocessing layers, which runs under
    every backend. ``augmentation`` is a ``keras.layers.Pipeline`` (or one layer) of random layers,
    called with ``training=True`` on each new batch; a ``keras.Sequential`` model can't run inside
    ``tf.data`` under JAX, so it is refused. ``seed`` (default: the course seed) fixes the shuffling.

    >>> import keras
    >>> import numpy as np
    >>> flip = keras.layers.Pipeline([keras.layers.RandomFlip("horizontal", seed=1)])
    >>> batches = augmented_batches(np.zeros((10, 4, 4, 1), "float32"), np.arange(10), flip, batch_size=4)
    >>> [tuple(x.shape) for x, y in batches]
    [(4, 4, 4, 1), (4, 4, 4, 1), (2, 4, 4, 1)]
    """
    import keras
    import tensorflow as tf

    allowed = "augmentation must be a Keras layer, such as keras.layers.Pipeline([...random layers...])"
    if isinstance(augmentation, keras.Model):
        raise TypeError(f"{allowed}, got {type(augmentation).__name__} (a model: tf.data can't run one under every backend).")
    if not isinstance(augmentation, keras.layers.Layer):
        raise TypeError(f"{allowed}, got {type(augmentation).__name__}.")
    images, labels = labelled_images(images, labels, "training")
    batch_size = positive_int(batch_size, "batch_size")
    seed = current_seed() if seed is None else seed_value(seed)
    batches = tf.data.Dataset.from_tensor_slices((images, labels)).shuffle(len(images), seed=seed).batch(batch_size)
    return batches.map(lambda x, y: (augmentation(x, training=True), y)).prefetch(tf.data.AUTOTUNE)


def build_training_state(model, x, y) -> None:
    """Create a compiled model's optimizer and metric variables now, so TensorFlow traces its training step once.

    Under TensorFlow, Keras creates these variables inside the first trace of the training step;
    ``tf.function`` then traces the step a second time (tensorflow/tensorflow#48851). Building them
    first, on one example, halved the time before the first step: 5.7 to 2.6 s for lesson 05's
    20-convolution network, 9.7 to 4.1 s with batch norm (2-core CPU, oneDNN off). JAX traces once
    anyway, so there this does nothing. The metrics are reset afterwards, and no random draw is made.

    >>> import keras
    >>> import numpy as np
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
    >>> model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    >>> build_training_state(model, np.zeros((1, 2), "float32"), np.zeros(1, "int64"))
    >>> model.optimizer.built or keras.backend.backend() != "tensorflow"
    True
    """
    import keras

    if keras.backend.backend() != "tensorflow":
        return
    model.optimizer.build(model.trainable_variables)
    model.compute_metrics(x, y, model(x, training=False), sample_weight=None)
    model.reset_metrics()


def fit_fast(model, x_train, y_train, *, epochs: int, validation_data=None, verbose: int = 2,
             seed: int | None = None, batch_size: int = BATCH_SIZE, peak_learning_rate: float = PEAK_LEARNING_RATE,
             callbacks=None, augmentation=None):
    """Compile ``model`` with the course's recipe and train it; return the ``keras.callbacks.History``.

    Shown in lesson 04, whose cells write out these same calls: ``keras.utils.set_random_seed(seed)``,
    ``model.compile(optimizer=keras.optimizers.Adam(learning_rate_schedule(steps)),
    loss="sparse_categorical_crossentropy", metrics=["accuracy"])``, then ``model.fit(...)``. In between it
    calls :func:`build_training_state`, which changes no result, only the time before the first step.

    ``y_train`` holds integer class labels (sparse cross-entropy). ``seed`` (default: the course seed,
    ``COURSE_SEED`` or 42) is passed to ``keras.utils.set_random_seed`` before training, so the shuffling
    and any dropout repeat from run to run (the weights were drawn when the model was built). ``verbose=2`` prints one line per epoch.
    ``augmentation`` (lesson 08): a ``keras.layers.Pipeline`` of random layers applied to each training batch
    by :func:`augmented_batches`.

    >>> import keras
    >>> import numpy as np
    >>> model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
    >>> x = np.array([[0, 1], [1, 0]] * 32, np.float32); y = np.array([0, 1] * 32)
    >>> history = fit_fast(model, x, y, epochs=3, verbose=0, batch_size=8, peak_learning_rate=0.1)
    >>> sorted(history.history), len(history.history["loss"])
    (['accuracy', 'loss'], 3)
    """
    import keras

    model = keras_model(model)
    epochs = positive_int(epochs, "epochs")
    batch_size = positive_int(batch_size, "batch_size")
    if isinstance(verbose, bool) or verbose not in (0, 1, 2):
        raise ValueError(f"verbose must be 0 (silent), 1 (progress bar) or 2 (one line per epoch), got {verbose!r}.")
    seed = current_seed() if seed is None else seed_value(seed)
    x_train, y_train = labelled_images(x_train, y_train, "training")
    images_fit_model(model, x_train, "x_train")
    classes = model.outputs[0].shape[-1]
    if y_train.min() < 0 or y_train.max() >= classes:
        raise ValueError(f"y_train must hold class indices 0..{classes - 1} (the model has {classes} outputs), "
                         f"got values from {y_train.min()} to {y_train.max()}.")
    if validation_data is not None:
        if not isinstance(validation_data, (tuple, list)) or len(validation_data) != 2:
            raise ValueError(f"validation_data must be a pair (images, labels), got a {type(validation_data).__name__}"
                             + (f" of {len(validation_data)}" if isinstance(validation_data, (tuple, list)) else "") + ".")
        validation_data = labelled_images(*validation_data, "validation")
        images_fit_model(model, validation_data[0], "validation_data's images")
    steps = epochs * -(-len(x_train) // batch_size)
    keras.utils.set_random_seed(seed)
    model.compile(optimizer=keras.optimizers.Adam(learning_rate_schedule(steps, peak=peak_learning_rate)),
                  loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    build_training_state(model, x_train[:1], y_train[:1])
    if augmentation is not None:
        batches = augmented_batches(x_train, y_train, augmentation, batch_size=batch_size, seed=seed)
        return model.fit(batches, epochs=epochs, validation_data=validation_data, verbose=verbose, callbacks=callbacks,
                         shuffle=False)  # the pipeline shuffles
    return model.fit(x_train, y_train, batch_size=batch_size, epochs=epochs, validation_data=validation_data,
                     verbose=verbose, callbacks=callbacks, shuffle=True)
