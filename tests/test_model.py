from __future__ import annotations

import pytest

from mcqual.model import (Coding, Suggestion, Transcript, Turn, format_timestamp, make_segment_id,
                          parse_segment_id)


def make():
    return Transcript.from_turns("int-01", [("Interviewer", "Do employers trust badges?", 3.0, "interviewer"),
                                            ("R1", "Some do.\nIf the issuer is known.", 9.5, "respondent")])


def test_turns_are_views_on_the_text():
    t = make()
    for turn in t.turns:
        assert t.text[turn.start:turn.end] == turn.text
    assert t.text == "Do employers trust badges?\n\nSome do.\nIf the issuer is known."
    assert t.speakers == ["Interviewer", "R1"]
    assert t.turn_at(t.turns[1].start + 3).index == 1
    assert t.turn_at(t.turns[0].end) is None  # the separator belongs to no turn


def test_inconsistent_turn_is_rejected():
    with pytest.raises(ValueError):
        Transcript("x", "abc", (Turn(0, None, 0, 2, "ac"),))
    with pytest.raises(ValueError):
        Transcript("x", "abcdef", (Turn(0, None, 0, 3, "abc"), Turn(1, None, 2, 4, "cd")))
    with pytest.raises(ValueError):
        Turn(0, "I", 0, 3, "abc", role="boss")


def test_transcript_is_frozen_and_metadata_read_only():
    t = Transcript.from_turns("x", [("I", "Hi")], metadata={"date": "2026-03-14"})
    with pytest.raises(AttributeError):
        t.id = "y"  # type: ignore[misc]
    with pytest.raises(TypeError):
        t.metadata["date"] = "no"  # type: ignore[index]


def test_frame_and_repr():
    t = make()
    df = t.to_frame()
    assert list(df["speaker"]) == ["Interviewer", "R1"]
    assert df.loc[1, "words"] == 7
    assert repr(t) == "Transcript('int-01', turns=2, speakers=2, words=11)"
    html = t._repr_html_()
    assert "Interviewer" in html and "00:00:03" in html


def test_content_hash_changes_with_text():
    a = Transcript.from_turns("x", [("I", "Hi")])
    b = Transcript.from_turns("x", [("I", "Hi!")])
    assert a.content_hash != b.content_hash


def test_segment_ids_round_trip():
    assert parse_segment_id(make_segment_id("int@x", 3, 10)) == ("int@x", 3, 10)


def test_suggestion_and_coding_validate():
    s = Suggestion("int-01@0-5", "trust.issuer_reputation", 0.7, "rules", "matched 'issuer'")
    assert (s.transcript_id, s.start, s.end) == ("int-01", 0, 5)
    with pytest.raises(ValueError):
        Suggestion("a@0-1", "c", 1.5, "x", "")
    with pytest.raises(ValueError):
        Coding("a", 5, 5, "c", "AB")


def test_format_timestamp():
    assert format_timestamp(3723) == "01:02:03"
    assert format_timestamp(None) == ""
