"""Small helpers shared by the Excel and Word exports: cell values, colours, sheet names."""
from __future__ import annotations

import math
import re
from typing import Any

_BAD_SHEET = re.compile(r"[\[\]:*?/\\]")
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
#: Excel's limit on the characters in one cell
EXCEL_CELL_MAX = 32767


def xml_safe(text: str, warn: bool = True) -> str:
    r"""``text`` without the characters XML (and so .xlsx/.docx) cannot hold, with a warning when any were removed.

    Control characters (other than tab and line breaks), lone surrogates (text
    decoded with ``errors="surrogateescape"``) and U+FFFE/U+FFFF are dropped;
    a ``UserWarning`` says how many (once per place in the code).

    Examples
    --------
    >>> xml_safe("line\x0bbreak", warn=False)
    'linebreak'
    >>> xml_safe("caf\udce9", warn=False)
    'caf'
    """
    if not isinstance(text, str):
        text = str(text)
    out, n = _NOT_XML.subn("", text)
    if n and warn:
        import warnings

        warnings.warn(f"mcqual: removed {n} character(s) that Word/Excel files cannot hold (control characters or "
                      f"lone surrogates) from {out[:40]!r}", UserWarning, stacklevel=2)
    return out


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


#: the stamp on every table, figure, sheet and chapter built from suggestions nobody has reviewed
UNREVIEWED = "Unreviewed machine suggestions — not findings"

_HUMAN = {"code": "Code", "case": "Case", "label": "Label", "codings": "Codings", "segments": "Coded segments",
          "cases": "Cases", "cases_pct": "% of cases", "case_pct": "% of cases", "segment_pct": "% of segments",
          "coders": "Coders", "n_coders": "Coders", "mean_chars": "Mean characters", "mean_words": "Mean words",
          "n_cases": "Cases (n)", "transcript_id": "Case", "respondent_group": "Respondent group",
          "p": "p", "cramers_v": "Cramér's V", "chi2": "χ²", "df": "df", "timestamp": "Time"}


def human_name(name: Any) -> str:
    """A column name for a reader: ``'mean_words' -> 'Mean words'``, ``'cases_pct' -> '% of cases'``.

    Examples
    --------
    >>> human_name("cases_pct"), human_name("respondent_group"), human_name("employer"), human_name("int-02")
    ('% of cases', 'Respondent group', 'Employer', 'int-02')
    """
    s = str(name)
    if s in _HUMAN:
        return _HUMAN[s]
    if s.endswith("_pct"):
        return "% " + s[:-4].replace("_", " ")
    words = s.replace("_", " ").split()
    if "_" in s or (words and all(w.isalpha() for w in words) and s[:1].islower()):  # not 'int-02'
        s = " ".join(words)
        return s[:1].upper() + s[1:]
    return s


def is_percent(name: Any, value_kind: str = "") -> bool:
    """Whether a column holds percentages (0..100): ``*_pct``, ``% ...`` or a matrix of ``case_pct``."""
    s = str(name)
    return s.endswith("_pct") or s.startswith("%") or s.endswith("(%)") or value_kind.endswith("_pct")


def format_number(v: Any, kind: str, decimals: int | None = None) -> str:
    r"""One number as a reader sees it: ``int`` ``1 234``, ``percent`` ``45 %``, ``share`` (0..1) ``45 %``, ``float``.

    Thousands are grouped with a narrow no-break space, the ``%`` follows a
    no-break space, so neither breaks across lines. ``decimals`` defaults to
    0 for percentages and 2 otherwise.

    Examples
    --------
    >>> format_number(12345, "int"), format_number(45.04, "percent"), format_number(0.5, "share")
    ('12\u202f345', '45\xa0%', '50\xa0%')
    >>> format_number(0.1234, "float", 2), format_number(None, "int")
    ('0.12', '')
    """
    v = cell_value(v)
    if v is None or v == "":
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if not isinstance(v, (int, float)):
        return str(v)
    if decimals is None:
        decimals = 0 if kind in ("percent", "share") else 2
    if kind == "int":
        return f"{round(v):,}".replace(",", "\u202f")
    if kind == "percent":
        return f"{v:.{max(decimals, 0)}f}\u00a0%"
    if kind == "share":
        return f"{100 * v:.{max(decimals, 0)}f}\u00a0%"
    return f"{v:,.{decimals}f}".replace(",", "\u202f")


def provenance_of(codings: Any = None, provenance: Any = None) -> dict[str, Any]:
    """What a table counts: ``{"reviewed": bool, "coders": [...], "text": sentence}``.

    ``provenance`` may be ``"reviewed"``, ``"unreviewed"`` (or ``"suggestions"``),
    a dict with ``reviewed``/``coders``/``text``, or None to infer it from
    ``codings``: coders named like ``suggested...`` or a ``status`` of
    ``pending`` mean unreviewed machine suggestions.

    Examples
    --------
    >>> import pandas as pd
    >>> provenance_of(pd.DataFrame({"coder": ["AB", "CD"]}))["text"]
    'Counts reviewed codings (hand codings and accepted suggestions) by coders AB, CD.'
    >>> provenance_of(provenance="unreviewed")["text"]
    'Unreviewed machine suggestions — not findings.'
    """
    info: dict[str, Any] = {}
    if isinstance(provenance, dict):
        info = dict(provenance)
    elif isinstance(provenance, str):
        key = provenance.strip().lower()
        if key in ("unreviewed", "suggestions", "suggested", "machine"):
            info["reviewed"] = False
        elif key in ("reviewed", "findings", "codings"):
            info["reviewed"] = True
        else:
            info["text"] = provenance
    coders = info.get("coders")
    if codings is not None and len(codings) and "coder" in getattr(codings, "columns", ()):
        found = sorted(map(str, codings["coder"].dropna().unique()))
        machine = [c for c in found if c.lower().startswith(("suggest", "machine", "auto"))]
        if "reviewed" not in info and "text" not in info:
            pending = "status" in codings.columns and (codings["status"].astype(str) == "pending").all()
            info["reviewed"] = not (pending or (machine and len(machine) == len(found)))
        if coders is None:
            coders = [c for c in found if c not in machine] or found
    info.setdefault("reviewed", True)
    info["coders"] = list(coders or [])
    if "text" not in info:
        if not info["reviewed"]:
            info["text"] = UNREVIEWED + "."
        else:
            who = info["coders"]
            by = f" by coder{'s' if len(who) > 1 else ''} {', '.join(who)}" if who else ""
            info["text"] = f"Counts reviewed codings (hand codings and accepted suggestions){by}."
    return info
