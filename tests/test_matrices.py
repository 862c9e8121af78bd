"""Theme matrices on hand-built codings: empty codes, a case without codings, hierarchy roll-up."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import mcqual as mq
from mcqual.analysis._frame import Matrix
from mcqual.codebook.model import Code, Codebook
from mcqual.corpus import Corpus
from mcqual.errors import AnalysisError
from mcqual.model import Coding, Transcript


@pytest.fixture()
def codebook():
    return Codebook([
        Code("trust", "Trust", codable=False),
        Code("trust.qa", "Quality assurance", parent="trust"),
        Code("trust.issuer", "Issuer reputation", parent="trust"),
        Code("recognition", "Recognition", codable=False),
        Code("recognition.stacking", "Stacking", parent="recognition"),
        Code("cost", "Cost"),  # never coded
    ])


@pytest.fixture()
def corpus():
    t1 = Transcript.from_turns("int-01", [("I", "Do employers trust badges?", 0.0),                 # [0, 26)
                                          ("R1", "Only if the issuer is accredited and known.", 65.0),  # [28, 71)
                                          ("R1", "Stacking them into a degree would help a lot.", 872.0)])  # [73, 118)
    t2 = Transcript.from_turns("int-02", [("I", "What about quality?", 0.0),                        # [0, 19)
                                          ("R2", "Quality assurance matters most to us.", 30.0)])   # [21, 58)
    t3 = Transcript.from_turns("int-03", [("I", "Anything else?", 0.0), ("R3", "No.", 5.0)])
    attrs = pd.DataFrame({"respondent_group": ["employer", "learner", "learner"], "country": ["DE", "DE", "FR"]},
                         index=["int-01", "int-02", "int-03"])
    return Corpus([t1, t2, t3], attributes=attrs)


@pytest.fixture()
def codings():
    rows = [
        ("int-01", 28, 71, "trust.issuer", "AB"),
        ("int-01", 28, 71, "trust.issuer", "CD"),
        ("int-01", 28, 71, "trust.qa", "AB"),
        ("int-01", 73, 118, "recognition.stacking", "AB"),
        ("int-02", 21, 58, "trust.qa", "AB"),
        ("int-02", 21, 40, "trust.qa", "CD"),
    ]
    return pd.DataFrame(rows, columns=["transcript_id", "start", "end", "code", "coder"])


def test_code_case_counts_with_empty_code_and_case(codings, codebook, corpus):
    m = mq.code_case_matrix(codings, codebook=codebook, corpus=corpus)
    assert isinstance(m, Matrix) and isinstance(m, pd.DataFrame)
    assert list(m.columns) == ["int-01", "int-02", "int-03"]                  # int-03 has no codings
    assert list(m.index) == ["trust.qa", "trust.issuer", "recognition.stacking", "cost"]  # codable, codebook order
    assert m.loc["trust.issuer"].tolist() == [2, 0, 0]
    assert m.loc["trust.qa"].tolist() == [1, 2, 0]
    assert m.loc["cost"].tolist() == [0, 0, 0]
    assert m["int-03"].sum() == 0
    assert m.labels["trust.qa"] == "Quality assurance"


def test_code_case_rollup_to_themes(codings, codebook, corpus):
    m = mq.code_case_matrix(codings, codebook=codebook, corpus=corpus, level=1)
    assert list(m.index) == ["trust", "recognition", "cost"]
    assert m.loc["trust"].tolist() == [3, 2, 0]
    assert m.loc["recognition"].tolist() == [1, 0, 0]
    pres = mq.code_case_matrix(codings, "presence", codebook=codebook, corpus=corpus, level=1)
    assert pres.loc["trust"].tolist() == [1, 1, 0]
    share = mq.code_case_matrix(codings, "share", codebook=codebook, corpus=corpus, level=1)
    assert share["int-01"].tolist() == [0.75, 0.25, 0.0]
    assert share["int-03"].tolist() == [0.0, 0.0, 0.0]  # no division by zero


def test_code_case_words(codings, codebook, corpus):
    w = mq.code_case_matrix(codings, "words", codebook=codebook, corpus=corpus)
    # "Only if the issuer is accredited and known." = 8 words, twice for trust.issuer
    assert w.loc["trust.issuer", "int-01"] == 16
    # int-02: full answer (6 words) + [21, 40) "Quality assurance m" -> 3 words intersect
    assert w.loc["trust.qa", "int-02"] == 6 + 3
    with pytest.raises(AnalysisError) as e:
        mq.code_case_matrix(codings, "words")
    assert e.value.code == "E503"


def test_code_case_attributes_only_and_long(codings, corpus):
    attrs = corpus.attributes
    m = mq.code_case_matrix(codings, attributes=attrs, coders="AB")
    assert list(m.columns) == ["int-01", "int-02", "int-03"]
    assert m.loc["trust.issuer", "int-01"] == 1  # only coder AB
    long = mq.code_case_matrix(codings, attributes=attrs, long=True)
    assert {"code", "case", "count", "respondent_group", "country"} <= set(long.columns)
    assert len(long) == 3 * 3
    assert long.loc[(long["code"] == "trust.qa") & (long["case"] == "int-02"), "count"].item() == 2


def test_code_case_inputs(codings, codebook):
    objs = [Coding(r.transcript_id, r.start, r.end, r.code, r.coder) for r in codings.itertuples()]
    assert mq.code_case_matrix(objs).equals(mq.code_case_matrix(codings))

    class FakeProject:
        def codings(self):
            return codings

    assert mq.code_case_matrix(FakeProject()).equals(mq.code_case_matrix(codings))
    with pytest.raises(AnalysisError) as e:
        mq.code_case_matrix(codings.drop(columns=["code"]))
    assert e.value.code == "E500"
    with pytest.raises(AnalysisError):
        mq.code_case_matrix(codings, value="percent")
    with pytest.raises(AnalysisError):
        mq.code_case_matrix(codings, level=1)  # roll-up needs a codebook
    with pytest.raises(AnalysisError):
        mq.code_case_matrix(codings.assign(end=codings["start"]))


def test_matrix_html_and_repr(codings, codebook, corpus):
    m = mq.code_case_matrix(codings, codebook=codebook, corpus=corpus)
    html = m._repr_html_()
    assert "Quality assurance" in html and "background-color" in html and "int-03" in html
    assert "code x case" in repr(m)
    assert (m + 1).loc["cost", "int-01"] == 1  # still arithmetic like a DataFrame


def test_code_group_matrix(codings, codebook, corpus):
    m = mq.code_group_matrix(codings, by="respondent_group", codebook=codebook, corpus=corpus, level=1)
    assert list(m.columns) == ["employer", "learner"]
    assert m.n.to_dict() == {"employer": 1, "learner": 2}
    assert m.loc["trust"].tolist() == [3, 2]
    assert m.column_labels() == ["employer (n=1)", "learner (n=2)"]
    assert m.with_n_labels().columns.tolist() == ["employer (n=1)", "learner (n=2)"]
    pct = mq.code_group_matrix(codings, by="respondent_group", value="case_pct", codebook=codebook,
                               corpus=corpus, level=1)
    assert pct.loc["trust"].tolist() == [100.0, 50.0]   # int-03 (learner) has no codings
    assert pct.loc["cost"].tolist() == [0.0, 0.0]
    seg = mq.code_group_matrix(codings, by="respondent_group", value="segment_pct", codebook=codebook,
                               corpus=corpus, level=1)
    # employer: segments [28,71) and [73,118): trust on 1 of 2; learner: [21,58) and [21,40): trust on both
    assert seg.loc["trust"].tolist() == [50.0, 100.0]
    assert "employer (n=1)" in m._repr_html_()
    long = mq.code_group_matrix(codings, by="respondent_group", codebook=codebook, corpus=corpus, level=1, long=True)
    row = long[(long["code"] == "trust") & (long["respondent_group"] == "learner")].iloc[0]
    assert (int(row["n_cases"]), int(row["count"]), int(row["cases"]), float(row["case_pct"])) == (2, 2, 1, 50.0)


def test_code_group_two_attributes_and_errors(codings, corpus):
    m = mq.code_group_matrix(codings, by=["respondent_group", "country"], corpus=corpus)
    assert list(m.columns) == ["employer / DE", "learner / DE", "learner / FR"]
    assert m.n.tolist() == [1, 1, 1]
    with pytest.raises(AnalysisError) as e:
        mq.code_group_matrix(codings, by="sector", corpus=corpus)
    assert e.value.code == "E501"
    with pytest.raises(AnalysisError):
        mq.code_group_matrix(codings)  # no attributes at all


def test_group_tests_fisher_and_chi2():
    from scipy import stats

    # 20 employers, 20 learners; code "x" in 15 employer and 5 learner cases -> chi-square (expected >= 5)
    cases = [f"c{i:02d}" for i in range(40)]
    attrs = pd.DataFrame({"g": ["employer"] * 20 + ["learner"] * 20}, index=cases)
    mention = cases[:15] + cases[20:25]
    df = pd.DataFrame({"transcript_id": mention, "start": 0, "end": 5, "code": "x"})
    m = mq.code_group_matrix(df, by="g", attributes=attrs)
    t = m.tests.loc["x"]
    assert t["test"] == "fisher"  # 2 groups -> a 2 x 2 table -> Fisher's exact test
    assert t["p"] == pytest.approx(stats.fisher_exact([[15, 5], [5, 15]]).pvalue)
    chi2 = stats.chi2_contingency([[15, 5], [5, 15]], correction=False)[0]
    assert t["statistic"] == pytest.approx(chi2) and t["cramers_v"] == pytest.approx(np.sqrt(chi2 / 40))
    # three groups, large expected counts -> chi-square
    attrs3 = pd.DataFrame({"g": ["a"] * 20 + ["b"] * 20 + ["c"] * 20}, index=[f"c{i:02d}" for i in range(60)])
    mention3 = [f"c{i:02d}" for i in list(range(15)) + list(range(20, 30)) + list(range(40, 45))]
    df3 = pd.DataFrame({"transcript_id": mention3, "start": 0, "end": 5, "code": "x"})
    t3 = mq.code_group_matrix(df3, by="g", attributes=attrs3).tests.loc["x"]
    table = [[15, 10, 5], [5, 10, 15]]
    assert t3["test"] == "chi2"
    assert t3["p"] == pytest.approx(stats.chi2_contingency(table)[1])
    # three small groups -> Fisher by Monte Carlo, seeded
    attrs_s = pd.DataFrame({"g": ["a", "a", "b", "b", "c", "c"]}, index=list("uvwxyz"))
    df_s = pd.DataFrame({"transcript_id": ["u", "v", "w"], "start": 0, "end": 5, "code": "x"})
    ts = mq.code_group_matrix(df_s, by="g", attributes=attrs_s).tests.loc["x"]
    assert ts["test"] == "fisher (Monte Carlo)" and 0 < ts["p"] <= 1
    again = mq.code_group_matrix(df_s, by="g", attributes=attrs_s).tests.loc["x"]
    assert again["p"] == ts["p"]


def test_cooccurrence_segment_and_measures(codings, codebook, corpus):
    co = mq.cooccurrence(codings, codebook=codebook)
    assert co.loc["trust.qa", "trust.issuer"] == 1 == co.loc["trust.issuer", "trust.qa"]
    assert co.loc["trust.qa", "trust.qa"] == 3       # three distinct segments carry trust.qa
    assert co.loc["cost"].sum() == 0
    j = mq.cooccurrence(codings, measure="jaccard", codebook=codebook)
    assert j.loc["trust.qa", "trust.issuer"] == pytest.approx(1 / (3 + 1 - 1))
    c = mq.cooccurrence(codings, measure="c", codebook=codebook)
    assert c.loc["trust.qa", "trust.issuer"] == pytest.approx(j.loc["trust.qa", "trust.issuer"])
    assert c.loc["cost", "cost"] == 0.0 and c.loc["trust.qa", "trust.qa"] == 1.0


def test_cooccurrence_turn_transcript_overlap(codings, codebook, corpus):
    by_t = mq.cooccurrence(codings, within="transcript")
    assert by_t.loc["trust.issuer", "recognition.stacking"] == 1
    by_turn = mq.cooccurrence(codings, within="turn", corpus=corpus)
    assert by_turn.loc["trust.issuer", "recognition.stacking"] == 0   # different turns
    assert by_turn.loc["trust.issuer", "trust.qa"] == 1
    with pytest.raises(AnalysisError):
        mq.cooccurrence(codings, within="turn")
    extra = pd.concat([codings, pd.DataFrame([("int-01", 60, 80, "cost", "AB")], columns=codings.columns)])
    ov = mq.cooccurrence(extra, within="overlap")
    # [60, 80) overlaps [28, 71) (issuer, qa) and [73, 118) (stacking)
    assert ov.loc["cost", "trust.issuer"] == 1 and ov.loc["cost", "recognition.stacking"] == 1
    assert ov.loc["trust.qa", "trust.qa"] == 3
    # int-02: trust.qa [21, 58) and [21, 40) are the same code: not a co-occurrence
    assert ov.loc["trust.qa", "trust.issuer"] == 1
    c = mq.cooccurrence(extra, within="overlap", measure="c")
    assert c.loc["cost", "trust.issuer"] == pytest.approx(1 / (1 + 1 - 1))
    long = mq.cooccurrence(codings, long=True)
    assert {"code", "code_2", "count"} <= set(long.columns)


def test_cooccurrence_rollup(codings, codebook):
    co = mq.cooccurrence(codings, within="transcript", codebook=codebook, level=1)
    assert list(co.index) == ["trust", "recognition", "cost"]
    assert co.loc["trust", "recognition"] == 1 and co.loc["trust", "trust"] == 2


def test_framework_matrix(codings, codebook, corpus):
    fw = mq.framework_matrix(codings, codebook=codebook, corpus=corpus, quotes=2, min_words=3)
    assert list(fw.index) == ["int-01", "int-02", "int-03"]
    assert list(fw.columns) == ["trust", "recognition", "cost"]
    # issuer and qa codings on the same span roll up to one "trust" quote (one quote per span)
    assert fw.loc["int-01", "trust"] == "“Only if the issuer is accredited and known.” — int-01 00:01:05 (R1)"
    assert len(fw.loc["int-02", "trust"].split("\n\n")) == 2
    assert fw.loc["int-03", "trust"] == "" and fw.loc["int-01", "cost"] == ""
    assert "Stacking them" in fw.loc["int-01", "recognition"] and "00:14:32" in fw.loc["int-01", "recognition"]
    long = mq.framework_matrix(codings, codebook=codebook, corpus=corpus, quotes=2, long=True)
    two = long[(long["case"] == "int-02") & (long["code"] == "trust")]
    # int-02: the whole answer (6 words) beats the fragment (3 words) at equal coder counts
    assert two["rank"].tolist() == [1, 2] and two["end"].tolist() == [58, 40]
    html = fw._repr_html_()
    assert ">Trust<" in html and ">Recognition<" in html and "Stacking them" in html  # theme labels as headers


def test_framework_by_group_and_embeddings(codings, codebook, corpus):
    fw = mq.framework_matrix(codings, rows="respondent_group", cols="code", corpus=corpus, quotes=1)
    assert list(fw.index) == ["employer", "learner"]
    assert "Quality assurance matters" in fw.loc["learner", "trust.qa"]
    # embeddings: of the two int-02 trust.qa spans, prefer the one nearest the code centroid
    vecs = np.array([[1, 0], [1, 0], [1, 0], [0, 1], [0, 1], [1, 0.05]], dtype=float)
    long = mq.framework_matrix(codings, cols="code", corpus=corpus, quotes=1, embeddings=vecs, long=True,
                               min_words=1)
    pick = long[(long["case"] == "int-02") & (long["code"] == "trust.qa")]
    assert pick["end"].item() == 40
    with pytest.raises(AnalysisError):
        mq.framework_matrix(codings, corpus=corpus, embeddings=vecs[:2])
    called = {}

    def embed(texts):
        called["n"] = len(texts)
        return np.ones((len(texts), 3))

    mq.framework_matrix(codings, corpus=corpus, embeddings=embed)
    assert called["n"] == 5  # one call for the distinct (span, code) quotes


def test_code_summary(codings, codebook, corpus):
    s = mq.code_summary(codings, codebook=codebook, corpus=corpus, by="respondent_group")
    row = s.loc["trust.qa"]
    assert (row["codings"], row["segments"], row["cases"], row["coders"]) == (3, 3, 2, 2)
    assert row["coder: AB"] == 2 and row["coder: CD"] == 1
    assert row["mean_chars"] == pytest.approx((43 + 37 + 19) / 3)
    assert row["employer (n=1)"] == 1 and row["learner (n=2)"] == 1
    assert s.loc["cost", "codings"] == 0 and np.isnan(s.loc["cost", "mean_chars"])
    assert row["cases_pct"] == pytest.approx(200 / 3)
    long = mq.code_summary(codings, codebook=codebook, corpus=corpus, long=True)
    ab = long[(long["code"] == "trust.qa") & (long["coder"] == "AB")].iloc[0]
    assert int(ab["codings"]) == 2 and int(ab["cases"]) == 2
    assert "Quality assurance" in s._repr_html_()


def test_empty_codings_keep_the_frame(codebook, corpus):
    empty = pd.DataFrame(columns=["transcript_id", "start", "end", "code", "coder"])
    m = mq.code_case_matrix(empty, codebook=codebook, corpus=corpus)
    assert m.shape == (4, 3) and int(m.to_numpy().sum()) == 0
    co = mq.cooccurrence(empty, codebook=codebook)
    assert co.shape == (4, 4)


def test_group_matrix_repr_names_group_sizes(codings, corpus):
    m = mq.code_group_matrix(codings, corpus=corpus)
    assert "cases per group: employer n=1, learner n=2" in repr(m)
    assert m.reset_index().shape == (3, 3)  # still a DataFrame for exports (3 codes used)


def test_overlap_c_stays_bounded():
    # two "cost" spans each overlap the same three "trust" spans: 6 pairs, n1 = 2, n2 = 3
    rows = [("t", 0, 100, "cost"), ("t", 5, 100, "cost"),
            ("t", 10, 20, "trust"), ("t", 30, 40, "trust"), ("t", 50, 60, "trust")]
    df = pd.DataFrame(rows, columns=["transcript_id", "start", "end", "code"])
    assert mq.cooccurrence(df, within="overlap").loc["cost", "trust"] == 6
    c = mq.cooccurrence(df, within="overlap", measure="c").loc["cost", "trust"]
    assert c == 1.0  # every span of each code overlaps the other: n12 = (2 + 3) / 2
    one = mq.cooccurrence(df.iloc[[0, 2, 3]].assign(end=[15, 20, 40]), within="overlap", measure="c")
    # cost [0, 15) overlaps trust [10, 20) only; trust [30, 40) overlaps nothing: n12 = 1
    assert one.loc["cost", "trust"] == pytest.approx(1 / (1 + 2 - 1))
