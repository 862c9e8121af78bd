"""Zero-shot cuts without gold (cut="share"), and counter-examples / exclude criteria lowering scores."""
from __future__ import annotations

import numpy as np

import mcqual as mq
from mcqual.text.embedders import HashingEmbedder


def _segments(n=60):
    turns = [("R", f"The course fees and prices were high in case {i}.") if i % 10 == 0 else
             ("R", f"We talked about the weather and lunch number {i}.") for i in range(n)]
    return mq.segments([mq.Transcript.from_turns("a", turns)])


def test_share_cut_fires_on_about_the_share_of_segments():
    segs = _segments()
    cb = mq.Codebook([mq.Code("cost", "Cost", definition="Course fees and prices.")])
    fixed = mq.EmbeddingSuggester(embedder=HashingEmbedder(), cut="fixed", top_k=None).fit(segs, cb)
    share = mq.EmbeddingSuggester(embedder=HashingEmbedder(), share=0.1, top_k=None).fit(segs, cb)
    assert fixed.thresholds_ != share.thresholds_
    got = share.suggest(segs)
    assert 0.05 * len(segs) <= len(got) <= 0.15 * len(segs)
    assert all("fees" in segs[[s.segment_id for s in segs].index(x.segment_id)].text for x in got)


def test_share_cut_needs_enough_segments():
    segs = _segments(20)
    cb = mq.Codebook([mq.Code("cost", "Cost", definition="Course fees and prices.")])
    est = mq.EmbeddingSuggester(embedder=HashingEmbedder(), threshold=0.3).fit(segs, cb)
    assert est.thresholds_["cost"] == est._raw_threshold()  # fewer than min_segments: the fixed cut


def test_counter_examples_and_exclude_criteria_lower_scores():
    segs = mq.segments([mq.Transcript.from_turns("a", [("R", "The canteen lunch prices were high."),
                                                       ("R", "The course fees were high.")])])
    plain = mq.Code("cost", "Cost", definition="Prices and fees people pay.")
    with_neg = mq.Code("cost", "Cost", definition="Prices and fees people pay.",
                       counter_examples=("The canteen lunch prices were high.",))
    with_excl = mq.Code("cost", "Cost", definition="Prices and fees people pay.",
                        exclude=("Prices of food in the canteen or of lunch.",))
    kw = dict(embedder=HashingEmbedder(), cut="fixed", relative=0.0)
    s_plain = mq.EmbeddingSuggester(**kw).fit(segs, mq.Codebook([plain])).similarity(segs)["cost"].to_numpy()
    s_neg = mq.EmbeddingSuggester(**kw).fit(segs, mq.Codebook([with_neg])).similarity(segs)["cost"].to_numpy()
    s_exc = mq.EmbeddingSuggester(**kw).fit(segs, mq.Codebook([with_excl])).similarity(segs)["cost"].to_numpy()
    assert s_neg[0] < s_plain[0] - 0.05  # the canteen turn is pushed down by its counter-example
    assert s_plain[0] - s_neg[0] > s_plain[1] - s_neg[1]  # and more than the course-fees turn
    assert s_exc[0] < s_plain[0]  # a sentence-like exclude criterion works the same way
    assert np.argmax(s_neg) == 1
