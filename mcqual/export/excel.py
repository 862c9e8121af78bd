"""Excel workbooks a researcher can read and forward: one formatted sheet per table.

Each sheet has a bold, frozen header row (and frozen index column), fitted
column widths, number formats (integers ``#,##0``, decimals ``0.00``, shares
``0.0%``, dates), a filter, a white-to-blue colour scale over the counts of a
matrix, and the codebook's colour behind every code name. ``codings=`` adds a
``codings`` sheet with the quoted passages (case, code, coder, quote) and a
``codings (ids)`` sheet with the technical columns (transcript ids, offsets, code
ids), ``codebook=`` a ``codebook`` sheet.

Text is always written as text: a cell that starts with ``=`` (a survey answer
``=) love it``) is a string cell, never a live formula. Rows with wrapped text get
a height from their wrapped line count (openpyxl does not autofit, and LibreOffice
otherwise prints wrapped rows over each other). ``provenance=`` puts a line above
every table saying what it counts.

Examples
--------
>>> import io, pandas as pd
>>> m = pd.DataFrame({"employer": [3, 0], "learner": [1, 2]}, index=pd.Index(["trust", "cost"], name="code"))
>>> buf = io.BytesIO()
>>> to_excel(buf, {"codes x groups": m})
>>> import openpyxl
>>> ws = openpyxl.load_workbook(buf)["codes x groups"]
>>> ws["A1"].value, ws["B2"].value, ws.freeze_panes
('code', 3, 'B2')
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Mapping

from ..errors import ExchangeError
from .._xml import PathOrFile, write_bytes
from ._format import EXCEL_CELL_MAX, cell_value, code_label, index_frame, mix, sheet_name, xml_safe

_SHARE_WORDS = ("share", "prop", "pct", "percent", "rate", "ratio")
_HEADER_FILL = "DDE3EA"
_MAX_WIDTH = 60
#: a number column need not be wider than this for its header: the header wraps instead
_NUM_WIDTH = 14


def _codings_sheets(codings, codebook, corpus, labels=None):
    """The codings as a readable sheet (row, case, code label, coder, quote, the rest) and an ids sheet."""
    df = _codings_table(codings, codebook, corpus)
    df.insert(0, "row", range(1, len(df) + 1))
    if "transcript_id" in df.columns:
        lab = dict(labels or {})
        pos = list(df.columns).index("transcript_id")
        df.insert(pos, "case", [lab.get(str(t), str(t)) for t in df["transcript_id"]])
    tech = [c for c in df.columns if c in TECHNICAL or str(c).endswith("_id")]
    readable = df[[c for c in df.columns if c not in tech]]
    if "label" in readable.columns:
        readable = readable.rename(columns={"label": "code"})
    if "snippet" in readable.columns:
        readable = readable.rename(columns={"snippet": "quote"})
    ids = df[["row"] + [c for c in tech if c != "row"]]
    return readable, ids


def _codings_table(codings, codebook, corpus):
    import pandas as pd

    df = pd.DataFrame(codings).copy()
    if "snippet" not in df.columns and corpus is not None and {"transcript_id", "start", "end"} <= set(df.columns):
        texts = {t.id: t.text for t in corpus}
        df["snippet"] = [texts.get(str(t), "")[int(a):int(b)] if str(t) in texts else None
                         for t, a, b in zip(df["transcript_id"], df["start"], df["end"])]
    if codebook is not None and "code" in df.columns and "label" not in df.columns:
        pos = list(df.columns).index("code") + 1
        df.insert(pos, "label", [code_label(codebook, c) for c in df["code"]])
    front = [c for c in ("transcript_id", "start", "end", "code", "label", "coder", "snippet") if c in df.columns]
    sort = [c for c in ("transcript_id", "start", "end", "code") if c in df.columns]
    df = df[front + [c for c in df.columns if c not in front]]
    return df.sort_values(sort, kind="stable").reset_index(drop=True) if sort else df


def _number_format(series, name: str) -> str | None:
    from pandas.api import types as pt

    if pt.is_bool_dtype(series.dtype):
        return None
    if pt.is_integer_dtype(series.dtype):
        return "#,##0" if name not in ("start", "end") else "0"
    if pt.is_float_dtype(series.dtype):
        s = series.dropna()
        if any(w in name.lower() for w in _SHARE_WORDS) and len(s) and s.between(0, 1).all():
            return "0.0%"
        if len(s) and (s == s.round()).all():
            return "#,##0"
        return "0.00"
    if pt.is_datetime64_any_dtype(series.dtype):
        return "yyyy-mm-dd hh:mm" if (series.dropna().dt.normalize() != series.dropna()).any() else "yyyy-mm-dd"
    return None


#: Excel's tallest row (points) and the height of one line of 11 pt text
_MAX_ROW_HEIGHT = 409.0
_LINE_HEIGHT = 15.0
#: columns moved to the ids sheet of the codings table
TECHNICAL = ("transcript_id", "start", "end", "code", "coding_id", "suggestion_id", "id", "event_id", "hash",
             "score", "offset", "status", "created_at", "updated_at", "segment_id", "anchor", "run_id")


def wrapped_lines(text: Any, width: float) -> int:
    """How many lines ``text`` takes in a wrapped cell ``width`` characters wide (Excel column units).

    Examples
    --------
    >>> wrapped_lines("a" * 25, 10), wrapped_lines("one" + chr(10) + "two", 60), wrapped_lines(None, 10)
    (3, 2, 1)
    """
    import math

    if text is None:
        return 1
    per_line = max(1.0, (width - 1) * 1.05)
    lines = 0
    for part in str(text).split("\n"):
        lines += max(1, math.ceil(len(part) / per_line))
    return lines


def row_height(lines: int) -> float:
    """Points for a row of ``lines`` lines of 11 pt text (Excel's limit is 409).

    Examples
    --------
    >>> row_height(1), row_height(3), row_height(500)
    (15.0, 45.0, 409.0)
    """
    return min(_MAX_ROW_HEIGHT, _LINE_HEIGHT * max(1, lines))


def _as_text(cell: Any) -> None:
    """Keep a string that looks like a formula (``=...``) a string: data never becomes a formula."""
    if isinstance(cell.value, str) and cell.value.startswith("="):
        cell.data_type = "s"


def _excel_value(value: Any) -> Any:
    v = cell_value(value)
    if isinstance(v, str) and len(v) > EXCEL_CELL_MAX:
        v = v[: EXCEL_CELL_MAX - 1] + "…"
    return v


def _percent_table(table):
    """A matrix of percentages (``case_pct``, 0-100) as shares (0-1), so Excel's % format shows them right."""
    import pandas as pd

    value = str(getattr(table, "value", "") or "") if hasattr(table, "meta") else ""
    df = pd.DataFrame(table)
    if not value.endswith("_pct"):
        return df, set()
    num = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c].dtype) and not pd.api.types.is_bool_dtype(df[c].dtype)]
    df = df.copy()
    for c in num:
        df[c] = df[c].astype(float) / 100.0
    return df, {str(c) for c in num}


