"""The main job (`mcqual run` / `make demo`) on a tiny study: every stage, rules only, no model."""
from __future__ import annotations

import pandas as pd
from rich.console import Console

from mcqual.pipeline import run_all

CODEBOOK = """
name: tiny
version: "1"
codes:
  - id: trust
    label: Trust
    codable: false
    children:
      - id: trust.issuer
        label: Issuer
        definition: Who issued the credential.
        keywords: [university, issuer]
      - id: trust.exam
        label: Exam
        definition: How it was assessed.
        keywords: [exam, test]
"""

GUIDE = """
name: tiny guide
topics:
  - id: t
    label: Trust
    questions:
      - {id: t.who, text: "Who issued your certificate?"}
      - {id: t.exam, text: "How were you assessed in the exam?"}
"""


def _study(tmp_path):
    folder = tmp_path / "study"
    (folder / "survey").mkdir(parents=True)
    texts = {
        "a": "Interviewer: Who issued your certificate?\n\nR1: The university of Gent issued it.\n\n"
             "Interviewer: How were you assessed in the exam?\n\nR1: A written exam and a practical test.\n",
        "b": "Interviewer: Who issued your certificate?\n\nR2: A private issuer, nobody knows them.\n\n"
             "Interviewer: And the exam?\n\nR2: There was no exam at all.\n",
    }
    for tid, text in texts.items():
        (folder / f"{tid}.txt").write_text(text, encoding="utf-8")
    pd.DataFrame({"case_id": ["a", "b"], "respondent_group": ["learner", "employer"]}).to_csv(
        folder / "cases.csv", index=False)
    (folder / "survey" / "s.csv").write_text(
        "respondent_id;country;Q1. Why do you trust a credential?\nR1;BE;Because the university issued it.\n"
        "R2;NL;A real exam, nothing else.\n", encoding="utf-8-sig")
    (folder / "survey" / "coded_answers.csv").write_text(
        "respondent_id,question,code\nR1,Q1,trust.issuer\nR2,Q1,trust.exam\n", encoding="utf-8")
    cb = tmp_path / "cb"
    cb.mkdir()
    (cb / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    (cb / "interview_guide.yaml").write_text(GUIDE, encoding="utf-8")
    return folder, cb / "codebook.yaml"


def test_run_all_on_a_tiny_study(tmp_path):
    folder, codebook = _study(tmp_path)
    from mcqual.io.transcripts import read_transcripts

    corpus = read_transcripts(folder)
    gold = []  # two coders; c2 misses one exam coding
    for coder in ("c1", "c2"):
        for t in corpus:
            for code, word in (("trust.issuer", "issue"), ("trust.exam", "exam")):
                if coder == "c2" and t.id == "b" and code == "trust.exam":
                    continue
                at = t.text.index(word, t.turns[1].start)
                gold.append({"transcript_id": t.id, "start": at, "end": at + len(word), "code": code,
                             "coder": coder})
    pd.DataFrame(gold).to_csv(folder / "gold_codings.csv", index=False)

    out = tmp_path / "out"
    console = Console(record=True, width=200)
    code = run_all(folder, codebook, out, embeddings=False, console=console)
    text = console.export_text()
    assert code == 0
    assert "human–human (c1 vs c2, " in text and "human–machine" in text
    assert "2 survey respondents with 2 open answers" in text
    assert "guide questions found in 2 transcripts" in text
    for name in ("agreement_gold.csv", "agreement_suggestions.csv", "question_grid.xlsx", "question_grid.docx",
                 "code_x_group.csv", "code_x_survey_question.csv", "mcqual_report.xlsx", "mcqual_report.docx",
                 "mcqual_project.qdpx", "alignment.csv"):
        assert (out / name).exists(), name
    agree = pd.read_csv(out / "agreement_gold.csv")
    assert set(agree["code"]) >= {"trust.issuer", "trust.exam"}
    by_group = pd.read_csv(out / "code_x_group.csv")
    assert any(c.startswith("survey") for c in by_group.columns)
    # a second run keeps every decision and adds nothing twice
    before = pd.read_csv(out / "codings.csv")
    assert run_all(folder, codebook, out, embeddings=False, console=Console(record=True)) == 0
    assert len(pd.read_csv(out / "codings.csv")) == len(before)
