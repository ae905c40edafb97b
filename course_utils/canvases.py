"""Digits placed on larger canvases: the generated datasets of lessons 08 and 10.

``digit_canvases`` pastes MNIST digits, at random positions and scales, onto canvases that may hold
a scikit-image texture and fragments of other digits ("clutter"). It records each digit's class,
its box and a pixel mask, so the same canvases serve classification (lesson 08's harder dataset)
and segmentation and detection (lesson 10). Everything comes from a seed: the same arguments give
the same arrays on every machine, so the datasets ship as code, not files.

Example:
    >>> import numpy as np
    >>> digits = np.zeros((2, 28, 28), np.uint8); digits[:, 10:18, 12:16] = 255
    >>> canvases = digit_canvases(digits, np.array([3, 7]), count=4, size=40, seed=0)
    >>> canvases.images.shape, canvases.labels.shape, canvases.masks.shape, canvases.boxes.shape
    ((4, 40, 40), (4, 1), (4, 40, 40), (4, 1, 4))
    >>> sorted(set(np.unique(canvases.masks)) - {0}) <= [4, 8]   # mask value = class + 1
    True
    >>> np.array_equal(canvases.images, digit_canvases(digits, np.array([3, 7]), count=4, size=40, seed=0).images)
    True
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from course_utils.validation import non_negative_int, numeric_array, positive_int, real, seed_value

TEXTURES = ("brick", "grass", "gravel")
"""Gray textures that ship inside scikit-image (``skimage.data``), usable as backgrounds."""

INK = 0.5
"""A pixel belongs to a digit's mask where the pasted digit is brighter than this (images in [0, 1])."""


@dataclass(frozen=True)
class Canvases:
    """Generated canvases and what is on them.

    ``images``: (n, size, size) float32 in [0, 1]. ``labels``: (n, digits) int64, the class of each
    digit in the order it was pasted. ``masks``: (n, size, size) uint8, 0 for background and
    ``class + 1`` where a digit's ink is (a later digit covers an earlier one). ``boxes``:
    (n, digits, 4) int64, each digit's top, left, height and width in pixels.
    """

    images: np.ndarray
    labels: np.ndarray
    masks: np.ndarray
    boxes: np.ndarray


def _texture_patches(name: str, count: int, size: int, rng: np.random.Generator) -> np.ndarray:
    import skimage.data

    if name not in TEXTURES:
        raise ValueError(f"texture={name!r} is not a shipped texture; allowed: {', '.join(TEXTURES)} or None.")
    texture = getattr(skimage.data, name)().astype(np.float32) / 255.0
    if min(texture.shape) < size:
        raise ValueError(f"size={size} is larger than the {name!r} texture ({texture.shape[0]}x{texture.shape[1]}).")
    tops = rng.integers(0, texture.shape[0] - size + 1, count)
    lefts = rng.integers(0, texture.shape[1] - size + 1, count)
    return np.stack([texture[t:t + size, l:l + size] for t, l in zip(tops, lefts)])


def _resized(digit: np.ndarray, side: int) -> np.ndarray:
    import skimage.transform

    return skimage.transform.resize(digit, (side, side), order=1, anti_aliasing=side < digit.shape[0])


