"""Figures the lessons share: a labelled grid of images.

Example:
    >>> import numpy as np
    >>> fig = show_images([np.eye(3), np.ones((3, 3))], ["identity", "ones"], suptitle="Two 3x3 images")
    >>> [ax.get_title() for ax in fig.axes[:2]]
    ['identity', 'ones']
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np


def show_images(images: Sequence[np.ndarray], titles: Sequence[str], *, suptitle: str,
                cmap: str = "gray", ncols: int | None = None, size: float = 3.0, colorbar: bool = False,
                percentiles: tuple[float, float] | None = (1, 99)):
    """Show images side by side, each with its title, under a figure title; return the figure.

    2-D arrays are drawn with ``cmap``, each scaled from its own low to high ``percentiles``
    (so that a few extreme values do not wash out a filter response; ``None``: min to max),
    with a colour bar when ``colorbar`` is set.  (H, W, 3) arrays are drawn as colour
    images, clipped to [0, 1].
    """
    import matplotlib.pyplot as plt

    if len(images) != len(titles):
        raise ValueError(f"images and titles must have the same length; got {len(images)} images "
                         f"and {len(titles)} titles.")
    if not images:
        raise ValueError("images must not be empty.")
    ncols = ncols or len(images)
    nrows = -(-len(images) // ncols)
    fig, axes = plt.subplots(nrows, ncols, figsize=(size * ncols, size * nrows), squeeze=False)
    for ax, image, title in zip(axes.flat, images, titles):
        image = np.asarray(image)
        if image.ndim == 3:
            shown = ax.imshow(np.clip(image, 0, 1))
        else:
            low, high = np.percentile(image, percentiles) if percentiles else (image.min(), image.max())
            shown = ax.imshow(image, cmap=cmap, vmin=low, vmax=high)
        if colorbar and image.ndim == 2:
            fig.colorbar(shown, ax=ax, fraction=0.046, pad=0.04)
        ax.set_title(title)
        ax.axis("off")
    for ax in axes.flat[len(images):]:
        ax.remove()
    fig.suptitle(suptitle)
    fig.tight_layout()
    return fig
