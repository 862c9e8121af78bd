"""mq.agreement_report: kappa at a unit, MAXQDA segment agreement, cu-alpha, words for unused codes, methods text."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mcqual as mq
from mcqual.analysis import reliability as rel
from mcqual.analysis.agreement_report import cu_alpha, segment_agreement
from mcqual.errors import AnalysisError

TURNS = [("R", f"Answer number {i} is here.") for i in range(10)]
T = mq.Transcript.from_turns("a", TURNS)
CORPUS = mq.Corpus([T])


def turn_codings(coder: str, turns: list[int], code: str = "x") -> list[dict]:
    return [{"transcript_id": "a", "start": T.turns[i].start, "end": T.turns[i].end, "code": code, "coder": coder}
            for i in turns]


def test_kappa_at_the_turn_matches_hand_computation():
    df = pd.DataFrame(turn_codings("A", [0, 1, 2, 3]) + turn_codings("B", [0, 1, 2, 4]))
    rep = mq.agreement_report(df, coders=["A", "B"], unit="turn", corpus=CORPUS)
    # po = 8/10, pe = .4 * .4 + .6 * .6 = .52, kappa = (.8 - .52) / .48
    assert rep.per_code.loc["x", "kappa"] == pytest.approx((0.8 - 0.52) / 0.48)
    a = [1, 1, 1, 1, 0, 0, 0, 0, 0, 0]
    b = [1, 1, 1, 0, 1, 0, 0, 0, 0, 0]
    assert rep.per_code.loc["x", "kappa"] == pytest.approx(rel.cohen_kappa(a, b))
    assert rep.overall["n_units"] == 10 and rep.unit == "turn"
    assert rep.per_code.loc["x", ["n_units", "n_A", "n_B"]].tolist() == [10, 4, 4]


def test_cohen_1960_table_through_the_report_units():
    """REFERENCE.md §2.1 (Cohen 1960, N = 200, kappa 0.492 over three categories), laid out as 200 turns
    with one code each: the report's per-code kappa is the binary kappa of each code's collapsed 2x2 table."""
    table = np.array([[88, 14, 18], [10, 40, 10], [2, 6, 12]])
    labels = ["c1", "c2", "c3"]
    a, b = [], []
    for i in range(3):
        for j in range(3):
            a += [labels[i]] * table[i, j]
            b += [labels[j]] * table[i, j]
    assert rel.cohen_kappa(a, b) == pytest.approx(0.4915, abs=5e-4)
    t = mq.Transcript.from_turns("c", [("R", "x.") for _ in range(200)])
    rows = [{"transcript_id": "c", "start": u.start, "end": u.end, "code": code, "coder": who}
            for who, seq in (("A", a), ("B", b)) for u, code in zip(t.turns, seq)]
    rep = mq.agreement_report(pd.DataFrame(rows), coders=["A", "B"], unit="turn", corpus=mq.Corpus([t]))
    for c in labels:  # each code's binary kappa equals Cohen's kappa of the collapsed 2x2 table
        ya = [int(v == c) for v in a]
        yb = [int(v == c) for v in b]
        assert rep.per_code.loc[c, "kappa"] == pytest.approx(rel.cohen_kappa(ya, yb))
    assert rep.overall["n_units"] == 200


def test_segment_agreement_maxqda_rule():
    df = pd.DataFrame({"transcript_id": "a", "coder": ["A", "B", "A", "B", "A"], "code": ["x", "x", "x", "x", "y"],
                       "start": [0, 0, 100, 110, 200], "end": [50, 48, 200, 200, 220]})
    # seg 1: IoU 48/50 = .96; seg 2: IoU 90/100 = .9; y only coded by A
    s90 = segment_agreement(df, ["A", "B"], overlap=0.9)
    assert s90.loc["x", ["segments", "segments_agree"]].tolist() == [4, 4]
    s95 = segment_agreement(df, ["A", "B"], overlap=0.95)
    assert s95.loc["x", ["segments", "segments_agree"]].tolist() == [4, 2]
    assert s95.loc["y", ["segments", "segments_agree", "segments_A", "segments_B"]].tolist() == [1, 0, 1, 0]
    rep = mq.agreement_report(df, coders=["A", "B"], unit="character", overlap=0.95)
    assert rep.overall["segments"] == 5 and rep.overall["segments_agree"] == 2
    assert rep.overall["segment_agreement"] == pytest.approx(0.4)
    with pytest.raises(AnalysisError, match="E511"):
        segment_agreement(df, ["A", "B"], overlap=90)


def test_cu_alpha_hand_computed():
    same = pd.DataFrame({"transcript_id": "a", "coder": ["A", "B"], "code": ["x", "x"], "start": [0, 5],
                         "end": [10, 10]})
    assert np.isnan(cu_alpha(same, ["A", "B"]))  # one code: nothing to disagree on
    same2 = pd.concat([same, same.assign(code="y", start=[20, 20], end=[30, 28])])
    assert cu_alpha(same2, ["A", "B"]) == 1.0
    df = pd.DataFrame({"transcript_id": "a", "coder": ["A", "A", "B", "B", "B"],
                       "code": ["x", "y", "x", "x", "y"], "start": [0, 10, 0, 10, 30], "end": [10, 20, 10, 20, 40]})
    d = cu_alpha(df, ["A", "B"], details=True)
    # B's y at 30-40 overlaps nothing of A: not counted. o_xx = 20, o_xy = o_yx = 10, n = 40
    assert d["coincidences"].values.tolist() == [[20, 10], [10, 0]]
    assert d["alpha"] == pytest.approx(1 - (20 / 40) / ((40 ** 2 - 30 ** 2 - 10 ** 2) / (40 * 39)))
    assert d["n_chars"] == 20


def test_cu_alpha_per_semantic_domain():
    # both coders code the same text with one code of each theme: across themes that is no disagreement
    rows = []
    for who, (t1, t2) in {"A": ("trust.a", "cost.a"), "B": ("trust.a", "cost.b")}.items():
        rows += [{"transcript_id": "a", "coder": who, "code": t1, "start": 0, "end": 10},
                 {"transcript_id": "a", "coder": who, "code": t2, "start": 0, "end": 10},
                 {"transcript_id": "a", "coder": who, "code": "trust.b", "start": 20, "end": 30},
                 {"transcript_id": "a", "coder": who, "code": "cost.a", "start": 40, "end": 50}]
    df = pd.DataFrame(rows)
    flat = cu_alpha(df, ["A", "B"])
    d = cu_alpha(df, ["A", "B"], domains={c: c.split(".")[0] for c in df["code"]}, details=True)
    assert d["alpha"] > flat
    assert d["domains"].loc["trust", "alpha"] == 1.0
    # cost: o(a,a) = 10 + 10 (40-50, both orders), o(a,b) = o(b,a) = 10; n = 40, n_a = 30, n_b = 10
    assert d["domains"].loc["cost", "alpha"] == pytest.approx(1 - (20 / 40) / ((40 ** 2 - 30 ** 2 - 10 ** 2) / 1560))
    rep = mq.agreement_report(df, coders=["A", "B"], unit="character")
    assert rep.overall["n_domains"] == 2 and rep.overall["cu_alpha"] == pytest.approx(d["alpha"])
    assert "cu-α per semantic domain" in rep._repr_html_()


def test_unused_codes_are_explained_in_words():
    cb = mq.Codebook.from_codes(["x", "only_a", "never"])
    df = pd.DataFrame(turn_codings("A", [0, 1, 2]) + turn_codings("B", [0, 1, 3])
                      + turn_codings("A", [5, 6], code="only_a"))
    rep = mq.agreement_report(df, coders=["A", "B"], unit="turn", corpus=CORPUS, codebook=cb)
    notes = rep.per_code["note"]
    assert "neither coder used this code" in notes["never"]
    assert notes["only_a"].startswith("only A used this code (2 units); B never did: κ is 0 by construction")
    assert rep.per_code.loc["only_a", "kappa"] == pytest.approx(0.0)
    assert rep.overall["n_codes_both"] == 1 and rep.overall["n_codes"] == 3
    html = rep._repr_html_()
    assert "nan" not in html.lower() and "neither coder used this code" in html
    assert "Report:" in html and "Methods paragraph" in html


def test_recommended_figure_and_methods_text():
    df = pd.DataFrame(turn_codings("AK", [0, 1, 2, 3]) + turn_codings("MB", [0, 1, 2, 4]))
    rep = mq.agreement_report(df, coders=["AK", "MB"], unit="turn", corpus=CORPUS)
    r = rep.recommended
    assert r["figure"].startswith("Cohen's κ (pooled") and r["value"] == pytest.approx(rep.overall["kappa"])
    assert "n = 10 turns × 1 codes" == r["n"]
    assert "Percent agreement" in r["why"]
    text = rep.methods_text()
    assert text.startswith("Two coders (AK and MB) independently coded 1 interview with")
    assert f"κ pooled over codes = {rep.overall['kappa']:.2f}" in text
    assert "n = 10 speaker turns" in text and "at least 90%" in text and "cu-α" in text
    assert "O'Connor & Joffe, 2020" in text
    assert "consensus" not in text  # never claimed unless the researcher says so
    assert "resolved by consensus" in rep.methods_text(resolved=True)
    assert "report Cohen's κ" in repr(rep)


def test_project_input_uses_its_sentences(tmp_path):
    t = mq.Transcript.from_turns("int-01", [("R", "I trust badges. They are cheap. Employers want proof.")])
    with mq.Project.create(tmp_path / "p.mcqual") as p:
        p.add_transcripts([t])
        p.set_codebook(mq.Codebook.from_codes(["trust", "cost"]))
        p.code("int-01", 0, 15, "trust", coder="AK")
        p.code("int-01", 0, 15, "trust", coder="MB")
        p.code("int-01", 16, 31, "cost", coder="AK")
        p.code("int-01", 16, 31, "trust", coder="consensus")  # a resolution is not a coder
        rep = mq.agreement_report(p)
        assert rep.coders == ("AK", "MB") and rep.unit == "sentence"
        assert rep.overall["n_units"] == 3
        assert rep.per_code.loc["trust", "kappa"] == pytest.approx(1.0)
        chars = mq.agreement_report(p, unit="character")
        assert chars.overall["n_units"] == len(t.text)  # the whole transcript, not up to the last coding
        from mcqual.cli import main

        assert main(["project", "agreement", str(tmp_path / "p.mcqual"), "--coder", "AK", "--coder", "MB",
                     "--unit", "sentence", "--out", str(tmp_path / "k.csv")]) == 0
        assert pd.read_csv(tmp_path / "k.csv")["code"].tolist() == ["trust", "cost"]
        assert main(["project", "agreement", str(tmp_path / "p.mcqual"), "--coder", "AK", "--coder", "MB",
                     "--out", str(tmp_path / "k.xlsx")]) == 0
        book = pd.read_excel(tmp_path / "k.xlsx", sheet_name=None)
        assert list(book) == ["summary", "per code"]
        assert book["summary"].iloc[0, 0] == "Cohen's kappa, pooled over codes"
        assert book["per code"]["code"].tolist() == ["trust", "cost"]
        assert any("Two coders (AK and MB)" in str(v) for v in book["summary"].to_numpy().ravel())


def test_errors():
    df = pd.DataFrame(turn_codings("A", [0]) + turn_codings("B", [0]) + turn_codings("C", [1]))
    with pytest.raises(AnalysisError, match="E510"):
        mq.agreement_report(df, coders=["A", "B", "C"], unit="turn", corpus=CORPUS)
    with pytest.raises(AnalysisError, match="E511"):
        mq.agreement_report(df, coders=["A", "B"], unit="paragraph")
    with pytest.raises(AnalysisError, match="E511"):
        mq.agreement_report(df, coders=["A", "B"], unit="sentence")


def test_overlap_sweep_matches_brute_force():
    from mcqual.analysis.agreement_report import _overlaps

    rng = np.random.default_rng(7)
    for _ in range(20):
        a0 = rng.integers(0, 500, 40)
        a1 = a0 + rng.integers(1, 120, 40)
        b0 = rng.integers(0, 500, 35)
        b1 = b0 + rng.integers(1, 300, 35)
        ai, bj, inter = _overlaps(a0, a1, b0, b1)
        got = sorted(zip(ai.tolist(), bj.tolist(), inter.tolist()))
        want = sorted((i, j, int(min(a1[i], b1[j]) - max(a0[i], b0[j]))) for i in range(40) for j in range(35)
                      if min(a1[i], b1[j]) > max(a0[i], b0[j]))
        assert got == want


def test_bootstrap_interval_for_pooled_kappa():
    from mcqual.analysis.agreement import _units
    from mcqual.analysis.agreement_report import kappa_ci

    turns = [("R", f"Answer {i} is here.") for i in range(12)]
    ts = [mq.Transcript.from_turns(f"t{j}", turns) for j in range(6)]
    rng = np.random.default_rng(3)
    rows = []
    for t in ts:
        for u in t.turns:
            for code in ("x", "y"):
                a = rng.random() < 0.4
                b = a if rng.random() < 0.8 else not a
                rows += [{"transcript_id": t.id, "start": u.start, "end": u.end, "code": code, "coder": who}
                         for who, on in (("A", a), ("B", b)) if on]
    df = pd.DataFrame(rows)
    corpus = mq.Corpus(ts)
    rep = mq.agreement_report(df, coders=["A", "B"], unit="turn", corpus=corpus)
    o = rep.overall
    assert o["kappa_ci_by"] == "transcript" and o["kappa_low"] < o["kappa"] < o["kappa_high"]
    units = _units(df, "turn", corpus, None, [t.id for t in ts])
    ci = kappa_ci(df, ["A", "B"], units, list(rep.per_code.index), n_boot=500, seed=1)
    assert ci["kappa"] == pytest.approx(o["kappa"])  # the same pooled kappa as mq.agreement's
    assert "95 % CI" in rep.methods_text() and "bootstrap over transcripts" in rep.methods_text()
    assert np.isnan(mq.agreement_report(df, coders=["A", "B"], unit="character", corpus=corpus).overall["kappa_low"])
