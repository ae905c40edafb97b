"""claims.claim: asserts, prints the margin, logs one JSON line per claim when asked."""

import json
import math

import numpy as np
import pytest

from course_utils.claims import LOG_VAR, claim, margin


@pytest.mark.parametrize("value, op, threshold, printed", [
    (0.99, ">", 0.98, "0.99 > 0.98 (margin 0.01)"), (0.98, ">=", 0.98, "0.98 >= 0.98 (margin 0)"),
    (3e-7, "<", 1e-4, "3e-07 < 0.0001 (margin 9.97e-05)"), (2.0, "<=", 2.0, "2 <= 2 (margin 0)"),
])
def test_a_claim_that_holds_prints_its_margin_and_returns_nothing(value, op, threshold, printed, capsys):
    assert claim("figure", value, op, threshold) is None
    assert capsys.readouterr().out == f"✓ figure: {printed}\n"


@pytest.mark.parametrize("value, op, threshold", [(0.97, ">", 0.98), (0.98, ">", 0.98), (1.0, "<", 0.5),
                                                  (float("nan"), ">", 0.0), (float("nan"), "<", 1.0)])
def test_a_claim_that_fails_says_by_how_much(value, op, threshold):
    with pytest.raises(AssertionError, match=r"claim failed: figure: .* is not"):
        claim("figure", value, op, threshold)


def test_numpy_scalars_and_0d_arrays_are_numbers(capsys):
    claim("np.float32", np.float32(0.5), ">", 0)
    claim("0-d array", np.array(0.25), "<", 1)
    assert capsys.readouterr().out.splitlines() == ["✓ np.float32: 0.5 > 0 (margin 0.5)",
                                                    "✓ 0-d array: 0.25 < 1 (margin 0.75)"]


@pytest.mark.parametrize("value", ["0.5", None, [0.5], np.array([0.5, 0.6]), True])
def test_a_value_that_is_not_a_real_number_is_refused_by_name(value):
    with pytest.raises(TypeError, match="value must be a real number"):
        claim("figure", value, ">", 0)


def test_unknown_operator_and_empty_description_are_refused():
    with pytest.raises(ValueError, match=r"op must be one of >, >=, <, <=, got '=='"):
        claim("figure", 1, "==", 1)
    with pytest.raises(ValueError, match="description must be a non-empty str"):
        claim(" ", 1, ">", 0)


def test_margin_is_negative_when_the_claim_fails():
    assert margin(0.5, "<", 0.2) == pytest.approx(-0.3)
    assert margin(0.1, ">=", 0.2) == pytest.approx(-0.1)


def test_claims_are_logged_as_json_lines_only_when_asked(tmp_path, monkeypatch, capsys):
    log = tmp_path / "claims.jsonl"
    monkeypatch.delenv(LOG_VAR, raising=False)
    claim("not logged", 1, ">", 0)
    assert not log.exists()
    monkeypatch.setenv(LOG_VAR, str(log))
    claim("accuracy", 0.99, ">", 0.98)
    with pytest.raises(AssertionError):
        claim("gap", 0.1, ">", 0.2)  # a failing claim is logged too, with its negative margin
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(r["claim"], r["holds"]) for r in records] == [("accuracy", True), ("gap", False)]
    assert records[0]["margin"] == pytest.approx(0.01) and records[1]["margin"] == pytest.approx(-0.1)
    assert all(math.isfinite(r["value"]) and r["op"] == ">" for r in records)
