"""The main job (`mcqual run` / `make demo`) on a tiny study: every stage, rules only, no model."""
from __future__ import annotations

import pandas as pd
import pytest
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


def _first_run_study(tmp_path):
    """Two interviews with long file stems, no gold coding, no guide, no survey: a real first run."""
    folder = tmp_path / "first"
    folder.mkdir()
    texts = {"XX01_transcript_deidentified": "Interviewer: Who issued your certificate?\n\nR1: The university issued "
                                             "it, after a written exam.\n",
             "XX02_transcript_deidentified": "Interviewer: Who issued it?\n\nR2: A private issuer. There was an exam "
                                             "too.\n"}
    for tid, text in texts.items():
        (folder / f"{tid}.txt").write_text(text, encoding="utf-8")
    pd.DataFrame({"case_id": list(texts), "respondent_group": ["learner", "employer"]}).to_csv(
        folder / "cases.csv", index=False)
    cb = tmp_path / "cb1"
    cb.mkdir()
    (cb / "codebook.yaml").write_text(CODEBOOK, encoding="utf-8")
    return folder, cb / "codebook.yaml"


def test_first_run_writes_the_review_workbook_not_findings_then_review_import(tmp_path):
    import openpyxl

    from mcqual.cli import main

    folder, codebook = _first_run_study(tmp_path)
    out = tmp_path / "out"
    console = Console(record=True, width=300)
    assert run_all(folder, codebook, out, embeddings=False, console=console) == 0
    text = console.export_text()
    assert "No reviewed codings yet, so no findings were written" in text
    assert (out / "review.xlsx").exists() and (out / "suggestions.csv").exists()
    for name in ("mcqual_report.xlsx", "mcqual_report.docx", "code_x_case.csv", "heatmap_code_x_case.png"):
        assert not (out / name).exists(), name  # suggestions are never passed off as findings
    assert not list(out.glob("UNREVIEWED_*"))
    cases = pd.read_csv(out / "cases.csv")
    assert cases["label"].tolist() == ["XX01", "XX02"]

    # the researcher accepts every suggestion in the workbook ...
    wb = openpyxl.load_workbook(out / "review.xlsx")
    ws = wb["review"]
    head = [c.value for c in ws[2]]
    assert [ws.cell(row=r, column=head.index("case") + 1).value for r in range(3, ws.max_row + 1)][0] in ("XX01", "XX02")
    for r in range(3, ws.max_row + 1):
        ws.cell(row=r, column=head.index("decision") + 1).value = "accept"
    wb.save(out / "review.xlsx")
    n = ws.max_row - 2
    # ... imports it, and exports again: now the findings count the reviewed codings
    assert main(["review", "import", str(out / "review.xlsx"), "--project", str(out / "project.mcqual"),
                 "--coder", "AB"]) == 0
    assert main(["export", str(out / "project.mcqual"), "--out", str(out), "--title", "Tiny study"]) == 0
    rep = openpyxl.load_workbook(out / "mcqual_report.xlsx")
    sheet = rep["Themes by case"]
    assert sheet["A1"].value == f"Reviewed codings by AB: {n} codings (0 hand codings, {n} accepted suggestions) in 2 cases."
    assert [c.value for c in sheet[2]] == ["Theme", "XX01", "XX02", "code id"]  # words and short labels
    assert (out / "heatmap_code_x_case.png").exists() and (out / "heatmap_code_x_case.svg").exists()
    import docx

    body = "\n".join(p.text for p in docx.Document(out / "mcqual_report.docx").paragraphs)
    assert "Tiny study" in body and "not findings" not in body


def test_findings_from_all_stamps_everything(tmp_path):
    import openpyxl

    folder, codebook = _first_run_study(tmp_path)
    out = tmp_path / "out"
    console = Console(record=True, width=300)
    assert run_all(folder, codebook, out, embeddings=False, console=console, findings_from="all") == 0
    assert "findings count: Unreviewed machine suggestions — not findings" in console.export_text()
    assert not (out / "mcqual_report.xlsx").exists()
    wb = openpyxl.load_workbook(out / "UNREVIEWED_mcqual_report.xlsx")
    stamped = [n for n in wb.sheetnames if n not in ("codings", "codings (ids)", "codebook")]
    assert stamped and all(n.startswith("UNREVIEWED ") for n in stamped)
    assert all("not findings" in wb[n]["A1"].value for n in stamped + ["codings"])
    assert (out / "UNREVIEWED_code_x_case.csv").exists() and (out / "UNREVIEWED_heatmap_code_x_case.png").exists()
    import docx

    doc = docx.Document(out / "UNREVIEWED_mcqual_report.docx")
    assert "not findings" in "\n".join(p.text for p in doc.paragraphs[:5])


