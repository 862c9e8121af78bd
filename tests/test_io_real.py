"""Real files written by others (../shared/data) and the sample study's transcripts (transcripts/)."""
from __future__ import annotations

import csv
import re
import sys

import pytest

from mcqual.io.docx import read_docx
from mcqual.io.text import read_text
from mcqual.io.transcripts import read_transcripts


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.mark.parametrize("name", ["interview_A", "interview_B", "interview_C"])
def test_teams_files_match_expected_turns(shared, name):
    folder = shared / "data/transcripts/docx/teams_style__ibm_qux360"
    t = read_docx(folder / f"{name}.docx")
    with open(folder / f"{name}_expected.csv", encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert len(t.turns) == len(rows)
    for turn, row in zip(t.turns, rows):
        assert turn.speaker == row["speaker"]
        assert squash(turn.text) == squash(row["statement"])
        m, s = row["timestamp"].split(":")
        assert turn.timestamp == int(m) * 60 + int(s)
    assert [t.turns[0].role, t.turns[1].role] == ["interviewer", "respondent"]
    assert "Jordan Lee" not in t.text  # labels are not spoken text


def test_teams_mid_word_split_keeps_paragraph_break(shared):
    t = read_docx(shared / "data/transcripts/docx/teams_style__ibm_qux360/interview_A.docx")
    assert "design, and sale\ns to define our product roadmap." in t.turns[1].text
    assert len(t.turns[1].paragraphs) == 3  # label paragraph + two text paragraphs


def test_qualcoder_greek_and_footnotes(shared):
    folder = shared / "data/transcripts/docx/edge_cases__qualcoder"
    t = read_docx(folder / "test_file.docx")
    assert "Αυτή είναι μια δοκιμή." in [x.text for x in t.turns]
    assert "‘single smart quotes’, “double smart quotes”" in t.text
    assert "‐, –, — (for plain text: -, --, ---)" in t.text
    assert all(x.speaker is None and x.role is None for x in t.turns)
    assert "separator" not in t.text.lower()
    s = read_docx(folder / "special.chars.docx")
    assert s.turns[0].text == "This is a test with ‘single smart quotes’, “double smart quotes”."
    assert s.turns[2].text == "And here is an ellipsis: …"


def test_qualcoder_id1_unlabelled_statement(shared):
    t = read_docx(shared / "data/transcripts/docx/edge_cases__qualcoder/ID1.docx")
    assert len(t.turns) == 3 and t.speakers == []
    assert t.turns[0].text.startswith("I really like learning new things.")
    assert t.turns[1].text.endswith("like a duck to water for me - no problem at all.")
    assert t.turns[2].text.endswith("I'm happy to pay €200.")
    assert t.metadata["creator"] == "colin-2" and t.language == "en"


def test_qualcoder_text_focus_group(shared):
    t = read_text(shared / "data/transcripts/txt/qualcoder_example/transcript.txt")
    assert [x.speaker for x in t.turns] == ["id1", "id2", "id3", "id1", "id3", "id1", "id2"]
    assert t.turns[1].text == ("I am struggling with the lecture slides. I felt that they were too busy and "
                               "I switched off.")
    assert {x.role for x in t.turns} == {None}  # three equal participants: no interviewer is guessed


def test_bopp_comments(shared):
    t = read_docx(shared / "data/coded/games_as_art_llmcode/bopp_test_input.docx")
    assert len(t.comments) == 199
    assert len(t.turns) == 90  # answers separated by "-----" paragraphs
    assert "-----" not in t.text
    by_quote = {c.quote: c for c in t.comments}
    c = by_quote["I found this scene to be incredibly touching"]
    assert c.text == "emotional response" and c.author == "Author"
    assert t.text[c.start:c.end] == c.quote
    assert all(t.text[x.start:x.end] == x.quote for x in t.comments if x.start >= 0)
    assert sum(x.start >= 0 for x in t.comments) == 199
    first = t.comments[0]
    assert first.text == "serenity; beauty; ambiguity; interaction" and first.start == 0
    assert [x.start for x in t.comments] == sorted(x.start for x in t.comments)


def test_bopp_examples(shared):
    t = read_docx(shared / "data/coded/games_as_art_llmcode/bopp_test_examples.docx")
    assert len(t.comments) == 18 and t.turns
    assert t.comments[0].quote == "makes the player feel isolated an alone"


def test_every_shared_transcript_reads(shared):
    files = sorted((shared / "data/transcripts").rglob("*.docx")) + sorted(
        (shared / "data/transcripts").rglob("*.txt")) + sorted((shared / "data/coded").rglob("*.docx"))
    c = read_transcripts(files)
    assert not c.errors, c.errors
    assert len(c) == len(files) and all(len(t.turns) > 0 for t in c)


# --------------------------------------------------------------------------- the sample study
@pytest.fixture(scope="module")
def study(root):
    folder = root / "transcripts"
    if not any(folder.glob("*.docx")):
        pytest.skip("transcripts/ has not been built")
    return read_transcripts(folder)


@pytest.fixture(scope="module")
def sources(root):
    if not (root / "transcripts" / "build.py").exists():
        pytest.skip("transcripts/build.py is missing")
    sys.path.insert(0, str(root / "transcripts"))
    try:
        import build
    finally:
        sys.path.pop(0)
    return {s["id"]: s for s in build.load_sources(root / "transcripts" / "src")}


def test_sample_study_reads_without_errors(study, root):
    assert not study.errors, study.errors
    assert len(study) == len(list((root / "transcripts").glob("*.docx")))
    rows = {r["case_id"]: r for r in csv.DictReader(open(root / "transcripts/cases.csv", encoding="utf-8"))}
    for t in study:
        fmt = rows[t.id]["format"]
        if fmt == "unlabelled":
            assert t.speakers == [] and {x.role for x in t.turns} == {None}
        else:
            assert len(t.speakers) >= 2, t.id
            assert {x.role for x in t.turns} >= {"interviewer", "respondent"}, t.id
        assert t.attributes["respondent_group"] == rows[t.id]["respondent_group"]


def test_sample_study_turns_match_sources(study, sources):
    for tid, src in sources.items():
        t = study[tid]
        assert len(t.turns) == len(src["turns"]), tid
        who: dict = {}
        for turn, ref in zip(t.turns, src["turns"]):
            assert squash(turn.text) == squash(ref["text"]), (tid, turn.index)
            if src["format"] != "unlabelled":
                # one label per person, whatever the layout calls them (name, "Speaker 1", "I", "R")
                assert who.setdefault(turn.speaker, ref["speaker"]) == ref["speaker"], (tid, turn.index)
            if turn.timestamp is not None:
                assert abs(turn.timestamp - ref["timestamp"]) <= 1, (tid, turn.index)
        if src["format"] not in ("unlabelled", "handtyped_block", "dash_labels"):
            assert all(x.timestamp is not None for x in t.turns), tid


def test_sample_study_metadata(study):
    otter = [t for t in study if t.metadata.get("keywords") and t.metadata.get("speakers")]
    assert otter and all("Transcribed by" not in t.text for t in otter)
    for t in study:
        if t.metadata.get("layout") == "table":
            assert t.metadata.get("interviewer") and "Interview ID" not in t.text
        assert "CONFIDENTIAL" not in t.text
