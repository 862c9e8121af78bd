"""EmbeddingSuggester, embedders, chunking and the disk cache; the real model only in slow tests."""
from __future__ import annotations

import numpy as np
import pytest

import mcqual as mq
from mcqual.errors import MissingDependencyError
from mcqual.text.cache import EmbeddingCache, cache_root
from mcqual.text.embedders import HashingEmbedder, chunk_texts
from mcqual.suggest.embedding import code_anchors


@pytest.fixture()
def codebook():
    return mq.Codebook([
        mq.Code("cost", "Cost", definition="Fees and prices of courses.", examples=("The exam fee is too high.",)),
        mq.Code("trust", "Trust", definition="Whether employers trust the issuer.",
                counter_examples=("I trust my colleagues.",)),
        mq.Code("bare", "Bare"),
    ])


def _segs(*texts):
    return mq.segments([mq.Transcript.from_turns("a", [("R", t) for t in texts])])


class CountingEmbedder(HashingEmbedder):
    max_tokens = 6

    def count_tokens(self, texts):
        return [len(t.split()) for t in texts]


def test_fake_embedder_suggests_with_reasons(codebook):
    segs = _segs("The fees of the courses are too high.", "Employers trust the issuer of it.")
    sug = mq.EmbeddingSuggester(embedder=HashingEmbedder(), threshold=0.2, top_k=1).fit(segs, codebook).suggest(segs)
    assert [(s.segment_id, s.code) for s in sug] == [(segs[0].segment_id, "cost"), (segs[1].segment_id, "trust")]
    assert all(s.source == "embedding" and 0 <= s.score <= 1 for s in sug)
    assert "closest to" in sug[0].reason and "similarity" in sug[0].reason


def test_counter_examples_push_away(codebook):
    segs = _segs("I trust my colleagues.")
    est = mq.EmbeddingSuggester(embedder=HashingEmbedder(), relative=0).fit(segs, codebook)
    with_margin = est.similarity(segs).loc[segs[0].segment_id, "trust"]
    est0 = mq.EmbeddingSuggester(embedder=HashingEmbedder(), relative=0, margin=0).fit(segs, codebook)
    assert with_margin < est0.similarity(segs).loc[segs[0].segment_id, "trust"]


def test_calibrate_sets_per_code_thresholds(codebook):
    texts = [f"The fee for course {i} is high." for i in range(4)] + [f"Employers trust issuer {i}." for i in range(4)]
    segs = _segs(*texts)
    gold = [{"segment_id": s.segment_id, "code": "cost" if "fee" in s.text else "trust"} for s in segs]
    est = mq.EmbeddingSuggester(embedder=HashingEmbedder(), threshold=0.99, top_k=None).fit(segs, codebook)
    assert len(est.suggest(segs)) == 0
    est.calibrate(segs, gold, shrinkage=0)  # the F1-optimal cut as it is
    assert est.thresholds_["cost"] != est.thresholds_["bare"]
    ev = mq.evaluate(est.suggest(segs), gold)
    assert ev.macro["f1"] == 1.0
    optimal = est.thresholds_["cost"]
    est.calibrate(segs, gold)  # shrinkage=15: four gold segments move the cut 4/19 of the way
    default = est._raw_threshold()
    assert abs(est.thresholds_["cost"] - (default + 4 / 19 * (optimal - default))) < 1e-9


def test_top_k_caps_suggestions(codebook):
    segs = _segs("Fees, prices, employers, trust, issuer, courses.")
    est = mq.EmbeddingSuggester(embedder=HashingEmbedder(), threshold=-1, top_k=2).fit(segs, codebook)
    assert len(est.suggest(segs)) == 2


def test_code_anchors_cover_definition_include_examples():
    code = mq.Code("c", "Cost", definition="Fees. Prices.", include=("tuition",), examples=("Too dear",),
                   exclude=("statements about salaries in general.",), counter_examples=("Free lunch",))
    pos, neg = code_anchors(code)
    assert [k for k, _ in pos] == ["definition", "definition sentence", "definition sentence",
                                   "include criterion", "example"]
    assert [k for k, _ in neg] == ["counter-example", "exclude criterion"]


def test_chunking_long_texts_by_sentences():
    long = "One two three. Four five six. Seven eight nine ten eleven twelve thirteen."
    chunks, owner, spans = chunk_texts([long, "Short one."], CountingEmbedder())
    assert chunks[0] == "One two three. Four five six." and owner.tolist()[-1] == 1
    for c, o, (a, b) in zip(chunks, owner, spans):
        assert [long, "Short one."][o][a:b] == c
    assert all(len(c.split()) <= 6 for c in chunks)  # the 7-word sentence was cut by words
    segs = _segs(long)
    est = mq.EmbeddingSuggester(embedder=CountingEmbedder(), threshold=-1, top_k=1).fit(
        segs, mq.Codebook.from_codes(["seven eight"]))
    sug = est.suggest(segs)
    assert sug[0].evidence and sug[0].evidence[0].label == "closest passage"


