"""The review workbook round trip: suggestions out to Excel, decisions back into the project."""
from __future__ import annotations

import io

import openpyxl
import pytest

import mcqual as mq
from mcqual.errors import ExchangeError, ProjectError
from mcqual.export.review_workbook import (HIDDEN, import_review, read_review_workbook, trim_quote,
                                           write_review_workbook)


class _Fixed:
    """Suggests given codes for segments containing a word."""

    def __init__(self, rules):
        self.rules = rules

    def fit(self, segments, codebook, codings=None):
        return self

    def suggest(self, segments):
        return [mq.Suggestion(s.segment_id, code, 0.7, "demo", f"says {word!r}")
                for s in segments for word, code in self.rules if word in s.text]


@pytest.fixture()
def project(tmp_path):
    p = mq.Project.create(tmp_path / "p.mcqual")
    turns_a = [("Interviewer", "Do you trust the badge?"),
               ("Respondent", "Well. I trust the badge because my employer checks it. Anyway, next."),
               ("Interviewer", "And the price?"), ("Respondent", "=) the cost was fine, the employer paid.")]
    turns_b = [("Interviewer", "What about recognition?"), ("Respondent", "Nobody here trusts badges, it costs.")]
    p.add_transcripts([mq.Transcript.from_turns("XX01_transcript_deidentified", turns_a),
                       mq.Transcript.from_turns("XX02_transcript_deidentified", turns_b)])
    p.set_codebook(mq.Codebook([mq.Code("trust", "Trust in credentials"), mq.Code("cost", "Cost of learning"),
                                mq.Code("recognition", "Recognition")]))
    p.suggest(_Fixed([("trust", "trust"), ("cost", "cost")]))
    yield p
    p.close()


def _workbook(project):
    buf = io.BytesIO()
    write_review_workbook(buf, project.suggestions(), corpus=project.corpus(), codebook=project.codebook(),
                          project="p.mcqual")
    buf.seek(0)
    return openpyxl.load_workbook(buf)


def _save(wb) -> io.BytesIO:
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    return out


def test_workbook_reads_like_a_review_sheet(project):
    wb = _workbook(project)
    assert wb.sheetnames == ["review", "codes", "how to"]
    ws = wb["review"]
    assert "not findings" in ws["A1"].value and "mcqual review import" in ws["A1"].value
    head = [c.value for c in ws[2]]
    assert head[:11] == ["row", "case", "theme", "code", "question", "quote", "score", "reason", "decision",
                         "code as", "note"]
    rows = [dict(zip(head, [c.value for c in r])) for r in ws.iter_rows(min_row=3)]
    assert len(rows) == len(project.suggestions()) == 4
    trust = [r for r in rows if r["code_id"] == "trust"]
    assert trust[0]["code"] == "Trust in credentials" and trust[0]["question"] == "Do you trust the badge?"
    assert trust[0]["quote"].startswith("Well. I trust the badge")
    assert [r["code_id"] for r in rows] == sorted((r["code_id"] for r in rows), key=["trust", "cost"].index)
    # ids hidden at the right; a quote starting with '=' stays text
    letters = {h: openpyxl.utils.get_column_letter(i + 1) for i, h in enumerate(head)}
    assert all(ws.column_dimensions[letters[h]].hidden for h in HIDDEN)
    assert not ws.column_dimensions[letters["quote"]].hidden
    eq = [c for c in ws[letters["quote"]] if isinstance(c.value, str) and c.value.startswith("=")]
    assert eq and all(c.data_type == "s" for c in eq)
    # a drop-down on decision and on 'code as' (from the codes sheet)
    dvs = ws.data_validations.dataValidation
    assert any('"accept,reject,code as"' == dv.formula1 for dv in dvs)
    assert any(dv.formula1.startswith("codes!$A$2") for dv in dvs)
    assert ws.auto_filter.ref.startswith("A2:") and ws.freeze_panes == "C3"
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$2:$2"


