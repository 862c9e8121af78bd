from __future__ import annotations

import pandas as pd
import pytest

from mcqual.corpus import Corpus, ReadFailure
from mcqual.errors import TranscriptError
from mcqual.model import Transcript


def corpus():
    a = Transcript.from_turns("a", [("I", "Why?", None, "interviewer"), ("R", "Because trust.", None, "respondent")])
    b = Transcript.from_turns("b", [("I", "And you?"), ("R", "No idea.")])
    attrs = pd.DataFrame({"respondent_group": ["employer", "learner"], "country": ["DE", "PL"]},
                         index=pd.Index(["a", "b"], name="case_id"))
    return Corpus([a, b], [ReadFailure("bad.docx", TranscriptError("E104", "truncated", path="bad.docx"))], attrs)


def test_lookup_and_attributes():
    c = corpus()
    assert c.ids == ["a", "b"] and len(c) == 2
    assert c["a"].attributes["respondent_group"] == "employer"
    assert c.filter(country="PL").ids == ["b"]
    assert c[0].id == "a"


def test_to_frame_joins_attributes():
    df = corpus().to_frame()
    assert len(df) == 4
    assert set(df.loc[df.transcript_id == "b", "country"]) == {"PL"}


def test_summary_lists_failures_and_groups():
    s = corpus().summary()
    assert "2 transcripts, 4 turns" in s and "1 failed" in s
    assert "employer 1" in s and "[E104] bad.docx" in s


def test_duplicate_ids_rejected():
    t = Transcript.from_turns("a", [("I", "x")])
    with pytest.raises(TranscriptError) as e:
        Corpus([t, t])
    assert e.value.code == "E114"


def test_html_shows_errors():
    html = corpus()._repr_html_()
    assert "E104" in html and "employer" in html
