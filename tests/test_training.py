"""The fast recipe of lesson 04 (course_utils.training) and the evaluation helpers (course_utils.evaluation)."""

import math

import numpy as np
import pytest

from course_utils.evaluation import predicted_classes, shift_images, shifted_accuracy, show_mistakes
from course_utils.training import fit_fast, learning_rate_schedule


class SidePicker:
    """A stand-in model, written by hand: class 1 when the brightest pixel is in the right half, else 0."""

    def predict(self, images, batch_size=None, verbose=0):
        columns = np.argmax(images.reshape(len(images), 28, 28).max(axis=1), axis=1)
        right = columns >= 14
        return np.stack([~right, right], axis=1).astype(np.float32)


def _dot_images(columns, row=5):
    images = np.zeros((len(columns), 28, 28, 1), np.float32)
    images[np.arange(len(columns)), row, columns, 0] = 1.0
    return images


def test_shift_moves_a_pixel_and_fills_the_border_with_black():
    image = np.arange(1, 26, dtype=np.float32).reshape(1, 5, 5)
    moved = shift_images(image, 2, dy=1)
    expected = np.zeros((5, 5), np.float32)
    expected[1:, 2:] = image[0, :4, :3]  # by hand: row r, column c comes from r - 1, c - 2
    assert np.array_equal(moved[0], expected)
    back = shift_images(image, -1)
    assert np.array_equal(back[0, :, :4], image[0, :, 1:]) and not back[0, :, 4].any()


def test_shift_keeps_channels_and_dtype():
    images = _dot_images([3, 20])
    moved = shift_images(images, 4)
    assert moved.shape == images.shape and moved.dtype == np.float32
    assert moved[0, 5, 7, 0] == 1 and moved[1, 5, 24, 0] == 1 and moved.sum() == 2


def test_shifted_accuracy_of_a_hand_made_model():
    images, labels = _dot_images([12, 12, 20, 3]), np.array([0, 0, 1, 0])
    # Moving right by k: the dots at column 12 cross into the right half at k = 2; the others never do.
    assert shifted_accuracy(SidePicker(), images, labels, shifts=range(4)) == {0: 1.0, 1: 1.0, 2: 0.5, 3: 0.5}


def test_predicted_classes_are_the_arg_max():
    assert predicted_classes(SidePicker(), _dot_images([0, 27])).tolist() == [0, 1]


def test_schedule_warms_up_linearly_then_follows_a_cosine_to_zero():
    total, peak, warmup = 200, 2e-3, 20
    schedule = learning_rate_schedule(total, peak=peak, warmup_fraction=0.1)

    def by_hand(step):
        if step <= warmup:
            return peak / 10 + (peak - peak / 10) * step / warmup
        return peak * 0.5 * (1 + math.cos(math.pi * (step - warmup) / (total - warmup)))

    for step in (0, 5, 20, 50, 110, 199, 200):
        assert float(schedule(step)) == pytest.approx(by_hand(step), rel=1e-4, abs=1e-9)


def _two_blobs(n, seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 2, n)
    points = rng.normal(size=(n, 2)).astype(np.float32) + np.where(labels[:, None] == 1, 2.0, -2.0)
    return points.astype(np.float32), labels


def test_fit_fast_learns_a_tiny_problem_and_ends_its_schedule_at_zero():
    import keras

    (x, y), (x_val, y_val) = _two_blobs(512, 0), _two_blobs(128, 1)
    model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
    history = fit_fast(model, x, y, epochs=4, batch_size=32, validation_data=(x_val, y_val), verbose=0,
                       peak_learning_rate=0.05)
    assert set(history.history) == {"loss", "accuracy", "val_loss", "val_accuracy"}
    assert history.history["loss"][-1] < history.history["loss"][0]
    assert history.history["val_accuracy"][-1] >= 0.95
    assert int(model.optimizer.iterations) == 4 * 512 // 32
    assert float(model.optimizer.learning_rate) == pytest.approx(0.0, abs=1e-9)


def test_fit_fast_is_repeatable_with_a_seed():
    import keras

    x, y = _two_blobs(256, 2)

    def train():
        keras.utils.set_random_seed(3)
        model = keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
        return fit_fast(model, x, y, epochs=2, batch_size=32, verbose=0, seed=5).history["loss"]

    assert train() == train()