def test_round_trip_accept_reject_code_as_and_notes(project):
    wb = _workbook(project)
    ws = wb["review"]
    head = [c.value for c in ws[2]]
    col = {h: i + 1 for i, h in enumerate(head)}
    by_id = {ws.cell(row=r, column=col["suggestion_id"]).value: r for r in range(3, ws.max_row + 1)}
    sugg = project.suggestions().set_index("suggestion_id")
    ids = list(sugg.index)
    ws.cell(row=by_id[ids[0]], column=col["decision"]).value = "accept"
    ws.cell(row=by_id[ids[0]], column=col["note"]).value = "clear case"
    ws.cell(row=by_id[ids[1]], column=col["decision"]).value = "Reject"
    ws.cell(row=by_id[ids[2]], column=col["decision"]).value = "code as"
    ws.cell(row=by_id[ids[2]], column=col["code as"]).value = "Recognition"  # a label works
    res = import_review(project, _save(wb), coder="AB")
    assert (res.accepted, res.rejected, res.recoded, res.undecided, res.problems) == (1, 1, 1, 1, [])
    cod = project.codings()
    assert sorted(cod["code"]) == sorted([sugg.loc[ids[0], "code"], "recognition"]) and set(cod["coder"]) == {"AB"}
    left = project.suggestions(status="pending")
    assert list(left["suggestion_id"]) == [ids[3]]
    log = project.history(suggestion_id=int(ids[0]))
    assert "clear case" in log.astype(str).to_string()  # the note is kept with the decision
    # importing the same file again records nothing new
    again = import_review(project, _save(wb), coder="AB")
    assert again.recorded == 0 and again.unchanged == 3 and len(project.codings()) == 2
    assert "AB" in repr(again) or "AB" in str(again)
    assert "Review imported" in again._repr_html_()


def test_bad_rows_are_reported_and_the_batch_goes_on(project):
    wb = _workbook(project)
    ws = wb["review"]
    head = [c.value for c in ws[2]]
    col = {h: i + 1 for i, h in enumerate(head)}
    ws.cell(row=3, column=col["decision"]).value = "maybe"                       # E342
    ws.cell(row=4, column=col["decision"]).value = "code as"                     # E343: no code
    ws.cell(row=5, column=col["decision"]).value = "accept"
    ws.cell(row=6, column=col["decision"]).value = "accept"
    ws.cell(row=6, column=col["suggestion_id"]).value = 99999                    # E341
    ws.append([None] * (col["suggestion_id"] - 1) + [ws.cell(row=5, column=col["suggestion_id"]).value])
    ws.cell(row=7, column=col["decision"]).value = "reject"                      # E344 with row 5
    res = import_review(project, _save(wb), coder="AB")
    assert [(r, c) for r, c, _ in res.problems] == [(3, "E342"), (4, "E343"), (6, "E341"), (7, "E344")]
    assert res.recorded == 0  # the two rows deciding one suggestion differently are both skipped
    text = str(res)
    assert "[E342] row 3" in text and "maybe" in text


def test_not_a_review_workbook_and_missing_coder(project, tmp_path):
    other = openpyxl.Workbook()
    with pytest.raises(ExchangeError) as err:
        import_review(project, _save(other), coder="AB")
    assert err.value.code == "E340"
    (tmp_path / "x.xlsx").write_bytes(b"not a zip")
    with pytest.raises(ExchangeError) as err:
        read_review_workbook(tmp_path / "x.xlsx")
    assert err.value.code == "E340"
    with pytest.raises(ProjectError) as err:
        import_review(project, _save(_workbook(project)))
    assert err.value.code == "E310"


