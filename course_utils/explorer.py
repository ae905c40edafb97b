"""See a convolution slide: one drawing function, an ipywidgets explorer and an animation built on it.

The drawing follows Dumoulin & Visin's "conv_arithmetic" figures: the input grid (blue) with its
padding (dashed, white), the taps of the kernel at one position (dark), a dot at the centre of
every position the kernel takes, and the output grid (teal) filling in position by position.
Sizes come from :mod:`course_utils.arithmetic`, so the picture shows what Keras builds.

Example (no browser needed):
    >>> fig = draw_convolution(5, 3, stride=2, padding=1)
    >>> fig.texts[0].get_text()
    'O = floor((W + 2P - D(F - 1) - 1) / S) + 1 = floor((5 + 2*1 - 1*(3 - 1) - 1) / 2) + 1 = 3'
    >>> explorer = ConvExplorer(size=16, kernel_size=3, stride=2)
    >>> explorer.output_size
    7
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import numpy as np

from course_utils.arithmetic import conv_output_size, same_padding
from course_utils.convolution import conv2d
from course_utils.validation import positive_int

if TYPE_CHECKING:  # only for the annotations: matplotlib is imported where it is used
    from matplotlib.animation import FuncAnimation
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

Padding = str | int

COLOURS = {"input": "#b3d4ea", "pad": "white", "tap": "#1f5f8b", "done": "#9fd8cf", "output": "#e3f4f1",
           "current": "#1b7f70"}


def _padding_pair(size: int, kernel_size: int, stride: int, padding: Padding, dilation: int) -> tuple[int, int]:
    if padding == "same":
        return same_padding(size, kernel_size, stride=stride, dilation=dilation)
    return (0, 0) if padding == "valid" else (padding, padding)


def output_size_formula(size: int, kernel_size: int, *, stride: int = 1, padding: Padding = "valid",
                        dilation: int = 1) -> str:
    """The output size of a square convolution with the formula filled in, as one line of text.

    ``padding`` is 'valid', 'same' or an int (zeros on every side).  Raises ``ValueError``
    (from :func:`course_utils.arithmetic.conv_output_size`) for settings Keras refuses.

    >>> output_size_formula(7, 3, padding="same", stride=2)
    "'same': O = ceil(W / S) = ceil(7 / 2) = 4 (Keras adds 1 zero before and 1 after)"
    """
    if padding not in ("valid", "same") and (isinstance(padding, bool) or not isinstance(padding, (int, np.integer))):
        raise ValueError(f"padding must be 'valid', 'same' or an int (zeros on every side); got {padding!r}.")
    out = conv_output_size(size, kernel_size, stride=stride, padding=padding, dilation=dilation)
    if padding == "same":
        before, after = same_padding(size, kernel_size, stride=stride, dilation=dilation)
        return (f"'same': O = ceil(W / S) = ceil({size} / {stride}) = {out} "
                f"(Keras adds {before} zero{'s' * (before != 1)} before and {after} after)")
    p = 0 if padding == "valid" else padding
    return (f"O = floor((W + 2P - D(F - 1) - 1) / S) + 1 = "
            f"floor(({size} + 2*{p} - {dilation}*({kernel_size} - 1) - 1) / {stride}) + 1 = {out}")


def _square(ax: Axes, row: float, col: float, colour: str, gid: str, **style) -> None:
    from matplotlib.patches import Rectangle

    # add_artist, not add_patch: the limits are set once at the end (add_patch would update them 300 times)
    ax.add_artist(Rectangle((col, row), 1, 1, facecolor=colour, edgecolor=style.pop("edgecolor", "grey"),
                            gid=gid, **style))


def draw_convolution(size: int, kernel_size: int, *, stride: int = 1, padding: Padding = "valid", dilation: int = 1,
                     step: int = 0, image: np.ndarray | None = None, kernel: np.ndarray | None = None,
                     axes: tuple[Axes, Axes] | None = None) -> Figure:
    """Draw a square convolution with the kernel at position ``step`` (row-major); return the figure.

    ``image`` (size x size) and ``kernel`` (kernel_size x kernel_size) are optional: given, their
    numbers are written in the cells and the output cells computed so far show their values
    (zero padding).  ``axes`` = (input axes, output axes) to draw on (they are cleared), else a
    new figure.  The cells are rectangles in ``ax.patches`` with a ``gid``: 'input', 'pad', 'tap',
    'output', 'done', 'current'.
    """
    import matplotlib.pyplot as plt

    size, kernel_size = positive_int(size, "size"), positive_int(kernel_size, "kernel_size")
    text = output_size_formula(size, kernel_size, stride=stride, padding=padding, dilation=dilation)
    out = conv_output_size(size, kernel_size, stride=stride, padding=padding, dilation=dilation)
    if not isinstance(step, (int, np.integer)) or not 0 <= step < out * out:
        raise ValueError(f"step must be an int from 0 to {out * out - 1} (the {out}x{out} output positions); "
                         f"got {step!r}.")
    before, after = _padding_pair(size, kernel_size, stride, padding, dilation)
    padded = size + before + after
    new_figure = axes is None
    if new_figure:
        fig, axes = plt.subplots(1, 2, figsize=(4 + 0.45 * (padded + out), 0.45 * padded + 1.6),
                                 gridspec_kw={"width_ratios": [padded, max(out, 2)]})
    ax_in, ax_out = axes
    fig = ax_in.figure
    for ax in axes:
        ax.clear()
    values = _values(image, kernel, size, kernel_size, stride, dilation, before, after)

    _draw_input(ax_in, size, padded, before, kernel_size, stride, dilation, out, int(step),
                None if values is None else values[0])
    _draw_output(ax_out, out, int(step), None if values is None else values[1])
    pad_text = {"valid": "no padding ('valid')", "same": f"'same' padding {before} + {after}"}.get(
        padding, f"padding {padding}")
    details = [f"kernel {kernel_size}x{kernel_size}", f"stride {stride}", pad_text]
    if dilation > 1:
        details.insert(1, f"dilation {dilation}")
    for ax, n, title in ((ax_in, padded, f"input {size}x{size}: " + ", ".join(details)),
                         (ax_out, out, f"output {out}x{out} (position {step + 1} of {out * out})")):
        ax.set(xlim=(0, n), ylim=(n, 0), xlabel="column", ylabel="row", title=title)
        ax.set_aspect("equal")
        ax.set_xticks(np.arange(n) + 0.5, np.arange(n) - (before if ax is ax_in else 0))
        ax.set_yticks(np.arange(n) + 0.5, np.arange(n) - (before if ax is ax_in else 0))
        ax.tick_params(labelsize=7, length=0)
    for old in [t for t in fig.texts if t.get_gid() == "formula"]:
        old.remove()
    fig.text(0.5, 0.01, text, ha="center", va="bottom", fontsize=10, gid="formula")
    fig.suptitle("A convolution, one kernel position at a time"
                 + (" (dots: the centre of every position)" if values is None else ""))
    if new_figure:
        fig.tight_layout(rect=(0, 0.06, 1, 1))
    return fig


def _draw_input(ax: Axes, size: int, side: int, before: int, kernel_size: int, stride: int, dilation: int, out: int,
                step: int, padded: np.ndarray | None) -> None:
    """The padded input grid (``side`` cells, the image from ``before``), the kernel's taps at
    position ``step``, and the numbers of ``padded`` if given, else a dot at the centre of every position."""
    row, col = divmod(step, out)
    taps = {(row * stride + a * dilation, col * stride + b * dilation)
            for a in range(kernel_size) for b in range(kernel_size)}
    for r in range(side):
        for c in range(side):
            inside = before <= r < before + size and before <= c < before + size
            _square(ax, r, c, COLOURS["input"] if inside else COLOURS["pad"], "input" if inside else "pad",
                    linestyle="-" if inside else "--", zorder=1 if inside else 0.5)  # solid edges on top
            if (r, c) in taps:
                _square(ax, r, c, COLOURS["tap"], "tap", alpha=0.75, edgecolor="black", zorder=1.5)
            if padded is not None:
                ax.text(c + 0.5, r + 0.5, f"{padded[r, c]:g}", ha="center", va="center", fontsize=8,
                        color="white" if (r, c) in taps else "black")
    if padded is None:  # with numbers in the cells the dots would hide them
        positions = np.arange(out) * stride + (kernel_size - 1) * dilation / 2 + 0.5
        xs, ys = np.meshgrid(positions, positions)
        ax.plot(xs.ravel(), ys.ravel(), ".", color="#c0392b", markersize=5)


def _draw_output(ax: Axes, out: int, step: int, result: np.ndarray | None) -> None:
    """The output grid: positions done, the current one, those to come (with their values if given)."""
    for i in range(out):
        for j in range(out):
            index = i * out + j
            state = "current" if index == step else "done" if index < step else "output"
            _square(ax, i, j, COLOURS[state], state)
            if result is not None and index <= step:
                ax.text(j + 0.5, i + 0.5, f"{result[i, j]:g}", ha="center", va="center", fontsize=8,
                        color="white" if state == "current" else "black")


def _values(image, kernel, size: int, kernel_size: int, stride: int, dilation: int, before: int,
            after: int) -> tuple[np.ndarray, np.ndarray] | None:
    """(zero-padded image, output) when both numbers are given; None when neither is."""
    if image is None and kernel is None:
        return None
    image, kernel = np.asarray(image, dtype=float), np.asarray(kernel, dtype=float)
    if image.shape != (size, size) or kernel.shape != (kernel_size, kernel_size):
        raise ValueError(f"image must have shape ({size}, {size}) and kernel ({kernel_size}, {kernel_size}); "
                         f"got {image.shape} and {kernel.shape}.")
    explicit = (before, after)
    return np.pad(image, (explicit, explicit)), conv2d(image, kernel, stride, padding=(explicit, explicit),
                                                       dilation=dilation)


def convolution_animation(size: int, kernel_size: int, *, stride: int = 1, padding: Padding = "valid",
                          dilation: int = 1, image: np.ndarray | None = None, kernel: np.ndarray | None = None,
                          interval: int = 600) -> FuncAnimation:
    """A matplotlib ``FuncAnimation``: :func:`draw_convolution` at every position in turn.

    Show it in a notebook with ``IPython.display.HTML(animation.to_jshtml())``.

    >>> page = convolution_animation(4, 3, interval=300).to_jshtml()
    >>> page.count("data:image/png;base64")  # one image per position of the kernel
    4
    """
    import matplotlib.pyplot as plt
    from matplotlib.animation import FuncAnimation

    fig = draw_convolution(size, kernel_size, stride=stride, padding=padding, dilation=dilation, image=image,
                           kernel=kernel)
    out = conv_output_size(size, kernel_size, stride=stride, padding=padding, dilation=dilation)

    def frame(step: int):
        draw_convolution(size, kernel_size, stride=stride, padding=padding, dilation=dilation, step=step,
                         image=image, kernel=kernel, axes=fig.axes[:2])
        return fig.axes[0].patches + fig.axes[1].patches

    animation = FuncAnimation(fig, frame, frames=range(out * out), interval=interval, blit=False)
    plt.close(fig)  # the notebook shows the animation's HTML, not a stray still
    return animation


class ConvExplorer:
    """Sliders for input size, kernel size, stride, padding, dilation and kernel position.

    Every change recomputes the output size and formula (``formula``, an HTML widget) and
    redraws :func:`draw_convolution` into ``output`` (an Output widget); settings Keras refuses
    show their error message instead of a figure.  ``controls`` holds the widgets by name, so
    tests and notebooks can set values: ``explorer.controls["stride"].value = 2``.
    """

    PADDINGS = [("valid", "valid"), ("same", "same"), ("1", 1), ("2", 2), ("3", 3)]

    def __init__(self, size: int = 7, kernel_size: int = 3, stride: int = 1, padding: Padding = "valid",
                 dilation: int = 1):
        for name, value, high in (("size", size, 16), ("kernel_size", kernel_size, 7), ("stride", stride, 4),
                                  ("dilation", dilation, 4)):  # the sliders' ranges: a value outside would be clamped
            if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not 1 <= value <= high:
                raise ValueError(f"{name} must be an int from 1 to {high} (the slider's range), got {value!r}.")
        if padding not in [value for _, value in self.PADDINGS] or isinstance(padding, bool):
            raise ValueError(f"padding must be one of {', '.join(repr(value) for _, value in self.PADDINGS)} "
                             f"(the dropdown's choices), got {padding!r}.")
        import ipywidgets as widgets

        def slider(description, value, low, high):
            return widgets.IntSlider(value=value, min=low, max=high, description=description, continuous_update=False)

        self.controls = {
            "size": slider("input size", size, 1, 16),
            "kernel_size": slider("kernel", kernel_size, 1, 7),
            "stride": slider("stride", stride, 1, 4),
            "padding": widgets.Dropdown(options=self.PADDINGS, value=padding, description="padding"),
            "dilation": slider("dilation", dilation, 1, 4),
            "step": slider("position", 0, 0, 0),
        }
        self.formula, self.output = widgets.HTML(), widgets.Output()
        names = list(self.controls)
        self.widget = widgets.VBox([widgets.HBox([widgets.VBox([self.controls[n] for n in names[:3]]),
                                                  widgets.VBox([self.controls[n] for n in names[3:]])]),
                                    self.formula, self.output])
        self.output_size: int | None = None
        self.figure = None
        self._busy = False
        for control in self.controls.values():
            control.observe(self.refresh, names="value")
        self.refresh()

    def settings(self) -> dict:
        """The current slider values, as keyword arguments of :func:`draw_convolution`."""
        return {name: control.value for name, control in self.controls.items()}

    def refresh(self, change=None) -> None:
        """Recompute and redraw from the current values (called on every change)."""
        if self._busy:
            return
        import matplotlib.pyplot as plt
        from IPython import get_ipython
        from IPython.display import clear_output, display

        self._busy = True
        try:
            geometry = {k: v for k, v in self.settings().items() if k != "step"}
            self.output_size = conv_output_size(**geometry)
            step = self.controls["step"]
            step.max = self.output_size ** 2 - 1
            self.figure = draw_convolution(**geometry, step=step.value)
            message = html.escape(output_size_formula(**geometry))
        except ValueError as err:
            self.output_size, self.figure = None, None
            message = f'<span style="color:#b3261e">Not a valid convolution: {html.escape(str(err))}</span>'
        finally:
            self._busy = False
        self.formula.value = f"<code>{message}</code>" if self.figure else message
        if self.figure is not None:
            plt.close(self.figure)  # shown once, in the Output widget, not again by the inline backend
        if get_ipython() is None:  # no notebook to show it in (tests, scripts)
            return
        with self.output:
            clear_output(wait=True)
            if self.figure is not None:
                display(self.figure)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
