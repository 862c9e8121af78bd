"""REFI-QDA projects (``.qdpx``): export an mcqual project for NVivo/ATLAS.ti/MAXQDA/QualCoder, import one.

A ``.qdpx`` is a zip holding ``project.qde`` (``urn:QDA-XML:project:1.0``
XML) and ``sources/``. mcqual writes:

* ``Users``: one per coder (``name`` and ``id`` = the coder id);
* ``CodeBook``: the codebook with definitions/criteria/examples in each
  ``Description`` (layout of :mod:`mcqual.codebook.qdc`), memos as ``NoteRef``;
* ``Variables`` and ``Cases``: one variable per case-attribute column, typed
  Text/Integer/Float/Boolean/Date/DateTime from the column, one case per row,
  linked (``SourceRef``) to the transcript of the same id;
* ``Sources``: each transcript as a ``TextSource`` whose UTF-8 ``.txt`` is
  exactly ``Transcript.text`` (``plainTextPath="internal://<guid>.txt"``), with
  one ``PlainTextSelection`` per coded span (code-point offsets, end exclusive)
  and one ``Coding`` per code and coder (``creatingUser``); the turn structure
  travels in the source's ``Description`` so mcqual can rebuild it;
* ``Notes``: memos (``PlainTextContent``, ``creatingUser``, ``creationDateTime``),
  referenced (``NoteRef``) from the code, transcript (``TextSource``), passage
  (``PlainTextSelection``, written for an uncoded passage too), coding
  (``Coding``) or project they are about; a memo on a suggestion goes on its
  passage. ``project.memos()`` is exported as it is (current versions).

GUIDs are deterministic (:mod:`mcqual._guids`), zip entries are sorted
with fixed timestamps: the same project gives a byte-identical file.

Examples
--------
>>> import io, pandas as pd
>>> from mcqual.model import Transcript
>>> from mcqual.corpus import Corpus
>>> from mcqual.codebook.model import Code, Codebook
>>> t = Transcript.from_turns("int-01", [("I", "Do you trust it?"), ("R", "Only if accredited.")])
>>> codings = pd.DataFrame({"transcript_id": ["int-01"], "start": [18], "end": [37],
...                         "code": ["trust"], "coder": ["AB"]})
>>> bundle = QdpxProject(Corpus([t]), Codebook([Code("trust", "Trust")]), codings)
>>> buf = io.BytesIO(); to_qdpx(bundle, buf)
>>> back = read_qdpx(io.BytesIO(buf.getvalue()))
>>> back.codings[["transcript_id", "start", "end", "code", "coder"]].values.tolist()
[['int-01', 18, 37, 'trust', 'AB']]
"""
from __future__ import annotations

import json
import math
import warnings
import zipfile
from pathlib import Path
from typing import Any

from ..codebook.model import Code, Codebook
from ..errors import ExchangeError
from .._xml import PathOrFile, write_bytes
from .._xml import clean as _clean
from .bundle import CODING_COLUMNS, ImportIssue, QdpxProject, as_bundle
from .._guids import guid
from ..codebook.qdc import build_codes, code_guid, meta_comment
from .qdpx_read import parse_qdpx, read_qdpx  # noqa: F401  (public: mq.read_qdpx)

NS = "urn:QDA-XML:project:1.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = "urn:QDA-XML:project:1.0 http://schema.qdasoftware.org/versions/Project/v1.0/Project.xsd"
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)

__all__ = ["to_qdpx", "read_qdpx", "qdpx_files", "QdpxProject", "ImportIssue"]


def _q(tag: str) -> str:
    return f"{{{NS}}}{tag}"


def _sub(parent, tag: str, text: str | None = None, **attrs: str):
    from lxml import etree

    el = etree.SubElement(parent, _q(tag), {k: _clean(v) for k, v in attrs.items()})
    if text is not None:
        el.text = _clean(text)
    return el


