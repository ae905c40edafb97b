"""Figures the lessons share: a labelled grid of images, and learning curves.

Example:
    >>> import numpy as np
    >>> fig = show_images([np.eye(3), np.ones((3, 3))], ["identity", "ones"], suptitle="Two 3x3 images")
    >>> [ax.get_title() for ax in fig.axes[:2]]
    ['identity', 'ones']
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np

from course_utils.validation import numeric_array, positive_int, real


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

    images, titles = _images(images), _titles(titles)
    if len(images) != len(titles):
        raise ValueError(f"images and titles must have the same length; got {len(images)} images "
                         f"and {len(titles)} titles.")
    if not isinstance(suptitle, str):
        raise TypeError(f"suptitle must be a str, got {suptitle!r}.")
    ncols = len(images) if ncols is None else positive_int(ncols, "ncols")
    real(size, "size", low=0, low_open=True)
    if percentiles is not None:
        if not isinstance(percentiles, (tuple, list)) or len(percentiles) != 2:
            raise ValueError(f"percentiles must be None or a pair (low, high), got {percentiles!r}.")
        low, high = real(percentiles[0], "percentiles[0]", low=0, high=100), real(percentiles[1], "percentiles[1]",
                                                                               low=0, high=100)
        if not low < high:
            raise ValueError(f"percentiles must be (low, high) with low < high, got {percentiles!r}.")
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


def _images(images) -> list[np.ndarray]:
    """A list of 2-D (grey) or (H, W, 3|4) (colour) arrays, from a list or a batch array; else a clear error."""
    if isinstance(images, np.ndarray):
        images = list(images)  # a batch (n, H, W) or (n, H, W, C)
    if isinstance(images, (str, bytes)) or not isinstance(images, Sequence):
        raise TypeError(f"images must be a list of images (or a batch array), got a {type(images).__name__}.")
    if not images:
        raise ValueError("images must not be empty.")
    checked = []
    for i, image in enumerate(images):
        image = numeric_array(image, f"images[{i}]")
        if image.ndim == 3 and image.shape[-1] == 1:
            image = image[..., 0]  # a grey image with a channel axis
        if not (image.ndim == 2 or (image.ndim == 3 and image.shape[-1] in (3, 4))) or 0 in image.shape:
            raise ValueError(f"images[{i}] must be a grey image (H, W) or a colour image (H, W, 3); got shape "
                             f"{image.shape}.")
        checked.append(image)
    return checked


def _titles(titles) -> list[str]:
    if isinstance(titles, (str, bytes)) or not isinstance(titles, Sequence):
        raise TypeError(f"titles must be a list of str, one per image, got {titles!r}.")
    return [str(title) for title in titles]


def plot_history(histories: Mapping[str, Mapping[str, Sequence[float]]], *, title: str,
                 metrics: Sequence[str] = ("loss", "accuracy")):
    """Learning curves: one panel per metric, one colour per model, training solid, validation dashed,
    and one legend below the panels.

    ``histories`` maps a model's name to ``keras.callbacks.History.history`` (a dict of lists) or to
    the ``History`` that ``fit`` returns.

    >>> fig = plot_history({"mlp": {"loss": [0.5, 0.3], "val_loss": [0.6, 0.4]}}, title="MLP", metrics=["loss"])
    >>> fig.axes[0].get_xlabel(), fig.axes[0].get_ylabel(), len(fig.axes[0].lines)
    ('epoch', 'loss', 2)
    """
    import matplotlib.pyplot as plt
    from matplotlib.ticker import MaxNLocator

    if not isinstance(histories, Mapping):
        raise TypeError(f"histories must be a dict {{model name: history}}, got a {type(histories).__name__}.")
    if not histories:
        raise ValueError("histories must name at least one model.")
    if isinstance(metrics, (str, bytes)) or not isinstance(metrics, Sequence) or not metrics:
        raise ValueError(f"metrics must be a non-empty list of names, such as ['loss', 'accuracy']; got {metrics!r}.")
    histories = {name: getattr(h, "history", h) for name, h in histories.items()}  # keras History objects too
    for name, history in histories.items():
        if not isinstance(history, Mapping):
            raise TypeError(f"histories[{name!r}] must be a History or its .history dict, got a "
                            f"{type(history).__name__}.")
        missing = [m for m in metrics if m not in history]
        if missing:
            raise ValueError(f"histories[{name!r}] has no {missing}; it has {sorted(history)}.")
    fig, axes = plt.subplots(1, len(metrics), figsize=(max(7, 5 * len(metrics)), 4), squeeze=False,
                             layout="constrained")
    for ax, metric in zip(axes.flat, metrics):
        for colour, (name, history) in enumerate(histories.items()):
            epochs = range(1, len(history[metric]) + 1)
            ax.plot(epochs, history[metric], f"C{colour}-", marker="o", label=f"{name} (train)")
            if f"val_{metric}" in history:
                ax.plot(epochs, history[f"val_{metric}"], f"C{colour}--", marker="s", label=f"{name} (validation)")
        ax.set_xlabel("epoch")
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(metric)
        ax.set_title(metric)
    handles, labels = axes.flat[0].get_legend_handles_labels()   # one legend below the panels, off the curves
    fig.legend(handles, labels, loc="outside lower center", ncols=min(len(histories), 2 * len(metrics)),
               fontsize="small")   # a column per model: its training and validation lines together
    fig.suptitle(title)
    return fig
