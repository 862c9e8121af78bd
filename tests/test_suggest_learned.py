"""LearnedSuggester: learns from codings and decisions, bare codebooks, active learning, errors."""
from __future__ import annotations

import pandas as pd
import pytest

import mcqual as mq
from mcqual.errors import SuggestError
from mcqual.text.embedders import HashingEmbedder

COST = ["The fee was far too high for me.", "I paid the exam fee myself.", "Prices of these courses are steep.",
        "The fee put many colleagues off.", "Who pays the fee matters a lot."]
TRUST = ["I trust a badge when a university issues it.", "Employers trust known issuers.",
         "Trust depends on who assessed the learning.", "We trust the quality label.",
         "Without an accredited issuer nobody will trust it."]
OTHER = ["The weather was nice that day.", "I live near the station.", "We had lunch together."]


def _corpus():
    a = mq.Transcript.from_turns("a", [("R", t) for t in COST[:3] + TRUST[:3] + OTHER[:2]])
    b = mq.Transcript.from_turns("b", [("R", t) for t in COST[3:] + TRUST[3:] + OTHER[2:]])
    return mq.segments([a, b])


def _codings(segs):
    rows = []
    for s in segs:
        if s.text in COST:
            rows.append({"segment_id": s.segment_id, "code": "cost"})
        if s.text in TRUST:
            rows.append({"segment_id": s.segment_id, "code": "trust"})
    return rows


def test_learns_bare_codebook_from_codings():
    segs = _corpus()
    cb = mq.Codebook.from_codes(["cost", "trust"])
    train = segs.filter(transcript_ids=["a"])
    ls = mq.LearnedSuggester(embedder=HashingEmbedder()).fit(train, cb, pd.DataFrame(_codings(train)))
    test = segs.filter(transcript_ids=["b"])
    ev = mq.evaluate(ls.suggest(test), _codings(test))
    assert ev.micro["f1"] >= 0.75
    df = ls.suggest(test).to_frame()
    assert set(df["source"]) == {"learned"} and df["reason"].str.contains("most similar coded sentence").all()
    assert set(ls.models_) == {"cost", "trust"} and 0 < ls.thresholds_["cost"] < 1


def test_span_codings_and_rejections_are_used():
    segs = _corpus()
    cb = mq.Codebook.from_codes(["cost", "trust"])
    spans = [{"transcript_id": s.transcript_id, "start": s.start, "end": s.end, "code": c["code"]}
             for s, c in ((segs[c["segment_id"]], c) for c in _codings(segs))]
    ls = mq.LearnedSuggester(embedder=HashingEmbedder(), negatives="segments")
    rejected = [{"segment_id": s.segment_id, "code": "cost", "decision": "rejected"} for s in segs
                if s.text in OTHER]
    ls.fit(segs, cb, spans + rejected)
    assert ls.n_train_ == len(segs)  # coded + rejected segments are all reviewed


def test_uncertain_returns_unreviewed_boundary_cases():
    segs = _corpus()
    cb = mq.Codebook.from_codes(["cost", "trust"])
    train = segs.filter(transcript_ids=["a"])
    ls = mq.LearnedSuggester(embedder=HashingEmbedder()).fit(train, cb, _codings(train))
    pick = ls.uncertain(segs, n=3)
    assert len(pick) == 3 and not set(pick.ids) & set(train.ids)
    assert isinstance(pick, mq.Segments)


def test_errors_no_codings_unknown_code_too_few():
    segs = _corpus()
    cb = mq.Codebook.from_codes(["cost", "trust"])
    with pytest.raises(SuggestError) as err:
        mq.LearnedSuggester(embedder=HashingEmbedder()).fit(segs, cb)
    assert err.value.code == "E403"
    with pytest.raises(SuggestError) as err:
        mq.LearnedSuggester(embedder=HashingEmbedder()).fit(segs, cb, [{"segment_id": segs[0].segment_id,
                                                                        "code": "nope"}])
    assert err.value.code == "E404"
    with pytest.raises(SuggestError) as err:
        mq.LearnedSuggester(embedder=HashingEmbedder()).fit(segs, cb, [{"segment_id": segs[0].segment_id,
                                                                        "code": "cost"}])
    assert err.value.code == "E403"
    with pytest.warns(UserWarning, match="skipped 1 code"):
        ls = mq.LearnedSuggester(embedder=HashingEmbedder()).fit(
            segs, cb, [c for c in _codings(segs) if c["code"] == "cost"])
    assert "trust" in ls.skipped_
    # a skipped code falls back to the zero-shot score, with its reason saying so
    # ... with its cut raised so that it fires on the training segments about as often as it was coded (0 + 1)
    assert ls.thresholds_["trust"] >= ls.zs_.thresholds_["trust"]
    raw = ls.zs_._raw(segs).scores[:, ls.codes_.index("trust")]
    assert (raw >= ls.thresholds_["trust"]).sum() <= 1
    fb = [x for x in ls.scores(segs).scores[:, 1] if x > 0]
    assert fb, "the fallback gives the skipped code zero-shot scores"
    table = ls.scores(segs)
    assert table.explain(0, 1)[0].startswith("zero-shot (too few decisions")
    with pytest.warns(UserWarning):
        strict = mq.LearnedSuggester(embedder=HashingEmbedder(), fallback=False).fit(
            segs, cb, [c for c in _codings(segs) if c["code"] == "cost"])
    assert (strict.scores(segs).scores[:, 1] == 0).all()


