"""Segments: units, filters, interviewer/back-channel handling, offsets as views on the text."""
from __future__ import annotations

import pytest

import mcqual as mq
from mcqual.errors import SuggestError
from mcqual.segment import is_backchannel, is_interviewer, segments_from_frame


@pytest.fixture()
def corpus():
    a = mq.Transcript.from_turns("int-01", [
        ("Interviewer", "What makes you trust a micro-credential?", 0.0, "interviewer"),
        ("R1", "The issuer matters. If a university issues it, I trust it. Employers do too.", 5.0, "respondent"),
        ("Interviewer", "Mm-hm.", 9.0, "interviewer"),
        ("R1", "Mm-hm.", 10.0, "respondent"),
        ("R1", "First paragraph here.\nSecond paragraph there.", 12.0, "respondent"),
    ])
    b = mq.Transcript.from_turns("int-02", [("I", "And cost?"), ("R2", "Too expensive. Really.")])
    return mq.Corpus([a, b])


def test_turns_skip_interviewer_and_backchannel(corpus):
    segs = mq.segments(corpus)
    assert [s.speaker for s in segs] == ["R1", "R1", "R2"]  # 'I' with no role is an interviewer label
    for s in segs:
        t = corpus[s.transcript_id]
        assert t.text[s.start:s.end] == s.text
        assert s.segment_id == f"{s.transcript_id}@{s.start}-{s.end}"
    every = mq.segments(corpus, skip_interviewer=False, skip_backchannel=False)
    assert len(every) == 7


def test_sentence_paragraph_window_units_stay_inside_turns(corpus):
    sents = mq.segments(corpus, unit="sentence", trained=False)
    assert [s.text for s in sents][:3] == ["The issuer matters.", "If a university issues it, I trust it.",
                                          "Employers do too."]
    paras = mq.segments(corpus, unit="paragraph")
    assert "First paragraph here." in paras.texts and "Second paragraph there." in paras.texts
    win = mq.segments(corpus, unit="window", size=2, step=1, trained=False)
    first = [s for s in win if s.turn == 1 and s.transcript_id == "int-01"]
    assert [s.text for s in first] == ["The issuer matters. If a university issues it, I trust it.",
                                       "If a university issues it, I trust it. Employers do too."]
    for seg in list(sents) + list(paras) + list(win):
        t = corpus[seg.transcript_id]
        turn = t.turns[seg.turn]
        assert turn.start <= seg.start < seg.end <= turn.end
        assert t.text[seg.start:seg.end] == seg.text


def test_window_covers_the_last_sentences():
    t = mq.Transcript.from_turns("x", [("R", "A one. B two. C three. D four. E five.")])
    win = mq.segments([t], unit="window", size=2, step=2, trained=False)
    assert [w.text for w in win] == ["A one. B two.", "C three. D four.", "D four. E five."]


def test_answer_unit_keeps_question_as_context():
    t = mq.Transcript.from_turns("resp-1", [("q1", "Because employers ask for it."), ("q2", "No.")],
                                 metadata={"questions": {"q1": "Why did you take the course?",
                                                         "q2": "Would you pay?"}})
    segs = mq.segments([t], unit="answer", skip_backchannel=False)
    assert [s.context for s in segs] == ["Why did you take the course?", "Would you pay?"]
    assert all(s.unit == "answer" for s in segs)


def test_filter_to_frame_and_roundtrip(corpus):
    segs = mq.segments(corpus)
    df = segs.to_frame()
    assert list(df.columns[:7]) == ["segment_id", "transcript_id", "start", "end", "speaker", "role", "text"]
    assert df["start"].dtype == "int64"
    only = segs.filter(transcript_ids=["int-02"])
    assert only.texts == ["Too expensive. Really."]
    one = segs.filter(segment_ids=[segs[0].segment_id])
    assert len(one) == 1 and one[0] == segs[0]
    assert segs[segs[1].segment_id] == segs[1]
    back = segments_from_frame(df)
    assert back.ids == segs.ids
    assert "<table>" in segs._repr_html_() and "Segments(3 turn" in repr(segs)


def test_unknown_unit_raises(corpus):
    with pytest.raises(SuggestError) as err:
        mq.segments(corpus, unit="chapter")
    assert err.value.code == "E400"


def test_backchannel_and_interviewer_detection():
    assert is_backchannel("Mm-hm.") and is_backchannel("Okay, yeah.") and is_backchannel("")
    assert not is_backchannel("Yes, because employers trust it.")
    assert is_backchannel("Yes, yes, right, okay.") and not is_backchannel("Yes, yes, right, okay, sure.")
    assert not is_backchannel("Mm-hm. " + "The badges matter to employers. " * 200)  # long turns: early exit
    assert not is_backchannel("- -")  # punctuation-only "words" are not back-channel words
    assert is_interviewer("interviewer", "Anna") and not is_interviewer("respondent", "Interviewer")
    assert is_interviewer(None, "Interviewer:") and not is_interviewer(None, "Maria")


def test_context_is_the_interviewers_last_real_question(corpus):
    segs = mq.segments(corpus)
    # the "Mm-hm." back-channel between is skipped: both R1 turns answer the trust question
    assert [s.context for s in segs] == ["What makes you trust a micro-credential?",
                                         "What makes you trust a micro-credential?", "And cost?"]
    assert all(s.context == "And cost?" for s in mq.segments(corpus, unit="sentence", trained=False)
               if s.transcript_id == "int-02")
    assert all(s.context is None for s in mq.segments(corpus, context=False))
    # no interviewer turn before it: no context
    t = mq.Transcript.from_turns("c", [("R", "I start."), ("Interviewer", "Why?", None, "interviewer")])
    assert mq.segments([t])[0].context is None
