"""Word reports a report author can paste from: numbered tables with notes, quotes per theme, figures.

Every table gets a numbered caption above it (a Word ``SEQ Table`` field, so
Word renumbers and lists them in a table of figures) and a note below it
(``Note. N = 12 cases; coders: AB, CD; 2026-11-28; codebook mc v3.``). A
framework matrix (cells of quotes) is a table like any other. With
``codebook=`` and ``quotes=``, each theme gets a chapter: its definition, then
its most representative quotes attributed as ``(employer, DE, int-07,
00:14:32)``. Figures (PNG paths) are numbered ``Figure N`` (``SEQ Figure``).

Examples
--------
>>> import io, pandas as pd, docx
>>> m = pd.DataFrame({"employer": [3, 0]}, index=pd.Index(["trust", "cost"], name="code"))
>>> buf = io.BytesIO()
>>> to_docx(buf, {"Codes by group": m}, note="Counts of coded segments.", date="2026-11-28")
>>> d = docx.Document(buf)
>>> [c.text for c in d.tables[0].rows[1].cells]
['trust', '3']
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from ..errors import ExchangeError
from .._xml import PathOrFile, write_bytes
from ._format import cell_value, code_label, index_frame, xml_safe

_TEXT_COLS = ("text", "quote", "snippet")


def _fmt(value: Any, decimals: int) -> str:
    v = cell_value(value)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, float):
        return f"{v:.{decimals}f}"
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M") if (v.hour or v.minute) else v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _field(paragraph, instr: str, cached: str) -> None:
    """Append a field (``SEQ Table``) showing ``cached`` until Word updates it (F9)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run_with(child) -> None:
        run = OxmlElement("w:r")
        run.append(child)
        paragraph._p.append(run)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instr} "
    run_with(code)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    text = OxmlElement("w:t")
    text.text = cached
    run_with(text)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def _caption(doc, kind: str, number: int, title: str):
    p = doc.add_paragraph(style="Caption")
    p.add_run(f"{kind} ")
    _field(p, f"SEQ {kind} \\* ARABIC", str(number))
    p.add_run(f". {xml_safe(title)}" if title else "")
    p.paragraph_format.keep_with_next = kind == "Table"  # the caption stays on the table's page
    return p