# -- variables ---------------------------------------------------------------------
def variable_type(series) -> str:
    """REFI-QDA ``typeOfVariable`` of a case-attribute column.

    Examples
    --------
    >>> import pandas as pd
    >>> [variable_type(pd.Series(v)) for v in ([1, 2], [1.5, None], [True, False], ["DE", "FR"])]
    ['Integer', 'Float', 'Boolean', 'Text']
    """
    import datetime as dt

    import pandas as pd
    from pandas.api import types as pt

    s = series.dropna()
    if pt.is_bool_dtype(series.dtype):
        return "Boolean"
    if pt.is_integer_dtype(series.dtype):
        return "Integer"
    if pt.is_float_dtype(series.dtype):
        return "Float"
    if pt.is_datetime64_any_dtype(series.dtype):
        stamps = pd.to_datetime(s)
        return "Date" if bool((stamps == stamps.dt.normalize()).all()) else "DateTime"
    if len(s) == 0:
        return "Text"
    vals = list(s)
    if all(isinstance(v, bool) for v in vals):
        return "Boolean"
    if all(isinstance(v, int) and not isinstance(v, bool) for v in vals):
        return "Integer"
    if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in vals):
        return "Float"
    if all(isinstance(v, dt.datetime) for v in vals):
        return "DateTime"
    if all(isinstance(v, dt.date) for v in vals):
        return "Date"
    return "Text"


def _value_text(kind: str, value: Any) -> str | None:
    import datetime as dt
    from decimal import Decimal

    import pandas as pd

    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NA or value is pd.NaT:
        return None
    if kind == "Boolean":
        return "true" if bool(value) else "false"
    if kind == "Integer":
        return str(int(value))
    if kind == "Float":
        f = float(value)
        if not math.isfinite(f):
            return None
        return format(Decimal(repr(f)), "f")
    if kind in ("Date", "DateTime"):
        ts = pd.Timestamp(value) if not isinstance(value, (dt.date, dt.datetime)) else value
        if kind == "Date":
            return (ts.date() if isinstance(ts, dt.datetime) else ts).isoformat()
        return pd.Timestamp(ts).strftime("%Y-%m-%dT%H:%M:%S")
    return str(value)


_VALUE_TAG = {"Text": "TextValue", "Boolean": "BooleanValue", "Integer": "IntegerValue",
              "Float": "FloatValue", "Date": "DateValue", "DateTime": "DateTimeValue"}


# -- the document --------------------------------------------------------------------
def _attributes_frame(bundle: QdpxProject):
    import pandas as pd

    attrs = bundle.attributes
    if attrs is None:
        attrs = bundle.corpus.attributes
    if attrs is None:
        rows = {t.id: dict(t.attributes) for t in bundle.corpus if t.attributes}
        if not rows:
            return None
        attrs = pd.DataFrame.from_dict(rows, orient="index")
    attrs = attrs.copy()
    attrs.index = attrs.index.map(str)
    return attrs


def _codings_frame(bundle: QdpxProject):
    import pandas as pd

    df = bundle.codings
    if df is None or len(df) == 0:
        return pd.DataFrame(columns=CODING_COLUMNS)
    missing = {"transcript_id", "start", "end", "code"} - set(df.columns)
    if missing:
        raise ExchangeError("E601", f"the codings table lacks {', '.join(sorted(missing))}",
                            hint="Give codings with transcript_id, start, end, code (and coder).")
    df = df.copy()
    if "status" in df.columns:
        orphaned = ~df["status"].isin(["active", "fuzzy"])
        if orphaned.any():
            warnings.warn(f"to_qdpx: left out {int(orphaned.sum())} orphaned codings (their span is gone)",
                          stacklevel=3)
        df = df[~orphaned]
    if "coder" not in df.columns:
        df["coder"] = "mcqual"
    df["coder"] = df["coder"].fillna("mcqual").astype(str)
    df["transcript_id"] = df["transcript_id"].astype(str)
    df["code"] = df["code"].astype(str)
    df["start"] = df["start"].astype(int)
    df["end"] = df["end"].astype(int)
    return df.drop_duplicates(["transcript_id", "start", "end", "code", "coder"])


def _complete_codebook(codebook: Codebook | None, codes_used) -> Codebook:
    """The codebook plus a plain code for every coded id it lacks (so no coding is lost)."""
    codebook = codebook if codebook is not None else Codebook([], name="codebook")
    extra = [Code(str(c)) for c in sorted(set(codes_used)) if str(c) not in codebook]
    if not extra:
        return codebook
    warnings.warn(f"to_qdpx: {len(extra)} coded ids are not in the codebook; exported as plain codes: "
                  + ", ".join(c.id for c in extra[:5]), stacklevel=3)
    return Codebook([*codebook, *extra], name=codebook.name, version=codebook.version,
                    language=codebook.language, description=codebook.description)


