"""Codebooks as Excel workbooks: one row per code.

Sheet ``codes`` (or the first sheet) has a header row; columns, in any order
and case: ``id`` (required; ``code`` is accepted too), ``parent``, ``label``,
``name``, ``definition``, ``include``, ``exclude``, ``examples``,
``counter_examples``, ``keywords``, ``color``, ``codable``, ``memo`` and
``patterns`` (JSON). List cells hold one item per line; a cell without line
breaks is split on ``;`` (keywords also on ``,``). Optional sheets:
``codebook`` (``key``/``value`` rows: name, version, language, description)
and ``history`` (one JSON event per row, as written by mcqual).

Examples
--------
>>> split_cell("badge; open badge\\nEQF level", "keywords")
('badge; open badge', 'EQF level')
>>> split_cell("badge; open badge", "keywords")
('badge', 'open badge')
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import CodebookError, Problem
from .model import Codebook

COLUMNS = ("id", "parent", "label", "name", "definition", "include", "exclude", "examples", "counter_examples",
           "keywords", "color", "codable", "memo", "patterns")
LIST_COLUMNS = ("include", "exclude", "examples", "counter_examples", "keywords")
ALIASES = {"code": "id", "code_id": "id", "parent_id": "parent", "description": "definition",
           "counterexamples": "counter_examples", "colour": "color", "notes": "memo", "memos": "memo"}
#: columns :meth:`Codebook.to_frame` adds that are derived, not read
DERIVED = ("path", "level", "n_examples", "n_counter_examples")
TRUE = {"true", "yes", "y", "1", "x", "wahr", "ja"}
FALSE = {"false", "no", "n", "0", "falsch", "nein"}


def split_cell(value: Any, column: str = "") -> tuple[str, ...]:
    """Items of a list cell: one per line, or ``;``-separated when the cell has no line break."""
    if value is None:
        return ()
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    if "\n" in text:
        parts = text.split("\n")
    else:
        parts = text.split(";")
        if column == "keywords" and len(parts) == 1:
            parts = text.split(",")
    return tuple(p.strip() for p in parts if p.strip())


def join_cell(items: tuple[str, ...], column: str = "") -> str:
    """The cell text of a list that :func:`split_cell` reads back to the same items.

    Items are joined by line breaks (a line break inside an item becomes a space); a
    single item containing ``;`` (or ``,`` for keywords) gets a trailing line break so
    it is not split.

    Examples
    --------
    >>> split_cell(join_cell(("a; b",), "examples"), "examples")
    ('a; b',)
    """
    items = tuple(" ".join(str(i).split("\n")) for i in items)
    text = "\n".join(items)
    if len(items) == 1 and (";" in text or (column == "keywords" and "," in text)):
        text += "\n"
    return text


def _norm(header: Any) -> str:
    key = str(header or "").strip().lower().replace("-", "_").replace(" ", "_")
    return ALIASES.get(key, key)


def read_codebook_excel(path: str | Path) -> Codebook:
    """Read a codebook from an ``.xlsx`` workbook (all problems reported with their row).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from mcqual.codebook.model import Code, Codebook
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "cb.xlsx"
    >>> cb = Codebook([Code("t", "Trust", codable=False), Code("t.qa", "QA", parent="t", keywords=("audit",))])
    >>> read_codebook_excel(write_codebook_excel(cb, p)) == cb
    True
    """
    import zipfile

    from openpyxl import load_workbook

    from .validate import Collector, closest, codebook_from_data

    path = Path(path)
    p = str(path)
    from ..io.xlsx import MAX_CELLS, MAX_SECONDS, check_package, sheet_rows

    try:
        check_package(path, error=CodebookError, code="E214")
        wb = load_workbook(path, read_only=True, data_only=True)
    except FileNotFoundError:
        raise CodebookError("E200", f"no such file: {path}", path=path) from None
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise CodebookError("E210", f"not a readable .xlsx workbook ({exc})", path=path) from None
    try:
        names = {n.lower(): n for n in wb.sheetnames}
        ws = wb[names.get("codes", wb.sheetnames[0])]
        budget = {"path": path, "error": CodebookError, "code": "E214", "max_cells": MAX_CELLS,
                  "deadline": __import__("time").monotonic() + MAX_SECONDS, "max_seconds": MAX_SECONDS}
        rows = sheet_rows(ws, **budget)
        meta_rows = sheet_rows(wb[names["codebook"]], **budget) if "codebook" in names else []
        hist_rows = sheet_rows(wb[names["history"]], **budget) if "history" in names else []
    finally:
        wb.close()
    sheet = ws.title
    if not rows or not any(c is not None for c in rows[0]):
        raise CodebookError("E210", f"sheet {sheet!r} is empty: it needs a header row with an 'id' column",
                            path=path)
    header = [_norm(h) for h in rows[0]]
    if "id" not in header:
        raise CodebookError("E210", f"sheet {sheet!r} has no 'id' (or 'code') column; its columns are "
                            f"{', '.join(str(h) for h in rows[0] if h is not None)}", path=path)
    col = Collector({}, p)
    first: dict[str, int] = {}
    for j, h in enumerate(header):
        if h in first and h in COLUMNS:
            col.add("E202", f"columns {rows[0][first[h]]!r} and {rows[0][j]!r} in sheet {sheet!r} both mean {h!r}",
                    (), str(rows[0][j]), "Delete or rename one of them; only the first is read.")
            header[j] = ""
            continue
        first.setdefault(h, j)
        if h and h not in COLUMNS and h not in DERIVED:
            near = closest(h, COLUMNS)
            col.add("E202", f"unknown column {rows[0][j]!r} in sheet {sheet!r}", (), str(rows[0][j]),
                    (f"Did you mean {near!r}? " if near else "") + f"Columns: {', '.join(COLUMNS)}.")
    codes: list[dict[str, Any]] = []
    lines: dict[tuple, int] = {}
    for r, row in enumerate(rows[1:], start=2):
        cells = {h: v for h, v in zip(header, row) if h in COLUMNS}
        if not any(v not in (None, "") for v in cells.values()):
            continue
        i = len(codes)
        lines[("codes", i)] = r
        code: dict[str, Any] = {}
        for h, v in cells.items():
            if v is None or (isinstance(v, str) and not v.strip()):
                continue
            lines[("codes", i, h)] = r
            if h in LIST_COLUMNS:
                code[h] = list(split_cell(v, h))
            elif h == "codable":
                if isinstance(v, bool):
                    code[h] = v
                elif str(v).strip().lower() in TRUE | FALSE:
                    code[h] = str(v).strip().lower() in TRUE
                else:
                    code[h] = v  # validator reports E207
            elif h == "patterns":
                try:
                    code[h] = json.loads(str(v))
                except json.JSONDecodeError as exc:
                    col.problems.append(Problem("E205", f"patterns in row {r} is not JSON ({exc.msg})", p, r,
                                                "patterns", 'Write JSON, e.g. [[{"LOWER": "open"}, {"LEMMA": "badge"}]].'))
            elif isinstance(v, float) and v.is_integer() and h in ("id", "parent"):
                code[h] = str(int(v))
            else:
                code[h] = v
        codes.append(code)
    data: dict[str, Any] = {"codes": codes}
    for row in meta_rows[1:] if meta_rows and str(meta_rows[0][0]).strip().lower() == "key" else meta_rows:
        if row and row[0] is not None and str(row[0]).strip().lower() in ("name", "version", "language", "description"):
            data[str(row[0]).strip().lower()] = "" if len(row) < 2 or row[1] is None else str(row[1])
    history = []
    for r, row in enumerate(hist_rows[1:], start=2):
        if not row or row[0] in (None, ""):
            continue
        try:
            event = json.loads(str(row[0]))
            if not isinstance(event, dict):
                raise ValueError("not an object")
            history.append(event)
        except ValueError as exc:
            col.problems.append(Problem("E207", f"history row {r} is not a JSON event ({exc})", p, r, "history"))
    if history:
        data["history"] = history
    try:
        cb = codebook_from_data(data, lines, path=p)
    except CodebookError as err:
        raise CodebookError(problems=col.problems + _rowify(err.problems)) from None
    if col.problems:
        raise CodebookError(problems=col.problems)
    return cb


def _rowify(problems: list[Problem]) -> list[Problem]:
    """Say 'row N' in messages read from a sheet (the line number is the row)."""
    from dataclasses import replace

    return [replace(q, message=f"row {q.line}: {q.message}") if q.line else q for q in problems]


def write_codebook_excel(codebook: Codebook, path: str | Path) -> Path:
    """Write ``codebook`` as an ``.xlsx`` workbook (sheets codes, codebook, history), atomically."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    from ._files import atomic_write

    wb = Workbook()
    ws = wb.active
    ws.title = "codes"
    ws.append(list(COLUMNS))
    for c in codebook:
        ws.append([c.id, c.parent or "", c.label, c.name, c.definition,
                   *[join_cell(getattr(c, f), f) for f in LIST_COLUMNS],
                   c.color or "", bool(c.codable), c.memo,
                   json.dumps([[dict(t) for t in pat] for pat in c.patterns]) if c.patterns else ""])
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text, never a formula
    bold = Font(bold=True)
    for cell in ws[1]:
        cell.font = bold
    widths = {"id": 28, "parent": 20, "label": 28, "name": 18, "definition": 60, "include": 50, "exclude": 50,
              "examples": 60, "counter_examples": 50, "keywords": 30, "color": 10, "codable": 9, "memo": 30,
              "patterns": 30}
    wrap = Alignment(wrap_text=True, vertical="top")
    for j, name in enumerate(COLUMNS, start=1):
        letter = ws.cell(row=1, column=j).column_letter
        ws.column_dimensions[letter].width = widths[name]
        for row in ws.iter_rows(min_row=2, min_col=j, max_col=j):
            row[0].alignment = wrap
    ws.freeze_panes = "B2"
    meta = wb.create_sheet("codebook")
    meta.append(["key", "value"])
    for k in ("name", "version", "language", "description"):
        meta.append([k, str(getattr(codebook, k))])
    hist = wb.create_sheet("history")
    hist.append(["event"])
    for e in codebook.history:
        hist.append([json.dumps(dict(e), ensure_ascii=False, default=str)])
    atomic_write(path, wb.save)
    return Path(path)