def _repeat_header(row) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def _set_cell(cell, text: str, *, bold: bool = False, size: float | None = None, align_right: bool = False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    lines = xml_safe(text).split("\n") if text else [""]
    first = cell.paragraphs[0]
    for i, line in enumerate(lines):
        p = first if i == 0 else cell.add_paragraph()
        run = p.add_run(line)
        run.bold = bold or None
        if size:
            run.font.size = Pt(size)
        if align_right:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT


def add_table(doc, table, title: str, number: int, *, note: str = "", codebook: Any = None, decimals: int = 2,
              style: str = "Light List Accent 1") -> Any:
    """Add one captioned, noted table to a python-docx ``Document``; returns the docx table."""
    import pandas as pd
    from pandas.api import types as pt

    flat, n_index = index_frame(pd.DataFrame(table))
    wide = flat.shape[1] > 8
    if wide:
        _orientation(doc, landscape=True)
    _caption(doc, "Table", number, title)
    labels = codebook is not None and n_index == 1
    numeric = [pt.is_numeric_dtype(flat.iloc[:, j].dtype) and not pt.is_bool_dtype(flat.iloc[:, j].dtype)
               for j in range(flat.shape[1])]
    long_text = any(isinstance(v, str) and len(v) > 80 for v in flat.head(200).to_numpy().ravel())
    size = 8.5 if (flat.shape[1] > 6 or long_text) else 9.5
    t = doc.add_table(rows=1, cols=flat.shape[1])
    try:
        t.style = doc.styles[style]
    except KeyError:
        t.style = doc.styles["Table Grid"]
    for j, col in enumerate(flat.columns):
        head = (code_label(codebook, col) if j >= n_index else None) or str(col)
        _set_cell(t.rows[0].cells[j], head, bold=True, size=size, align_right=numeric[j] and j >= n_index)
    _repeat_header(t.rows[0])
    whole = [pt.is_float_dtype(flat.iloc[:, j].dtype) and bool((flat.iloc[:, j].dropna() % 1 == 0).all())
             for j in range(flat.shape[1])]
    for row in flat.itertuples(index=False, name=None):
        cells = t.add_row().cells
        for j, value in enumerate(row):
            text = _fmt(value, 0 if whole[j] else decimals)
            if labels and j == 0:
                text = code_label(codebook, value) or text
            _set_cell(cells[j], text, size=size, align_right=numeric[j] and j >= n_index)
    _column_widths(doc, t, n_index)
    if note:
        p = doc.add_paragraph()
        p.add_run("Note. ").italic = True
        p.add_run(xml_safe(note))
    doc.add_paragraph()
    if wide:
        _orientation(doc, landscape=False)
    return t


def _orientation(doc, landscape: bool) -> None:
    """Start a new section in landscape (for wide tables) or back in portrait."""
    from docx.enum.section import WD_ORIENT, WD_SECTION

    sec = doc.sections[-1]
    if (sec.page_width > sec.page_height) == landscape:
        return
    if doc.paragraphs or doc.tables:
        sec = doc.add_section(WD_SECTION.NEW_PAGE)
    w, h = sec.page_width, sec.page_height
    sec.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = h, w


def _column_widths(doc, table, n_index: int) -> None:
    """Label columns wide enough to read (about 4.5 cm), the value columns share the rest."""
    from docx.shared import Cm

    sec = doc.sections[-1]
    usable = sec.page_width - sec.left_margin - sec.right_margin
    n = len(table.columns)
    if n <= 1:
        return
    label = min(int(Cm(4.5)), int(usable * 0.4)) if n_index else 0
    rest = (usable - label * n_index) // max(n - n_index, 1)
    table.autofit = False
    for j, col in enumerate(table.columns):
        col.width = label if j < n_index else rest
    for row in table.rows:
        for j, cell in enumerate(row.cells):
            cell.width = label if j < n_index else rest


def _auto_note(codings: Any, codebook: Any, date: str | None, extra: str | Mapping[str, Any] | None) -> str:
    parts: list[str] = []
    info: dict[str, Any] = dict(extra) if isinstance(extra, Mapping) else {}
    cases = info.get("cases")
    coders = info.get("coders")
    if codings is not None and len(codings):
        if cases is None and "transcript_id" in codings.columns:
            cases = codings["transcript_id"].nunique()
        if coders is None and "coder" in codings.columns:
            coders = sorted(map(str, codings["coder"].dropna().unique()))
    if cases is not None:
        parts.append(f"N = {cases} cases")
    if coders:
        coders = [coders] if isinstance(coders, str) else list(coders)
        parts.append(f"coder{'s' if len(coders) > 1 else ''}: {', '.join(coders)}")
    day = info.get("date", date) or dt.date.today().isoformat()
    parts.append(str(day))
    cb = info.get("codebook")
    if cb is None and codebook is not None:
        cb = f"{codebook.name} v{codebook.version}"
    if cb:
        parts.append(f"codebook {cb}")
    text = "; ".join(parts) + "."
    if isinstance(extra, str) and extra:
        text = extra.rstrip() + " " + text
    return text


def _attribution(row: Mapping[str, Any], fields: Sequence[str], attributes: Any) -> str:
    from ..model import format_timestamp

    tid = row.get("transcript_id")
    bits = []
    for f in fields:
        v = row.get(f)
        if (v is None or v != v) and attributes is not None and tid in attributes.index and f in attributes.columns:
            v = attributes.loc[tid, f]
        v = cell_value(v)
        if v not in (None, ""):
            bits.append(str(v))
    if tid is not None:
        bits.append(str(tid))
    time = cell_value(row.get("time"))
    if not time and cell_value(row.get("timestamp")) is not None:
        time = format_timestamp(float(row["timestamp"]))
    if time:
        bits.append(str(time))
    return f"({', '.join(bits)})" if bits else ""


def _theme_chapters(doc, codebook: Any, quotes: Any, per_theme: int, fields: Sequence[str], attributes: Any) -> None:
    import pandas as pd

    q = pd.DataFrame(quotes).copy()
    text_col = next((c for c in _TEXT_COLS if c in q.columns), None)
    if text_col is None or "code" not in q.columns and "theme" not in q.columns:
        raise ExchangeError("E600", "quotes need a text (or quote/snippet) column and a code or theme column",
                            hint="Pass e.g. mq.framework_matrix(..., long=True) as quotes=.")
    if "theme" not in q.columns:
        q["theme"] = [codebook.ancestor(c, 1) if codebook is not None and c in codebook else c for c in q["code"]]
    if "rank" in q.columns:
        q = q.sort_values(["rank"], kind="stable")
    elif "score" in q.columns:
        q = q.sort_values(["score"], ascending=False, kind="stable")
    themes = [c.id for c in codebook.themes()] if codebook is not None else list(dict.fromkeys(q["theme"]))
    themes += [t for t in dict.fromkeys(q["theme"]) if t not in themes]
    for theme in themes:
        rows = q[q["theme"] == theme]
        if rows.empty:
            continue
        code = codebook.get(theme) if codebook is not None else None
        doc.add_heading(code.label if code is not None else str(theme), level=1)
        if code is not None and code.definition:
            p = doc.add_paragraph()
            p.add_run("Definition. ").bold = True
            p.add_run(xml_safe(code.definition))
        seen: set[str] = set()
        n = 0
        for row in rows.to_dict("records"):
            text = " ".join(xml_safe(str(row[text_col])).split())
            if not text or text in seen:
                continue
            seen.add(text)
            p = doc.add_paragraph(style="Quote")
            p.add_run(f"“{text}” ")
            p.add_run(xml_safe(_attribution(row, fields, attributes)))
            n += 1
            if n >= per_theme:
                break


def to_docx(path: PathOrFile, tables: Mapping[str, Any] | None = None, *, codebook: Any = None,
            quotes: Any = None, figures: Iterable[Any] | Mapping[str, Any] | None = None,
            note: str | Mapping[str, Any] | None = None, codings: Any = None, title: str | None = None,
            attribution: Sequence[str] = ("respondent_group", "country"), attributes: Any = None,
            quotes_per_theme: int = 3, decimals: int = 2, date: str | None = None,
            table_style: str = "Light List Accent 1", pseudonymise: Any = False,
            corpus: Any = None, memos: Any = None) -> Path | None:
    """Write a Word report: captioned tables with notes, one chapter per theme with quotes, figures.

    Parameters
    ----------
    path : str, Path or binary file
        Written atomically when a path.
    tables : dict of str -> DataFrame, optional
        Each becomes "Table N. <key>" (a Word SEQ field) with the DataFrame's
        index as first column(s); code ids in the index show as codebook labels.
    codebook : Codebook, optional
        Labels, theme order and definitions; its name and version go in the notes.
    quotes : DataFrame, optional
        ``code`` (or ``theme``), ``text`` (or ``quote``/``snippet``),
        ``transcript_id``, ``time`` or ``timestamp``, optional ``rank``/``score``
        and attribute columns, e.g. ``mq.framework_matrix(..., long=True)``.
    figures : list of paths or (path, caption), or dict caption -> path, optional
        PNG files, added as "Figure N. caption".
    note : str or dict, optional
        Text put before the automatic note, or values for it (``cases``,
        ``coders``, ``date``, ``codebook``).
    codings : DataFrame, optional
        Gives N cases and the coders for the notes.
    title : str, optional
        A title at the top.
    attribution : sequence of str
        Case attributes named in a quote's attribution, before the transcript id and time.
    attributes : DataFrame, optional
        Case attributes by transcript id, for attribution values the quotes lack.
    quotes_per_theme, decimals : int
    date : str, optional
        The date in the notes (default: today).
    table_style : str
        A built-in Word table style.
    pseudonymise : bool, PseudonymResult or dict
        ``True``: names, e-mails, phones and URLs found by ``mq.pseudonymise(corpus)`` are
        replaced by their placeholders in every quote, table, attribution, title and note;
        a ``PseudonymResult`` reuses its mapping; a dict passes options (``{"names": [...]}``).
    corpus : Corpus, optional
        The transcripts, needed with ``pseudonymise=True`` (E801 otherwise).
    memos : DataFrame, optional
        ``project.memos()``: an appendix of memos (:func:`mcqual.export.memos.add_memo_appendix`).

    Examples
    --------
    >>> import io, pandas as pd, docx
    >>> from mcqual.codebook.model import Code, Codebook
    >>> cb = Codebook([Code("trust", "Trust", definition="What makes a credential credible.")])
    >>> q = pd.DataFrame({"code": ["trust"], "text": ["Only if accredited."], "transcript_id": ["int-07"],
    ...                   "timestamp": [872.0], "respondent_group": ["employer"], "country": ["DE"]})
    >>> buf = io.BytesIO(); to_docx(buf, codebook=cb, quotes=q)
    >>> [p.text for p in docx.Document(buf).paragraphs if p.style.name == "Quote"]
    ['“Only if accredited.” (employer, DE, int-07, 00:14:32)']
    """
    import docx
    from docx.shared import Inches, Pt

    if pseudonymise is not False and pseudonymise is not None:
        from ..privacy import for_export

        res, _, codings = for_export(pseudonymise, corpus, codings)
        tables = {res.apply_text(k): res.apply_frame(v) for k, v in tables.items()} \
            if isinstance(tables, Mapping) else tables
        quotes = res.apply_frame(quotes) if quotes is not None else None
        attributes = res.apply_frame(attributes) if attributes is not None else None
        note, title = res.apply_text(note), res.apply_text(title)
        if memos is not None:  # passages quoted before the texts are pseudonymised, then pseudonymised too
            from .memos import with_passages

            memos = res.apply_frame(with_passages(memos, corpus))

    if tables is not None and not isinstance(tables, Mapping):
        raise ExchangeError("E600", f"tables must be a dict of title -> DataFrame, not {type(tables).__name__}",
                            hint="Pass tables={'Codes by respondent group': matrix, ...}.")
    doc = docx.Document()
    normal = doc.styles["Normal"]
    normal.font.name = "Calibri"
    normal.font.size = Pt(10.5)
    doc.core_properties.author = "mcqual"
    doc.core_properties.title = title or "mcqual report"
    if title:
        doc.add_heading(title, level=0)
    note_text = _auto_note(codings, codebook, date, note)
    for i, (name, table) in enumerate((tables or {}).items(), start=1):
        n_note = note_text
        meta = getattr(table, "meta", None)
        n = meta.get("n") if isinstance(meta, dict) else None  # a Matrix's cases per column group
        if n is not None and hasattr(n, "items"):
            try:
                n_note = note_text + " Cases per column: " + ", ".join(f"{k} {v}" for k, v in n.items()) + "."
            except (TypeError, AttributeError):
                pass
        add_table(doc, table, str(name), i, note=n_note, codebook=codebook, decimals=decimals, style=table_style)
    if figures is not None:
        items = list(figures.items()) if isinstance(figures, Mapping) else list(figures)
        for k, item in enumerate(items, start=1):
            if isinstance(figures, Mapping):
                caption, fig = item
            elif isinstance(item, (tuple, list)):
                fig, caption = item
            else:
                fig, caption = item, Path(str(item)).stem.replace("_", " ")
            fig = Path(fig)
            if not fig.is_file():
                raise ExchangeError("E600", f"figure {fig} not found", path=fig,
                                    hint="Save the figure as PNG first (fig.savefig(path, dpi=200)).")
            doc.add_picture(str(fig), width=Inches(6))
            _caption(doc, "Figure", k, str(caption))
    if quotes is not None:
        _theme_chapters(doc, codebook, quotes, quotes_per_theme, attribution, attributes)
    if memos is not None:  # the memo appendix lives in mcqual/export/memos.py
        from .memos import add_memo_appendix

        add_memo_appendix(doc, memos, codebook=codebook, corpus=corpus)
    if not tables and figures is None and quotes is None and memos is None:
        raise ExchangeError("E600", "nothing to write: give tables=, quotes= or figures=",
                            path=None if hasattr(path, "write") else path, hint="Pass at least one table.")
    return write_bytes(path, lambda fh: doc.save(fh))
