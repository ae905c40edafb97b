"""The convolution explorer and its drawing, driven headlessly: sizes, formula text, patches, errors."""

import base64
import io
import itertools

import matplotlib
import numpy as np
import pytest
import scipy.signal

from course_utils.explorer import ConvExplorer, convolution_animation, draw_convolution, output_size_formula

matplotlib.use("Agg")


def _patches(fig, gid):
    return [p for ax in fig.axes for p in ax.patches if p.get_gid() == gid]


def test_pitie_stride_examples_in_the_widget():  # Pitié's handout: 16x16 input, 3x3 kernel
    explorer = ConvExplorer(size=16, kernel_size=3)
    sizes = {}
    for stride in (1, 2, 3, 4):
        explorer.controls["stride"].value = stride
        sizes[stride] = explorer.output_size
        assert explorer.formula.value.endswith(f"= {sizes[stride]}</code>")
    assert sizes == {1: 14, 2: 7, 3: 5, 4: 4}


def test_widget_position_slider_follows_the_output_size():
    explorer = ConvExplorer(size=5, kernel_size=3, padding=1)
    assert explorer.controls["step"].max == 5 * 5 - 1
    explorer.controls["step"].value = 24
    explorer.controls["stride"].value = 2  # 3x3 output: the position is clamped to the last one
    assert explorer.controls["step"].max == 8 and explorer.controls["step"].value == 8
    assert len(_patches(explorer.figure, "current")) == 1 and len(_patches(explorer.figure, "done")) == 8


@pytest.mark.parametrize(("settings", "words"), [
    ({"stride": 2, "dilation": 2}, "Keras convolutions refuse strides &gt; 1 with dilation_rate &gt; 1"),
    ({"size": 4, "kernel_size": 5}, "the output would be empty"),
    ({"size": 3, "dilation": 3}, "spans 7 pixels"),
])
def test_invalid_settings_show_a_message_not_a_traceback(settings, words):
    explorer = ConvExplorer()
    for name, value in settings.items():
        explorer.controls[name].value = value
    assert explorer.figure is None and explorer.output_size is None
    assert "Not a valid convolution" in explorer.formula.value and words in explorer.formula.value
    explorer.controls["dilation"].value, explorer.controls["size"].value = 1, 9  # back to a valid setting
    explorer.controls["kernel_size"].value, explorer.controls["stride"].value = 3, 1
    assert explorer.output_size == 7 and explorer.figure is not None


def _shown(explorer):
    """What the explorer's Output widget holds: one (PNG image, text) pair per output."""
    import matplotlib.image

    return [(matplotlib.image.imread(io.BytesIO(base64.b64decode(out["data"]["image/png"])), format="png"),
             out["data"]["text/plain"]) for out in explorer.output.outputs]


def test_an_invalid_setting_leaves_only_the_message_no_stale_figure():
    explorer = ConvExplorer(size=7, kernel_size=3, stride=2, padding=1)
    (image, text), = _shown(explorer)  # exactly one figure, drawn for these sliders
    assert image.ndim == 3 and "input 7x7" in text and "output 4x4" in text
    explorer.controls["kernel_size"].value = 7
    explorer.controls["size"].value = 3  # a 7x7 kernel on 3 + 2 padded pixels: no output
    assert _shown(explorer) == [] and "Not a valid convolution" in explorer.formula.value
    explorer.controls["kernel_size"].value = 1  # valid again: the figure of the new setting
    (_, text), = _shown(explorer)
    assert "input 3x3" in text and "kernel 1x1" in text and "output 3x3" in text


def test_the_explorer_prints_the_formula_once():
    explorer = ConvExplorer(size=7, kernel_size=3, stride=2, padding=1)
    assert "floor((7 + 2*1 - 1*(3 - 1) - 1) / 2) + 1 = 4" in explorer.formula.value
    in_figure = [t.get_text() for t in explorer.figure.findobj(matplotlib.text.Text) if "floor" in t.get_text()]
    assert in_figure == []
    drawn = draw_convolution(7, 3, stride=2, padding=1)  # on its own, the figure carries the formula
    assert [t.get_gid() for t in drawn.texts if "floor" in t.get_text()] == ["formula"]


