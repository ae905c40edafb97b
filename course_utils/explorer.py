"""See a convolution slide: one drawing function, an ipywidgets explorer and an animation built on it.

The drawing follows Dumoulin & Visin's "conv_arithmetic" figures: the input grid (blue) with its
padding (dashed, white), the taps of the kernel at one position (dark), a dot at the centre of
every position the kernel takes, and the output grid (teal) filling in position by position.
Sizes and zeros come from :mod:`course_utils.arithmetic` (:func:`~course_utils.arithmetic.padding_zeros`
is the one parser of padding specs), so the picture shows what Keras builds.

Example (no browser needed):
    >>> fig = draw_convolution(5, 3, stride=2, padding=1)
    >>> fig.texts[0].get_text()
    'O = floor((W + 2P - D(F - 1) - 1) / S) + 1 = floor((5 + 2*1 - 1*(3 - 1) - 1) / 2) + 1 = 3'
    >>> explorer = ConvExplorer(size=16, kernel_size=3, stride=2)
    >>> explorer.output_size
    7
"""

from __future__ import annotations

import base64
import html
import io
from typing import TYPE_CHECKING

import numpy as np

from course_utils.arithmetic import conv_output_size, padding_zeros
from course_utils.convolution import conv2d
from course_utils.validation import positive_int

if TYPE_CHECKING:  # only for the annotations: matplotlib is imported where it is used
    from matplotlib.animation import FuncAnimation
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

Padding = str | int

COLOURS = {"input": "#b3d4ea", "pad": "white", "tap": "#1f5f8b", "done": "#9fd8cf", "output": "#e3f4f1",
           "current": "#1b7f70"}


def output_size_formula(size: int, kernel_size: int, *, stride: int = 1, padding: Padding = "valid",
                        dilation: int = 1) -> str:
    """The output size of a square convolution with the formula filled in, as one line of text.

    ``padding`` is 'valid', 'same' or an int (zeros on every side): the formula has a single P, so
    ``(before, after)`` pairs are refused.  Raises ``ValueError`` (from
    :func:`course_utils.arithmetic.conv_output_size`) for settings Keras refuses.

    >>> output_size_formula(7, 3, padding="same", stride=2)
    "'same': O = ceil(W / S) = ceil(7 / 2) = 4 (Keras adds 1 zero before and 1 after)"
    """
    if isinstance(padding, (tuple, list)):
        raise ValueError(f"padding must be 'valid', 'same' or an int (zeros on every side); got {padding!r}: "
                         "the formula has a single P, the same zeros before and after.")
    out = conv_output_size(size, kernel_size, stride=stride, padding=padding, dilation=dilation)
    before, after = padding_zeros(size, kernel_size, stride=stride, padding=padding, dilation=dilation)
    if padding == "same":
        return (f"'same': O = ceil(W / S) = ceil({size} / {stride}) = {out} "
                f"(Keras adds {before} zero{'s' * (before != 1)} before and {after} after)")
    return (f"O = floor((W + 2P - D(F - 1) - 1) / S) + 1 = "
            f"floor(({size} + 2*{before} - {dilation}*({kernel_size} - 1) - 1) / {stride}) + 1 = {out}")


def _square(ax: Axes, row: float, col: float, colour: str, gid: str, **style) -> None:
    from matplotlib.patches import Rectangle

    # add_artist, not add_patch: the limits are set once at the end (add_patch would update them 300 times)
    ax.add_artist(Rectangle((col, row), 1, 1, facecolor=colour, edgecolor=style.pop("edgecolor", "grey"),
                            gid=gid, **style))


# Layout of a new figure, in inches: one grid cell; the narrowest a panel may be, so that its title fits
# above it however small the grid; the room left of each panel (tick labels and "row"), right of the
# figure, below the grids (tick labels and "column"); one line of the suptitle and of a 10-point text.
CELL, MIN_INPUT_PANEL, MIN_OUTPUT_PANEL = 0.45, 3.2, 2.4
LEFT, RIGHT, BELOW, PAD, SUPTITLE_LINE, LINE = 0.7, 0.2, 0.5, 0.1, 0.25, 0.2
TITLE_CHARACTERS = 32  # a panel title is wrapped to lines of at most this many characters


