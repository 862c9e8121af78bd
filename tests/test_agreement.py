"""mq.agreement: per code, overall, disagreements; segment, turn and character units; human vs machine."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mcqual as mq
from mcqual.analysis import reliability as rel
from mcqual.analysis.agreement import AgreementReport
from mcqual.codebook.model import Code, Codebook
from mcqual.corpus import Corpus
from mcqual.errors import AnalysisError
from mcqual.model import Transcript

COLS = ["transcript_id", "start", "end", "code", "coder"]


@pytest.fixture()
def two_coders():
    # five segments in transcript "a"; A and B code "trust" and "cost"
    rows = [("a", 0, 10, "trust", "A"), ("a", 0, 10, "trust", "B"),
            ("a", 10, 20, "trust", "A"),
            ("a", 20, 30, "cost", "A"), ("a", 20, 30, "cost", "B"),
            ("a", 30, 40, "trust", "B"), ("a", 30, 40, "cost", "B"),
            ("a", 40, 50, "trust", "A"), ("a", 40, 50, "trust", "B")]
    return pd.DataFrame(rows, columns=COLS)


def test_segment_units_match_reliability_functions(two_coders):
    rep = mq.agreement(two_coders)
    assert isinstance(rep, AgreementReport) and rep.coders == ("A", "B")
    # units: the five distinct coded spans. trust: A = 1 1 0 0 1, B = 1 0 0 1 1
    a, b = [1, 1, 0, 0, 1], [1, 0, 0, 1, 1]
    row = rep.per_code.loc["trust"]
    assert row["percent_agreement"] == pytest.approx(0.6)
    assert row["kappa"] == pytest.approx(rel.cohen_kappa(a, b))
    assert row["alpha"] == pytest.approx(rel.krippendorff_alpha([a, b]))
    assert (row["n_units"], row["n_disagree"], row["n_A"], row["n_B"]) == (5, 2, 3, 3)
    # cost: A = 0 0 1 0 0, B = 0 0 1 1 0
    cost = rep.per_code.loc["cost"]
    assert cost["kappa"] == pytest.approx(rel.cohen_kappa([0, 0, 1, 0, 0], [0, 0, 1, 1, 0]))
    # pooled over the 10 code x unit decisions
    pa_ = a + [0, 0, 1, 0, 0]
    pb_ = b + [0, 0, 1, 1, 0]
    assert rep.overall["kappa"] == pytest.approx(rel.cohen_kappa(pa_, pb_))
    assert rep.overall["alpha"] == pytest.approx(rel.krippendorff_alpha([pa_, pb_]))
    assert rep.overall["percent_agreement"] == pytest.approx(0.7)
    assert rep.overall["mean_kappa"] == pytest.approx((row["kappa"] + cost["kappa"]) / 2)
    assert rep.overall["n_units"] == 5
    d = rep.disagreements
    assert d[["start", "code", "A", "B"]].values.tolist() == [[10, "trust", True, False], [30, "cost", False, True],
                                                              [30, "trust", False, True]]


def test_three_coders_alpha_and_light_kappa():
    rows = []
    pattern = {"A": [1, 1, 0, 0, 1, 0], "B": [1, 0, 0, 1, 1, 0], "C": [1, 1, 0, 1, 1, 1]}
    for coder, vals in pattern.items():
        for u, v in enumerate(vals):
            rows.append(("t", u * 10, u * 10 + 10, "x" if v else "y", coder))
    rep = mq.agreement(pd.DataFrame(rows, columns=COLS))
    data = [pattern["A"], pattern["B"], pattern["C"]]
    x = rep.per_code.loc["x"]
    assert x["alpha"] == pytest.approx(rel.krippendorff_alpha(data))
    pairs = [rel.cohen_kappa(data[i], data[j]) for i, j in ((0, 1), (0, 2), (1, 2))]
    assert x["kappa"] == pytest.approx(np.mean(pairs))
    assert x["percent_agreement"] == pytest.approx(rel.percent_agreement(data))


def test_human_vs_machine_suggestions(two_coders):
    human = two_coders[two_coders["coder"] == "A"]
    sugg = pd.DataFrame({"segment_id": ["a@0-10", "a@10-20", "a@20-30", "a@40-50", "a@30-40"],
                         "code": ["trust", "trust", "cost", "trust", "trust"],
                         "score": [0.9, 0.8, 0.7, 0.95, 0.2]})
    rep = mq.agreement({"AB": human, "model": sugg}, min_score=0.5)
    assert rep.coders == ("AB", "model")
    assert rep.per_code.loc["trust", "percent_agreement"] == 1.0
    assert len(rep.disagreements) == 0
    low = mq.agreement({"AB": human, "model": sugg})
    assert low.per_code.loc["trust", "n_disagree"] == 1  # the 0.2 suggestion counts without a threshold


def test_segments_given_and_turn_units():
    t = Transcript.from_turns("a", [("I", "Why badges?"), ("R", "Employers check the issuer first."),
                                    ("I", "And stacking?"), ("R", "Credits should add up to a degree.")])
    corpus = Corpus([t])
    r1, r3 = t.turns[1], t.turns[3]
    rows = [("a", r1.start, r1.end, "trust", "A"),
            ("a", r1.start + 2, r1.end - 1, "trust", "B"),     # most of the same turn
            ("a", r3.start, r3.start + 6, "stack", "A"),       # a fragment: less than half the turn...
            ("a", r3.start, r3.end, "stack", "B")]
    df = pd.DataFrame(rows, columns=COLS)
    rep = mq.agreement(df, unit="turn", corpus=corpus)
    assert rep.overall["n_units"] == 4
    assert rep.per_code.loc["trust", "percent_agreement"] == 1.0
    # ...but the whole coding lies inside the turn (overlap >= half the coding): it counts
    assert rep.per_code.loc["stack", "percent_agreement"] == 1.0
    segs = pd.DataFrame({"transcript_id": "a", "start": [r1.start, r3.start, r3.start + 7],
                         "end": [r1.end, r3.start + 6, r3.end]})
    rep2 = mq.agreement(df, unit="segment", segments=segs, corpus=corpus)
    assert rep2.per_code.loc["stack", "n_disagree"] == 1  # only B covers the second half
    dis = rep2.disagreements.iloc[0]
    assert dis["text"] == t.text[r3.start + 7:r3.end] and dis["speaker"] == "R"
    with pytest.raises(AnalysisError):
        mq.agreement(df, unit="turn")


def test_character_units_by_hand():
    # 20 characters; A codes [0, 10), B codes [5, 10): both 5, A only 5, neither 10
    df = pd.DataFrame([("t", 0, 10, "x", "A"), ("t", 5, 10, "x", "B")], columns=COLS)
    corpus = Corpus([Transcript("t", "x" * 20)])
    rep = mq.agreement(df, unit="character", corpus=corpus)
    row = rep.per_code.loc["x"]
    assert row["percent_agreement"] == pytest.approx(0.75)
    assert row["kappa"] == pytest.approx((0.75 - 0.5) / 0.5)  # pe = .5*.25 + .5*.75
    a = [1] * 10 + [0] * 10
    b = [0] * 5 + [1] * 5 + [0] * 10
    assert row["alpha"] == pytest.approx(rel.krippendorff_alpha([a, b]))
    assert (row["n_units"], row["n_disagree"], row["n_A"], row["n_B"]) == (20, 5, 10, 5)
    assert rep.disagreements[["start", "end", "A", "B"]].values.tolist() == [[0, 5, True, False]]
    # the same code's unitizing alpha, on the same continuum
    assert row["u_alpha"] == pytest.approx(rel.unitized_alpha({"A": [(0, 10)], "B": [(5, 10)]}, length=20))


def test_u_alpha_lays_transcripts_end_to_end():
    df = pd.DataFrame([("t1", 2, 6, "x", "A"), ("t1", 3, 6, "x", "B"),
                       ("t2", 0, 4, "x", "A"), ("t2", 0, 4, "x", "B")], columns=COLS)
    corpus = Corpus([Transcript("t1", "y" * 10), Transcript("t2", "y" * 8)])
    rep = mq.agreement(df, corpus=corpus)
    expect = rel.unitized_alpha({"A": [(2, 6), (10, 14)], "B": [(3, 6), (10, 14)]}, length=18)
    assert rep.per_code.loc["x", "u_alpha"] == pytest.approx(expect)
    assert rep.overall["u_alpha"] == pytest.approx(expect)  # one code: the same


def test_codebook_rollup_and_unused_codes(two_coders):
    cb = Codebook([Code("theme", "Theme", codable=False), Code("trust", "Trust", parent="theme"),
                   Code("cost", "Cost", parent="theme"), Code("other", "Other")])
    rep = mq.agreement(two_coders, codebook=cb)
    assert list(rep.per_code.index) == ["trust", "cost", "other"]
    assert rep.per_code.loc["other", "label"] == "Other" and np.isnan(rep.per_code.loc["other", "kappa"])
    themes = mq.agreement(two_coders, codebook=cb, level=1)
    assert list(themes.per_code.index) == ["theme", "other"]
    assert themes.per_code.loc["theme", "n_disagree"] == 2  # [10, 20) only A, [30, 40) only B


def test_transcripts_default_to_those_all_coded(two_coders):
    extra = pd.concat([two_coders, pd.DataFrame([("b", 0, 5, "trust", "A")], columns=COLS)])
    assert mq.agreement(extra).overall["n_transcripts"] == 1
    assert mq.agreement(extra, transcripts=["a", "b"]).overall["n_units"] == 6


def test_errors_and_display(two_coders):
    with pytest.raises(AnalysisError) as e:
        mq.agreement(two_coders[two_coders["coder"] == "A"])
    assert e.value.code == "E502"
    with pytest.raises(AnalysisError):
        mq.agreement(two_coders, unit="paragraph")
    rep = mq.agreement(two_coders, coders=["A", "B"])
    html = rep._repr_html_()
    assert "Agreement" in html and "Disagreements" in html and "trust" in html
    assert repr(rep).startswith("AgreementReport(A vs B, unit='segment'")


def test_segment_and_suggestion_objects(two_coders):
    from mcqual.model import Segment, Suggestion

    segs = [Segment("a", s, s + 10, "x" * 10) for s in range(0, 50, 10)]
    human = two_coders[two_coders["coder"] == "A"]
    machine = [Suggestion(f"a@{s}-{s + 10}", "trust", 0.9, "rules", "keyword") for s in (0, 10, 40)]
    rep = mq.agreement({"A": human, "rules": machine}, segments=segs)
    assert rep.overall["n_units"] == 5
    assert rep.per_code.loc["trust", "percent_agreement"] == 1.0
    assert rep.per_code.loc["cost", "n_disagree"] == 1  # A coded cost on [20, 30); the rules did not