def _memo_rows(memos) -> list[dict[str, Any]]:
    """Memo dicts for export: id, title, text, coder, created_at and the target (project memos or a bundle's)."""
    import pandas as pd

    if memos is None:
        return []
    if isinstance(memos, pd.DataFrame):
        rows = memos.to_dict("records")
    else:
        rows = [m if isinstance(m, dict) else {"text": str(m)} for m in memos]
    out = []
    for i, r in enumerate(rows):
        r = {k: (None if (v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NA) else v)
             for k, v in r.items()}
        text = str(r.get("text") or r.get("memo") or "")
        if not text.strip() and r.get("target"):  # a withdrawn memo (history=True frames)
            continue
        mid = r.get("memo_id") or r.get("id") or f"memo-{i + 1}"
        if isinstance(mid, float) and mid.is_integer():
            mid = int(mid)
        if r.get("memo_id") is None and r.get("target") and r.get("created_at"):
            mid = f"note-{r['created_at']}"  # a decision note from before memos had ids
        first = " ".join(text.split())
        title = r.get("title") or r.get("name") or (first if len(first) <= 50 else first[:49] + "…") or str(mid)
        row = {"memo_id": str(mid), "title": str(title), "text": text, "coder": r.get("coder") or r.get("author"),
               "transcript_id": r.get("transcript_id"), "code": r.get("code"), "created_at": r.get("created_at"),
               "target": r.get("target"), "start": r.get("start"), "end": r.get("end"),
               "coding_id": r.get("coding_id")}
        if row["target"] is None:  # a bundle's memo: what it is about follows from the columns given
            if row["transcript_id"] and row["start"] is not None and row["end"] is not None:
                row["target"] = "coding" if row["code"] else "span"
            else:
                row["target"] = "code" if row["code"] else ("transcript" if row["transcript_id"] else "project")
        out.append(row)
    return out


def _note_key(m: dict[str, Any]) -> tuple:
    """Where a memo's ``NoteRef`` goes: the code, the source, a selection, a coding, or the project."""
    t = m["target"]
    if t in ("span", "coding", "suggestion") and m["transcript_id"] and m["start"] is not None:
        a, b = int(m["start"]), int(m["end"])
        if t == "coding" and m["code"]:
            return ("coding", str(m["transcript_id"]), a, b, str(m["code"]))
        return ("selection", str(m["transcript_id"]), a, b)
    if t == "code" or (t not in ("transcript", "project") and m["code"] and not m["transcript_id"]):
        return ("code", str(m["code"]))
    if m["transcript_id"]:
        return ("source", str(m["transcript_id"]))
    return ("project", "")


def _xsd_datetime(value: Any) -> str | None:
    """An ``xsd:dateTime`` (``2026-01-02T03:04:05Z``) from mcqual's ISO time, or None."""
    import re

    m = re.match(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})", str(value or ""))
    return f"{m.group(1)}T{m.group(2)}Z" if m else None


