"""The question × respondent grid for the report: a Word document (one table per guide question).

A grid of 20 questions × 14 cases does not fit a page as one table, so the Word version gives
each question its own captioned table (case, respondent attributes, the answer), grouped by
guide topic, and lists the cases where the question was not asked; the Excel version is the
full grid as one sheet (``mq.export.to_excel({"question grid": grid})``).

Examples
--------
>>> import io, docx, pandas as pd
>>> lf = pd.DataFrame({"transcript_id": ["a"], "question": ["t.why"], "text": ["Because it is checked."],
...                    "question_text": ["Why do you trust it?"]})
>>> buf = io.BytesIO(); grid_to_docx(buf, lf)
>>> [c.text for c in docx.Document(buf).tables[0].rows[1].cells]
['a', 'Because it is checked.']
"""
from __future__ import annotations

from typing import Any, Sequence

from ..errors import ExchangeError
from .._xml import PathOrFile, write_bytes
from .word_layout import Layout, caption, new_document
from .word_tables import _row_props, _set_cell, text_width


def _cut(text: str, words: int | None) -> str:
    w = str(text).split()
    return str(text) if not words or len(w) <= words else " ".join(w[:words]) + " …"


def _answer_gets_the_width(table: Any, heads: list[str], body: list[list[str]], usable: int) -> None:
    """Case and attribute columns as wide as their longest word-line (a fifth of the page at most);
    the answer takes the rest, so answers read as paragraphs, not one word per line."""
    from docx.shared import Twips

    widths = []
    for k, head in enumerate(heads[:-1]):
        longest = max([text_width(head.replace("_", " "), 10, bold=True)] +
                      [text_width(row[k], 10) for row in body])
        widths.append(min(longest + 300, usable // 5))  # + the cell margins Word and LibreOffice add
    widths.append(max(usable - sum(widths), usable // 2))
    table.autofit = False
    for col, w in zip(table.columns, widths):  # the grid (what LibreOffice reads) and every cell (Word)
        col.width = Twips(w)
        for cell in col.cells:
            cell.width = Twips(w)


def grid_to_docx(path: PathOrFile, grid_long: Any, *, guide: Any = None, attributes: Any = None,
                 columns: Sequence[str] = ("respondent_group", "country"), words: int | None = 120,
                 title: str | None = "Answers by interview question", table_style: str = "Light List Accent 1",
                 paper: str | None = None):
    """Write the question × respondent grid as a Word document: one table per guide question.

    Parameters
    ----------
    path : str, Path or binary file
        Written atomically when a path.
    grid_long : DataFrame
        ``mq.question_grid(..., long=True)``: ``transcript_id, question, text`` (+ ``question_text``).
    guide : Guide, optional
        Topic headings, question order and texts; unasked questions are listed as such.
    attributes : DataFrame, optional
        Case attributes indexed by transcript id; ``columns`` of it are shown beside each case.
    words : int, optional
        Cut each answer after this many words (``" …"``).
    title : str, optional
    table_style : str
    paper : {"a4", "letter"}, optional
        Page size (default A4), as for the Word report (:func:`mcqual.export.word_layout.new_document`).

    Returns
    -------
    Path or None
    """
    from docx.shared import Pt

    need = {"transcript_id", "question", "text"}
    if not need <= set(grid_long.columns):
        raise ExchangeError("E600", f"grid_to_docx needs the long grid (columns {', '.join(sorted(need))})",
                            hint="Pass mq.question_grid(codings, corpus, long=True).")
    cols = [c for c in columns if attributes is not None and c in attributes.columns]
    doc = new_document(paper=paper)  # the report's page set-up: A4 unless asked otherwise
    doc.styles["Normal"].font.size = Pt(10)
    usable = int(Layout(doc).usable_width().twips)
    doc.core_properties.author = "mcqual"
    doc.core_properties.title = title or "question grid"
    if title:
        doc.add_heading(title, level=0)
    texts = dict(zip(grid_long["question"], grid_long.get("question_text", grid_long["question"])))
    cases = list(dict.fromkeys(grid_long["transcript_id"]))
    if guide is not None:
        plan = [(t.label or t.id, [(q.id, q.text) for q in t.questions]) for t in guide.topics]
        known = {q for _, qs in plan for q, _ in qs}
        rest = [q for q in dict.fromkeys(grid_long["question"]) if q not in known]
        if rest:
            plan.append(("Other", [(q, texts.get(q, q)) for q in rest]))
    else:
        plan = [("", [(q, texts.get(q, q)) for q in dict.fromkeys(grid_long["question"])])]
    n = 0
    for topic, questions in plan:
        if topic:
            doc.add_heading(topic, level=1)
        for qid, qtext in questions:
            rows = grid_long[grid_long["question"] == qid]
            n += 1
            caption(doc, "Table", n, f"{qtext} ({qid})")
            if not len(rows):
                doc.add_paragraph("Not asked in any interview.")
                continue
            table = doc.add_table(rows=1, cols=2 + len(cols))
            try:
                table.style = doc.styles[table_style]
            except KeyError:
                table.style = doc.styles["Table Grid"]
            heads = ["Case", *cols, "Answer"]
            for cell, head in zip(table.rows[0].cells, heads):
                _set_cell(cell, head.replace("_", " "), pt=None, bold=True)
            _row_props(table.rows[0], header=True, cant_split=False)
            body = []
            for r in rows.itertuples(index=False):
                cells = table.add_row().cells
                vals = [str(r.transcript_id)]
                for c in cols:
                    v = attributes[c].get(r.transcript_id, "") if r.transcript_id in attributes.index else ""
                    vals.append("" if v is None else str(v))
                for cell, v in zip(cells, vals):
                    _set_cell(cell, v, pt=None)
                _set_cell(cells[-1], _cut(r.text, words), pt=None)
                body.append(vals)
            _answer_gets_the_width(table, heads, body, usable)
            missing = [c for c in cases if c not in set(rows["transcript_id"])]
            if missing:
                doc.add_paragraph("Not asked in: " + ", ".join(missing) + ".")
    if n == 0:
        raise ExchangeError("E600", "the question grid is empty: nothing to write",
                            hint="Align the transcripts first (mq.align_guide) and pass its question_grid.")
    return write_bytes(path, lambda fh: doc.save(fh))
