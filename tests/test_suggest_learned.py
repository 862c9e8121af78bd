"""LearnedSuggester: learns from codings and decisions, bare codebooks, active learning, errors."""
from __future__ import annotations

import pandas as pd
import pytest

import mcqual as mq
from mcqual.errors import SuggestError
from mcqual.suggest.embedders import HashingEmbedder

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
    assert set(df["source"]) == {"learned"} and df["reason"].str.contains("most similar coded segment").all()
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
    assert ls.thresholds_["trust"] == ls.zs_.thresholds_["trust"]
    fb = [x for x in ls.scores(segs).scores[:, 1] if x > 0]
    assert fb, "the fallback gives the skipped code zero-shot scores"
    table = ls.scores(segs)
    assert table.explain(0, 1)[0].startswith("zero-shot (too few decisions")
    with pytest.warns(UserWarning):
        strict = mq.LearnedSuggester(embedder=HashingEmbedder(), fallback=False).fit(
            segs, cb, [c for c in _codings(segs) if c["code"] == "cost"])
    assert (strict.scores(segs).scores[:, 1] == 0).all()
