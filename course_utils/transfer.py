"""Transfer learning in two moves: a new head on a frozen base, then unfreezing its top layers.

Lesson 07 writes both moves out in its cells (``base.trainable = False``, a new ``Dense`` head,
``layer.trainable = True`` and a recompile) before it calls these functions.

Example:
    >>> from course_utils.pretrained import load_shipped_model
    >>> model = with_new_head(load_shipped_model("digits_0_4_convnet"), "flatten", 2, hidden_units=8)
    >>> set_trainable_from(model, "conv2")
    ['conv2', 'new_hidden', 'new_predictions']
"""

from __future__ import annotations

from course_utils.validation import keras_model, model_layer, non_negative_int, positive_int


def with_new_head(base, features_layer: str, num_classes: int, *, hidden_units: int = 0,
                  name: str = "transfer"):
    """A new classifier on ``base``'s layer ``features_layer``: a fresh Dense(``hidden_units``, relu)
    layer when ``hidden_units`` > 0, then a fresh softmax layer of ``num_classes``.

    The base layers are shared with ``base`` (not copied) and frozen; see :func:`set_trainable_from`.
    Shown in lesson 07: the lesson freezes the base (``base.trainable = False``) and writes the head out first.
    """
    import keras

    base = keras_model(base, "base")
    num_classes = positive_int(num_classes, "num_classes")
    features = model_layer(base, features_layer, "features_layer")
    hidden_units = non_negative_int(hidden_units, "hidden_units")
    if not isinstance(name, str) or not name:
        raise ValueError(f"name must be a non-empty str, got {name!r}.")
    if len(features.output.shape) != 2:
        flat = [layer.name for layer in base.layers if len(getattr(layer.output, "shape", ())) == 2]
        raise ValueError(f"features_layer must output one feature vector per image, shape (batch, features); "
                         f"{features_layer!r} outputs {tuple(features.output.shape)}. Layers of {base.name!r} that do: "
                         f"{', '.join(flat) or 'none (add Flatten or GlobalAveragePooling2D)'}.")
    for layer in base.layers:
        layer.trainable = False
    x = features.output
    if hidden_units:
        x = keras.layers.Dense(hidden_units, activation="relu", name="new_hidden")(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax", dtype="float32", name="new_predictions")(x)
    return keras.Model(base.inputs[0], outputs, name=name)


def set_trainable_from(model, first_trainable: str) -> list[str]:
    """Freeze the layers before ``first_trainable``, unfreeze it and those after; return the trainable names.

    Compile the model again afterwards: Keras reads the trainable flags when it compiles.
    Shown in lesson 07: the lesson unfreezes ``conv2`` by hand (``layer.trainable = True``) and recompiles first.
    """
    model = keras_model(model)
    start = model.layers.index(model_layer(model, first_trainable, "first_trainable"))
    for i, layer in enumerate(model.layers):
        layer.trainable = i >= start
    return [layer.name for layer in model.layers[start:] if layer.weights]