def readable(table, codebook=None, labels=None):
    """A table in words for a reader: code labels for code ids (rows and columns), ``(n=…)`` in group
    headers, human column names, percentages (0-100) as shares for a real % format; code ids in a
    last column ``code id``. Returns ``(frame, percent column names, row code ids or None)``.

    Examples
    --------
    >>> import pandas as pd
    >>> from mcqual.codebook.model import Code, Codebook
    >>> cb = Codebook([Code("trust", "Conditions for trust")])
    >>> m = pd.DataFrame({"cases_pct": [50.0], "mean_chars": [3.0]}, index=pd.Index(["trust"], name="code"))
    >>> df, pct, codes = readable(m, cb)
    >>> list(df.index), list(df.columns), float(df.iloc[0, 0]), sorted(pct), codes
    (['Conditions for trust'], ['% of cases', 'Mean characters', 'code id'], 0.5, ['% of cases'], ['trust'])
    """
    import pandas as pd

    from ._format import human_name, is_percent

    meta = getattr(table, "meta", None) or {}
    value = str(meta.get("value", "") or "")
    n = meta.get("n")
    df = pd.DataFrame(table).copy()
    lab = dict(labels or {})

    def word(c):
        if codebook is not None and isinstance(c, str) and c in codebook:
            return codebook[c].label
        return lab.get(c, c)

    pct = set()
    cols = []
    for c in df.columns:
        data_value = (n is not None and c in getattr(n, "index", ())) or \
            str(meta.get("kind", "")) not in ("", "code summary")  # groups, cases, topics: as the data has them
        if isinstance(c, str) and ((codebook is not None and c in codebook) or c in lab):
            name = word(c)
        else:
            name = str(c) if data_value or not isinstance(c, str) else human_name(c)
        if n is not None and c in getattr(n, "index", ()):
            name = f"{name} (n={int(n[c])})"
        numeric = pd.api.types.is_numeric_dtype(df[c].dtype) and not pd.api.types.is_bool_dtype(df[c].dtype)
        if numeric and is_percent(c, value):
            df[c] = df[c].astype(float) / 100.0
            pct.add(name)
        cols.append(name)
    codes = None
    is_codes = df.index.nlevels == 1 and codebook is not None and len(df) and \
        all(isinstance(i, str) and i in codebook for i in df.index)
    if is_codes:
        codes = [str(i) for i in df.index]
        if "label" in df.columns:
            keep = [j for j, c in enumerate(df.columns) if c != "label"]
            df, cols = df.iloc[:, keep], [cols[j] for j in keep]
        df.columns = cols
        df["code id"] = codes
        name = "Theme" if all("." not in c for c in codes) and any("." in i for i in codebook.ids) else "Code"
        df.index = pd.Index([codebook[c].label for c in codes], name=name)
    else:
        df.columns = cols
        if df.index.nlevels == 1 and df.index.name:
            df.index = pd.Index([lab.get(i, i) for i in df.index], name=human_name(df.index.name))
    return df, pct, codes