def _wrap(text: str, width: int, separator: str = " ", *, separator_starts_line: bool = False) -> str:
    """``text`` broken into lines of at most ``width`` characters, only at a ``separator``.

    At a break the separator (stripped) ends the line, or starts the next one if ``separator_starts_line``.

    >>> print(_wrap("kernel 3x3, stride 2, padding 1", 22, ", "))
    kernel 3x3, stride 2,
    padding 1
    >>> print(_wrap("O = floor(7 / 2) + 1 = 4", 20, " = ", separator_starts_line=True))
    O = floor(7 / 2) + 1
    = 4
    """
    pieces = text.split(separator)
    lines = [pieces[0]]
    for piece in pieces[1:]:
        if len(lines[-1]) + len(separator) + len(piece) <= width:
            lines[-1] += separator + piece
        elif separator_starts_line:
            lines.append(separator.strip() + " " + piece)
        else:
            lines[-1] += separator.rstrip()
            lines.append(piece)
    return "\n".join(lines)


def draw_convolution(size: int, kernel_size: int, *, stride: int = 1, padding: Padding = "valid", dilation: int = 1,
                     step: int = 0, image: np.ndarray | None = None, kernel: np.ndarray | None = None,
                     axes: tuple[Axes, Axes] | None = None, formula: bool = True) -> Figure:
    """Draw a square convolution with the kernel at position ``step`` (row-major); return the figure.

    ``image`` (size x size) and ``kernel`` (kernel_size x kernel_size) are optional: given, their
    numbers are written in the cells and the output cells computed so far show their values
    (zero padding).  ``axes`` = (input axes, output axes) to draw on (they are cleared), else a
    new figure.  ``formula=False`` leaves out the line with the output-size formula (the explorer
    prints it above the figure).  The cells are rectangles in ``ax.patches`` with a ``gid``:
    'input', 'pad', 'tap', 'output', 'done', 'current'.
    """
    size, kernel_size = positive_int(size, "size"), positive_int(kernel_size, "kernel_size")
    text = output_size_formula(size, kernel_size, stride=stride, padding=padding, dilation=dilation)
    out = conv_output_size(size, kernel_size, stride=stride, padding=padding, dilation=dilation)
    if not isinstance(step, (int, np.integer)) or not 0 <= step < out * out:
        raise ValueError(f"step must be an int from 0 to {out * out - 1} (the {out}x{out} output positions); "
                         f"got {step!r}.")
    before, after = padding_zeros(size, kernel_size, stride=stride, padding=padding, dilation=dilation)
    padded = size + before + after
    values = _values(image, kernel, size, kernel_size, stride, dilation, before, after)
    pad_text = {"valid": "no padding ('valid')", "same": f"'same' padding {before} + {after}"}.get(
        padding, f"padding {padding}")
    details = [f"kernel {kernel_size}x{kernel_size}", f"stride {stride}", pad_text]
    if dilation > 1:
        details.insert(1, f"dilation {dilation}")
    titles = (f"input {size}x{size}\n" + _wrap(", ".join(details), TITLE_CHARACTERS, ", "),
              f"output {out}x{out}\nposition {step + 1} of {out * out}")
    suptitle = "A convolution, one kernel position at a time" + (
        " (dots: the centre of every position)" if values is None else "")
    if axes is None:
        axes = _new_figure(padded, out, titles, suptitle, text if formula else None)
    ax_in, ax_out = axes
    fig = ax_in.figure
    for ax in axes:
        ax.clear()

    _draw_input(ax_in, size, padded, before, kernel_size, stride, dilation, out, int(step),
                None if values is None else values[0])
    _draw_output(ax_out, out, int(step), None if values is None else values[1])
    for ax, n, title in ((ax_in, padded, titles[0]), (ax_out, out, titles[1])):
        ax.set(xlim=(0, n), ylim=(n, 0), xlabel="column", ylabel="row")
        ax.set_title(title, fontsize=10)
        ax.set_aspect("equal")
        ax.set_xticks(np.arange(n) + 0.5, np.arange(n) - (before if ax is ax_in else 0))
        ax.set_yticks(np.arange(n) + 0.5, np.arange(n) - (before if ax is ax_in else 0))
        ax.tick_params(labelsize=7, length=0)
    for text_artist in fig.texts:  # a figure given through `axes` keeps its layout: only the words change
        if text_artist.get_gid() == "formula" and formula:
            text_artist.set_text(_fit(fig, text, " = ", 10, separator_starts_line=True))
        elif text_artist.get_gid() == "suptitle":
            text_artist.set_text(_fit(fig, suptitle, " ", 12))
    return fig


