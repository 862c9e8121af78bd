"""Tables for a page: words not keys, one number format per column, widths from content, inside the margins.

:func:`prepare_table` turns a DataFrame or :class:`~mcqual.analysis._frame.Matrix`
into columns a reader understands:

* code ids become codebook labels (rows and headers; the ids are left out),
  case ids become short case labels, snake_case names become words
  (``mean_words`` -> ``Mean words``, ``cases_pct`` -> ``% of cases``);
* a matrix with more than ``max_cols`` (8) value columns and fewer rows than
  columns is flipped: cases become rows (sorted by respondent group, with a
  group column), codes become columns;
* group columns carry their size, ``Employer (n=4)``; ``N`` is the number of
  cases *in this table*;
* one format per column: counts as integers, percentages and shares as
  ``45 %``, other numbers with one number of decimals.

:func:`add_table` lays it out: widths from the content (numbers never wrap,
headers wrap only at spaces or, if a word is wider than any column could be,
with a hyphen), a fixed layout inside the usable page width (landscape or a
smaller font only when needed), a repeated header row, rows that do not split
across pages.

Examples
--------
>>> import pandas as pd
>>> m = pd.DataFrame({"cases_pct": [45.0, 5.5]}, index=pd.Index(["trust", "cost"], name="code"))
>>> t = prepare_table(m)
>>> [c.header for c in t.columns], t.columns[1].values
(['Code', '% of cases'], ['45\\xa0%', '6\\xa0%'])
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ._format import cell_value, format_number, human_name, is_percent, xml_safe

__all__ = ["prepare_table", "add_table", "PreparedTable", "text_width"]

_NUMERIC = ("int", "percent", "share", "float")
#: Word's default left + right cell margins (0.19 cm each), in twips
_CELL_PAD = 2 * 108
_TWIPS_PER_EMU = 1 / 635


@dataclass
class Col:
    header: str
    kind: str  # label | text | int | percent | share | float
    values: list[str]

    @property
    def numeric(self) -> bool:
        return self.kind in _NUMERIC


@dataclass
class PreparedTable:
    columns: list[Col]
    n_cases: int | None = None
    groups: dict[str, int] = field(default_factory=dict)
    flipped: bool = False
    what: str = ""  # e.g. "counts of coded segments"

    @property
    def n_rows(self) -> int:
        return len(self.columns[0].values) if self.columns else 0


def _char_em(ch: str) -> float:
    # generous metrics (DejaVu Sans, LibreOffice's stand-in for Calibri), so tables fit in Word and LibreOffice alike
    if ch.isdigit():
        return 0.64
    if ch in " \u00a0\u202f":
        return 0.32
    if ch in "ilIjt.,;:'!|()[]f-":
        return 0.36
    if ch in "mwMW%@":
        return 0.95
    if ch.isupper():
        return 0.72
    return 0.6


def text_width(text: str, pt: float, bold: bool = False) -> int:
    """Estimated width of ``text`` on one line, in twips (Calibri-like metrics, a little generous)."""
    em = sum(_char_em(c) for c in text) * (1.1 if bold else 1.0)
    return int(em * pt * 20 * 1.05) + 30


def _labels_for(ids: Any, codebook: Any, meta_labels: Mapping[str, str], cases: Mapping[str, str]) -> list[str]:
    out = []
    for i in ids:
        s = str(i)
        if codebook is not None and s in codebook:
            out.append(codebook[s].label)
        elif s in meta_labels:
            out.append(str(meta_labels[s]))
        elif s in cases:
            out.append(cases[s])
        else:
            out.append(s)
    return out


def _kind_of(series: Any, name: Any, value_kind: str) -> str:
    import pandas as pd
    from pandas.api import types as pt

    if pt.is_bool_dtype(series.dtype):
        return "text"
    if not pt.is_numeric_dtype(series.dtype):
        vals = [cell_value(v) for v in series.tolist()]
        if vals and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals if v is not None) \
                and any(v is not None for v in vals):
            series = pd.Series([v for v in vals if v is not None], dtype=float)
        else:
            return "text"
    if value_kind == "share" or str(name).endswith("_share"):
        return "share"
    if is_percent(name, value_kind):
        return "percent"
    vals = series.dropna()
    if pt.is_integer_dtype(series.dtype) or (len(vals) and bool((vals % 1 == 0).all())):
        return "int"
    return "float"


def _decimals(series: Any, decimals: int | None) -> int:
    if decimals is not None:
        return decimals
    vals = series.dropna().abs()
    return 2 if len(vals) and float(vals.max()) <= 1 else 1


def prepare_table(table: Any, *, codebook: Any = None, cases: Mapping[str, str] | None = None,
                  attributes: Any = None, decimals: int | None = None, max_cols: int = 8,
                  group: str = "respondent_group") -> PreparedTable:
    """Columns with reader-facing headers and formatted values (see the module docstring)."""
    import pandas as pd

    from ._format import index_frame

    meta = dict(getattr(table, "meta", None) or {})
    df = pd.DataFrame(table).copy()
    value_kind, kind = str(meta.get("value", "")), str(meta.get("kind", ""))
    labels = dict(meta.get("labels") or {})
    cases = dict(cases or {})
    n = meta.get("n")
    groups = {str(k): int(v) for k, v in n.items()} if n is not None and hasattr(n, "items") else {}
    n_cases: int | None = sum(groups.values()) if groups else None
    if kind == "code x case" or (not kind and df.columns.name == "case"):
        n_cases = df.shape[1]
    numeric = df.shape[1] > 0 and all(pd.api.types.is_numeric_dtype(df[c].dtype) for c in df.columns)
    flipped = bool(numeric and df.shape[1] > max_cols and df.shape[0] < df.shape[1])
    level = meta.get("level")
    if flipped:
        df = df.T
    # row labels: codes -> labels (and the 'label' column, if any, is then redundant)
    if not (isinstance(df.index, pd.RangeIndex) and df.index.name is None):
        ids = list(df.index)
        names = _labels_for(ids, codebook, labels, cases)
        if flipped and groups:
            names = [f"{_cap(nm)} (n={groups[str(i)]})" if str(i) in groups else nm for nm, i in zip(names, ids)]
        if "label" in df.columns and any(str(i) in labels or (codebook is not None and str(i) in codebook)
                                         for i in ids):
            df = df.drop(columns="label")
        head = df.index.name
        if head in (None, "", "code", "row"):
            head = "Theme" if level == 1 else "Code"
        elif head in ("case", "transcript_id"):
            head = "Case"
        else:
            head = human_name(head)
        df.index = pd.Index(names, name=head)
        if flipped and attributes is not None and group in getattr(attributes, "columns", ()):
            grp = [cell_value(attributes[group].get(str(i))) if str(i) in attributes.index else None for i in ids]
            df.insert(0, "_group", ["" if g is None else str(g) for g in grp])
            df["_order"] = range(len(df))
            df = df.sort_values(["_group", "_order"], kind="stable").drop(columns="_order")
    col_ids = list(df.columns)
    col_names = _labels_for(col_ids, codebook, labels if (flipped or meta.get("label_columns") or
                                                           kind == "code x code") else {}, cases)
    col_names = [human_name(c) if nm == str(c) and str(c) not in cases and not groups else nm
                 for nm, c in zip(col_names, col_ids)]
    col_names = [f"{_cap(nm)} (n={groups[str(c)]})" if str(c) in groups else nm for nm, c in zip(col_names, col_ids)]
    col_names = [human_name(group) if c == "_group" else nm for nm, c in zip(col_names, col_ids)]
    flat, n_index = index_frame(df)
    out: list[Col] = []
    for j in range(flat.shape[1]):
        s = flat.iloc[:, j]
        if j < n_index:
            out.append(Col(str(flat.columns[j]) or "", "label", [xml_safe(str(cell_value(v) or ""), False)
                                                                for v in s.tolist()]))
            continue
        name = col_ids[j - n_index]
        if kind == "code summary" and str(name) == "cases_pct" and n_cases is None:
            both = flat[["cases", "cases_pct"]] if "cases" in flat.columns else None
            if both is not None:
                ok = both[both["cases_pct"] > 0]
                if len(ok):
                    n_cases = int(round(float(ok["cases"].iloc[0]) * 100 / float(ok["cases_pct"].iloc[0])))
        k = _kind_of(s, name, value_kind if value_kind in ("share",) or value_kind.endswith("_pct") else "")
        if k == "text":
            vals = [_text(v) for v in s.tolist()]
        else:
            num = pd.to_numeric(s, errors="coerce")
            d = 0 if k in ("percent", "share") and decimals is None else _decimals(num, decimals)
            vals = [format_number(v, k, d) for v in s.tolist()]
        out.append(Col(col_names[j - n_index], k, vals))
    _one_measure(out, [flat.iloc[:, j] for j in range(n_index, flat.shape[1])], decimals)
    if kind == "code summary" and n_cases:
        for c in out:
            if c.header in ("Cases", "% of cases"):
                c.header = f"{c.header} (n={n_cases})"
    what = {"count": "codings (coded segments)", "presence": "cases with the code (1 = yes)",
            "share": "share of the case's codings", "words": "words in coded segments",
            "cases": "cases mentioning the code", "case_pct": "% of the group's cases mentioning the code",
            "segment_pct": "% of the group's coded segments"}.get(value_kind, "")
    return PreparedTable(out, n_cases, groups, flipped, what)


def _one_measure(cols: list[Col], series: list[Any], decimals: int | None) -> None:
    """A matrix of one measure in float columns (shares, means) gets one format: no '1' beside '0.50'."""
    import pandas as pd
    from pandas.api import types as pt

    values = [c for c in cols if c.kind != "label"]
    if len(values) < 2 or not all(pt.is_float_dtype(s.dtype) for s in series):
        return
    kinds = {c.kind for c in values}
    if kinds <= {"int", "float"} and "float" in kinds:
        both = pd.concat([pd.to_numeric(s, errors="coerce") for s in series])
        d = _decimals(both, decimals)
        for c, s in zip(values, series):
            c.kind = "float"
            c.values = [format_number(v, "float", d) for v in s.tolist()]


def _cap(s: str) -> str:
    """First letter up; ``'interview / employer'`` keeps its slash on the first word's line."""
    return (s[:1].upper() + s[1:]).replace(" / ", "\u00a0/ ")