def digit_canvases(images, labels, *, count: int, size: int = 64, digits_per_canvas: int = 1,
                   scale: tuple[float, float] = (1.0, 1.0), clutter: int = 0, texture: str | None = None,
                   texture_contrast: float = 0.5, seed: int = 0) -> Canvases:
    """Paste ``digits_per_canvas`` random digits from ``images`` on each of ``count`` canvases.

    ``images`` are (N, H, W) gray digits (uint8 0..255 or floats 0..1) with their ``labels``. Each
    digit is resized by a factor drawn from ``scale`` and placed at a random position where it fits;
    with several digits a canvas avoids overlapping boxes when it can (50 tries a digit). ``clutter``
    adds that many 8x8 fragments of other random digits first (not in the masks); ``texture`` puts a
    random crop of a scikit-image texture (see ``TEXTURES``), scaled to ``[0, texture_contrast]``,
    underneath. Digits are drawn with ``max``, so their ink stays bright on any background.

    >>> digits = np.full((1, 28, 28), 255, np.uint8)
    >>> canvases = digit_canvases(digits, [5], count=1, size=28)
    >>> canvases.boxes[0, 0].tolist(), int(canvases.masks.max()), float(canvases.images.min())
    ([0, 0, 28, 28], 6, 1.0)
    """
    images = numeric_array(images, "images", finite=True)
    if images.ndim != 3:
        raise ValueError(f"images must have shape (N, height, width); got shape {images.shape}.")
    digits = images.astype(np.float32) / (255.0 if images.max() > 1 else 1.0)
    labels = np.asarray(labels).astype(np.int64).reshape(-1)
    if labels.shape[0] != digits.shape[0]:
        raise ValueError(f"labels has {labels.shape[0]} entries but images has {digits.shape[0]} digits.")
    count, size = positive_int(count, "count"), positive_int(size, "size")
    per_canvas, clutter = positive_int(digits_per_canvas, "digits_per_canvas"), non_negative_int(clutter, "clutter")
    if not isinstance(scale, (tuple, list)) or len(scale) != 2:
        raise ValueError(f"scale must be a pair (smallest, largest) of resize factors, got {scale!r}.")
    low = real(scale[0], "scale[0]", low=0.1)
    high = real(scale[1], "scale[1]", low=low)
    if round(digits.shape[1] * high) > size:
        raise ValueError(f"scale={scale} makes a {digits.shape[1]}-pixel digit larger than the canvas (size={size}).")
    rng = np.random.default_rng(seed_value(seed))
    contrast = real(texture_contrast, "texture_contrast", low=0.0, high=1.0)
    canvas = (np.zeros((count, size, size), np.float32) if texture is None
              else contrast * _texture_patches(texture, count, size, rng))
    masks = np.zeros((count, size, size), np.uint8)
    chosen = rng.integers(0, len(digits), (count, per_canvas))
    boxes = np.zeros((count, per_canvas, 4), np.int64)
    for i in range(count):
        for _ in range(clutter):
            source = digits[rng.integers(len(digits))]
            r, c = rng.integers(0, source.shape[0] - 8, 2)
            t, l = rng.integers(0, size - 8 + 1, 2)
            canvas[i, t:t + 8, l:l + 8] = np.maximum(canvas[i, t:t + 8, l:l + 8], source[r:r + 8, c:c + 8])
        for k, index in enumerate(chosen[i]):
            side = int(round(digits.shape[1] * rng.uniform(low, high)))
            digit = _resized(digits[index], side)
            for _ in range(50):
                t, l = rng.integers(0, size - side + 1, 2)
                if not any(_overlap((t, l, side, side), boxes[i, j]) for j in range(k)):
                    break
            boxes[i, k] = t, l, side, side
            window = (i, slice(t, t + side), slice(l, l + side))
            canvas[window] = np.maximum(canvas[window], digit)
            masks[window][digit > INK] = labels[index] + 1
    return Canvases(canvas, labels[chosen], masks, boxes)


def _overlap(a, b) -> bool:
    """Whether boxes (top, left, height, width) ``a`` and ``b`` share a pixel."""
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


CLUTTERED = dict(size=40, scale=(0.7, 1.4), clutter=6, texture_contrast=0.5)
"""Lesson 08's "cluttered digits": one MNIST digit, resized by 0.7 to 1.4, anywhere on a 40x40 canvas over
a crop of a scikit-image texture (one of :data:`TEXTURES`, in turn), with 6 fragments of other digits."""
CLUTTERED_FULL = (12_000, 2_000)
"""Training and test canvases in the profiles that use all of MNIST (``ci`` uses its own subset sizes)."""


def cluttered_digits(profile=None, *, seed: int = 0) -> tuple[tuple[np.ndarray, np.ndarray],
                                                                 tuple[np.ndarray, np.ndarray]]:
    """Lesson 08's harder dataset, ``((x_train, y_train), (x_test, y_test))``, generated from a fixed seed.

    Training canvases are made from MNIST's training digits and test canvases from its test digits, as
    :data:`CLUTTERED` says, a third on each texture of :data:`TEXTURES`. Images are float32 (n, 40, 40, 1)
    in [0, 1], ready for a network; labels are the class of the digit. ``profile`` (a profile or its
    name, None for the running one) sets the sizes: the ``ci`` subsets, else :data:`CLUTTERED_FULL`.

    >>> (x_train, y_train), (x_test, y_test) = cluttered_digits("ci")
    >>> x_train.shape, x_train.dtype, y_test.shape
    ((2000, 40, 40, 1), dtype('float32'), (1000,))
    >>> bool(np.array_equal(x_test, cluttered_digits("ci")[1][0]))
    True
    """
    from course_utils.data import _profile, load_mnist

    profile = _profile(profile)
    seed = seed_value(seed)
    (train_digits, train_labels), (test_digits, test_labels) = load_mnist(profile)
    counts = (len(train_digits), len(test_digits)) if not profile.full_data else CLUTTERED_FULL
    splits = []
    for part, (digits, labels, count) in enumerate(zip((train_digits, test_digits), (train_labels, test_labels), counts)):
        sizes = [count // len(TEXTURES) + (k < count % len(TEXTURES)) for k in range(len(TEXTURES))]
        made = [digit_canvases(digits, labels, count=n, texture=name, seed=int(np.random.SeedSequence([seed, part, k]).generate_state(1)[0]),
                                **CLUTTERED)
                for k, (name, n) in enumerate(zip(TEXTURES, sizes))]
        order = np.random.default_rng([seed, part]).permutation(count)
        images = np.concatenate([m.images for m in made])[order]
        splits.append((images[..., None], np.concatenate([m.labels[:, 0] for m in made])[order]))
    return splits[0], splits[1]
