"""Real transcripts written by others, rebuilt by hand in the same shape (issue 20).

* Otter's text export without timestamps: a speaker label alone on its line, then the text;
* an Otter Word file edited by hand, where one label lost its time (``DC10`` alone among ``DC10  10:22``);
* a hand-typed interview opening with a profile header (``Interviewee: Sarah Chen, 24, …``).
"""
from __future__ import annotations

import sys
from pathlib import Path

import mcqual as mq

sys.path.insert(0, str(Path(__file__).resolve().parent))
from docx_factory import make_docx, p  # noqa: E402

OTTER_TXT = """Researcher
Okay, so our first question is about the badge you got last spring. What made you apply for it?

Unknown Speaker
Why white? I mean, why that one? Honestly my manager said the company would pay for it, and it was online.

Researcher
And did anybody ask to see it afterwards?

Unknown Speaker
Not really. I put it on LinkedIn and a recruiter wrote to me, but nobody checked it.
It was more for me, to see that I could still study.

Researcher
That's helpful, thank you.
"""


def test_otter_text_export_without_timestamps(tmp_path):
    f = tmp_path / "otter_no_times.txt"
    f.write_text(OTTER_TXT, encoding="utf-8")
    t = mq.read_transcripts([f])["otter_no_times"]
    assert [x.speaker for x in t.turns] == ["Researcher", "Unknown Speaker"] * 2 + ["Researcher"]
    assert t.turns[0].text.startswith("Okay, so our first question")
    assert t.turns[1].text.startswith("Why white?") and "Researcher" not in t.text
    assert t.turns[3].text.endswith("still study.") and "\n" in t.turns[3].text  # two lines, one turn
    assert t.turns[0].role == "interviewer" and t.turns[1].role == "other"
    assert t.metadata["layout"] == "labelled"


def test_a_short_recurring_line_in_prose_is_not_a_label(tmp_path):
    f = tmp_path / "notes.txt"
    f.write_text("Summary\nWe met twice in Brussels.\n\nBackground\nThe badge was issued in 2023.\n\n"
                 "Next steps\nWrite to the issuer.\n", encoding="utf-8")
    t = mq.read_transcripts([f])["notes"]
    assert all(x.speaker is None for x in t.turns)


def _otter_docx(path, lost: set[int]):
    """Otter's Word layout: ``Name  M:SS`` paragraph, then the text paragraph; ``lost`` labels lost their time."""
    turns = [("DC10", "10:22", "So when you finished the course, what did you do with the certificate?"),
             ("Anna Kowalska", "10:31", "I sent it to HR. They added it to my file, but nothing changed."),
             ("DC10", "10:58", "Nothing at all? Not even a conversation?"),
             ("Anna Kowalska", "11:05", "A short one. My line manager had never heard of micro-credentials."),
             ("DC10", "11:40", "Interesting. And the second badge, the one on data protection?"),
             ("Anna Kowalska", "11:52", "That one mattered, because the auditor asked for proof of training.")]
    body = []
    for k, (name, time, text) in enumerate(turns):
        body.append(p(name if k in lost else f"{name}  {time}"))
        body.append(p(text))
    make_docx(path, body)
    return turns


def test_hand_edited_otter_word_label_that_lost_its_time(tmp_path):
    f = tmp_path / "DC10_interview.docx"
    turns = _otter_docx(f, lost={2, 5})
    t = mq.read_transcripts([f])["DC10_interview"]
    assert [x.speaker for x in t.turns] == [s for s, _, _ in turns]
    assert [x.text for x in t.turns] == [x for _, _, x in turns]
    assert t.turns[2].timestamp is None and t.turns[0].timestamp == 622.0
    assert "DC10" not in t.text


def test_profile_header_goes_to_metadata(tmp_path):
    f = tmp_path / "interview_sarah.txt"
    f.write_text(
        "Interviewee: Sarah Chen, 24, undergraduate student in computer science at a Dublin university, "
        "holds two digital badges\n"
        "Interviewer: Mark\n\n"
        "Mark: Thanks for joining. Can you tell me about the first badge you earned?\n"
        "Sarah: It was a short course on cloud basics, about six weeks, fully online.\n"
        "Mark: Did an employer ever ask about it?\n"
        "Sarah: Once, at an internship interview. They wanted to know who issued it.\n",
        encoding="utf-8")
    t = mq.read_transcripts([f])["interview_sarah"]
    assert [x.speaker for x in t.turns] == ["Mark", "Sarah", "Mark", "Sarah"]
    assert "Sarah Chen, 24" in str(t.metadata.get("interviewee") or t.metadata.get("respondent") or "")
    assert "undergraduate" not in t.text
    assert t.turns[1].role == "respondent" and t.turns[0].role == "interviewer"


def test_short_replies_that_recur_in_an_unlabelled_transcript_stay_speech(tmp_path):
    f = tmp_path / "unlabelled.docx"
    paras = []
    for k in range(8):
        paras += [p(f"Could you say more about the course you took in year {k}?"),
                  p("Right" if k % 2 else "Exactly"),
                  p(f"It was online, about {k + 4} weeks, and the certificate came by e-mail.")]
    make_docx(f, paras)
    t = mq.read_transcripts([f])["unlabelled"]
    assert all(x.speaker is None for x in t.turns) and len(t.turns) == 24


def test_otter_text_export_with_full_names_and_ids(tmp_path):
    for labels in (("Marek Nowak", "Anna Kowalska"), ("DC10", "P2")):
        f = tmp_path / "otter_names.txt"
        f.write_text(OTTER_TXT.replace("Unknown Speaker", labels[1]).replace("Researcher", labels[0]),
                     encoding="utf-8")
        t = mq.read_transcripts([f])["otter_names"]
        assert [x.speaker for x in t.turns] == list(labels) * 2 + [labels[0]], labels