def _new_figure(padded: int, out: int, titles: tuple[str, str], suptitle: str,
                formula: str | None) -> tuple[Axes, Axes]:
    """A figure laid out in inches for a ``padded`` x ``padded`` input grid and an ``out`` x ``out``
    output grid: the suptitle on top, the panel titles under it, the grids side by side with their
    tops aligned, the formula (if any) at the bottom.  Nothing overlaps, however small the grids."""
    import matplotlib.pyplot as plt

    widths = (max(CELL * padded, MIN_INPUT_PANEL), max(CELL * out, MIN_OUTPUT_PANEL))
    fig = plt.figure(figsize=(LEFT + widths[0] + LEFT + widths[1] + RIGHT, 1))
    bottom_text = None if formula is None else fig.text(  # fig.texts[0]: the formula, when there is one
        0.5, 0, _fit(fig, formula, " = ", 10, separator_starts_line=True), ha="center", va="bottom", fontsize=10,
        gid="formula")
    top_text = fig.suptitle(_fit(fig, suptitle, " ", 12), y=1, va="top", fontsize=12, gid="suptitle")
    title_lines = max(len(title.splitlines()) for title in titles)
    formula_lines = 0 if bottom_text is None else len(bottom_text.get_text().splitlines())
    above = PAD + SUPTITLE_LINE * len(top_text.get_text().splitlines()) + PAD + LINE * title_lines + PAD
    below = BELOW + (PAD + LINE * formula_lines if formula_lines else 0) + PAD
    width, height = fig.get_figwidth(), above + CELL * padded + below
    fig.set_figheight(height)
    top_text.set_y(1 - PAD / height)
    if bottom_text is not None:
        bottom_text.set_y(PAD / height)
    axes = []
    for left, panel, cells in ((LEFT, widths[0], padded), (LEFT + widths[0] + LEFT, widths[1], out)):
        side = CELL * cells
        axes.append(fig.add_axes(((left + (panel - side) / 2) / width, (height - above - side) / height,
                                  side / width, side / height)))
    return axes[0], axes[1]


def _fit(fig: Figure, text: str, separator: str, fontsize: float, *, separator_starts_line: bool = False) -> str:
    """``text`` wrapped (at ``separator``) to fit in 95% of the figure's width at ``fontsize`` points."""
    probe = fig.text(0, 0, text, fontsize=fontsize)
    measured = probe.get_window_extent().width  # the figure finds a renderer, whatever its canvas
    probe.remove()
    if measured <= 0.95 * fig.bbox.width:
        return text
    characters = int(len(text) * 0.95 * fig.bbox.width / measured)
    return _wrap(text, characters, separator, separator_starts_line=separator_starts_line)


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

    Every change recomputes the output size and formula (``formula``, an HTML widget, the only
    place the formula is printed) and redraws :func:`draw_convolution` into ``output`` (an Output
    widget, as one PNG); settings Keras refuses show their error message in ``formula`` and empty
    ``output``, so no figure of an earlier setting contradicts the sliders.  ``controls`` holds the
    widgets by name, so tests and notebooks can set values: ``explorer.controls["stride"].value = 2``.

    >>> explorer = ConvExplorer(size=5, kernel_size=3)
    >>> len(explorer.output.outputs)  # one figure
    1
    >>> explorer.controls["kernel_size"].value = 7  # larger than the input: nothing to draw
    >>> explorer.output.outputs, explorer.output_size
    ((), None)
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

        self._busy = True
        try:
            geometry = {k: v for k, v in self.settings().items() if k != "step"}
            self.output_size = conv_output_size(**geometry)
            step = self.controls["step"]
            step.max = self.output_size ** 2 - 1
            self.figure = draw_convolution(**geometry, step=step.value, formula=False)
            message = f"<code>{html.escape(output_size_formula(**geometry))}</code>"
        except ValueError as err:
            self.output_size, self.figure = None, None
            message = f'<span style="color:#b3261e">Not a valid convolution: {html.escape(str(err))}</span>'
        finally:
            self._busy = False
        self.formula.value = message
        # The Output widget's content is set whole, not through `with output: display(...)`: clearing
        # with clear_output(wait=True) and then showing nothing left the last valid figure on screen.
        if self.figure is None:
            self.output.outputs = ()
            return
        png = io.BytesIO()
        self.figure.savefig(png, format="png", bbox_inches="tight")
        plt.close(self.figure)  # shown once, in the Output widget, not again by the inline backend
        titles = "; ".join(ax.get_title().replace("\n", ", ") for ax in self.figure.axes)
        self.output.outputs = ({"output_type": "display_data", "metadata": {},
                                "data": {"image/png": base64.b64encode(png.getvalue()).decode("ascii"),
                                         "text/plain": f"<convolution figure: {titles}>"}},)

    def _ipython_display_(self) -> None:
        from IPython.display import display

        display(self.widget)
