"""Word reports an author only restyles: numbered tables with notes, a chapter of quotes per theme, figures.

The report opens with a title block (title, subtitle, author, date) and a
statement of what it counts: reviewed codings (hand codings and accepted
suggestions, by which coders) or — stamped on every page, caption and
chapter — *Unreviewed machine suggestions — not findings*. Every table gets
a numbered caption (a Word ``SEQ Table`` field) and a note with the N of
that table. With ``codebook=`` and ``quotes=``, each theme gets a chapter:
its definition, then quotes chosen by :func:`mcqual.select_quotes`
(trimmed, spread over cases and groups, never repeated), attributed as
``(employer, DE, int-07, 00:14:32)``. Figures are numbered ``Figure N``.

Pages are A4 (or ``paper="letter"``); a section starts only where the
orientation changes; only Word's built-in styles are used, so
``template="house.docx"`` restyles everything. Layout details are in
:mod:`mcqual.export.word_layout` and :mod:`mcqual.export.word_tables`.

Examples
--------
>>> import io, pandas as pd, docx
>>> m = pd.DataFrame({"employer": [3, 0]}, index=pd.Index(["trust", "cost"], name="code"))
>>> buf = io.BytesIO()
>>> to_docx(buf, {"Codes by group": m}, title="Our study", date="2026-11-28")
>>> d = docx.Document(buf)
>>> [c.text for c in d.tables[0].rows[1].cells], d.paragraphs[0].text, round(d.sections[0].page_width.cm, 1)
(['trust', '3'], 'Our study', 21.0)
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from ..errors import ExchangeError
from .._xml import PathOrFile, write_bytes
from ._format import UNREVIEWED, cell_value, provenance_of, xml_safe
from .word_layout import Layout, caption, header_stamp, new_document
from .word_tables import add_table as _write_table
from .word_tables import fit_table, needs_split, prepare_table, split_columns

__all__ = ["to_docx", "add_table", "report_quotes"]

_TEXT_COLS = ("text", "quote", "snippet")
#: the pipeline's table keys -> captions in words
_TITLES = {"code x case": "Themes by case", "code x group": "Themes by respondent group",
           "co-occurrence": "Themes coded in the same turn (co-occurrence)", "summary": "Themes at a glance",
           "framework": "Framework matrix: quotes by case and theme",
           "code x survey question": "Themes by survey question", "themes x guide topic": "Themes by interview topic"}


def add_table(doc: Any, table: Any, title: str, number: int, *, note: str = "", codebook: Any = None,
              decimals: int | None = None, style: str = "Medium Shading 1 Accent 1", layout: Layout | None = None,
              cases: Mapping[str, str] | None = None, attributes: Any = None, stamp: str = "",
              max_cols: int = 8) -> Any:
    """Add one captioned, noted table to a python-docx ``Document`` (inside the page width); returns it."""
    layout = layout or Layout(doc)
    prepared = prepare_table(table, codebook=codebook, cases=cases, attributes=attributes, decimals=decimals,
                             max_cols=max_cols)
    if not prepared.columns:
        return None
    wide = _twips(layout.usable_width(True))
    parts = split_columns(prepared, wide) if needs_split(prepared, wide) else [prepared]
    for k, part in enumerate(parts):
        landscape, pt, widths = fit_table(part, _twips(layout.usable_width(False)), wide,
                                          stay_landscape=layout.landscape and layout.has_content)
        layout.ensure(landscape)
        if k == 0:
            caption(doc, "Table", number, title + (f" (part 1 of {len(parts)})" if len(parts) > 1 else ""),
                    stamp=stamp)
        else:  # a continuation: no new number
            p = doc.add_paragraph(f"Table {number} (part {k + 1} of {len(parts)}). {xml_safe(title)}",
                                  style="Caption")
            p.paragraph_format.keep_with_next = True
        t = _write_table(doc, part, widths, pt, style=style, page_height=_twips(layout.usable_height()))
        layout.wrote()
    p = doc.add_paragraph()
    p.paragraph_format.space_before = 3 * 12700
    p.paragraph_format.space_after = 14 * 12700
    p.add_run("Note. ").italic = True
    p.add_run(xml_safe(note))
    layout.wrote()
    return t


def _twips(length: Any) -> int:
    return int(length) // 635


def _table_note(prepared_n: int | None, groups: Mapping[str, int], what: str, base: Mapping[str, Any],
                prov: Mapping[str, Any], extra: str) -> str:
    parts = []
    n = prepared_n if prepared_n is not None else base.get("cases")
    if n is not None:
        s = f"N = {n} cases"
        if groups:
            s += " (" + ", ".join(f"{k} {v}" for k, v in groups.items()) + ")"
        parts.append(s + ".")
    if what:
        parts.append(f"Cells: {what}.")
    parts.append(str(prov["text"]))
    tail = [x for x in (f"codebook {base['codebook']}" if base.get("codebook") else "", base.get("date")) if x]
    if tail:
        parts.append("; ".join(tail)[:1].upper() + "; ".join(tail)[1:] + ".")
    text = " ".join(parts)
    return (extra.rstrip() + " " + text) if extra else text


def _note_base(codings: Any, codebook: Any, corpus: Any, attributes: Any, date: str | None,
               note: Any) -> tuple[dict[str, Any], str]:
    info: dict[str, Any] = dict(note) if isinstance(note, Mapping) else {}
    extra = note if isinstance(note, str) else ""
    if "cases" not in info:
        if corpus is not None:
            info["cases"] = len(corpus)
        elif attributes is not None and hasattr(attributes, "index"):
            info["cases"] = len(attributes)
        elif codings is not None and len(codings) and "transcript_id" in codings.columns:
            info["cases"] = int(codings["transcript_id"].nunique())
    info["date"] = str(info.get("date") or date or dt.date.today().isoformat())
    if "codebook" not in info and codebook is not None:
        info["codebook"] = f"{codebook.name} v{codebook.version}" if getattr(codebook, "version", "") \
            else codebook.name
    return info, extra


def _case_labels(corpus: Any, attributes: Any) -> dict[str, str]:
    from ..analysis.quotes import case_labels

    try:
        return case_labels(corpus, attributes)
    except Exception:  # attributes in an unexpected shape: ids stay ids
        return {}


def _attributes(corpus: Any, attributes: Any) -> Any:
    from ..analysis._inputs import case_attributes

    if corpus is None and attributes is None:
        return None
    if corpus is None or attributes is None:
        return case_attributes(corpus, attributes)
    base = case_attributes(corpus)  # both: the corpus's attributes, attributes= winning column by column
    extra = case_attributes(None, attributes)
    if base is None:
        return extra
    out = base.copy()
    for col in extra.columns:
        out[col] = extra[col].reindex(out.index) if col not in out.columns else \
            extra[col].reindex(out.index).where(extra[col].reindex(out.index).notna(), out[col])
    return out


def report_quotes(quotes: Any, *, codings: Any = None, corpus: Any = None, codebook: Any = None,
                  attributes: Any = None, per_theme: int = 3, max_words: int = 60) -> Any:
    """The quotes a report shows, from ``quotes=``: True (select from ``codings``), candidates, or chosen quotes.

    A frame from :func:`mcqual.select_quotes` (it has ``case`` and ``rank``)
    is used as it is (capped per theme); one with ``transcript_id, start, end``
    and a code (e.g. ``framework_matrix(..., long=True)``) is re-selected with
    ``select_quotes``; any other frame (``code``/``theme`` and ``text``) is
    ranked by ``rank``/``score``, filtered (placeholders, repeats, one per case
    per theme) and trimmed to ``max_words``.
    """
    import pandas as pd

    from ..analysis.quotes import is_placeholder, select_quotes, trim_quote

    if quotes is True:
        if codings is None:
            raise ExchangeError("E623", "quotes=True selects quotes from codings=: pass codings (and corpus=)")
        return select_quotes(codings, corpus, codebook=codebook, attributes=attributes, per_theme=per_theme,
                             max_words=max_words)
    q = pd.DataFrame(quotes).copy()
    text_col = next((c for c in _TEXT_COLS if c in q.columns), None)
    if text_col is None or ("code" not in q.columns and "theme" not in q.columns):
        raise ExchangeError("E600", "quotes need a text (or quote/snippet) column and a code or theme column",
                            hint="Pass mq.select_quotes(codings, corpus, codebook=codebook) as quotes=.")
    if {"case", "rank", "theme"} <= set(q.columns):  # chosen by select_quotes: keep, within the cap
        q = q[q["rank"] <= per_theme].copy()
        q[text_col] = [trim_quote(str(x), max_words)[0] if len(str(x).replace("…", "").split()) > max_words
                       else str(x) for x in q[text_col]]
        return q.reset_index(drop=True)
    if {"transcript_id", "start", "end"} <= set(q.columns) and "code" in q.columns:
        return select_quotes(q.rename(columns={text_col: "text"}), corpus, codebook=codebook, attributes=attributes,
                             per_theme=per_theme, max_words=max_words, level=1 if codebook is not None else None)
    if "theme" not in q.columns:
        q["theme"] = [codebook.ancestor(c, 1) if codebook is not None and c in codebook else c for c in q["code"]]
    if "rank" in q.columns:
        q = q.sort_values(["rank"], kind="stable")
    elif "score" in q.columns:
        q = q.sort_values(["score"], ascending=False, kind="stable")
    q["text"] = [trim_quote(" ".join(xml_safe(str(x), False).split()), max_words)[0] for x in q[text_col]]
    q = q[[not is_placeholder(x) for x in q["text"]]]
    q = q.drop_duplicates("text")
    if "transcript_id" in q.columns:
        q = q[~q.duplicated(["theme", "transcript_id"]) | q["transcript_id"].isna()]
    q = q.assign(rank=q.groupby("theme", sort=False).cumcount() + 1)
    return q[q["rank"] <= per_theme].reset_index(drop=True)


def _check_attribution(fields: Sequence[str], q: Any, attrs: Any) -> None:
    have = set(q.columns) | (set(attrs.columns) if attrs is not None else set())
    missing = [f for f in fields if f not in have]
    if missing:
        raise ExchangeError("E620", f"attribution field(s) {', '.join(map(repr, missing))} not found in the quotes, "
                                    f"attributes= or the corpus's case attributes (have: "
                                    f"{', '.join(sorted(map(str, have))) or 'none'})",
                            hint="Add the column to cases.csv, pass attributes=, or leave the field out of "
                                 "attribution=.")


def _attribution(row: Mapping[str, Any], fields: Sequence[str], attrs: Any, labels: Mapping[str, str]) -> str:
    from ..model import format_timestamp

    tid = cell_value(row.get("transcript_id"))
    bits = []
    for f in fields:
        v = cell_value(row.get(f))
        if v in (None, "") and f == "respondent_group":
            v = cell_value(row.get("group"))
        if v in (None, "") and attrs is not None and tid is not None and str(tid) in attrs.index \
                and f in attrs.columns:
            v = cell_value(attrs.loc[str(tid), f])
        if v not in (None, ""):
            bits.append(str(v))
    case = cell_value(row.get("case"))
    if case in (None, "") and tid is not None:
        case = labels.get(str(tid), str(tid))
    if case not in (None, ""):
        bits.append(str(case))
    time = cell_value(row.get("time"))
    if not time and cell_value(row.get("timestamp")) is not None:
        time = format_timestamp(float(row["timestamp"]))
    if time:
        bits.append(str(time))
    return f"({', '.join(bits)})" if bits else ""


def quote_rules(max_words: int) -> str:
    """The sentence that tells a reader how the quotes were chosen."""
    return (f"Quotes are chosen for relevance and spread: at most one per case and theme, across respondent groups, "
            f"never the same passage twice; longer passages are cut at sentence boundaries (…) to at most "
            f"{max_words} words.")


def _theme_chapters(doc: Any, codebook: Any, q: Any, fields: Sequence[str], attrs: Any, labels: Mapping[str, str],
                    stamp: str, max_words: int, new_page: bool = True) -> None:
    themes = [c.id for c in codebook.themes()] if codebook is not None else []
    themes += [t for t in dict.fromkeys(q["theme"]) if t not in themes]
    text_col = next(c for c in _TEXT_COLS if c in q.columns)
    first = new_page
    for theme in themes:
        rows = q[q["theme"] == theme]
        code = codebook.get(theme) if codebook is not None else None
        if rows.empty and code is None:
            continue
        h = doc.add_heading(xml_safe(code.label if code is not None else str(theme)), level=1)
        if first:
            h.paragraph_format.page_break_before = True  # the quotes start on a page of their own
            first = False
        if stamp:
            p = doc.add_paragraph()
            p.add_run(stamp + ".").bold = True
        if code is not None and code.definition:
            p = doc.add_paragraph()
            p.add_run("Definition. ").bold = True
            p.add_run(xml_safe(code.definition))
        if rows.empty:
            doc.add_paragraph("No quotes: no case was coded with this theme.")
            continue
        for row in rows.to_dict("records"):
            text = " ".join(xml_safe(str(row[text_col])).split())
            p = doc.add_paragraph(style="Quote")
            p.add_run(f"“{text}” ")
            p.add_run(xml_safe(_attribution(row, fields, attrs, labels)))
        groups = [g for g in dict.fromkeys(rows["group"]) if isinstance(g, str)] if "group" in rows.columns else []
        n_cases = rows["transcript_id"].nunique() if "transcript_id" in rows.columns else len(rows)
        p = doc.add_paragraph()
        p.add_run(f"{len(rows)} quote{'s' if len(rows) != 1 else ''} from {n_cases} case"
                  f"{'s' if n_cases != 1 else ''}" + (f" ({', '.join(groups)})" if groups else "") + ".").italic = True


def _figure(doc: Any, layout: Layout, fig: Path, caption_text: str, number: int, stamp: str) -> None:
    from docx.shared import Emu

    layout.ensure(False)
    width = int(layout.usable_width())
    try:
        from PIL import Image

        with Image.open(fig) as im:
            w_px, h_px = im.size
        ratio = h_px / max(w_px, 1)
    except Exception:  # no Pillow, or not an image Pillow reads: the width decides
        ratio = 0.6
    max_h = int(int(layout.usable_height()) * 0.7)
    if width * ratio > max_h:
        width = int(max_h / ratio)
    doc.add_picture(str(fig), width=Emu(width))
    pic = doc.paragraphs[-1]
    pic.paragraph_format.keep_with_next = True
    caption(doc, "Figure", number, caption_text, stamp=stamp, keep_with_next=False)
    layout.wrote()


def to_docx(path: PathOrFile, tables: Mapping[str, Any] | None = None, *, title: str | None = None,
            subtitle: str | None = None, author: str | None = None, paper: str | None = None,
            template: str | Path | None = None, provenance: Any = None, codebook: Any = None, corpus: Any = None,
            quotes: Any = None, figures: Iterable[Any] | Mapping[str, Any] | None = None,
            note: str | Mapping[str, Any] | None = None, codings: Any = None,
            attribution: Sequence[str] | None = None, attributes: Any = None, quotes_per_theme: int = 3,
            max_quote_words: int = 60, decimals: int | None = None, date: str | None = None,
            table_style: str = "Medium Shading 1 Accent 1", pseudonymise: Any = False, memos: Any = None,
            max_cols: int = 8, config: str | Path | Mapping[str, Any] | None = None) -> Path | None:
    """Write a Word report: title block, captioned tables with notes, figures, one chapter of quotes per theme.

    Parameters
    ----------
    path : str, Path or binary file
        Written atomically when a path.
    tables : dict of str -> DataFrame, optional
        Each becomes "Table N. <key>" (a Word SEQ field). Code ids show as
        codebook labels, case ids as case labels, column names in words; a
        matrix of more than ``max_cols`` columns (cases) is flipped to cases
        as rows (grouped by respondent group). Widths come from the content
        and stay inside the page; a table too wide for portrait gets a
        landscape section of its own.
    title, subtitle, author : str, optional
        The title block. Default title: the codebook's name, else "Theme tables".
    paper : "a4" or "letter", optional
        Default A4 (or the template's page size).
    template : path to a .docx, optional
        A house template: the report starts from its styles, page setup and
        headers (its body text is dropped).
    provenance : "reviewed", "unreviewed", dict or str, optional
        What the tables count; default inferred from ``codings``' coders
        (``suggested...`` means unreviewed). Unreviewed reports carry
        "Unreviewed machine suggestions — not findings" on every page, caption
        and chapter. A dict may give ``coders`` and ``text``.
    codebook : Codebook, optional
        Labels, theme order and definitions; its name and version go in the notes.
    corpus : Corpus, optional
        The transcripts: quote text and context, case labels and attributes,
        N of cases; needed with ``quotes=True`` and ``pseudonymise=True``.
    quotes : True or DataFrame, optional
        ``True``: chosen from ``codings`` with :func:`mcqual.select_quotes`; or
        that function's result; or candidates with ``code``/``theme`` and
        ``text`` (see :func:`report_quotes`).
    figures : list of paths or (path, caption), or dict caption -> path, optional
        PNG files, added as "Figure N. caption", as wide as the page allows.
    note : str or dict, optional
        Text put before each table's note, or values for it (``cases``,
        ``date``, ``codebook``).
    codings : DataFrame, optional
        The codings counted: coders (provenance) and the quotes for ``quotes=True``.
    attribution : sequence of str, optional
        Case attributes named before the case label and time in a quote's
        attribution; default ``("respondent_group",)`` where known. A field
        found neither in the quotes, ``attributes=`` nor the corpus's case
        attributes raises E620.
    attributes : DataFrame, optional
        Case attributes by case id (default: the corpus's).
    quotes_per_theme, max_quote_words : int
        Quotes per theme chapter (at most one per case) and their length cap.
    decimals : int, optional
        Decimals of non-integer numbers (default: 2 for values up to 1, else 1;
        percentages 0).
    date : str, optional
        The date in the notes (default: today).
    table_style : str
        A built-in Word table style (falls back to "Table Grid").
    pseudonymise : bool, PseudonymResult or dict
        ``True``: names, e-mails, phones and URLs found by ``mq.pseudonymise(corpus)`` are
        replaced by their placeholders in every quote, table, attribution, title and note.
    memos : DataFrame, optional
        ``project.memos()``: an appendix of memos (:func:`mcqual.export.memos.add_memo_appendix`).
    max_cols : int
        Flip matrices with more value columns than this.
    config : path or dict, optional
        ``report.yaml`` settings (see :func:`~mcqual.export.report_config.load_report_config`);
        arguments given here win.

    Examples
    --------
    >>> import io, pandas as pd, docx
    >>> from mcqual.codebook.model import Code, Codebook
    >>> cb = Codebook([Code("trust", "Trust", definition="What makes a credential credible.")])
    >>> q = pd.DataFrame({"code": ["trust"], "text": ["Only if accredited."], "transcript_id": ["int-07"],
    ...                   "timestamp": [872.0], "respondent_group": ["employer"], "country": ["DE"]})
    >>> buf = io.BytesIO(); to_docx(buf, codebook=cb, quotes=q, attribution=["respondent_group", "country"])
    >>> [p.text for p in docx.Document(buf).paragraphs if p.style.name == "Quote"]
    ['“Only if accredited.” (employer, DE, int-07, 00:14:32)']
    """
    cfg = _config(config)
    title = title if title is not None else cfg.get("title")
    subtitle = subtitle if subtitle is not None else cfg.get("subtitle")
    author = author if author is not None else cfg.get("author")
    paper = paper if paper is not None else cfg.get("paper")
    template = template if template is not None else cfg.get("template")
    date = date if date is not None else cfg.get("date")
    if attribution is None and cfg.get("attribution") is not None:
        attribution = cfg["attribution"]
    quotes_per_theme = int(cfg.get("quotes_per_theme", quotes_per_theme))
    max_quote_words = int(cfg.get("max_quote_words", max_quote_words))

    if pseudonymise is not False and pseudonymise is not None:
        from ..privacy import for_export

        res, pseudo_corpus, codings = for_export(pseudonymise, corpus, codings)
        original, corpus = corpus, (pseudo_corpus if pseudo_corpus is not None else corpus)  # ids as exported
        tables = {res.apply_text(k): res.apply_frame(v) for k, v in tables.items()} \
            if isinstance(tables, Mapping) else tables
        if quotes is True:
            quotes = report_quotes(True, codings=codings, corpus=corpus, codebook=codebook, attributes=attributes,
                                   per_theme=quotes_per_theme, max_words=max_quote_words)
        quotes = res.apply_frame(quotes) if quotes is not None else None
        attributes = res.apply_frame(attributes) if attributes is not None else None
        note, title, subtitle = res.apply_text(note), res.apply_text(title), res.apply_text(subtitle)
        if memos is not None:  # passages quoted before the texts are pseudonymised, then pseudonymised too
            from .memos import with_passages

            memos = res.apply_frame(with_passages(memos, original))

    if tables is not None and not isinstance(tables, Mapping):
        raise ExchangeError("E600", f"tables must be a dict of title -> DataFrame, not {type(tables).__name__}",
                            hint="Pass tables={'Codes by respondent group': matrix, ...}.")
    if not tables and figures is None and quotes is None and memos is None:
        raise ExchangeError("E600", "nothing to write: give tables=, quotes=, figures= or memos=",
                            path=None if hasattr(path, "write") else path, hint="Pass at least one table.")
    if provenance is None and isinstance(note, Mapping) and note.get("coders"):
        coders = note["coders"]
        provenance = {"coders": [coders] if isinstance(coders, str) else list(coders)}
    prov = provenance_of(codings, provenance)
    stamp = "" if prov["reviewed"] else UNREVIEWED
    attrs = _attributes(corpus, attributes)
    labels = _case_labels(corpus, attrs)
    q = None
    if quotes is not None:
        q = report_quotes(quotes, codings=codings, corpus=corpus, codebook=codebook, attributes=attrs,
                          per_theme=quotes_per_theme, max_words=max_quote_words)
        fields = list(attribution) if attribution is not None else \
            (["respondent_group"] if "respondent_group" in set(q.columns) | set(getattr(attrs, "columns", ()))
             else [])
        _check_attribution(fields, q.rename(columns={"group": "respondent_group"}), attrs)

    doc = new_document(template, paper)
    layout = Layout(doc)
    cb_name = str(getattr(codebook, "name", "") or "") if codebook is not None else ""
    heading = title or (cb_name if cb_name.strip().lower() not in ("", "codebook") else "Theme tables")
    if stamp and UNREVIEWED.lower() not in heading.lower():
        heading = f"{heading}: {UNREVIEWED[:1].lower()}{UNREVIEWED[1:]}"  # the stamp is part of the title
    doc.core_properties.title = xml_safe(heading)
    doc.core_properties.author = xml_safe(author) if author else "mcqual"
    if subtitle:
        doc.core_properties.subject = xml_safe(subtitle)
    doc.add_paragraph(xml_safe(heading), style="Title")
    if subtitle:
        doc.add_paragraph(xml_safe(subtitle), style="Subtitle")
    base, extra = _note_base(codings, codebook, corpus, attrs, date, note)
    byline = " · ".join(x for x in (xml_safe(author) if author else "", base["date"]) if x)
    doc.add_paragraph(byline)
    if stamp:
        header_stamp(doc, stamp)
        p = doc.add_paragraph(style="Intense Quote")
        p.add_run(stamp + ".").bold = True
        p.add_run(" Every table, figure and quote in this report is built from codes a program suggested and no "
                  "person has reviewed. Review the suggestions (the review workbook, or mcqual review) before "
                  "reporting any of it.")
    else:
        doc.add_paragraph(xml_safe(str(prov["text"])).replace("Counts", "This report counts", 1))
    if q is not None and len(q):
        doc.add_paragraph(quote_rules(max_quote_words))
    fig_items = _figure_items(figures)
    contents = [f"Table {i}. {_caption_text(name, t)}" for i, (name, t) in enumerate((tables or {}).items(), start=1)]
    contents += [f"Figure {k}. {cap}" for k, (_, cap) in enumerate(fig_items, start=1)]
    if q is not None and len(q):
        themes = [c.id for c in codebook.themes()] if codebook is not None else list(dict.fromkeys(q["theme"]))
        names = [codebook[t].label if codebook is not None and t in codebook else str(t) for t in themes]
        contents.append("Quotes by theme: " + ", ".join(names))
    if len(contents) > 1:
        doc.add_heading("Contents", level=2)
        for line in contents:
            doc.add_paragraph(xml_safe(line), style="List Bullet")
    layout.wrote()

    for i, (name, table) in enumerate((tables or {}).items(), start=1):
        prepared = prepare_table(table, codebook=codebook, cases=labels, attributes=attrs, decimals=decimals,
                                 max_cols=max_cols)
        text = _table_note(prepared.n_cases, prepared.groups, prepared.what, base, prov, extra)
        add_table(doc, table, _caption_text(name, table), i, note=text, codebook=codebook, decimals=decimals,
                  style=table_style, layout=layout, cases=labels, attributes=attrs, stamp=stamp, max_cols=max_cols)
    for k, (fig, cap) in enumerate(fig_items, start=1):
        _figure(doc, layout, fig, cap, k, stamp)
    if q is not None:
        layout.ensure(False)
        _theme_chapters(doc, codebook, q, fields, attrs, labels, stamp, max_quote_words,
                        new_page=layout.has_content and bool(tables or figures))
        layout.wrote()
    if memos is not None:  # the memo appendix lives in mcqual/export/memos.py
        from .memos import add_memo_appendix

        layout.ensure(False)
        add_memo_appendix(doc, memos, codebook=codebook, corpus=corpus)
    return write_bytes(path, lambda fh: doc.save(fh))


def _caption_text(name: Any, table: Any = None) -> str:
    """The caption of a table: the pipeline's keys in words ("Codes ..." where its rows are codes, not themes)."""
    cap = _TITLES.get(str(name), str(name))
    meta = getattr(table, "meta", None) or {}
    if str(name) in _TITLES and cap.startswith("Themes") and meta and meta.get("level") != 1:
        cap = "Codes" + cap[len("Themes"):]
    return cap[:1].upper() + cap[1:]


def _figure_items(figures: Any) -> list[tuple[Path, str]]:
    if figures is None:
        return []
    items = list(figures.items()) if isinstance(figures, Mapping) else list(figures)
    out = []
    for item in items:
        if isinstance(figures, Mapping):
            cap, fig = item
        elif isinstance(item, (tuple, list)):
            fig, cap = item
        else:
            fig, cap = item, Path(str(item)).stem.replace("_", " ")
        fig = Path(fig)
        if not fig.is_file():
            raise ExchangeError("E600", f"figure {fig} not found", path=fig,
                                hint="Save the figure as PNG first (fig.savefig(path, dpi=300)).")
        out.append((fig, str(cap)))
    return out


def _config(config: Any) -> dict[str, Any]:
    if config is None:
        return {}
    if isinstance(config, Mapping):
        return dict(config)
    from .report_config import load_report_config

    return load_report_config(config)