def test_bad_findings_from(tmp_path):
    import pytest

    from mcqual.cli import main
    from mcqual.errors import ExchangeError

    assert main(["run", str(tmp_path), "--codebook", "x.yaml", "--findings-from", "some"]) == 2
    with pytest.raises(ExchangeError) as err:
        run_all(tmp_path, tmp_path / "x.yaml", tmp_path / "o", findings_from="some", console=Console())
    assert err.value.code == "E630"


def test_report_options_and_provenance_reach_the_word_writer(tmp_path, monkeypatch):
    """--title/--subtitle/--author/--paper/--template and what the findings count go to to_docx."""
    import mcqual as mq
    import mcqual.export
    from mcqual.pipeline import export_stage

    seen = {}

    def fake_to_docx(path, tables=None, *, codebook=None, quotes=None, figures=None, codings=None, title=None,
                     subtitle=None, author=None, paper="a4", template=None, provenance=None, corpus=None,
                     attributes=None, quotes_per_theme=3):
        seen.update(path=path, title=title, subtitle=subtitle, author=author, paper=paper, template=template,
                    provenance=provenance, figures=figures)
        path.write_bytes(b"docx")

    monkeypatch.setattr(mcqual.export, "to_docx", fake_to_docx, raising=False)
    p = mq.Project.create(tmp_path / "p.mcqual")
    p.add_transcripts([mq.Transcript.from_turns("XX01_interview", [("I", "Trust?"), ("R", "I trust the exam.")]),
                       mq.Transcript.from_turns("XX02_interview", [("I", "Trust?"), ("R", "No exam at all.")])])
    p.set_codebook(mq.Codebook.from_codes(["trust"]))
    p.code("XX01_interview", 7, 23, "trust", coder="AB")
    console = Console(record=True, width=300)
    found = export_stage(p, tmp_path / "out", console, report={"title": "Tiny", "subtitle": "Wave 1",
                                                                "author": "Team", "paper": "letter",
                                                                "template": None, "unknown": 1})
    assert found.reviewed and found.text.startswith("Reviewed codings by AB: 1 coding")
    assert (seen["title"], seen["subtitle"], seen["author"], seen["paper"]) == ("Tiny", "Wave 1", "Team", "letter")
    assert seen["provenance"] == {"reviewed": True, "coders": ["AB"], "text": found.text}
    assert "ignores unknown" in console.export_text()
    assert [str(f[0].name) for f in seen["figures"]][:1] == ["heatmap_code_x_case.png"]
    p.close()


def test_long_case_lists_are_split_into_figures_by_group():
    from mcqual.pipeline import case_parts

    cases = [f"c{i:02d}" for i in range(90)]
    m = pd.DataFrame([[1] * 90], index=["trust"], columns=cases)
    attrs = pd.DataFrame({"respondent_group": ["learner"] * 60 + ["employer"] * 30}, index=cases)
    parts = case_parts(m, attrs)
    assert [(n, p.shape[1]) for n, p in parts] == [("learner (1 of 2)", 40), ("learner (2 of 2)", 20),
                                                   ("employer", 30)]
    assert [n for n, _ in case_parts(m)] == ["cases 1 of 3", "cases 2 of 3", "cases 3 of 3"]
    assert case_parts(m.iloc[:, :40])[0][0] == ""


def test_cli_step_shows_progress_with_an_eta():
    """The command line's status line is a progress= target: begin(total, desc), then items done."""
    import io

    from rich.console import Console

    from mcqual._progress import progress_bar
    from mcqual.pipeline import _Step

    console = Console(file=io.StringIO(), force_terminal=False)
    with _Step(console, "suggesting codes") as step:
        with progress_bar(10, "embedding segments", enable=step.progress) as bar:
            bar(4)
        assert (step.total, step.done, step.desc) == (10, 4, "embedding segments")
    assert "suggesting codes" in console.file.getvalue()


@pytest.mark.postgres
def test_run_on_a_postgresql_project(tmp_path, pg_url):
    """`mcqual run --project postgresql://…` creates the project in its schema, and a re-run reuses it."""
    import mcqual as mq
    from mcqual.pipeline import _open_or_create

    p = _open_or_create(pg_url)
    try:
        assert p.summary()["transcripts"] == 0
    finally:
        p.close()
    again = _open_or_create(pg_url)
    again.close()
    assert isinstance(mq.Project.open(pg_url), mq.Project)
