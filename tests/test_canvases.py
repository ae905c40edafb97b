"""The generated canvases of lessons 08 and 10: deterministic, with masks and boxes that match the ink."""

import numpy as np
import pytest

from course_utils.canvases import INK, TEXTURES, digit_canvases
from course_utils.data import load_mnist


@pytest.fixture(scope="module")
def mnist():
    (x_train, y_train), _ = load_mnist("ci")
    return x_train[:200], y_train[:200]


def test_same_seed_same_canvases_other_seed_other(mnist):
    args = dict(count=6, size=56, digits_per_canvas=2, scale=(0.8, 1.4), clutter=3, texture="grass")
    a, b = digit_canvases(*mnist, seed=7, **args), digit_canvases(*mnist, seed=7, **args)
    c = digit_canvases(*mnist, seed=8, **args)
    for field in ("images", "labels", "masks", "boxes"):
        assert np.array_equal(getattr(a, field), getattr(b, field))
    assert not np.array_equal(a.images, c.images)


def test_masks_boxes_and_labels_describe_the_pasted_digits(mnist):
    images, labels = mnist
    canvases = digit_canvases(images, labels, count=20, size=64, digits_per_canvas=3, scale=(0.7, 1.3), seed=1)
    assert canvases.images.dtype == np.float32 and 0 <= canvases.images.min() and canvases.images.max() <= 1
    for image, mask, classes, boxes in zip(canvases.images, canvases.masks, canvases.labels, canvases.boxes):
        assert set(np.unique(mask)) - {0} <= set(classes + 1)
        assert np.all(image[mask > 0] > INK)  # masked pixels are ink
        outside = np.ones_like(mask, bool)
        for t, l, h, w in boxes:
            assert 0 <= t and t + h <= 64 and 0 <= l and l + w <= 64 and h == w
            outside[t:t + h, l:l + w] = False
        assert not mask[outside].any() and not image[outside].any()  # no texture, no clutter: black outside


def test_a_single_full_digit_fills_the_canvas():
    canvases = digit_canvases(np.full((1, 28, 28), 255, np.uint8), [3], count=2, size=28)
    assert np.all(canvases.images == 1) and np.all(canvases.masks == 4)
    assert canvases.boxes.tolist() == [[[0, 0, 28, 28]]] * 2


@pytest.mark.parametrize("texture", TEXTURES)
def test_textures_stay_below_their_contrast(mnist, texture):
    canvases = digit_canvases(*mnist, count=3, size=40, texture=texture, texture_contrast=0.3, seed=2)
    outside = np.ones(canvases.masks.shape, bool)
    for i, [(t, l, h, w)] in enumerate(canvases.boxes):
        outside[i, t:t + h, l:l + w] = False
    background = canvases.images[outside]
    assert 0.3 >= background.max() and background.std() > 0.01


@pytest.mark.parametrize("kwargs, message", [
    (dict(count=0), "count must be a positive int"),
    (dict(size=20), "larger than the canvas"),
    (dict(scale=(1.5, 1.0)), "scale\\[1\\] must be a number >= 1.5"),
    (dict(scale=1.0), "scale must be a pair"),
    (dict(clutter=-1), "clutter must be a non-negative int"),
    (dict(texture="marble"), "texture='marble' is not a shipped texture"),
    (dict(seed=-1), "seed must be an int"),
])
def test_bad_arguments_name_themselves(mnist, kwargs, message):
    with pytest.raises(ValueError, match=message):
        digit_canvases(*mnist, **{"count": 2, **kwargs})


def test_images_and_labels_must_agree():
    with pytest.raises(ValueError, match="labels has 2 entries but images has 3 digits"):
        digit_canvases(np.zeros((3, 28, 28)), [1, 2], count=1)
    with pytest.raises(ValueError, match="images must have shape"):
        digit_canvases(np.zeros((28, 28)), [1], count=1)


def test_cluttered_digits_are_fixed_by_the_seed_and_made_from_the_right_split():
    from course_utils.canvases import CLUTTERED, cluttered_digits

    (x_train, y_train), (x_test, y_test) = cluttered_digits("ci")
    side = CLUTTERED["size"]
    assert x_train.shape == (2000, side, side, 1) and x_test.shape == (1000, side, side, 1)
    assert x_train.dtype == np.float32 and 0 <= x_train.min() and x_train.max() <= 1
    again = cluttered_digits("ci")
    assert np.array_equal(x_train, again[0][0]) and np.array_equal(y_test, again[1][1])
    other = cluttered_digits("ci", seed=1)
    assert not np.array_equal(x_train, other[0][0])
    assert set(np.unique(y_train)) == set(range(10)) and set(np.unique(y_test)) == set(range(10))
    # every canvas has a texture under it (no black background) and some ink
    assert (x_train.reshape(len(x_train), -1).min(axis=1) > 0).mean() > 0.9
    assert np.all(x_train.reshape(len(x_train), -1).max(axis=1) > 0.9)
    with pytest.raises(ValueError, match="seed"):
        cluttered_digits("ci", seed=-1)
