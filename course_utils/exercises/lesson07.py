"""Exercises of lesson 07, fine-tuning and transfer learning: count a new head, then write the two moves
of transfer learning (freeze a base and add a head; unfreeze the top and recompile).

The checks build small models of their own (a few hundred weights, fixed by a seed), run the
student's function on them and train the result for a few steps on random 8x8 images: what
they look at is which weights move, not how well the model learns.

>>> from course_utils.exercises import lesson07 as ex
>>> ex.head_parameters.check(402_181).passed
True
"""

from __future__ import annotations

import numpy as np

from course_utils.exercises import (CHECK_SEED, Mistake, call_student, exercise, expect_function, expect_model,
                                    expect_number, fixed_seed, output_of, show)


def _check_head_parameters(answer) -> None:
    value = expect_number(answer, "The number of trainable parameters", whole=True)
    if value == 402_181:
        return
    known = {
        402_048: ("That counts the weights only.", "Each Dense unit also has one bias."),
        15_685: ("That is a softmax layer straight on the 3,136 features.",
                 "The new head has a Dense(128) layer first, then Dense(5)."),
        (5 * 5 + 1) * 32 + (3 * 3 * 32 + 1) * 64 + 402_181: ("That counts the frozen convolutions too.", "Frozen weights are not trainable."),
    }
    message, hint = known.get(value, (f"{show(value)} is not the count.",
                                      "flatten gives 7 * 7 * 64 = 3,136 features; count (inputs + 1) * units "
                                      "for each of the two new Dense layers."))
    raise Mistake(message, hint)


@exercise("Exercise 7.1: what a new head trains", check=_check_head_parameters, answer="number")
def head_parameters():
    # Only the new layers train: Dense(128) on the 7 * 7 * 64 flattened features, then Dense(5).
    features = 7 * 7 * 64
    n_trainable = (features + 1) * 128 + (128 + 1) * 5
    return n_trainable