def test_sentence_units_learn_from_span_codings_inside_long_turns():
    # each turn mixes one coded sentence with filler: the learner must find the coded sentence
    fill = ["We met on a Tuesday.", "The room was on the second floor.", "My colleague was there too."]
    rows, turns = [], []
    for i in range(6):
        turns.append(("R", f"{fill[i % 3]} {COST[i % 5]} {fill[(i + 1) % 3]}"))
    t = mq.Transcript.from_turns("a", turns)
    segs = mq.segments([t])
    for s in segs:
        for c in COST:
            if c in s.text:
                a = s.start + s.text.index(c)
                rows.append({"transcript_id": "a", "start": a, "end": a + len(c), "code": "cost"})
    cb = mq.Codebook.from_codes(["cost", "trust"])
    with pytest.warns(UserWarning):  # "trust" has no decisions
        ls = mq.LearnedSuggester(embedder=HashingEmbedder(), fallback=False).fit(segs, cb, rows)
    assert ls.n_units_ == 18 and ls.n_train_ == 6
    new = mq.segments([mq.Transcript.from_turns("b", [("R", "The room was small. The fee was far too high for me.")])])
    sug = ls.suggest(new)
    assert [s.code for s in sug] == ["cost"]
    ev = sug[0].evidence[0]
    assert new[0].text[ev.start - new[0].start:ev.end - new[0].start] == "The fee was far too high for me."
    assert "strongest sentence" in sug[0].reason


def test_refine_keeps_the_best_sentence_of_whole_turn_codings():
    import numpy as np

    X = np.array([[1.0], [0.0], [0.9], [0.1], [0.0], [0.0]])
    y = np.array([True, True, True, True, False, False])
    seg_of = np.array([0, 0, 1, 1, 2, 2])  # segments 0 and 1 coded whole; segment 2 uncoded

    class Fixed:  # scores = the feature itself
        def predict_proba(self, X):
            return np.c_[1 - X[:, 0], X[:, 0]]

    fitted = []

    def fit(X, y):
        fitted.append((X.ravel().tolist(), y.tolist()))
        return Fixed()

    _, y2 = mq.LearnedSuggester._refine(Fixed(), fit, X, y, seg_of)
    assert y2.tolist() == [True, False, True, False, False, False]
    assert fitted == [([1.0, 0.9, 0.0, 0.0], [True, True, False, False])]  # the others left out, not negatives


def test_segment_unit_still_available():
    segs = _corpus()
    cb = mq.Codebook.from_codes(["cost", "trust"])
    train = segs.filter(transcript_ids=["a"])
    ls = mq.LearnedSuggester(embedder=HashingEmbedder(), unit="segment", cv=2).fit(train, cb, _codings(train))
    assert "trained on 8 reviewed segments" in ls.suggest(segs)[0].reason
    with pytest.raises(SuggestError) as err:
        mq.LearnedSuggester(embedder=HashingEmbedder(), unit="word").fit(train, cb, _codings(train))
    assert err.value.code == "E406"


def test_codebook_examples_teach_codes_their_coders_rarely_met():
    # coders coded only two fee turns; the codebook's examples add what the code is about
    cb = mq.Codebook([mq.Code("cost", "Cost", examples=("Tuition was expensive.", "The price put me off."),
                              counter_examples=("The weather was nice that day.",)),
                      mq.Code("trust", "Trust")])
    segs = _corpus()
    train = segs.filter(transcript_ids=["a"])
    codings = [c for c in _codings(train)]
    with_cb = mq.LearnedSuggester(embedder=HashingEmbedder()).fit(train, cb, codings)
    without = mq.LearnedSuggester(embedder=HashingEmbedder(), codebook_examples=False).fit(train, cb, codings)
    new = mq.segments([mq.Transcript.from_turns("b", [("R", "Tuition was expensive, the price too.")])])
    j = with_cb.codes_.index("cost")
    assert with_cb._raw(new).scores[0, j] > without._raw(new).scores[0, j]
    rows = with_cb._codebook_rows(cb)
    assert set(rows) == {"cost"} and rows["cost"][1].tolist() == [True, True, False]