def _text(v: Any) -> str:
    import datetime as dt

    v = cell_value(v)
    if v is None:
        return ""
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M") if (v.hour or v.minute) else v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return xml_safe(str(v), False)


def _words(text: str) -> list[str]:
    """Where a line may break: at spaces and line breaks, not at no-break spaces."""
    return [w for line in text.split("\n") for w in line.split(" ") if w]


def _plan(t: PreparedTable, pt: float, usable: int) -> tuple[list[int], list[int], list[int]]:
    """Per column (twips at font size ``pt``): the width that keeps every header word whole, the preferred
    width, and the hard minimum (values never break; header words may then be hyphenated)."""
    softs, prefs, hards = [], [], []
    for j, c in enumerate(t.columns):
        bold = j == 0 and c.kind == "label"  # a template's table style may set the first column in bold
        head_words = _words(c.header) or [""]
        h_min = max(text_width(w, pt, True) for w in head_words)
        h_pref = text_width(c.header, pt, True)
        if c.numeric:
            v = max((text_width(x, pt) for x in c.values), default=0)
            hard = max(v, text_width("000000", pt, True))
            soft = max(hard, h_min)
            pref = max(soft, min(h_pref, int(soft * 2.5)))
        else:
            words = [w for x in c.values for w in _words(x)]
            v_min = min(max((text_width(w, pt, bold) for w in words), default=0), int(usable * 0.25))
            lines = [line for x in c.values for line in x.split("\n")]
            v_pref = max((text_width(x, pt, bold) for x in lines), default=0)
            hard = max(v_min, text_width("000000", pt, True))
            soft = max(hard, min(h_min, int(usable * 0.3)))
            pref = max(soft, min(max(v_pref, h_min), int(usable * (0.6 if c.kind == "text" else 0.4))))
        softs.append(soft + _CELL_PAD)
        prefs.append(pref + _CELL_PAD)
        hards.append(hard + _CELL_PAD)
    return softs, prefs, hards