@pytest.mark.parametrize(("size", "kernel_size", "stride", "padding"),
                         [c for c in itertools.product([1, 2, 3], [1, 2, 3], [1, 2], ["valid", "same", 1])
                          if c[1] <= c[0] + 2 * {"valid": 0, "same": c[1] // 2, 1: 1}[c[3]]])
def test_texts_neither_overlap_nor_leave_the_figure_on_tiny_inputs(size, kernel_size, stride, padding):
    fig = draw_convolution(size, kernel_size, stride=stride, padding=padding)
    fig.canvas.draw()  # lays the figure out, as showing or saving it does
    renderer = fig.canvas.get_renderer()
    texts = [fig.axes[0].title, fig.axes[1].title, *fig.texts]  # fig.texts: the suptitle and the formula
    boxes = [t.get_window_extent(renderer) for t in texts if t.get_text()]
    assert len(boxes) == 4  # two panel titles, the suptitle, the formula
    for box in boxes:
        assert 0 <= box.x0 and box.x1 <= fig.bbox.width and 0 <= box.y0 and box.y1 <= fig.bbox.height
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b)
    import matplotlib.pyplot as plt

    plt.close(fig)


def test_formula_text_by_hand():
    assert output_size_formula(7, 3, stride=2, padding=1).endswith("floor((7 + 2*1 - 1*(3 - 1) - 1) / 2) + 1 = 4")
    assert output_size_formula(7, 3, dilation=2).endswith("floor((7 + 2*0 - 2*(3 - 1) - 1) / 1) + 1 = 3")
    assert output_size_formula(8, 4, padding="same").startswith("'same': O = ceil(W / S) = ceil(8 / 1) = 8")
    assert "1 zero before and 2 after" in output_size_formula(8, 4, padding="same")


@pytest.mark.parametrize(("size", "kernel_size", "stride", "padding", "dilation", "step", "first_tap"), [
    (5, 3, 1, "valid", 1, 0, (0, 0)),
    (16, 3, 2, "valid", 1, 8, (2, 2)),  # 7x7 output: position 8 is row 1, column 1
    (5, 3, 2, 1, 1, 4, (2, 2)),
    (7, 3, 1, "same", 2, 10, (1, 3)),  # 7x7 output: row 1, column 3
])
def test_drawing_puts_the_kernel_where_the_formula_says(size, kernel_size, stride, padding, dilation, step, first_tap):
    fig = draw_convolution(size, kernel_size, stride=stride, padding=padding, dilation=dilation, step=step)
    pad = {"valid": 0, "same": dilation * (kernel_size - 1) // 2}.get(padding, padding)
    out = (size + 2 * pad - dilation * (kernel_size - 1) - 1) // stride + 1  # the lectures' formula, by hand
    assert len(_patches(fig, "output")) + len(_patches(fig, "done")) + len(_patches(fig, "current")) == out * out
    assert len(_patches(fig, "input")) == size * size
    assert len(_patches(fig, "pad")) == (size + 2 * pad) ** 2 - size * size
    taps = sorted((int(p.get_y()), int(p.get_x())) for p in _patches(fig, "tap"))
    expected = sorted((first_tap[0] + a * dilation, first_tap[1] + b * dilation)
                      for a in range(kernel_size) for b in range(kernel_size))
    assert taps == expected
    assert len(fig.axes[0].lines[0].get_xdata()) == out * out  # one dot per kernel position
    assert f"= {out}" in fig.texts[0].get_text()
    assert all(ax.get_title() and ax.get_xlabel() == "column" and ax.get_ylabel() == "row" for ax in fig.axes)


def test_drawing_writes_the_output_values_computed_so_far():
    image, kernel = np.arange(25).reshape(5, 5) % 4, np.array([[1, 0, -1]] * 3)
    fig = draw_convolution(5, 3, padding=1, stride=2, step=4, image=image, kernel=kernel)
    expected = scipy.signal.correlate2d(np.pad(image, 1), kernel, mode="valid")[::2, ::2]
    shown = [float(t.get_text()) for t in fig.axes[1].texts]
    assert shown == list(expected.ravel()[:5])


def test_animation_has_one_frame_per_position():
    animation = convolution_animation(4, 3, stride=2, padding="same")
    assert len(list(animation.new_frame_seq())) == 4
    page = animation.to_jshtml()
    assert page.count("data:image/png;base64") == 4
    fig = animation._fig
    assert "position 4 of 4" in fig.axes[1].get_title()  # the last frame drawn
    texts = [t.get_text() for t in fig.texts]
    assert len(texts) == 2 and "one kernel position at a time" in fig.get_suptitle()  # one title, one formula


@pytest.mark.parametrize(("kwargs", "words"), [
    ({"step": 9}, "step must be an int from 0 to 8"),
    ({"step": -1}, "step must be an int from 0 to 8"),
    ({"stride": 1, "padding": "full"}, "padding must be 'valid', 'same'"),
    ({"padding": (1, 2)}, "padding must be 'valid', 'same' or an int (zeros on every side); got (1, 2)"),
    ({"padding": -1}, "padding must be 'valid', 'same', a non-negative int or a (before, after) pair of them; got -1"),
    ({"image": np.zeros((4, 4)), "kernel": np.ones((3, 3))}, "image must have shape (5, 5)"),
])
def test_bad_arguments_get_clear_errors(kwargs, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(").replace(")", r"\)")):
        draw_convolution(5, 3, **{"padding": 1, "stride": 2, **kwargs})