def build_project(bundle: QdpxProject) -> tuple[bytes, dict[str, bytes]]:
    """``project.qde`` bytes and ``{zip name: bytes}`` of the sources for ``bundle``."""
    from lxml import etree

    from .._version import __version__

    codings = _codings_frame(bundle)
    codebook = _complete_codebook(bundle.codebook, codings["code"].unique())
    attrs = _attributes_frame(bundle)
    memos = _memo_rows(bundle.memos)
    corpus_ids = set(bundle.corpus.ids)
    unknown = sorted(set(codings["transcript_id"]) - corpus_ids)
    if unknown:
        warnings.warn(f"to_qdpx: codings on transcripts not in the corpus were left out: {', '.join(unknown[:5])}",
                      stacklevel=3)
        codings = codings[codings["transcript_id"].isin(corpus_ids)]

    coders = sorted(set(codings["coder"]) | {str(m["coder"]) for m in memos if m["coder"]})
    root = etree.Element(_q("Project"), nsmap={None: NS, "xsi": XSI},
                         name=_clean(bundle.name), origin=f"mcqual {__version__}")
    root.set(f"{{{XSI}}}schemaLocation", SCHEMA_LOCATION)
    if coders:
        users = _sub(root, "Users")
        for c in coders:
            _sub(users, "User", guid=guid("user", c), name=c, id=c)

    # notes and where they are referenced from (a code, a source, a selection, a coding, the project)
    note_refs: dict[tuple, list[str]] = {}
    for m in memos:
        note_refs.setdefault(_note_key(m), []).append(guid("note", m["memo_id"]))
    memo_coding = {int(k): v for k, v in zip(codings.get("coding_id", ()), codings["coder"]) if k is not None
                   and k == k} if "coding_id" in codings.columns else {}
    coding_note_coder = {}  # the coder whose Coding carries a coding memo (the coding's own coder)
    for m in memos:
        key = _note_key(m)
        if key[0] == "coding" and m.get("coding_id") is not None and int(m["coding_id"]) in memo_coding:
            coding_note_coder[(key, guid("note", m["memo_id"]))] = memo_coding[int(m["coding_id"])]

    def code_extra(el, code: Code) -> None:
        for g in note_refs.get(("code", code.id), []):
            _sub(el, "NoteRef", targetGUID=g)

    if len(codebook):
        cb_el = _sub(root, "CodeBook")
        cb_el.append(meta_comment(codebook))
        build_codes(cb_el, codebook, NS, extra=code_extra)

    case_rows: list[tuple[str, dict[str, Any]]] = []
    if attrs is not None and len(attrs.columns):
        kinds = {col: variable_type(attrs[col]) for col in attrs.columns}
        var_el = _sub(root, "Variables")
        for col in attrs.columns:
            _sub(var_el, "Variable", guid=guid("variable", col), name=str(col), typeOfVariable=kinds[col])
        case_rows = [(str(cid), row) for cid, row in zip(attrs.index, attrs.to_dict("records"))]
    elif attrs is not None:
        kinds = {}
        case_rows = [(str(cid), {}) for cid in attrs.index]
    if case_rows:
        cases_el = _sub(root, "Cases")
        for cid, row in sorted(case_rows, key=lambda x: x[0]):
            case_el = _sub(cases_el, "Case", guid=guid("case", cid), name=cid)
            for col, value in row.items():
                text = _value_text(kinds[col], value)
                if text is None:
                    continue
                vv = _sub(case_el, "VariableValue")
                _sub(vv, "VariableRef", targetGUID=guid("variable", col))
                _sub(vv, _VALUE_TAG[kinds[col]], text)
            for tid in sorted(bundle.cases.get(cid, (cid,) if cid in corpus_ids else ())):
                if tid in corpus_ids:
                    _sub(case_el, "SourceRef", targetGUID=guid("source", tid))

    files: dict[str, bytes] = {}
    if len(bundle.corpus):
        sources_el = _sub(root, "Sources")
        by_tid: dict[str, dict[tuple[int, int], list[tuple[str, str]]]] = {}
        for tid, a, b, code, who in zip(codings["transcript_id"], codings["start"], codings["end"],
                                        codings["code"], codings["coder"]):
            by_tid.setdefault(tid, {}).setdefault((int(a), int(b)), []).append((code, who))
        user_guid = {c: guid("user", c) for c in coders}
        code_guids = {c.id: code_guid(c.id) for c in codebook}
        for t in sorted(bundle.corpus, key=lambda t: t.id):
            sg = guid("source", t.id)
            files[f"sources/{sg}.txt"] = t.text.encode("utf-8", "surrogatepass")
            src = _sub(sources_el, "TextSource", guid=sg, name=t.id, plainTextPath=f"internal://{sg}.txt")
            info = {"id": t.id, "language": t.language, "source": Path(t.source).name if t.source else None,
                    "turns": [[u.start, u.end, u.speaker, u.timestamp, u.role] for u in t.turns]}
            _sub(src, "Description", "mcqual-transcript " + json.dumps(info, ensure_ascii=False, sort_keys=True))
            group = dict(by_tid.get(t.id) or {})
            for key in note_refs:  # a memo on an uncoded passage still needs its selection
                if key[0] in ("selection", "coding") and key[1] == t.id:
                    group.setdefault((key[2], key[3]), [])
            if group:
                for (a, b), pairs in sorted(group.items()):
                    if not (0 <= a < b <= len(t.text)):
                        warnings.warn(f"to_qdpx: coding [{a}, {b}) is outside transcript {t.id!r}; left out",
                                      stacklevel=3)
                        continue
                    snippet = t.text[a:b]
                    name = snippet if len(snippet) <= 60 else snippet[:59] + "…"
                    sel_el = _sub(src, "PlainTextSelection", guid=guid("selection", t.id, a, b),
                                  name=name.replace("\n", " "), startPosition=str(a), endPosition=str(b))
                    loose: list[str] = []
                    for code in sorted({c for c, _ in pairs} | {k[4] for k in note_refs if k[0] == "coding"
                                                               and k[1:4] == (t.id, a, b)}):
                        notes = note_refs.get(("coding", t.id, a, b, code), [])
                        whos = sorted(w for c, w in pairs if c == code)
                        if not whos:  # the coding is gone (or left out): the memo stays on the passage
                            loose += notes
                            continue
                        for who in whos:
                            cod = _sub(sel_el, "Coding", guid=guid("coding", t.id, a, b, code, who),
                                       creatingUser=user_guid[who])
                            _sub(cod, "CodeRef", targetGUID=code_guids[code])
                            for g in notes:
                                if coding_note_coder.get((("coding", t.id, a, b, code), g), whos[0]) == who:
                                    _sub(cod, "NoteRef", targetGUID=g)
                    for g in note_refs.get(("selection", t.id, a, b), []) + loose:
                        _sub(sel_el, "NoteRef", targetGUID=g)
            for g in note_refs.get(("source", t.id), []):
                _sub(src, "NoteRef", targetGUID=g)

    if memos:
        notes_el = _sub(root, "Notes")
        for m in memos:
            attrs_n = {"guid": guid("note", m["memo_id"]), "name": m["title"]}
            if m["coder"]:
                attrs_n["creatingUser"] = guid("user", str(m["coder"]))
            when = _xsd_datetime(m.get("created_at"))
            if when:
                attrs_n["creationDateTime"] = when
            note = _sub(notes_el, "Note", **attrs_n)
            _sub(note, "Description", f"ID: {m['memo_id']}")
            _sub(note, "PlainTextContent", m["text"])
    sets = list(getattr(codebook, "sets", ()) or ())
    if sets:
        sets_el = _sub(root, "Sets")
        for s in sets:
            set_el = _sub(sets_el, "Set", guid=s.guid or guid("set", s.name), name=s.name)
            if s.description:
                _sub(set_el, "Description", s.description)
            for cid in s.codes:
                if cid in codebook:
                    _sub(set_el, "MemberCode", targetGUID=code_guid(cid))
    for g in note_refs.get(("project", ""), []):
        _sub(root, "NoteRef", targetGUID=g)
    qde = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True, standalone=True)
    return qde, files