def fit_table(t: PreparedTable, usable_portrait: int, usable_landscape: int,
              base_pt: float = 9.0, stay_landscape: bool = False) -> tuple[bool, float, list[int]]:
    """``(landscape, font size, widths)``: the first of portrait, smaller type, landscape, smaller type in
    landscape where every header word stays whole; failing that, the first where the numbers fit (headers
    hyphenated); failing that, landscape at the smallest size, columns squeezed. ``stay_landscape``
    (a landscape page is already open) skips portrait, so orientation does not flip back and forth."""
    options = ((False, base_pt), (False, base_pt - 1), (True, base_pt), (True, base_pt - 1), (True, base_pt - 1.5))
    if stay_landscape:
        options = options[2:]
    for tier in (0, 2):
        for landscape, pt in options:
            usable = usable_landscape if landscape else usable_portrait
            plan = _plan(t, pt, usable)
            if sum(plan[tier]) <= usable:
                return landscape, pt, _distribute(t, plan[tier], plan[1], usable)
    landscape, pt = options[-1]
    plan = _plan(t, pt, usable_landscape)
    return landscape, pt, _distribute(t, plan[2], plan[1], usable_landscape)


def needs_split(t: PreparedTable, usable_landscape: int, base_pt: float = 9.0) -> bool:
    """True when even landscape at the smallest type cannot hold the numbers unbroken."""
    return sum(_plan(t, base_pt - 1.5, usable_landscape)[2]) > usable_landscape


