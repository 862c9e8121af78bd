"""ThemeFinder: sentence-grain themes among uncovered turns, ranked by distinctness from the codes."""
from __future__ import annotations

import mcqual as mq
from mcqual.suggest.themes import ThemeFinder
from mcqual.text.embedders import HashingEmbedder


def _segments():
    turns = []
    for i in range(8):  # a theme living in one sentence of otherwise ordinary turns
        turns.append(("R", f"We met on Tuesday as usual, meeting {i}. The childcare at the venue was missing again. "
                           f"Then we went home."))
    for i in range(8):
        turns.append(("R", f"The course fees were high, invoice {i}. I paid the fees myself."))
    return mq.segments([mq.Transcript.from_turns("a", turns)])


def test_theme_found_at_sentence_grain_and_ranked_by_distinctness():
    segs = _segments()
    cb = mq.Codebook([mq.Code("cost", "Cost", definition="The course fees and who paid them.")])
    tf = ThemeFinder(embedder=HashingEmbedder(dim=512), n_themes=4, drop_known=0.0).fit(segs, cb)
    assert tf.themes_, tf
    child = [t for t in tf.themes_ if "childcare" in t.terms]
    assert child and child[0].size == 8
    fees = [t for t in tf.themes_ if "fees" in t.terms]
    assert fees and fees[0].nearest_code == "cost"
    assert tf.themes_.index(child[0]) < tf.themes_.index(fees[0])  # the code-like theme ranks lower
    assert "childcare" in tf._repr_html_() and len(tf.to_frame()) == len(tf.themes_)


def test_covered_segments_are_left_out():
    segs = _segments()
    codings = [{"segment_id": s.segment_id, "code": "cost"} for s in segs if "fees" in s.text]
    tf = ThemeFinder(embedder=HashingEmbedder(dim=512), n_themes=2, drop_known=0.0).fit(
        segs, mq.Codebook.from_codes(["cost"]), codings)
    assert len(tf.uncovered_) == 8
    assert all("fees" not in q for t in tf.themes_ for q in t.quotes)