def qdpx_files(project: Any) -> dict[str, bytes]:
    """The files of the ``.qdpx`` archive, by name (``project.qde`` first, sources sorted)."""
    qde, files = build_project(as_bundle(project))
    return {"project.qde": qde, **dict(sorted(files.items()))}


def to_qdpx(project: Any, path: PathOrFile, *, pseudonymise: Any = False) -> Path | None:
    """Export a coding project as a REFI-QDA ``.qdpx`` (NVivo, ATLAS.ti, MAXQDA, QualCoder...).

    Parameters
    ----------
    project : mq.Project or QdpxProject
        Anything with ``corpus()``, ``codebook()``, ``codings()`` (and optionally
        ``attributes()``, ``memos()``), or a :class:`QdpxProject`.
    path : str, Path or binary file
        Written atomically (temp file + rename) when a path.
    pseudonymise : bool, PseudonymResult or dict
        ``True``: the sources are the texts of ``mq.pseudonymise(corpus)``, codings and memo
        anchors re-mapped, names replaced in attributes and memos; a ``PseudonymResult``
        reuses its mapping; a dict passes options (``{"names": [...]}``).

    Returns
    -------
    Path or None
        The path written (None for an open file).

    Examples
    --------
    >>> import io, zipfile
    >>> from mcqual.model import Transcript
    >>> from mcqual.corpus import Corpus
    >>> buf = io.BytesIO()
    >>> to_qdpx(QdpxProject(Corpus([Transcript.from_turns("a", [("R", "Yes.")])])), buf)
    >>> sorted(zipfile.ZipFile(buf).namelist())[0]
    'project.qde'
    """
    if pseudonymise is not False and pseudonymise is not None:
        from ..privacy import pseudonymised_bundle

        project = pseudonymised_bundle(as_bundle(project), pseudonymise)
    files = qdpx_files(project)

    def write(fh) -> None:
        with zipfile.ZipFile(fh, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for name, data in files.items():
                info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3
                info.external_attr = 0o644 << 16
                zf.writestr(info, data)

    return write_bytes(path, write)
