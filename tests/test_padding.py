"""Padding modes: the rows Khanzhina's lecture draws, and the same modes in Keras and scipy."""

import re

import numpy as np
import pytest
import scipy.ndimage

from course_utils.padding import LECTURE_NAMES, MODES, pad

# Khanzhina's lecture, "Padding": the row A B C padded by two on both sides, as the lecture prints it.
LECTURE_ROWS = {
    "zero shift": "0 0 A B C 0 0",
    "border extension": "A A A B C C C",
    "mirror shift (edge repeated)": "B A A B C C B",
    "mirror shift (edge not repeated)": "C B A B C B A",
    "cyclic shift": "B C A B C A B",
}


@pytest.mark.parametrize("mode", sorted(MODES))
def test_the_row_abc_as_the_lecture_draws_it(mode):
    assert " ".join(pad(np.array(list("ABC")), 2, mode)) == LECTURE_ROWS[LECTURE_NAMES[mode]]


@pytest.mark.parametrize("mode", ["zero", "symmetric", "reflect"])
def test_equals_keras_ops_pad(mode):
    import keras

    image = np.random.default_rng(0).normal(size=(5, 6, 2)).astype(np.float32)
    keras_mode = {"zero": "constant"}.get(mode, mode)
    expected = keras.ops.convert_to_numpy(keras.ops.pad(image, ((2, 1), (3, 0), (0, 0)), mode=keras_mode))
    np.testing.assert_array_equal(pad(image, ((2, 1), (3, 0)), mode), expected)


def test_zero_padding_equals_keras_zeropadding2d():
    import keras

    image = np.random.default_rng(1).normal(size=(4, 5, 3)).astype(np.float32)
    expected = keras.ops.convert_to_numpy(keras.layers.ZeroPadding2D((1, 2))(image[None]))[0]
    np.testing.assert_array_equal(pad(image, (1, 2)), expected)


@pytest.mark.parametrize(("mode", "scipy_mode"), [("replicate", "nearest"), ("wrap", "grid-wrap"),
                                                  ("symmetric", "reflect"), ("reflect", "mirror")])
def test_padded_pixels_are_what_scipy_reads_outside_the_image(mode, scipy_mode):
    """scipy.ndimage.shift with order=0 reads the pixels outside the image in its own modes."""
    image = np.random.default_rng(2).normal(size=(6, 7))
    padded = pad(image, 2, mode)
    moved = scipy.ndimage.shift(image, (2, 2), order=0, mode=scipy_mode)  # moved[i, j] = image[i - 2, j - 2]
    np.testing.assert_array_equal(padded[:6, :7], moved)


def test_grey_and_colour_images_keep_their_channels():
    assert pad(np.zeros((4, 5)), 1).shape == (6, 7)
    assert pad(np.zeros((4, 5, 3)), ((0, 1), (2, 3))).shape == (5, 10, 3)
    assert pad(np.ones((2, 2)), 1).sum() == 4  # zero padding adds zeros only


IMAGE_PADDING = "padding must be a non-negative int, (pad_h, pad_w) or ((top, bottom), (left, right)); got "


@pytest.mark.parametrize(("call", "words"), [
    (lambda: pad(np.zeros(3), 1, mode="mirror"), "mode must be one of zero, replicate, symmetric, reflect, wrap"),
    (lambda: pad(np.zeros((2, 2, 2, 2)), 1), "image must be a row (W,), an image (H, W) or (H, W, C)"),
    (lambda: pad(np.zeros((4, 4)), -1), IMAGE_PADDING + "-1."),
    (lambda: pad(np.zeros((4, 4)), (1, 2, 3)), IMAGE_PADDING + "(1, 2, 3)."),
    (lambda: pad(np.zeros((4, 4)), ((1, 2), 1.5)),
     "padding for the width must be a non-negative int or a (before, after) pair of them; got 1.5."),
    (lambda: pad(np.zeros(4), (1, True)),
     "padding must be a non-negative int or a (before, after) pair of them; got (1, True)."),
    (lambda: pad(np.zeros((4, 4)), "same"), "padding='same' is a convolution's mode, not an amount of zeros, and pad "
                                             "has no kernel to size it: give the zeros (an int, (pad_h, pad_w) or "),
    (lambda: pad(np.zeros(4), "valid"), "padding='valid' is a convolution's mode, not an amount of zeros, and pad has "
                                        "no kernel to size it: give the zeros (an int or (before, after))"),
])
def test_bad_arguments_get_clear_errors(call, words):
    with pytest.raises(ValueError, match=re.escape(words)):
        call()
