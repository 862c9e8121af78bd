"""Small helpers shared by the Excel and Word exports: cell values, colours, sheet names."""
from __future__ import annotations

import math
import re
from typing import Any

_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
#: Excel's limit on the characters in one cell
EXCEL_CELL_MAX = 32767


def xml_safe(text: str) -> str:
    """``text`` without the control characters XML (and so .xlsx/.docx) cannot hold.

    Examples
    --------
    >>> xml_safe("line\x0bbreak")
    'linebreak'
    """
    return _NOT_XML.sub("", text)


def cell_value(value: Any) -> Any:
    """A DataFrame cell as a plain Python value openpyxl/python-docx accept (NA -> None)."""
    import datetime as dt

    import numpy as np
    import pandas as pd

    if value is None:
        return None
    if isinstance(value, (list, tuple, set)):
        return xml_safe("; ".join(str(v) for v in value))
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        pass
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, pd.Timestamp):
        value = value.to_pydatetime()
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, str):
        return xml_safe(value)
    if isinstance(value, (int, float, bool, dt.date, dt.datetime)):
        return value
    return xml_safe(str(value))


def mix(color: str, alpha: float = 0.3) -> str:
    """``#RRGGBB`` blended with white (``alpha`` of the colour): a readable cell fill, as ``RRGGBB``.

    Examples
    --------
    >>> mix("#000000", 0.5)
    '808080'
    """
    c = (color or "#999999").lstrip("#")
    if len(c) == 3:
        c = "".join(ch * 2 for ch in c)
    try:
        rgb = [int(c[i:i + 2], 16) for i in (0, 2, 4)]
    except ValueError:
        rgb = [153, 153, 153]
    return "".join(f"{round(255 - (255 - v) * alpha):02X}" for v in rgb)


def sheet_name(name: str, used: set[str]) -> str:
    """A valid, unique Excel sheet name (31 characters, none of ``[]:*?/\\``).

    Examples
    --------
    >>> sheet_name("codes x groups: counts / share", set())
    'codes x groups_ counts _ share'
    """
    base = _BAD_SHEET.sub("_", str(name)).strip("'") or "Sheet"
    base = base[:31]
    cand, n = base, 2
    while cand.lower() in {u.lower() for u in used}:
        suffix = f" ({n})"
        cand, n = base[: 31 - len(suffix)] + suffix, n + 1
    used.add(cand)
    return cand


def code_label(codebook: Any, code: Any) -> str | None:
    """The codebook label of a code id (None if not a code)."""
    if codebook is None or not isinstance(code, str) or code not in codebook:
        return None
    return codebook[code].label


def index_frame(df):
    """``df`` with its index as ordinary leading columns (unless a plain 0..n-1 range) and the count of them."""
    import pandas as pd

    if isinstance(df.index, pd.RangeIndex) and df.index.name is None:
        return df.reset_index(drop=True), 0
    names = [n if n is not None else ("" if df.index.nlevels == 1 else f"level_{i}")
             for i, n in enumerate(df.index.names)]
    out = df.copy()
    out.index = out.index.set_names(names)
    if any(n in out.columns for n in names if n):
        out.columns = [f"{c} " if c in names else c for c in out.columns]
    flat = pd.DataFrame(out).reset_index()
    return flat, df.index.nlevels
