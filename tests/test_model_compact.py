"""TurnList and ParagraphList: compact storage that behaves like the tuples it replaces."""
from __future__ import annotations

import pickle

import pytest

from mcqual.model import Paragraph, ParagraphList, Transcript, Turn, TurnList


def _t():
    return Transcript.from_turns("x", [("Interviewer", "Why?", 1.5, "interviewer"), ("R", "Because.", None, None),
                                       (None, "Mm.", 9.0, "other")])


def test_turnlist_indexes_slices_and_compares_like_a_tuple():
    t = _t()
    assert isinstance(t.turns, TurnList) and len(t.turns) == 3
    assert t.turns[-1].text == "Mm." and t.turns[-1].speaker is None and t.turns[-1].role == "other"
    assert t.turns[0].timestamp == 1.5 and t.turns[1].timestamp is None
    assert t.turns[1:] == (t.turns[1], t.turns[2]) and isinstance(t.turns[1:], tuple)
    assert t.turns == tuple(t.turns) and t.turns != () and Transcript("e", "").turns == ()
    assert t.turns + () == tuple(t.turns)
    with pytest.raises(IndexError):
        t.turns[3]
    assert [x.index for x in t.turns] == [0, 1, 2]
    assert t.turn_at(t.turns[1].start + 2).index == 1 and t.turn_at(len(t.text) + 5) is None


def test_turnlist_pickles_and_survives_a_rebuild():
    t = _t()
    again = pickle.loads(pickle.dumps(t.turns))
    assert again == t.turns and again[1].text == "Because."
    copy = Transcript(t.id, t.text, tuple(t.turns))
    assert copy.turns == t.turns


def test_turns_from_another_text_are_checked():
    t = _t()
    with pytest.raises(ValueError):
        Transcript("y", "something else entirely", t.turns)


def test_paragraphlist_keeps_every_field():
    ps = [Paragraph(0, 0, 4, "word/document.xml", "body", "I: Why?"),
          Paragraph(1, -1, -1, "word/header1.xml", "header", "Interview 7"),
          Paragraph(2, 6, 14, "word/document.xml", "table", "")]
    pl = ParagraphList.from_paragraphs(ps)
    assert pl == ps and pl[1].source_text == "Interview 7" and pl[-1].kind == "table"
    assert pickle.loads(pickle.dumps(pl)) == ps
    assert ParagraphList.from_paragraphs([Paragraph(0, 0, 1, "text", "custom-kind", "a")])[0].kind == "custom-kind"
