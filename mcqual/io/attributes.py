"""Read a case attribute sheet (``cases.csv`` / ``cases.xlsx``): one row per case, indexed by case id.

The id column is the first of ``case_id``, ``case``, ``id``, ``transcript_id``
(any case, spaces or hyphens allowed); ids are text, stripped. Column names
are normalised to ``snake_case`` (``"Respondent group"`` ->
``respondent_group``) so they read the same in code and in formulas. A ``label``
column gives short case labels for tables, figures and quotes (unique; E121). CSV:
UTF-8 (with or without BOM, Windows-1252 as a fallback), delimiter sniffed
among ``, ; tab |``. Excel: the first sheet, unless ``sheet=`` says otherwise.

Examples
--------
>>> import tempfile, pathlib
>>> f = pathlib.Path(tempfile.mkdtemp()) / "cases.csv"
>>> _ = f.write_text("Case ID;Respondent group;Country\\nint-01;employer;DE\\nint-02;learner;FR\\n", encoding="utf-8")
>>> df = read_attributes(f)
>>> df.loc["int-02", "respondent_group"], list(df.columns)
('learner', ['respondent_group', 'country'])
"""
from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path
from typing import Any

from ..errors import TranscriptError

ID_COLUMNS = ("case_id", "case", "id", "transcript_id")


def _snake(name: Any) -> str:
    return re.sub(r"[^\w]+", "_", str(name).strip().casefold()).strip("_")


def read_attributes(path: str | os.PathLike[str], *, sheet: str | int = 0) -> Any:
    """Read a case sheet into a DataFrame indexed by case id (E113 when unusable).

    Parameters
    ----------
    path : str or Path
        ``.csv``/``.tsv``/``.txt`` or ``.xlsx``/``.xlsm``.
    sheet : str or int
        Excel sheet name or position.

    Returns
    -------
    pandas.DataFrame
        Index ``case_id`` (text); other columns as read (numbers stay numbers).

    Examples
    --------
    >>> import pandas as pd, tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "cases.xlsx"
    >>> pd.DataFrame({"case": ["a", "b"], "Age": [31, 45]}).to_excel(f, index=False)
    >>> read_attributes(f)["age"].tolist()
    [31, 45]
    """
    import pandas as pd

    p = Path(path)
    if not p.exists():
        raise TranscriptError("E100", "no such case attribute sheet", path=p)
    suffix = p.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm", ".xls"):
            if suffix == ".xls":  # legacy binary workbook: pandas' reader (needs xlrd), no zip to check
                df = pd.read_excel(p, sheet_name=sheet, dtype=object)
            else:
                from .xlsx import read_rows

                rows = read_rows(p, sheet)
                head = [c if c is not None else f"Unnamed: {i}" for i, c in enumerate(rows[0])] if rows else []
                df = pd.DataFrame(rows[1:], columns=head, dtype=object)
        else:
            df = _read_csv(p)
    except TranscriptError:
        raise
    except Exception as exc:  # pandas/openpyxl raise many kinds; all mean "unusable sheet"
        raise TranscriptError("E113", f"cannot read the sheet ({type(exc).__name__}: {exc})", path=p) from None
    return _frame(df, p)


def _read_csv(p: Path) -> Any:
    import pandas as pd

    raw = p.read_bytes()
    if not raw.strip():
        raise TranscriptError("E113", "the sheet is empty", path=p)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = raw.decode("cp1252", errors="replace")
    sample = "\n".join(text.splitlines()[:20])
    try:
        delim = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        delim = max(",;\t|", key=lambda d: sample.split("\n")[0].count(d))
    return pd.read_csv(io.StringIO(text), sep=delim, dtype=str, keep_default_na=True, skipinitialspace=True)


def _frame(df: Any, p: Path) -> Any:
    import pandas as pd

    df = df.dropna(how="all")
    df = df.loc[:, [not str(c).startswith("Unnamed:") or df[c].notna().any() for c in df.columns]]
    names = [_snake(c) for c in df.columns]
    if len(set(names)) != len(names):
        dup = sorted({n for n in names if names.count(n) > 1})
        raise TranscriptError("E113", f"duplicate column names after normalising: {', '.join(dup)}", path=p)
    df.columns = names
    idcol = next((c for c in ID_COLUMNS if c in names), None)
    if idcol is None:
        raise TranscriptError("E113", f"no case id column (one of {', '.join(ID_COLUMNS)}); columns are: "
                              f"{', '.join(names[:10])}", path=p)
    ids = df[idcol]
    if ids.isna().any():
        rows = [int(i) + 2 for i in range(len(ids)) if pd.isna(ids.iloc[i])][:5]
        raise TranscriptError("E113", f"empty case id in row(s) {rows}", path=p)
    ids = ids.map(_id_text)
    dup = sorted(set(ids[ids.duplicated()]))
    if dup:
        raise TranscriptError("E113", f"case id(s) listed more than once: {', '.join(dup[:10])}", path=p)
    out = df.drop(columns=[idcol]).copy()
    for col in out.columns:
        out[col] = _infer(out[col])
    if "label" in out.columns:
        _check_labels(out["label"], p)
    out.index = pd.Index(list(ids), name="case_id", dtype=object)
    return out


def _check_labels(labels: Any, p: Path) -> None:
    """A ``label`` column names each case once (E121); blank labels fall back to the automatic ones."""
    given = labels.dropna().map(lambda v: str(v).strip())
    given = given[given != ""]
    dup = sorted(set(given[given.duplicated()]))
    if dup:
        raise TranscriptError("E121", f"label(s) given to more than one case: {', '.join(dup[:10])}", path=p)


def _id_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _infer(col: Any) -> Any:
    """Numbers stay numbers; text is stripped; missing stays missing."""
    import pandas as pd

    values = col.dropna()
    if len(values) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return pd.to_numeric(col)
    as_text = col.map(lambda v: v.strip() if isinstance(v, str) else v)
    try:
        num = pd.to_numeric(as_text)
    except (ValueError, TypeError):
        return as_text.astype("str")
    return num
