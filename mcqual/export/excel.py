"""Excel workbooks a researcher can read and forward: one formatted sheet per table.

Each sheet has a bold, frozen header row (and frozen index column), fitted
column widths, number formats (integers ``#,##0``, decimals ``0.00``, shares
``0.0%``, dates), a filter, a white-to-blue colour scale over the counts of a
matrix, and the codebook's colour behind every code name. ``codings=`` adds a
``codings`` sheet with the quoted passages, ``codebook=`` a ``codebook`` sheet.

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


def _excel_value(value: Any) -> Any:
    v = cell_value(value)
    if isinstance(v, str) and len(v) > EXCEL_CELL_MAX:
        v = v[: EXCEL_CELL_MAX - 1] + "…"
    return v


def _write_sheet(wb, name: str, table, *, codebook=None, color_scale: bool = True, wrap_over: int = 60) -> Any:
    import pandas as pd
    from openpyxl.formatting.rule import ColorScaleRule
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from pandas.api import types as pt

    ws = wb.create_sheet(name)
    flat, n_index = index_frame(pd.DataFrame(table))
    headers = [xml_safe(str(c)) for c in flat.columns]
    ws.append(headers)
    bold = Font(bold=True)
    head_fill = PatternFill("solid", fgColor=_HEADER_FILL)
    for j in range(1, len(headers) + 1):
        cell = ws.cell(row=1, column=j)
        cell.font, cell.fill = bold, head_fill
        cell.alignment = Alignment(vertical="top", wrap_text=True)
    columns = list(flat.columns)
    values = [[_excel_value(v) for v in row] for row in flat.itertuples(index=False, name=None)]
    for row in values:
        ws.append(row)
    n_rows = len(values)
    widths = []
    code_cols = {j for j, c in enumerate(columns) if str(c) in ("code", "label") or (j < n_index and codebook is not None)}
    numeric_data = []
    fills: dict[str, Any] = {}
    for j, col in enumerate(columns):
        series = flat.iloc[:, j]
        letter = get_column_letter(j + 1)
        fmt = _number_format(series, str(col))
        longest = max([len(str(col))] + [max((len(x) for x in str(r[j]).split("\n")), default=0)
                                         for r in values[:2000] if r[j] is not None])
        widths.append(min(max(longest + 2, 6), _MAX_WIDTH))
        wrap = longest > wrap_over
        is_num = (pt.is_numeric_dtype(series.dtype) and not pt.is_bool_dtype(series.dtype) and j >= n_index)
        if is_num:
            numeric_data.append(j)
        row_codes = list(flat["code"]) if str(col) == "label" and "code" in flat.columns else None
        if fmt or wrap or (j in code_cols and codebook is not None):
            wrap_style = Alignment(wrap_text=True, vertical="top") if wrap else None
            for i, (cell,) in enumerate(ws.iter_rows(min_row=2, max_row=n_rows + 1, min_col=j + 1, max_col=j + 1)):
                if fmt and cell.value is not None:
                    cell.number_format = fmt
                if wrap_style is not None:
                    cell.alignment = wrap_style
                if j in code_cols and codebook is not None and isinstance(cell.value, str):
                    code = cell.value if cell.value in codebook else (row_codes[i] if row_codes else None)
                    if isinstance(code, str) and code in codebook:
                        if code not in fills:
                            fills[code] = PatternFill("solid", fgColor=mix(codebook.color(code), 0.35))
                        cell.fill = fills[code]
        ws.column_dimensions[letter].width = widths[-1]
    ws.freeze_panes = ws.cell(row=2, column=n_index + 1).coordinate if n_index else "A2"
    if n_rows:
        ws.auto_filter.ref = f"A1:{get_column_letter(len(columns))}{n_rows + 1}"
    # colour scale over the counts: a matrix (>= 2 numeric data columns) or integer 'count'-like columns
    int_cols = [j for j in numeric_data if pt.is_integer_dtype(flat.iloc[:, j].dtype)
                or str(columns[j]).lower() in ("n", "count", "codings", "cases", "segments")]
    scale_cols = numeric_data if len(numeric_data) >= 2 and len(numeric_data) == len(columns) - n_index else int_cols
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
                f"{get_column_letter(a + 1)}2:{get_column_letter(b + 1)}{n_rows + 1}", rule)
    return ws


def to_excel(path: PathOrFile, tables: Mapping[str, Any] | None = None, *, codebook: Any = None,
             codings: Any = None, corpus: Any = None, color_scale: bool = True,
             pseudonymise: Any = False) -> Path | None:
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
    ['codings', 'codebook']
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
    for name, table in (tables or {}).items():
        _write_sheet(wb, sheet_name(name, used), table, codebook=codebook, color_scale=color_scale)
    if codings is not None:
        _write_sheet(wb, sheet_name("codings", used), _codings_table(codings, codebook, corpus), codebook=codebook,
                     color_scale=False)
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
