"""The sample study in transcripts/: it reads cleanly, and the gold coding lands on whole words."""
from __future__ import annotations

import importlib.util

import pandas as pd
import pytest

import mcqual as mq


@pytest.fixture(scope="module")
def study(root):
    return mq.read_transcripts(root / "transcripts")


@pytest.fixture(scope="module")
def sources(root):
    spec = importlib.util.spec_from_file_location("build", root / "transcripts" / "build.py")
    build = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(build)
    return build.load_sources(root / "transcripts" / "src")


def test_every_sample_transcript_reads_without_error(study):
    assert study.errors == []
    assert len(study) >= 12
    groups = {t.attributes.get("respondent_group") for t in study}
    assert {"learner", "employer", "provider", "stakeholder"} <= groups


def test_sources_are_realistic_length_and_formats(sources):
    formats = {s["format"] for s in sources}
    assert {"teams", "otter", "word_transcribe", "focus_group", "unlabelled"} <= formats
    assert formats & {"handtyped_block", "handtyped_table"}
    for s in sources:
        words = sum(len(t["text"].split()) for t in s["turns"])
        assert 1500 <= words <= 4000, (s["id"], words)


def test_guide_marks_name_real_questions(sources, root):
    guide = mq.load_guide(root / "codebook" / "interview_guide.yaml")
    ids = {q.id for q in guide.questions()}
    marks = [t["question"] for s in sources for t in s["turns"] if t.get("question")]
    assert len(marks) >= 12 * 6
    assert set(marks) <= ids


def test_cases_sheet_matches_transcripts(study, root):
    cases = pd.read_csv(root / "transcripts" / "cases.csv")
    assert set(cases["case_id"]) == set(study.ids)


def test_gold_coding_lands_on_whole_words(study, root):
    gold = pd.read_csv(root / "transcripts" / "gold_codings.csv")
    codebook = mq.load_codebook(root / "codebook" / "microcredentials.yaml")
    assert set(gold["code"]) <= set(codebook.ids)
    for r in gold.itertuples():
        text = study[r.transcript_id].text
        assert 0 <= r.start < r.end <= len(text)
        assert r.start == 0 or not (text[r.start - 1].isalnum() and text[r.start].isalnum()), r
        assert r.end == len(text) or not (text[r.end - 1].isalnum() and text[r.end].isalnum()), r
        turn = study[r.transcript_id].turn_at(r.start)
        assert turn is not None and r.end <= turn.end, "a gold coding stays inside one turn"


def test_gold_coder1_codes_every_interview_on_respondent_turns(study, root):
    gold = pd.read_csv(root / "transcripts" / "gold_codings.csv")
    first = gold[gold.coder == "coder1"]
    assert set(first["transcript_id"]) == set(study.ids)
    assert first.groupby("transcript_id").size().min() >= 15
    for r in first.itertuples():
        turn = study[r.transcript_id].turn_at(r.start)
        assert turn.role != "interviewer", f"{r.transcript_id}: a gold coding on an interviewer turn"


def test_gold_has_a_second_coder_on_four_interviews(study, root):
    gold = pd.read_csv(root / "transcripts" / "gold_codings.csv")
    coders = list(dict.fromkeys(gold["coder"]))
    assert coders[0] == "coder1" and len(coders) >= 2
    second = set(gold.loc[gold.coder == coders[1], "transcript_id"])
    assert len(second) >= 4
    assert len(gold[gold.coder == coders[0]]) >= 12 * 10
    for coder in coders[1:]:  # the other coders code whole interviews too, on respondent turns only
        theirs = gold[gold.coder == coder]
        assert theirs.groupby("transcript_id").size().min() >= 15, coder
        for r in theirs.itertuples():
            assert study[r.transcript_id].turn_at(r.start).role != "interviewer", (coder, r)


def test_gold_coders_agree_like_people_not_copies(root):
    """Independent coders agree well but not perfectly: identical spans everywhere would mean a copy."""
    gold = pd.read_csv(root / "transcripts" / "gold_codings.csv")
    first = gold[gold.coder == "coder1"]
    for coder in sorted(set(gold.coder) - {"coder1"}):
        theirs = gold[gold.coder == coder]
        shared = set(theirs.transcript_id)
        a = set(first[first.transcript_id.isin(shared)][["transcript_id", "start", "end", "code"]]
                .itertuples(index=False, name=None))
        b = set(theirs[["transcript_id", "start", "end", "code"]].itertuples(index=False, name=None))
        same = len(a & b) / max(1, len(a | b))
        assert same < 0.9, f"{coder}: {same:.0%} of spans identical to coder1"
