from __future__ import annotations

import pandas as pd
import pytest

from mcqual.corpus import Corpus
from mcqual.errors import PrivacyError
from mcqual.model import Transcript
from mcqual.privacy import load_mapping, pseudonymise


def corpus():
    a = Transcript.from_turns(
        "a", [("Interviewer", "Welcome, Joana. How did Siemens see the badge?", None, "interviewer"),
              ("Joana Silva", "My boss, Peter Graf, said Siemens trusts it. Write to j.silva@mail.pt.", None,
               "respondent")],
        metadata={"interviewer": "Eva Lind", "respondent": "Joana Silva (pseudonym)"})
    b = Transcript.from_turns("b", [("Eva Lind", "Hi Peter."), ("Peter Graf", "Hello Eva, call 0043 664 1234567.")])
    return Corpus([a, b])


def test_names_are_replaced_consistently_across_transcripts():
    res = pseudonymise(corpus(), names={"Siemens": "ORG"})
    ta, tb = res.corpus["a"], res.corpus["b"]
    assert "Joana" not in ta.text and "Siemens" not in ta.text and "Peter" not in tb.text
    ph = res.mapping["Peter Graf"]
    assert ph in ta.text and tb.turns[1].speaker == ph and tb.turns[0].text == f"Hi {ph}."
    assert res.mapping["Siemens"] == "[ORG-1]" and ta.text.count("[ORG-1]") == 2
    assert "[EMAIL-1]" in ta.text and "[PHONE-1]" in tb.text
    assert ta.metadata["interviewer"] == res.mapping["Eva Lind"]
    for t in res.corpus:  # turns stay views on the text
        for turn in t.turns:
            assert t.text[turn.start:turn.end] == turn.text


def test_result_says_which_detectors_ran():
    res = pseudonymise(corpus())
    assert "speakers" in res.detectors and "patterns" in res.detectors
    if "ner" not in res.detectors:
        assert "ner" in res.skipped_detectors
    with pytest.raises(PrivacyError):
        pseudonymise(corpus(), detectors=["telepathy"])


def test_codings_stay_anchored():
    c = corpus()
    text = c["a"].text
    q = "said Siemens trusts it"
    start = text.index(q)
    codings = pd.DataFrame([{"transcript_id": "a", "start": start, "end": start + len(q), "code": "trust"}])
    res = pseudonymise(c, names={"Siemens": "ORG"})
    mapped = res.map_codings(codings)
    new = res.corpus["a"].text[mapped.start[0]:mapped.end[0]]
    assert new == "said [ORG-1] trusts it"


def test_mapping_file_round_trip_keeps_placeholders(tmp_path):
    res = pseudonymise(corpus())
    path = res.save_mapping(tmp_path / "keys" / "mapping.csv")
    again = pseudonymise(corpus(), mapping=path)
    assert again.mapping == res.mapping
    assert load_mapping(path)["Eva Lind"][0] == res.mapping["Eva Lind"]


def test_keep_and_generic_labels():
    res = pseudonymise(corpus(), keep=["Joana"])
    assert "Interviewer" not in res.mapping
    assert "Joana" in res.corpus["a"].turns[0].text
