"""question_grid and guide_crosstab on hand-built structural codings."""
from __future__ import annotations

import pandas as pd
import pytest

import mcqual as mq
from mcqual.errors import AnalysisError
from mcqual.guide import Guide, Question, Topic


def _guide():
    return Guide([Topic("t", "Trust", (Question("t.why", "Why do you trust it?", topic="t", index=0),
                                       Question("t.who", "Who issued it?", topic="t", index=1))),
                  Topic("r", "Recognition", (Question("r.credit", "Does it count for credit?", topic="r", index=2),))])


def _t(tid, pairs):
    turns = []
    for q, a in pairs:
        turns += [("I", q, None, "interviewer"), ("R", a, None, "respondent")]
    return mq.Transcript.from_turns(tid, turns)


@pytest.fixture
def study():
    a = _t("a", [("Why do you trust it?", "Because a university checks it."), ("Who issued it?", "The TU Delft.")])
    b = _t("b", [("Who issued it?", "A bootcamp."), ("Mm, and?", "And a chamber co-signed it.")])
    sc = pd.DataFrame([
        {"transcript_id": "a", "start": a.turns[0].start, "end": a.turns[1].end, "code": "guide.t.why"},
        {"transcript_id": "a", "start": a.turns[2].start, "end": a.turns[3].end, "code": "guide.t.who"},
        {"transcript_id": "b", "start": b.turns[0].start, "end": b.turns[3].end, "code": "guide.t.who"},
        {"transcript_id": "b", "start": 0, "end": len(b.text), "code": "guide.t"},  # a topic code: ignored
        {"transcript_id": "b", "start": 0, "end": 5, "code": "trust.issuer"},  # a thematic code: ignored
    ])
    corpus = mq.Corpus([a, b])
    return a, b, sc, corpus


def test_grid_cells_are_the_respondents_answers(study):
    a, b, sc, corpus = study
    g = mq.question_grid(sc, corpus, guide=_guide())
    assert list(g.index) == ["t.why", "t.who", "r.credit"] and list(g.columns) == ["a", "b"]
    assert g.loc["t.why", "a"] == "Because a university checks it."
    assert g.loc["t.who", "b"] == "A bootcamp. And a chamber co-signed it."  # interviewer follow-up left out
    assert g.loc["t.why", "b"] == "" and g.loc["r.credit", "a"] == ""  # unasked: empty


def test_long_form_links_back_by_offsets(study):
    a, b, sc, corpus = study
    lf = mq.question_grid(sc, corpus, guide=_guide(), long=True)
    row = lf[(lf.transcript_id == "b") & (lf.question == "t.who")].iloc[0]
    pieces = [b.text[s:e] for s, e in zip(row.answer_starts, row.answer_ends)]
    assert pieces == ["A bootcamp.", "And a chamber co-signed it."]
    assert row.question_text == "Who issued it?" and row.words == 7


def test_words_and_repeated_question_and_by(study):
    a, b, sc, corpus = study
    twice = pd.concat([sc, pd.DataFrame([{"transcript_id": "a", "start": a.turns[2].start, "end": a.turns[3].end,
                                          "code": "guide.t.why"}])], ignore_index=True)
    g = mq.question_grid(twice, corpus, words=2)
    assert g.loc["t.why", "a"] == "Because a …"
    full = mq.question_grid(twice, corpus)
    assert full.loc["t.why", "a"] == "Because a university checks it. […] The TU Delft."
    attrs = pd.DataFrame({"respondent_group": ["learner", "employer"]}, index=["a", "b"])
    gb = mq.question_grid(sc, corpus, by="respondent_group", attributes=attrs)
    assert list(gb.columns) == [("employer", "b"), ("learner", "a")]
    assert gb.columns.names == ["respondent_group", "case"]
    with pytest.raises(AnalysisError, match="unknown case attribute"):
        mq.question_grid(sc, corpus, by="sector", attributes=attrs)


def test_grid_errors(study):
    a, b, sc, corpus = study
    with pytest.raises(AnalysisError, match="not in the corpus"):
        mq.question_grid(sc, [a])
    with pytest.raises(AnalysisError, match="needs the corpus"):
        mq.question_grid(sc, None)


def test_grid_from_alignment():
    from mcqual.text.embedders import HashingEmbedder

    t = _t("a", [("Who issued it?", "The chamber."), ("Does it count for credit?", "No, never.")])
    al = mq.align_guide([t], _guide(), embedder=HashingEmbedder())
    g = mq.question_grid(al, [t], guide=_guide())
    assert g.loc["t.who", "a"] == "The chamber." and g.loc["r.credit", "a"] == "No, never."