def _write_sheet(wb, name: str, table, *, codebook=None, color_scale: bool = True, wrap_over: int = 60,
                 caption: str | None = None, row_codes: list | None = None, words: bool = False,
                 labels: Mapping[str, str] | None = None) -> Any:
    from openpyxl.formatting.rule import ColorScaleRule
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from pandas.api import types as pt

    ws = wb.create_sheet(name)
    if words:
        frame, pct_cols, found = readable(table, codebook, labels)
        row_codes = found if found is not None else row_codes
    else:
        frame, pct_cols = _percent_table(table)
    flat, n_index = index_frame(frame)
    headers = [xml_safe(str(c)) for c in flat.columns]
    top = 1
    if caption:
        ws.append([xml_safe(caption)])
        ws.cell(row=1, column=1).font = Font(italic=True, bold="not findings" in caption,
                                             color="C00000" if "not findings" in caption else "404040")
        ws.oddHeader.center.text = xml_safe(caption)[:250].replace("&", "&&")
        top = 2
    ws.append(headers)
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor=_HEADER_FILL)
    for j in range(1, len(headers) + 1):
        cell = ws.cell(row=top, column=j)
        cell.font, cell.fill = bold, head_fill
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        _as_text(cell)
    columns = list(flat.columns)
    values = [[_excel_value(v) for v in row] for row in flat.itertuples(index=False, name=None)]
    for row in values:
        ws.append(row)
    for r, row in enumerate(values, start=top + 1):
        for j, v in enumerate(row, start=1):
            if isinstance(v, str) and v.startswith("="):
                ws.cell(row=r, column=j).data_type = "s"
    n_rows = len(values)
    widths = []
    code_cols = {j for j, c in enumerate(columns) if str(c) in ("code", "label") or (j < n_index and codebook is not None)}
    if words and row_codes is not None and n_index:
        code_cols.add(0)
    numeric_data = []
    wrapped: list[int] = []
    fills: dict[str, Any] = {}
    for j, col in enumerate(columns):
        series = flat.iloc[:, j]
        letter = get_column_letter(j + 1)
        fmt = "0%" if str(col) in pct_cols and j >= n_index else _number_format(series, str(col))
        longest = max([len(str(col))] + [max((len(x) for x in str(r[j]).split("\n")), default=0)
                                         for r in values[:2000] if r[j] is not None])
        is_num = (pt.is_numeric_dtype(series.dtype) and not pt.is_bool_dtype(series.dtype) and j >= n_index)
        if is_num:  # a number column is as wide as its numbers; a long header wraps (on words) above it
            data = max([len(f"{v:,.2f}" if isinstance(v, float) else str(v)) for r in values[:2000]
                        if (v := r[j]) is not None] or [1])
            word = max((len(w) for w in str(col).split()), default=1)
            widths.append(min(max(data + 2, word + 2, min(len(str(col)) + 2, _NUM_WIDTH), 6), _MAX_WIDTH))
        else:
            widths.append(min(max(longest + 2, 6), _MAX_WIDTH))
        wrap = longest > wrap_over
        if is_num:
            numeric_data.append(j)
        codes_here = (list(flat["code"]) if str(col) == "label" and "code" in flat.columns
                      else row_codes if str(col) == "code" or (words and j == 0 and n_index) else None)
        if fmt or wrap or (j in code_cols and codebook is not None):
            wrap_style = Alignment(wrap_text=True, vertical="top") if wrap else None
            for i, (cell,) in enumerate(ws.iter_rows(min_row=top + 1, max_row=n_rows + top, min_col=j + 1,
                                                     max_col=j + 1)):
                if fmt and cell.value is not None:
                    cell.number_format = fmt
                if wrap_style is not None:
                    cell.alignment = wrap_style
                if j in code_cols and codebook is not None and isinstance(cell.value, str):
                    code = cell.value if cell.value in codebook else (codes_here[i] if codes_here else None)
                    if isinstance(code, str) and code in codebook:
                        if code not in fills:
                            fills[code] = PatternFill("solid", fgColor=mix(codebook.color(code), 0.35))
                        cell.fill = fills[code]
        ws.column_dimensions[letter].width = widths[-1]
        if wrap:
            wrapped.append(j)
    _set_row_heights(ws, values, widths, wrapped, top)
    head_lines = max((wrapped_lines(h, w) for h, w in zip(headers, widths)), default=1)
    if head_lines > 1:
        ws.row_dimensions[top].height = row_height(head_lines)
    _page_setup(ws, sum(widths), top)
    ws.freeze_panes = ws.cell(row=top + 1, column=n_index + 1).coordinate if n_index else f"A{top + 1}"
    if n_rows:
        ws.auto_filter.ref = f"A{top}:{get_column_letter(len(columns))}{n_rows + top}"
    # colour scale over the counts: a matrix (>= 2 numeric data columns) or integer 'count'-like columns
    int_cols = [j for j in numeric_data if pt.is_integer_dtype(flat.iloc[:, j].dtype)
                or str(columns[j]).lower() in ("n", "count", "codings", "cases", "segments")]
    n_data = len([c for c in columns[n_index:] if str(c) != "code id"])
    scale_cols = numeric_data if len(numeric_data) >= 2 and len(numeric_data) == n_data else int_cols
    if color_scale and n_rows and scale_cols:
        rule = ColorScaleRule(start_type="min", start_color="FFFFFF", end_type="max", end_color="5B9BD5")
        runs = []
        for j in sorted(scale_cols):
            if runs and runs[-1][1] == j - 1:
                runs[-1][1] = j
            else:
                runs.append([j, j])
        for a, b in runs:
            ws.conditional_formatting.add(
                f"{get_column_letter(a + 1)}{top + 1}:{get_column_letter(b + 1)}{n_rows + top}", rule)
    return ws


