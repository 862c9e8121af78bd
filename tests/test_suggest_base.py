"""Suggestions collection, codings -> labels, threshold helpers."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mcqual as mq
from mcqual.errors import SuggestError
from mcqual.model import Evidence, Segment, Suggestion
from mcqual.suggest.base import best_threshold, coerce_labels, label_matrix, overlaps_enough, rescale


def _segs():
    return [Segment("a", 0, 10, "x" * 10), Segment("a", 12, 30, "y" * 18), Segment("b", 0, 5, "z" * 5)]


def test_overlap_rule_is_half_of_the_shorter():
    assert overlaps_enough(0, 10, 5, 20) and not overlaps_enough(0, 10, 6, 20)
    assert overlaps_enough(0, 100, 40, 44)  # a short coding inside a long segment
    assert not overlaps_enough(0, 10, 10, 20)


def test_coerce_labels_spans_ids_rejections_and_coder():
    segs = _segs()
    codings = pd.DataFrame([
        {"transcript_id": "a", "start": 0, "end": 30, "code": "c1", "coder": "A"},   # covers both a-segments
        {"transcript_id": "a", "start": 8, "end": 14, "code": "c2", "coder": "A"},   # too little of either
        {"transcript_id": "b", "start": 0, "end": 5, "code": "c3", "coder": "B"},
    ])
    lab = coerce_labels(segs, codings)
    assert lab.positives == {"a@0-10": {"c1"}, "a@12-30": {"c1"}, "b@0-5": {"c3"}}
    assert coerce_labels(segs, codings, coder="A").positives.keys() == {"a@0-10", "a@12-30"}
    lab2 = coerce_labels(segs, [{"segment_id": "a@0-10", "code": "c1"},
                                {"segment_id": "a@12-30", "code": "c1", "decision": "rejected"}])
    assert lab2.positives == {"a@0-10": {"c1"}} and lab2.negatives == {"a@12-30": {"c1"}}
    assert lab2.reviewed == {"a@0-10", "a@12-30"}
    Y = label_matrix(segs, codings, ["c1", "c3", "zz"])
    assert Y.tolist() == [[True, False, False], [True, False, False], [False, True, False]]
    with pytest.raises(SuggestError) as err:
        coerce_labels(segs, [{"code": "c1"}])
    assert err.value.code == "E402"


def test_segment_id_of_another_unit_maps_by_overlap():
    lab = coerce_labels(_segs(), [{"segment_id": "a@1-9", "code": "c"}])
    assert lab.positives == {"a@0-10": {"c"}}


def test_rescale_and_best_threshold():
    assert rescale(np.array([[0.0, 0.4, 1.0]]), np.array([0.4, 0.4, 0.4])).tolist() == [[0.0, 0.5, 1.0]]
    s = np.array([0.9, 0.8, 0.7, 0.3, 0.2, 0.1])
    y = np.array([1, 1, 1, 0, 0, 0])
    t = best_threshold(s, y, prior=0.95)
    assert 0.3 < t < 0.7
    assert best_threshold(s, np.zeros(6), prior=0.42) == 0.42


def test_suggestions_filter_top_frame_and_html():
    segs = mq.segments([mq.Transcript.from_turns("a", [("R", "Badges are not recognised."), ("R", "Costly.")])],
                       skip_backchannel=False)
    cb = mq.Codebook([mq.Code("rec", "Recognition", color="#ff0000"), mq.Code("cost", "Cost")])
    s0 = segs[0]
    sug = mq.Suggestions([
        Suggestion(s0.segment_id, "rec", 0.9, "rules", "matched", (Evidence(s0.start + 15, s0.start + 25),),
                   ("negated",)),
        Suggestion(s0.segment_id, "cost", 0.6, "embedding", "similar"),
        Suggestion(segs[1].segment_id, "cost", 0.7, "embedding", "similar"),
    ], segs, cb)
    assert len(sug.filter(code="cost")) == 2 and len(sug.filter(min_score=0.8)) == 1
    assert len(sug.filter(source="rules")) == 1 and len(sug.filter(flag="negated")) == 1
    assert [s.code for s in sug.top(1)] == ["rec", "cost"]
    df = sug.to_frame()
    assert df["text"].tolist()[0] == "Badges are not recognised." and df["flags"].tolist()[0] == "negated"
    html = sug._repr_html_()
    assert "<mark" in html and "recognised" in html and "rgba(255,0,0" in html and "[negated]" in html
    assert repr(sug) == "Suggestions(3 suggestions, 2 segments, 2 codes)"
    empty = mq.Suggestions([])
    assert list(empty.to_frame().columns[:5]) == ["segment_id", "code", "score", "source", "reason"]