def _data(n: int = 24, classes: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Random 8x8 grey images and labels 0..classes-1, the same every time."""
    rng = np.random.default_rng(7)
    return rng.random((n, 8, 8, 1)).astype("float32"), rng.integers(0, classes, size=n)


def _with_weights(model, seed: int):
    """``model`` with every weight drawn from a fixed generator (not from the global random state)."""
    rng = np.random.default_rng(seed)
    model.set_weights([rng.normal(scale=0.3, size=w.shape).astype("float32") for w in model.get_weights()])
    return model


def _ids(variables) -> set[int]:
    return {id(v) for v in variables}


def _values(variables) -> list[np.ndarray]:
    import keras

    return [np.array(keras.ops.convert_to_numpy(v)) for v in variables]


def _moved(before: list[np.ndarray], variables) -> bool:
    return any(not np.array_equal(old, new) for old, new in zip(before, _values(variables)))


def _train(model, what: str) -> None:
    x, y = _data()
    try:
        with fixed_seed(CHECK_SEED):
            model.fit(x, y, epochs=1, batch_size=8, verbose=0)
    except Exception as err:  # noqa: BLE001
        first_line = (str(err).strip().splitlines() or [""])[0][:300]
        raise Mistake(f"Training {what} for one epoch raised {type(err).__name__}: {first_line}",
                      "Compile with loss='sparse_categorical_crossentropy': the labels are class numbers 0, 1, 2.") from None


def _small_base():
    """A tiny 'pretrained' base: 8x8x1 -> Conv2D(4, 3) -> global average pooling: 4 features."""
    import keras
    from keras import layers

    with fixed_seed(CHECK_SEED):
        inputs = keras.Input((8, 8, 1), name="image")
        x = layers.Conv2D(4, 3, activation="relu", name="conv", dtype="float32")(inputs)
        outputs = layers.GlobalAveragePooling2D(name="features", dtype="float32")(x)
        return _with_weights(keras.Model(inputs, outputs, name="small_base"), seed=71)


def _check_add_head(answer) -> None:
    function = expect_function(answer, "Your answer", "def add_head(base, num_classes)")
    base = _small_base()
    base_before = _values(base.weights)
    with fixed_seed(CHECK_SEED):  # the new layers' first weights are the same at every check
        model = call_student(function, base, 3, returns="the new model")
    model = expect_model(model, "What your function returns")
    if tuple(model.input_shape[1:]) != (8, 8, 1) or tuple(model.output_shape[1:]) != (3,):
        raise Mistake(f"On a base that maps (None, 8, 8, 1) to 4 features, your model maps {model.input_shape} "
                      f"to {model.output_shape}, not to (None, 3).",
                      "Put Dense(num_classes, activation='softmax') on base.output, and build the model from base.input.")
    if not _ids(base.weights) <= _ids(model.weights):
        raise Mistake("Your model does not contain the base's own layers (a copy or a new network has other weights).",
                      "Build it on the base you are given: keras.Model(base.input, head(base.output)).")
    if _ids(base.weights) & _ids(model.trainable_weights):
        raise Mistake("The base is not frozen: its weights are still trainable.",
                      "Set trainable = False on every layer of base (or base.trainable = False) before compiling.")
    if not model.trainable_weights:
        raise Mistake("Nothing in your model can train: the new layer must stay trainable.")
    x, _ = _data()
    probabilities = output_of(model, x[:4], "Your model")
    if (probabilities < -1e-6).any() or not np.allclose(probabilities.sum(axis=1), 1, atol=1e-3):
        raise Mistake("Your model's outputs are not probabilities (positive, adding up to 1).",
                      "The new layer ends in a softmax: Dense(num_classes, activation='softmax').")
    if not getattr(model, "compiled", False) or model.optimizer is None:
        raise Mistake("Your model is not compiled, so it cannot be trained.",
                      "End with model.compile(optimizer='adam', loss='sparse_categorical_crossentropy', "
                      "metrics=['accuracy']), then return the model.")
    head = [v for v in model.trainable_weights]
    head_before = _values(head)
    _train(model, "your model")
    if _moved(base_before, base.weights):
        raise Mistake("Training your model changed the base's weights.",
                      "Freeze the base before you compile: Keras reads the trainable flags when it compiles.")
    if not _moved(head_before, head):
        raise Mistake("Training your model left the new layer's weights as they were.",
                      "Compile after adding the head, with a learning rate above 0.")


@exercise("Exercise 7.2: freeze a base, add a head, compile", check=_check_add_head, answer="function")
def add_head():
    import keras

    def add_head(base, num_classes):
        base.trainable = False  # freezes every layer of the base
        outputs = keras.layers.Dense(num_classes, activation="softmax", name="new_predictions")(base.output)
        model = keras.Model(base.input, outputs)
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
        return model

    return add_head


FINE_TUNING_RATE = 1e-4


def _trained_transfer_model():
    """A small transfer model as after its head has trained: conv1 and conv2 frozen, the head trainable, compiled."""
    import keras
    from keras import layers

    with fixed_seed(CHECK_SEED):
        model = keras.Sequential([keras.Input((8, 8, 1)),
                                  layers.Conv2D(4, 3, activation="relu", name="conv1", dtype="float32"),
                                  layers.Conv2D(4, 3, activation="relu", name="conv2", dtype="float32"),
                                  layers.GlobalAveragePooling2D(name="pool", dtype="float32"),
                                  layers.Dense(3, activation="softmax", name="head", dtype="float32")],
                                 name="transfer")
        _with_weights(model, seed=72)
        for layer in model.layers:
            layer.trainable = layer.name == "head"
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="sparse_categorical_crossentropy")
    _train(model, "the model's head")
    return model


def _learning_rate(optimizer) -> float:
    import keras

    try:
        return float(np.asarray(keras.ops.convert_to_numpy(optimizer.learning_rate)))
    except Exception:  # noqa: BLE001  a schedule, or something else
        raise Mistake(f"Your optimizer's learning rate is {optimizer.learning_rate!r}, not a number.",
                      "Pass it as a number: keras.optimizers.Adam(learning_rate).") from None


def _check_fine_tune(answer) -> None:
    function = expect_function(answer, "Your answer", "def fine_tune(model, first_trainable, learning_rate)")
    given = _trained_transfer_model()
    old_optimizer = given.optimizer
    with fixed_seed(CHECK_SEED):
        model = call_student(function, given, "conv2", FINE_TUNING_RATE, returns="the model")
    model = expect_model(model, "What your function returns")
    names = [layer.name for layer in model.layers]
    if not {"conv1", "conv2", "head"} <= set(names):
        raise Mistake(f"The model your function returns has layers {names}: where are conv1, conv2 and head?",
                      "Change the model you are given and return it.")
    trainable = _ids(model.trainable_weights)
    state = {name: bool(_ids(model.get_layer(name).weights) & trainable) for name in ("conv1", "conv2", "head")}
    if state["conv1"]:
        raise Mistake("conv1 is trainable, but it comes before conv2: keep it frozen.",
                      "Only first_trainable and the layers after it train.")
    if not state["conv2"]:
        raise Mistake("conv2 is still frozen.", "Set trainable = True on the layer named first_trainable.")
    if not state["head"]:
        raise Mistake("The head is frozen, but it comes after conv2: it should keep training.",
                      "Unfreeze first_trainable and every layer after it: model.layers[index:].")
    if not getattr(model, "compiled", False) or model.optimizer is None:
        raise Mistake("Your model is not compiled.", "Compile it again after changing the trainable flags.")
    if model.optimizer is old_optimizer:
        raise Mistake("You did not compile the model again: it still has the optimizer of the head's training, "
                      "at a learning rate of 0.001.",
                      "Keras reads the trainable flags when it compiles: call model.compile(...) with "
                      "keras.optimizers.Adam(learning_rate) after unfreezing.")
    rate = _learning_rate(model.optimizer)
    if not np.isclose(rate, FINE_TUNING_RATE, rtol=1e-3):
        raise Mistake(f"Your optimizer's learning rate is {rate:g}, not the {FINE_TUNING_RATE:g} asked for.",
                      "keras.optimizers.Adam(learning_rate): fine-tuning steps must be small, not to wreck the features.")
    conv1_before, conv2_before = _values(model.get_layer("conv1").weights), _values(model.get_layer("conv2").weights)
    _train(model, "your model")
    if _moved(conv1_before, model.get_layer("conv1").weights):
        raise Mistake("Training your model changed conv1, which should stay frozen.")
    if not _moved(conv2_before, model.get_layer("conv2").weights):
        raise Mistake("Training your model left conv2 as it was.",
                      "Compile after unfreezing: Keras reads the trainable flags when it compiles.")


@exercise("Exercise 7.3: unfreeze the top and recompile", check=_check_fine_tune, answer="function")
def fine_tune():
    import keras

    def fine_tune(model, first_trainable, learning_rate):
        start = [layer.name for layer in model.layers].index(first_trainable)
        for i, layer in enumerate(model.layers):
            layer.trainable = i >= start  # first_trainable and the layers after it train
        # Keras reads the trainable flags when it compiles: compile again, with the lower learning rate.
        model.compile(optimizer=keras.optimizers.Adam(learning_rate), loss="sparse_categorical_crossentropy",
                      metrics=["accuracy"])
        return model

    return fine_tune
