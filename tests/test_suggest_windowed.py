"""Windowed: fit and score on sentence windows, suggest for whole segments."""
from __future__ import annotations

import pickle

import pytest

import mcqual as mq
from mcqual.errors import SuggestError
from mcqual.text.embedders import HashingEmbedder


def _turn(tid, *sents):
    return mq.Transcript.from_turns(tid, [("I", "Tell me?", None, "interviewer"), ("R", " ".join(sents), None, "respondent")])


def test_windows_are_views_on_the_transcript():
    t = _turn("a", "One thing.", "The exam was proctored.", "We had lunch.", "Then we went home.")
    segs = mq.segments([t])
    w = mq.Windowed(size=2)
    windows, owner = w._windows(segs)
    assert len(windows) == 3 and owner == [0, 0, 0]
    assert all(t.text[x.start:x.end] == x.text for x in windows)
    assert windows[1].text == "The exam was proctored. We had lunch."
    short = mq.segments([_turn("b", "Only one sentence.")])
    assert w._windows(short)[0][0].segment_id == short[0].segment_id  # short segments stay whole


def test_lifts_the_best_window_to_the_segment():
    t = _turn("a", "I like my job.", "The exam was hard and proctored.", "We eat lunch at noon.")
    segs = mq.segments([t])
    cb = mq.Codebook.from_codes(["exam", "lunch"])
    s = mq.Windowed(mq.RuleSuggester(use_labels=True), size=1).fit(segs, cb).suggest(segs)
    assert {x.code for x in s} == {"exam", "lunch"}
    assert all(x.segment_id == segs[0].segment_id for x in s)
    exam = next(x for x in s if x.code == "exam")
    assert "window 'The exam was hard" in exam.reason and exam.source == "rules/windows"
    assert t.text[exam.evidence[0].start:exam.evidence[0].end].lower() == "exam"


def test_learned_on_windows_uses_span_codings():
    turns = []
    for i in range(8):
        turns.append(_turn(f"t{i}", "Good morning to all.", f"The exam number {i} was proctored and hard.",
                           "The weather was nice today."))
    corpus = mq.Corpus(turns)
    segs = mq.segments(corpus)
    codings = []
    for t in turns[:6]:
        a = t.text.index("The exam")
        codings.append({"transcript_id": t.id, "start": a, "end": t.text.index(".", a) + 1, "code": "exam"})
    cb = mq.Codebook.from_codes(["exam"])
    est = mq.Windowed(mq.LearnedSuggester(embedder=HashingEmbedder(), cv=0, min_positives=2), size=1)
    est.fit(segs.filter(transcript_ids=[t.id for t in turns[:6]]), cb, codings=codings)
    test = segs.filter(transcript_ids=["t6", "t7"])
    got = est.suggest(test)
    assert {x.segment_id for x in got if x.code == "exam"} == {s.segment_id for s in test}
    clone = pickle.loads(pickle.dumps(est))
    assert [x.score for x in clone.suggest(test)] == [x.score for x in got]
    assert est.get_params()["size"] == 1 and "Windowed(" in repr(est)


def test_not_fitted():
    with pytest.raises(SuggestError, match="E401"):
        mq.Windowed().suggest([])