def test_fit_fast_runs_the_calls_lesson_04_writes_out():
    """fit_fast is lesson 04's hand-written compile + fit, nothing more: the same losses, step for step."""
    import keras

    (x, y), validation = _two_blobs(256, 4), _two_blobs(64, 5)

    def fresh_model():
        keras.utils.set_random_seed(7)
        return keras.Sequential([keras.Input((2,)), keras.layers.Dense(8, activation="relu"),
                                 keras.layers.Dense(2, activation="softmax")])

    by_hand = fresh_model()
    keras.utils.set_random_seed(11)
    by_hand.compile(optimizer=keras.optimizers.Adam(learning_rate=learning_rate_schedule(3 * 8)),
                    loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    expected = by_hand.fit(x, y, batch_size=32, epochs=3, validation_data=validation, shuffle=True, verbose=0)
    helped = fit_fast(fresh_model(), x, y, epochs=3, batch_size=32, validation_data=validation, seed=11, verbose=0)
    assert helped.history.keys() == expected.history.keys()
    for key, values in expected.history.items():
        assert helped.history[key] == pytest.approx(values, rel=1e-6), key


def test_fit_fast_traces_the_training_step_once_under_tensorflow():
    """Without build_training_state, TensorFlow traces the step twice (the first trace creates the Adam and metric variables)."""
    import keras

    if keras.backend.backend() != "tensorflow":
        pytest.skip("JAX and PyTorch trace the training step their own way")

    class CountingTraces(keras.Sequential):
        traces = 0

        def train_step(self, data):
            CountingTraces.traces += 1  # Python runs once per trace, not once per step
            return super().train_step(data)

    x, y = _two_blobs(64, 6)
    model = CountingTraces([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")])
    fit_fast(model, x, y, epochs=2, batch_size=32, verbose=0)
    assert CountingTraces.traces == 1


def test_show_mistakes_titles_each_mistake_with_truth_and_prediction():
    images = _dot_images([1, 2, 3, 4])
    fig = show_mistakes(images, np.array([0, 1, 2, 3]), np.array([0, 7, 2, 5]), title="Mistakes")
    assert [ax.get_title() for ax in fig.axes] == ["true 1, said 7", "true 3, said 5"]
    assert fig._suptitle.get_text() == "Mistakes"


@pytest.fixture(scope="module")
def tiny_model():
    import keras

    return keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="softmax")])


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"epochs": 0}, "epochs"),
    ({"epochs": 1, "batch_size": -4}, "batch_size"),
    ({"epochs": 1, "verbose": 3}, "verbose"),
    ({"epochs": 1, "seed": -1}, "seed"),
    ({"epochs": 1, "labels": np.array([0, 1, 3])}, "y_train"),
    ({"epochs": 1, "labels": np.array([0.0, 1.0, 2.0])}, "labels"),
    ({"epochs": 1, "labels": np.array([0, 1])}, "labels"),
    ({"epochs": 1, "validation_data": (np.zeros((2, 2)), np.array([0]))}, "validation"),
])
def test_fit_fast_names_a_bad_argument(tiny_model, kwargs, name):
    labels = kwargs.pop("labels", np.array([0, 1, 2]))
    with pytest.raises(ValueError, match=name):
        fit_fast(tiny_model, np.zeros((3, 2), np.float32), labels, **kwargs)


@pytest.mark.parametrize(("call", "name"), [
    (lambda: shift_images(np.zeros((28, 28)), 1), "images"),
    (lambda: shift_images(np.zeros((2, 28, 28)), 28), "dx"),
    (lambda: shift_images(np.zeros((2, 28, 28)), 1, dy=1.5), "dy"),
    (lambda: learning_rate_schedule(0), "total_steps"),
    (lambda: learning_rate_schedule(10, peak=3.0), "peak"),
    (lambda: learning_rate_schedule(10, warmup_fraction=1.0), "warmup_fraction"),
    (lambda: show_mistakes(np.zeros((2, 4, 4)), np.array([1, 2]), np.array([1, 2]), title="t"), "misclassified"),
    (lambda: show_mistakes(np.zeros((2, 4, 4)), np.array([1, 2]), np.array([1]), title="t"), "predicted"),
])
def test_helpers_name_a_bad_argument(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def test_augmented_batches_keep_the_labels_and_change_the_images():
    import keras

    from course_utils.training import augmented_batches

    images = np.zeros((8, 28, 28, 1), np.float32)
    images[:, 10:18, 12:16] = 1.0                      # a bar, the same in every image
    labels = np.arange(8)
    move = keras.layers.Pipeline([keras.layers.RandomTranslation(0.3, 0.3, fill_mode="constant", seed=3)])
    batches = augmented_batches(images, labels, move, batch_size=4, seed=1)
    first, second = ([(np.asarray(x), np.asarray(y)) for x, y in batches] for _epoch in range(2))  # two passes, as fit makes
    seen = np.concatenate([y for _, y in first])
    assert sorted(seen.tolist()) == list(range(8))     # every image once per epoch, shuffled with its label
    assert not np.array_equal(np.concatenate([x for x, _ in first]), images[seen])  # moved
    assert not np.array_equal(first[0][0], second[0][0])  # new draws each epoch


def test_fit_fast_with_augmentation_trains_on_batches_from_the_pipeline():
    import keras

    model = keras.Sequential([keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(2, activation="softmax")])
    images, labels = _dot_images([2, 25] * 16), np.array([0, 1] * 16)
    keep = keras.layers.Pipeline([keras.layers.RandomTranslation(0.0, 0.05, fill_mode="constant", seed=1)])
    history = fit_fast(model, images, labels, epochs=3, batch_size=8, verbose=0, augmentation=keep, peak_learning_rate=0.1)
    assert len(history.history["loss"]) == 3 and history.history["accuracy"][-1] == 1.0