def test_quotes_are_trimmed_to_the_evidence_and_a_cap():
    text = "Hello there. " * 3 + "I trust it because they check. " + "More words here. " * 50
    start = text.index("I trust")
    q = trim_quote(text, 0, len(text), [(start, start + 7, "hit")])
    assert q == "I trust it because they check."
    long = trim_quote(text, 0, len(text), max_words=20)
    assert long.endswith("…") and len(long.split()) <= 21


def test_a_filled_in_workbook_is_never_overwritten_before_import(project, tmp_path):
    from rich.console import Console

    from mcqual.export.review_workbook import unimported
    from mcqual.pipeline import review_stage

    console = Console(record=True, width=300)
    path = review_stage(project, tmp_path, console, project.suggestions())
    pending = project.suggestions()["suggestion_id"]
    assert unimported(path, pending) == 0
    wb = openpyxl.load_workbook(path)
    ws = wb["review"]
    head = [c.value for c in ws[2]]
    ws.cell(row=3, column=head.index("decision") + 1).value = "accept"
    wb.save(path)
    assert unimported(path, pending) == 1
    before = path.read_bytes()
    review_stage(project, tmp_path, console, project.suggestions())  # a second run before the import
    assert path.read_bytes() == before and "not imported yet" in console.export_text()
    assert import_review(project, path, coder="AB").accepted == 1
    review_stage(project, tmp_path, console, project.suggestions(status="pending"))  # now it may be rewritten
    assert openpyxl.load_workbook(path)["review"].max_row == 2 + len(project.suggestions(status="pending"))


def test_survey_answers_show_the_survey_question(tmp_path):
    t = mq.Transcript.from_turns("s:R1", [("R1", "Trust comes from exams."), ("R1", "It got me a job.")],
                                 metadata={"questions": ["What makes you trust it?", "What did it change?"],
                                           "question_ids": ["Q1", "Q2"]})
    corpus = mq.Corpus([t])
    s = __import__("pandas").DataFrame({"suggestion_id": [1], "transcript_id": ["s:R1"], "start": [t.turns[1].start],
                                        "end": [t.turns[1].end], "code": ["impact"], "score": [0.5], "reason": ["x"]})
    buf = io.BytesIO()
    write_review_workbook(buf, s, corpus=corpus, codebook=mq.Codebook.from_codes(["impact"]))
    ws = openpyxl.load_workbook(buf)["review"]
    assert ws["E3"].value == "What did it change?" and ws["F3"].value == "It got me a job."


def test_codes_sheet_says_how_good_the_suggestions_have_been(project, tmp_path):
    """After a review, the next workbook tells per code how often its suggestions were right."""
    from rich.console import Console

    from mcqual.pipeline import _reviewer_quality
    from mcqual.text.embedders import HashingEmbedder

    console = Console(file=io.StringIO())
    assert _reviewer_quality(project, console) is None  # nobody decided anything yet: no column
    wb = _workbook(project)
    assert [c.value for c in wb["codes"][1]] == ["code", "theme", "id", "definition"]
    sugg = project.suggestions()
    trust = sugg[sugg.code == "trust"]["suggestion_id"].tolist()
    project.accept(trust[0], coder="AB")
    project.reject(trust[1:], coder="AB")
    quality = project.quality(coder="AB", embedder=HashingEmbedder())
    buf = io.BytesIO()
    write_review_workbook(buf, project.suggestions(status="pending"), corpus=project.corpus(),
                          codebook=project.codebook(), quality=quality)
    codes = openpyxl.load_workbook(io.BytesIO(buf.getvalue()))["codes"]
    assert codes.cell(row=1, column=5).value == "how good so far"
    by_id = {codes.cell(row=r, column=3).value: codes.cell(row=r, column=5).value for r in range(2, codes.max_row + 1)}
    assert by_id["trust"] == quality.summary_for("trust") and by_id["trust"].startswith("1 of the 2 suggestions")
    assert by_id["recognition"].startswith("no decisions on")
    # the pipeline picks the reviewing coder by their decisions
    assert _reviewer_quality(project, console, coder="nobody") is None