def test_crosstab_counts_thematic_codes_under_questions(study):
    a, b, sc, corpus = study
    th = pd.DataFrame([
        {"transcript_id": "a", "start": a.turns[1].start, "end": a.turns[1].end, "code": "trust.qa"},
        {"transcript_id": "a", "start": a.turns[3].start, "end": a.turns[3].end, "code": "trust.issuer"},
        {"transcript_id": "b", "start": b.turns[1].start, "end": b.turns[1].end, "code": "trust.issuer"},
        {"transcript_id": "b", "start": b.turns[3].start, "end": b.turns[3].end, "code": "trust.issuer"},
    ])
    ct = mq.guide_crosstab(th, sc, guide=_guide())
    assert list(ct.columns) == ["t.why", "t.who", "r.credit"]
    assert ct.loc["trust.issuer", "t.who"] == 3 and ct.loc["trust.qa", "t.why"] == 1
    assert ct["r.credit"].sum() == 0
    assert mq.guide_crosstab(th, sc, value="cases").loc["trust.issuer", "t.who"] == 2
    cb = mq.Codebook([mq.Code("trust", codable=False), mq.Code("trust.qa", parent="trust"),
                      mq.Code("trust.issuer", parent="trust"), mq.Code("other")])
    themes = mq.guide_crosstab(th, sc, codebook=cb, level=1, cols="topic", guide=_guide())
    assert themes.loc["trust", "t"] == 4 and list(themes.columns) == ["t", "r"]
    assert "other" in mq.guide_crosstab(th, sc, codebook=cb).index  # unused codes are zero rows
    with pytest.raises(AnalysisError):
        mq.guide_crosstab(th, sc, cols="case")


def test_grid_to_docx_and_excel(study, tmp_path):
    import docx
    import openpyxl

    a, b, sc, corpus = study
    lf = mq.question_grid(sc, corpus, guide=_guide(), long=True)
    attrs = pd.DataFrame({"respondent_group": ["learner", "employer"], "country": ["PL", "NL"]}, index=["a", "b"])
    out = mq.export.grid_to_docx(tmp_path / "grid.docx", lf, guide=_guide(), attributes=attrs, words=3)
    d = docx.Document(out)
    assert [h.text for h in d.paragraphs if h.style.name.startswith("Heading 1")] == ["Trust", "Recognition"]
    who = d.tables[1]
    assert [c.text for c in who.rows[0].cells] == ["Case", "respondent group", "country", "Answer"]
    assert [c.text for c in who.rows[2].cells] == ["b", "employer", "NL", "A bootcamp. And …"]
    text = "\n".join(p.text for p in d.paragraphs)
    assert "Not asked in any interview." in text and "Not asked in: b." in text
    grid = mq.question_grid(sc, corpus, guide=_guide())
    x = mq.export.to_excel(tmp_path / "grid.xlsx", {"question grid": grid})
    ws = openpyxl.load_workbook(x)["question grid"]
    assert ws.cell(2, 2).value == "Because a university checks it."
    with pytest.raises(mq.ExchangeError, match="long grid"):
        mq.export.grid_to_docx(tmp_path / "g2.docx", grid)


def test_grid_document_is_a4_and_the_answer_column_takes_the_width():
    """The grid uses the report's page set-up (A4 by default) and gives answers the room."""
    import io

    import docx
    import pandas as pd

    from mcqual.export.grid import grid_to_docx

    lf = pd.DataFrame({"transcript_id": ["int-01", "int-02"], "question": ["t.why", "t.why"],
                       "text": ["Because it is checked by the chamber. " * 8, "Not really."],
                       "question_text": ["Why do you trust it?"] * 2})
    attrs = pd.DataFrame({"respondent_group": ["learner", "employer"]}, index=["int-01", "int-02"])
    buf = io.BytesIO()
    grid_to_docx(buf, lf, attributes=attrs)
    d = docx.Document(io.BytesIO(buf.getvalue()))
    sec = d.sections[0]
    assert abs(sec.page_width.cm - 21.0) < 0.1 and abs(sec.page_height.cm - 29.7) < 0.1
    widths = [c.width for c in d.tables[0].rows[1].cells]
    usable = sec.page_width - sec.left_margin - sec.right_margin
    assert widths[-1] >= usable // 2 and sum(widths) <= usable + 10
    buf = io.BytesIO()
    grid_to_docx(buf, lf, paper="letter")
    assert abs(docx.Document(io.BytesIO(buf.getvalue())).sections[0].page_width.inches - 8.5) < 0.01
