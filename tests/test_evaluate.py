"""evaluate: per-code P/R/F1, averages, kappa, span gold, theme roll-up, a coder vs a coder."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import mcqual as mq
from mcqual.errors import SuggestError
from mcqual.evaluation import cohen_kappa
from mcqual.model import Suggestion


@pytest.fixture()
def segs():
    t = mq.Transcript.from_turns("a", [("R", f"Turn number {i} with some words.") for i in range(6)])
    return mq.segments([t])


@pytest.fixture()
def cb():
    return mq.Codebook([mq.Code("trust", codable=False), mq.Code("trust.qa", parent="trust"),
                        mq.Code("trust.issuer", parent="trust"), mq.Code("cost")])


def test_counts_and_averages_match_hand_computation(segs):
    ids = segs.ids
    pred = mq.Suggestions([Suggestion(ids[0], "x", 0.9, "t", ""), Suggestion(ids[1], "x", 0.9, "t", ""),
                           Suggestion(ids[2], "y", 0.9, "t", "")], segs)
    gold = [{"segment_id": ids[0], "code": "x"}, {"segment_id": ids[2], "code": "x"},
            {"segment_id": ids[2], "code": "y"}, {"segment_id": ids[3], "code": "y"}]
    ev = mq.evaluate(pred, gold)
    x, y = ev.per_code.loc["x"], ev.per_code.loc["y"]
    assert (x.tp, x.fp, x.fn) == (1, 1, 1) and (y.tp, y.fp, y.fn) == (1, 0, 1)
    assert x.f1 == pytest.approx(0.5) and y.precision == 1.0 and y.recall == 0.5
    assert ev.macro["f1"] == pytest.approx((0.5 + 2 / 3) / 2)
    assert ev.micro["precision"] == pytest.approx(2 / 3) and ev.micro["recall"] == pytest.approx(0.5)
    # kappa for x over 6 segments: gold [1,0,1,0,0,0], pred [1,1,0,0,0,0]
    assert x.kappa == pytest.approx(cohen_kappa(np.array([1, 0, 1, 0, 0, 0]), np.array([1, 1, 0, 0, 0, 0])))
    assert "macro avg" in ev.to_frame().index and "| x |" in ev.to_markdown()
    assert "Evaluation(2 codes, 6 segments" in repr(ev) and "<table>" in ev._repr_html_()


def test_kappa_reference_values():
    a = np.array([1, 1, 1, 0, 0, 0, 0, 0, 1, 0])
    b = np.array([1, 1, 0, 0, 0, 0, 0, 1, 1, 0])
    po, pe = 0.8, 0.4 * 0.4 + 0.6 * 0.6
    assert cohen_kappa(a, b) == pytest.approx((po - pe) / (1 - pe))
    assert cohen_kappa(a, a) == 1.0 and math.isnan(cohen_kappa(np.array([]), np.array([])))


def test_span_gold_first_coder_and_theme_rollup(segs, cb):
    s = segs
    gold = pd.DataFrame([
        {"transcript_id": "a", "start": s[0].start + 2, "end": s[0].end, "code": "trust.qa", "coder": "A"},
        {"transcript_id": "a", "start": s[1].start, "end": s[1].start + 5, "code": "cost", "coder": "A"},  # short, inside
        {"transcript_id": "a", "start": s[2].start, "end": s[2].end, "code": "cost", "coder": "B"},
        {"transcript_id": "a", "start": s[3].end - 4, "end": s[4].start + 4, "code": "cost", "coder": "A"},  # straddles
    ])
    pred = [{"segment_id": s[0].segment_id, "code": "trust.issuer"}]
    ev = mq.evaluate(pred, gold, segments=segs, codebook=cb)
    assert ev.coder == "A" and ev.per_code.loc["trust.qa", "support"] == 1
    assert ev.per_code.loc["trust.issuer", "fp"] == 1
    # a short coding inside a segment counts; one straddling a boundary by 4 of its 10 characters does not
    assert ev.per_code.loc["cost", "support"] == 1
    theme = mq.evaluate(pred, gold, segments=segs, codebook=cb, level=1)
    assert theme.per_code.loc["trust", "f1"] == 1.0 and theme.level == 1
    coder_b = mq.evaluate(pred, gold, segments=segs, coder="B")
    assert coder_b.per_code.loc["cost", "support"] == 1


def test_coder_against_coder_and_transcript_unit(segs):
    a = [{"transcript_id": "a", "start": segs[0].start, "end": segs[0].end, "code": "x"}]
    b = [{"transcript_id": "a", "start": segs[1].start, "end": segs[1].end, "code": "x"}]
    seg_level = mq.evaluate(b, a, segments=segs)
    assert seg_level.per_code.loc["x", "f1"] == 0.0
    doc_level = mq.evaluate(b, a, segments=segs, unit="transcript")
    assert doc_level.per_code.loc["x", "f1"] == 1.0 and doc_level.n_segments == 1


def test_errors(segs):
    with pytest.raises(SuggestError) as err:
        mq.evaluate([], [])
    assert err.value.code == "E402"
    with pytest.raises(SuggestError):
        mq.evaluate([], [], segments=segs, level=1)
    with pytest.raises(SuggestError):
        mq.evaluate([], [], segments=segs, unit="paragraph")


def test_module_import_keeps_function_callable(segs):
    import mcqual.evaluation  # noqa: F401  (the module is evaluation; mq.evaluate stays the function)

    assert mq.evaluate([], [], segments=segs).n_segments == len(segs)
