"""Shared figures carry titles and labels, and refuse inputs they cannot draw."""

import matplotlib
import pytest

from course_utils.plotting import plot_history

matplotlib.use("Agg")


def test_plot_history_draws_train_and_validation_per_model():
    histories = {"a": {"loss": [3, 2, 1], "val_loss": [3, 2.5, 2], "accuracy": [.1, .2, .3]},
                 "b": {"loss": [2, 1, 0.5], "accuracy": [.3, .4, .5]}}
    fig = plot_history(histories, title="two models")
    loss, acc = fig.axes
    assert fig._suptitle.get_text() == "two models"
    assert [line.get_label() for line in loss.lines] == ["a (train)", "a (validation)", "b (train)"]
    (legend,) = fig.legends
    assert [text.get_text() for text in legend.get_texts()] == ["a (train)", "a (validation)", "b (train)"]
    assert list(acc.lines[1].get_ydata()) == [.3, .4, .5]
    assert (acc.get_xlabel(), acc.get_ylabel()) == ("epoch", "accuracy")
    fig.canvas.draw()
    assert all(float(tick).is_integer() for tick in acc.get_xticks()), "epochs are whole numbers"


def test_plot_history_names_a_missing_metric():
    with pytest.raises(ValueError, match=r"histories\['a'\] has no \['accuracy'\]"):
        plot_history({"a": {"loss": [1]}}, title="t")
    with pytest.raises(ValueError, match="at least one"):
        plot_history({}, title="t")