#: column-width units that fit across an A4 page, portrait and landscape, at 100 %
_PORTRAIT, _LANDSCAPE = 95, 140


def _page_setup(ws, width: float, top: int) -> None:
    """Print as a report author would set it: A4, landscape when wide, fitted to the page width
    (unless that would shrink the text below about half size), the header row on every page."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait" if width <= _PORTRAIT else "landscape"
    if width <= 2 * _LANDSCAPE:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
    ws.print_title_rows = f"{top}:{top}"
    ws.page_margins.left = ws.page_margins.right = 0.5
    ws.page_margins.top = ws.page_margins.bottom = 0.6


def _set_row_heights(ws, values, widths, wrapped, top: int) -> None:
    """Height of every row with wrapped text, from its longest wrapped cell (openpyxl does not autofit)."""
    if not wrapped:
        return
    for r, row in enumerate(values, start=top + 1):
        lines = max(wrapped_lines(row[j], widths[j]) for j in wrapped)
        if lines > 1:
            ws.row_dimensions[r].height = row_height(lines)


def _clean_sheet_name(name: Any) -> str:
    """A sheet name XML can hold; warns when characters had to go."""
    import warnings

    text = str(name)
    clean = xml_safe(text, warn=False)
    if clean != text:
        warnings.warn(f"sheet name {text!r} had characters an .xlsx file cannot hold; written as {clean!r}",
                      UserWarning, stacklevel=3)
    return clean


def to_excel(path: PathOrFile, tables: Mapping[str, Any] | None = None, *, codebook: Any = None,
             codings: Any = None, corpus: Any = None, color_scale: bool = True,
             pseudonymise: Any = False, provenance: str | Mapping[str, str] | None = None,
             labels: Mapping[str, str] | None = None, words: bool = False) -> Path | None:
    """Write tables (and optionally codings and the codebook) to a formatted ``.xlsx``.

    Parameters
    ----------
    path : str, Path or binary file
        Written atomically when a path.
    tables : dict of str -> DataFrame, optional
        One sheet per table, named by its key (made Excel-safe and unique);
        the index is written as the first column(s) unless it is a plain range.
    codebook : Codebook, optional
        Colours code names in every sheet and adds a ``codebook`` sheet.
    codings : DataFrame, optional
        Adds a ``codings`` sheet (``transcript_id, start, end, code, label,
        coder, snippet``...); quotes come from ``snippet`` or from ``corpus``.
    corpus : Corpus, optional
        The transcripts, to quote codings that have no ``snippet``.
    color_scale : bool
        Shade counts white to blue (Excel conditional formatting).
    pseudonymise : bool, PseudonymResult or dict
        ``True``: quotes come from ``mq.pseudonymise(corpus)`` (codings re-mapped, names in
        table cells replaced); a ``PseudonymResult`` reuses its placeholders; a dict passes options
        (``{"names": [...]}``). Needs ``corpus`` unless a result is given (E801).
    provenance : str or dict of sheet -> str, optional
        A line above each table (and in its printed header) saying what it counts, e.g.
        ``"Reviewed codings by AB (312 codings)"``; a dict gives one per sheet (key
        ``"codings"`` for the codings sheet). The table then starts on row 2.
    labels : dict of transcript id -> label, optional
        Short case labels for the codings sheet's ``case`` column (default: the corpus's
        labels, else the ids), and with ``words=True`` for case columns of the tables.
    words : bool
        Tables in words (:func:`readable`): code labels instead of ids (ids in a last
        ``code id`` column), ``(n=…)`` in group headers, human column names, percentages in
        a real % format.

    Returns
    -------
    Path or None

    Examples
    --------
    >>> import io, pandas as pd, openpyxl
    >>> from mcqual.codebook.model import Code, Codebook
    >>> cb = Codebook([Code("trust", "Trust", color="#1f77b4")])
    >>> cod = pd.DataFrame({"transcript_id": ["a"], "start": [0], "end": [5], "code": ["trust"],
    ...                     "coder": ["AB"], "snippet": ["Trust"]})
    >>> buf = io.BytesIO(); to_excel(buf, codebook=cb, codings=cod)
    >>> openpyxl.load_workbook(buf).sheetnames
    ['codings', 'codings (ids)', 'codebook']
    """
    import pandas as pd
    from openpyxl import Workbook

    if tables is not None and not isinstance(tables, Mapping):
        if isinstance(tables, pd.DataFrame):
            tables = {"table": tables}
        else:
            raise ExchangeError("E600", f"tables must be a dict of name -> DataFrame, not {type(tables).__name__}",
                                hint="Pass tables={'codes x groups': matrix, ...}.")
    if pseudonymise is not False and pseudonymise is not None:
        from ..privacy import for_export

        res, corpus, codings = for_export(pseudonymise, corpus, codings)
        if codings is not None and corpus is not None and "snippet" in pd.DataFrame(codings).columns:
            codings = pd.DataFrame(codings).drop(columns="snippet")  # re-quoted from the pseudonymised text
        if tables is not None:
            tables = {res.apply_text(k): res.apply_frame(v) for k, v in tables.items()}
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()

    def caption(key: str) -> str | None:
        if isinstance(provenance, Mapping):
            return provenance.get(key)
        return provenance

    for name, table in (tables or {}).items():
        _write_sheet(wb, sheet_name(_clean_sheet_name(name), used), table, codebook=codebook,
                     color_scale=color_scale, caption=caption(str(name)), words=words,
                     labels=labels if labels is not None else getattr(corpus, "labels", None))
    if codings is not None:
        if labels is None and corpus is not None and hasattr(corpus, "labels"):
            labels = corpus.labels
        readable, ids = _codings_sheets(codings, codebook, corpus, labels)
        _write_sheet(wb, sheet_name("codings", used), readable, codebook=codebook, color_scale=False,
                     caption=caption("codings"), row_codes=list(ids["code"]) if "code" in ids.columns else None)
        _write_sheet(wb, sheet_name("codings (ids)", used), ids, codebook=None, color_scale=False)
    if codebook is not None:
        cbf = codebook.to_frame()
        ws = _write_sheet(wb, sheet_name("codebook", used), cbf, codebook=codebook, color_scale=False)
        from openpyxl.styles import PatternFill

        if "color" in cbf.columns:
            j = list(cbf.columns).index("color") + 1
            for i, color in enumerate(cbf["color"], start=2):
                if isinstance(color, str) and color.startswith("#"):
                    ws.cell(row=i, column=j).fill = PatternFill("solid", fgColor=mix(color, 1.0))
    if not wb.sheetnames:
        raise ExchangeError("E600", "nothing to write: give tables=, codings= or codebook=", path=None
                            if hasattr(path, "write") else path, hint="Pass at least one table.")
    wb.properties.creator = "mcqual"
    wb.properties.created = dt.datetime(2000, 1, 1)
    return write_bytes(path, lambda fh: wb.save(fh))