def test_cache_roundtrip_and_location(tmp_path, monkeypatch):
    monkeypatch.setenv("MCQUAL_CACHE_DIR", str(tmp_path / "env"))
    assert cache_root() == tmp_path / "env" and cache_root(tmp_path / "x") == tmp_path / "x"
    monkeypatch.delenv("MCQUAL_CACHE_DIR")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert str(cache_root()).startswith(str(tmp_path / "xdg"))
    c = EmbeddingCache("m", cache_dir=tmp_path)
    c.put(["a", "b"], np.array([[1, 2], [3, 4]], dtype=np.float32))
    again = EmbeddingCache("m", cache_dir=tmp_path)  # a new process would see the same file
    vecs, missing = again.get(["b", "c", "a"])
    assert missing == [1] and vecs[0].tolist() == [3, 4] and vecs[2].tolist() == [1, 2]
    assert len(again) == 2 and EmbeddingCache("other", cache_dir=tmp_path).get(["a"])[1] == [0]


def test_missing_model_raises_e901(tmp_path):
    from mcqual.text.embedders import load_model

    with pytest.raises(MissingDependencyError) as err:
        load_model(str(tmp_path / "no-such-model"))
    assert err.value.code == "E901"
    with pytest.raises(MissingDependencyError):
        load_model("no-such-org/no-such-model-xyz")


# --------------------------------------------------------------------------- real model (slow)


# the session-wide `real_embedder` fixture is in conftest.py (one model load for the whole suite)


@pytest.mark.slow
def test_real_model_zero_shot_cache_and_chunking(real_embedder):
    cb = mq.Codebook([
        mq.Code("cost", "Cost", definition="The price of courses, fees, who pays for training."),
        mq.Code("recognition", "Recognition", definition="Whether employers or universities accept and credit a "
                "certificate."),
    ])
    segs = _segs("Honestly the course fee was four hundred euros and I paid it myself.",
                 "My employer did not accept the certificate when I applied for the promotion.",
                 " ".join(["The weather was fine and we talked about many things."] * 40))
    est = mq.EmbeddingSuggester(embedder=real_embedder, top_k=1).fit(segs, cb)
    sim = est.similarity(segs)
    assert sim.loc[segs[0].segment_id, "cost"] > sim.loc[segs[0].segment_id, "recognition"]
    assert sim.loc[segs[1].segment_id, "recognition"] > sim.loc[segs[1].segment_id, "cost"]
    chunks, owner, _ = chunk_texts(segs.texts, real_embedder)
    assert (owner == 2).sum() > 1  # the long turn was chunked, not truncated
    assert max(real_embedder.count_tokens(chunks)) <= real_embedder.max_tokens
    before = real_embedder.n_encoded
    mq.EmbeddingSuggester(embedder=real_embedder).fit(segs, cb).suggest(segs)
    assert real_embedder.n_encoded == before  # everything came from the cache
    assert len(real_embedder.store) >= len(chunks)


def test_the_question_gives_a_short_answer_its_topic(codebook):
    t = mq.Transcript.from_turns("q", [("Interviewer", "Were the fees and prices of courses too high?", None,
                                        "interviewer"), ("R", "Yes, definitely, for me.")])
    segs = mq.segments([t])
    with_q = mq.EmbeddingSuggester(embedder=HashingEmbedder(), threshold=-1, top_k=None).fit(segs, codebook)
    blind = mq.EmbeddingSuggester(embedder=HashingEmbedder(), threshold=-1, top_k=None,
                                  context_weight=0).fit(segs, codebook)
    j = with_q.codes_.index("cost")
    assert with_q._raw(segs).scores[0, j] > blind._raw(segs).scores[0, j]
    sug = with_q.suggest(segs)
    assert sug[0].code == "cost" and "read with the question it answers" in sug[0].reason
    assert "question" not in blind.suggest(segs)[0].reason


def test_long_turn_scored_by_its_best_sentence_with_evidence(codebook):
    text = "We talked about many things. The weather was nice. The exam fee is too high. Then lunch."
    segs = _segs(text)
    est = mq.EmbeddingSuggester(embedder=HashingEmbedder(), threshold=-1, top_k=1).fit(segs, codebook)
    s = est.suggest(segs)[0]
    assert s.code == "cost"
    ev = s.evidence[0]
    assert text[ev.start - segs[0].start:ev.end - segs[0].start] == "The exam fee is too high."