def split_columns(t: PreparedTable, usable_landscape: int, base_pt: float = 9.0) -> list[PreparedTable]:
    """The table in parts that each fit a landscape page: the leading label columns repeat in every part."""
    pt = base_pt - 1.5
    hard = _plan(t, pt, usable_landscape)[2]
    keys = 0
    while keys < len(t.columns) and not t.columns[keys].numeric:
        keys += 1
    keys = max(1, min(keys, len(t.columns) - 1))
    base = sum(hard[:keys])
    parts: list[list[int]] = [[]]
    width = base
    for j in range(keys, len(t.columns)):
        if parts[-1] and width + hard[j] > usable_landscape:
            parts.append([])
            width = base
        parts[-1].append(j)
        width += hard[j]
    return [PreparedTable(t.columns[:keys] + [t.columns[j] for j in cols], t.n_cases, t.groups, t.flipped, t.what)
            for cols in parts]


def _distribute(t: PreparedTable, mins: list[int], prefs: list[int], usable: int) -> list[int]:
    n = len(mins)
    if sum(mins) > usable:  # shrink the widest columns to fit; headers then hyphenate
        widths = list(mins)
        while sum(widths) > usable:
            j = max(range(n), key=lambda k: widths[k])
            widths[j] -= max(20, (sum(widths) - usable) // max(n, 1))
            if widths[j] < 400:
                widths = [max(400, int(w * usable / sum(widths))) for w in widths]
                break
        return widths
    widths = list(mins)
    for numeric in (False, True):  # label and text columns first, then numbers (their headers unwrap)
        cols = [j for j, c in enumerate(t.columns) if c.numeric == numeric]
        room = usable - sum(widths)
        want = {j: prefs[j] - widths[j] for j in cols if prefs[j] > widths[j]}
        total = sum(want.values())
        if total > 0 and room > 0:
            share = min(1.0, room / total)
            for j, w in want.items():
                widths[j] += int(w * share)
    room = usable - sum(widths)
    long_text = [j for j, c in enumerate(t.columns) if c.kind == "text" and any(len(v) > 40 for v in c.values)]
    if room > 0 and long_text:  # quotes and other running text take the rest of the page width
        for j in long_text:
            widths[j] += room // len(long_text)
    return widths


def _hyphenate(text: str, width: int, pt: float) -> str:
    """Header words wider than the column broken with a hyphen (no mid-word breaks by the word processor)."""
    out_lines = []
    for line in text.split("\n"):
        words = []
        for w in line.split(" "):
            if text_width(w, pt, True) <= width or len(w) < 6:
                words.append(w)
                continue
            chunk = ""
            for ch in w:
                if chunk and text_width(chunk + ch + "-", pt, True) > width:
                    words.append(chunk + "-\n")
                    chunk = ""
                chunk += ch
            words.append(chunk)
        out_lines.append(" ".join(words).replace("-\n ", "-\n"))
    return "\n".join(out_lines)


def _set_cell(cell: Any, text: str, *, pt: float | None, bold: bool = False, right: bool = False,
              nowrap: bool = False, width: int | None = None) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.shared import Pt, Twips

    text = xml_safe(text)
    paras = text.split("\n\n") if "\n\n" in text else [text]
    first = cell.paragraphs[0]
    for i, para in enumerate(paras):
        p = first if i == 0 else cell.add_paragraph()
        p.paragraph_format.space_after = Pt(2) if len(paras) > 1 else Pt(0)
        p.paragraph_format.space_before = Pt(0)
        lines = para.split("\n")
        for k, line in enumerate(lines):
            run = p.add_run(line)
            if pt:
                run.font.size = Pt(pt)
            if bold:
                run.bold = True
            if k < len(lines) - 1:
                run.add_break()
        if right:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    tc_pr = cell._tc.get_or_add_tcPr()
    if width is not None:
        cell.width = Twips(width)
    if nowrap:
        el = OxmlElement("w:noWrap")
        tc_pr.append(el)


def _row_props(row: Any, *, header: bool = False, cant_split: bool = True) -> None:
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = row._tr.get_or_add_trPr()
    if cant_split:
        el = OxmlElement("w:cantSplit")
        tr_pr.append(el)
    if header:
        el = OxmlElement("w:tblHeader")
        el.set(qn("w:val"), "true")
        tr_pr.append(el)


def add_table(doc: Any, t: PreparedTable, widths: list[int], pt: float, *, style: str = "Medium Shading 1 Accent 1",
              page_height: int | None = None) -> Any:
    """Write a prepared table with the given column widths (twips) and font size."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Twips
    from docx.table import _Cell

    table = doc.add_table(rows=1, cols=len(t.columns))
    for name in (style, "Table Grid"):
        try:
            table.style = doc.styles[name]
            break
        except KeyError:
            continue
    table.autofit = False
    tbl_pr = table._tbl.tblPr
    look = tbl_pr.find(qn("w:tblLook"))
    if look is not None:  # header row styled; no first-column emphasis or banding artefacts
        for k, v in (("w:firstColumn", "0"), ("w:noVBand", "1"), ("w:lastColumn", "0"), ("w:val", "0420")):
            look.set(qn(k), v)
    tbl_w = tbl_pr.find(qn("w:tblW"))
    if tbl_w is None:
        tbl_w = OxmlElement("w:tblW")
        tbl_pr.append(tbl_w)
    tbl_w.set(qn("w:type"), "dxa")
    tbl_w.set(qn("w:w"), str(sum(widths)))
    for j, col in enumerate(table.columns):
        col.width = Twips(widths[j])
    for j, c in enumerate(t.columns):
        head = _hyphenate(c.header, widths[j] - _CELL_PAD, pt)
        _set_cell(table.rows[0].cells[j], head, pt=pt, bold=True, right=c.numeric, width=widths[j])
    _row_props(table.rows[0], header=True)
    line = pt * 1.25 * 20  # twips per line
    limit = (page_height or 15000) * 0.4
    for i in range(t.n_rows):
        row = table.add_row()
        cells = [_Cell(tc, table) for tc in row._tr.tc_lst]  # row.cells walks the whole table: O(n^2)
        height = 0.0
        for j, c in enumerate(t.columns):
            text = c.values[i]
            if not c.numeric:
                chars = max(1, (widths[j] - _CELL_PAD) // max(text_width("n", pt), 1))
                height = max(height, sum(1 + len(x) // chars for x in text.split("\n")) * line)
            _set_cell(cells[j], text, pt=pt, right=c.numeric, nowrap=c.numeric, width=widths[j])
        _row_props(row, cant_split=height < limit)
    return table
