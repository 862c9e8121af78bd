"""Ensemble: one suggestion per (segment, code), combined scores, all reasons, calibration."""
from __future__ import annotations

import pytest

import mcqual as mq
from mcqual.errors import SuggestError
from mcqual.text.embedders import HashingEmbedder


@pytest.fixture()
def cb():
    return mq.Codebook([mq.Code("cost", "Cost", definition="Fees and prices of courses.", keywords=("fee",)),
                        mq.Code("trust", "Trust", definition="Employers trust the issuer.", keywords=("trust",))])


def _segs():
    return mq.segments([mq.Transcript.from_turns("a", [
        ("R", "The fee of the courses is high."), ("R", "Prices of courses went up."),
        ("R", "Employers trust the issuer.")])])


def test_one_suggestion_per_segment_code_with_all_reasons(cb):
    segs = _segs()
    ens = mq.Ensemble([mq.RuleSuggester(), mq.EmbeddingSuggester(embedder=HashingEmbedder(), threshold=0.15)])
    sug = ens.fit(segs, cb).suggest(segs)
    pairs = [(s.segment_id, s.code) for s in sug]
    assert len(pairs) == len(set(pairs))
    first = [s for s in sug if s.segment_id == segs[0].segment_id and s.code == "cost"][0]
    assert first.source == "rules+embedding"
    assert "[rules" in first.reason and "[embedding" in first.reason
    rules_only = mq.RuleSuggester().fit(segs, cb).scores(segs).scores[0, 0]
    assert first.score >= rules_only  # agreement reinforces
    second = [s for s in sug if s.segment_id == segs[1].segment_id]
    assert second and second[0].source == "embedding"  # no keyword, the embedding carries it


def test_combine_modes_and_weights(cb):
    segs = _segs()
    members = {"r": mq.RuleSuggester(), "e": mq.EmbeddingSuggester(embedder=HashingEmbedder(), threshold=0.15)}
    mx = mq.Ensemble(members, combine="max").fit(segs, cb).scores(segs).scores
    mean = mq.Ensemble(members, combine="mean").fit(segs, cb).scores(segs).scores
    assert (mx >= mean - 1e-12).all()
    heavy = mq.Ensemble(members, combine="mean", weights={"r": 3.0, "e": 1.0}).fit(segs, cb).scores(segs).scores
    assert heavy[0, 0] > mean[0, 0]
    with pytest.raises(SuggestError) as err:
        mq.Ensemble(members, combine="vote").fit(segs, cb)
    assert err.value.code == "E406"


def test_default_members_and_learned_when_codings_given(cb):
    ens = mq.Ensemble()
    assert ens.suggesters is None  # settings only
    segs = _segs()
    ens = mq.Ensemble([mq.RuleSuggester(), mq.LearnedSuggester(embedder=HashingEmbedder(), cv=0)])
    codings = [{"segment_id": segs[0].segment_id, "code": "cost"}, {"segment_id": segs[1].segment_id, "code": "cost"},
               {"segment_id": segs[2].segment_id, "code": "trust"}]
    with pytest.warns(UserWarning):  # trust has a single positive
        ens.fit(segs, cb, codings)
    assert [n for n, _ in ens.members_] == ["rules", "learned"]
    assert ens.calibrate(segs, codings) is ens
    assert mq.evaluate(ens.suggest(segs), codings).per_code.loc["cost", "recall"] == 1.0
