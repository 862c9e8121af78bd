"""Read a Word (.docx) interview transcript into a :class:`~mcqual.model.Transcript`.

The package XML is read directly with lxml (one parse of the main part, a walk
over ``w:p``/``w:tbl`` in body order), not through python-docx's object model.
See :mod:`mcqual.io.wordml` for what becomes text, :mod:`mcqual.io.speakers`
for the label conventions and roles, and :mod:`mcqual.io.ooxml` for the safety
limits.

Examples
--------
>>> import mcqual as mq
>>> try:
...     mq.read_docx("interview_missing.docx")
... except mq.TranscriptError as err:
...     print(err.code)
E100
"""
from __future__ import annotations

import os
import re
from collections import Counter
from pathlib import Path
from typing import Any

from ..errors import TranscriptError
from ..model import Transcript
from . import preamble as pre
from . import speakers as sp
from .assemble import LineList, SrcPara, build
from .._xml import has_dtd
from .ooxml import MAX_FILE_BYTES, check_declarations, open_package, xml_error
from .wordml import W_MAIN, W_STRICT, BodyWalker, Table, plain_paragraphs, read_comments, walk_body_stream

_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
_HEADER_WORDS = frozenset("""
speaker name who person role text utterance statement transcript transcription content dialogue speech said
answer time timestamp start tc timecode time_code begin sprecher zeit orateur intervenant temps texte testo
tempo parlante hablante tiempo texto
""".split())


def read_docx(path: str | os.PathLike[str], *, speaker_pattern: str | re.Pattern[str] | None = None,
              id: str | None = None, language: str | None = None,
              max_bytes: int = MAX_FILE_BYTES) -> Transcript:
    """Read one .docx transcript.

    Parameters
    ----------
    path : str or Path
        The Word file.
    speaker_pattern : str or re.Pattern, optional
        A regular expression with a named group ``speaker`` (and optionally
        ``time``) matched at the start of each line; it replaces the automatic
        label detection. Invalid -> E112.
    id : str, optional
        Transcript id; the file stem by default.
    language : str, optional
        ISO 639-1 code; guessed from the text when not given.
    max_bytes : int
        Refuse larger files (E107).

    Returns
    -------
    Transcript
        Turns with speakers, roles and timestamps; ``metadata`` holds the
        preamble, metadata tables/blocks, headers/footers, footnotes and core
        properties; ``comments`` the Word comments with their anchored spans.

    Examples
    --------
    >>> from mcqual.io.docx import read_docx
    >>> read_docx("no/such/file.docx")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    mcqual.errors.TranscriptError: [E100] no/such/file.docx: no such file ...
    """
    from lxml import etree

    p = Path(path)
    pattern = sp.compile_pattern(speaker_pattern, p)
    with open_package(p, max_bytes=max_bytes) as pkg:
        main = pkg.main_part()
        found: list[str] = []
        wrong: list[str] = []

        def on_root(root: Any) -> str:
            local = root.tag.rpartition("}")[2] if isinstance(root.tag, str) else ""
            ns = root.tag[1:].partition("}")[0] if root.tag.startswith("{") else ""
            if has_dtd(root):
                raise TranscriptError("E106", f"<!DOCTYPE> or <!ENTITY> declarations are refused in {main}", path=p)
            if local != "document" or ns not in (W_MAIN, W_STRICT):
                found.append("")
                wrong.append(local)
                return None
            found.append(ns)
            return ns

        data = pkg.read(main)
        check_declarations(data, path=p, part=main)
        try:
            walker = walk_body_stream(data, main, on_root=on_root)
        except etree.XMLSyntaxError as exc:
            raise xml_error(exc, path=p, part=main) from None
        del data
        if not found:
            raise TranscriptError("E106", f"empty XML in {main}", path=p)
        if wrong:
            raise TranscriptError("E105", f"the main part {main} is not a Word document (root <{wrong[0]}>)", path=p)
        ns = found[0]
        if walker is None:
            walker = BodyWalker(ns, main)
        rels = pkg.rels(main)
        meta: dict[str, Any] = {}
        extra: list[SrcPara] = []
        comments = []
        for _, rtype, target in rels:
            kind = rtype.rpartition("/")[2]
            if kind in ("header", "footer") and pkg.has(target):
                texts = plain_paragraphs(pkg.xml(target), ns, target)
                for t in texts:
                    extra.append(SrcPara(0, t, target, kind))
                    bucket = meta.setdefault(kind, [])
                    if t not in bucket:
                        bucket.append(t)
            elif kind in ("footnotes", "endnotes") and pkg.has(target):
                texts = plain_paragraphs(pkg.xml(target), ns, target)
                if texts:
                    meta[kind] = tuple(texts)
            elif kind == "comments" and pkg.has(target):
                comments = read_comments(pkg.xml(target), ns, walker.starts, walker.ends, walker.refs)
        props = pkg.core_properties()
    for kind in ("header", "footer"):
        if kind in meta:
            meta[kind] = "\n".join(meta[kind])
    paras = walker.paras
    n = len(paras)
    paras.extend(SrcPara(n + i, x.text, x.part, x.kind) for i, x in enumerate(extra))
    lines, table_meta = _lines(paras[:n], walker.tables, pattern is not None)
    for k, v in table_meta.items():
        meta.setdefault(k, v)
    return build(paras, lines, id=id if id is not None else p.stem, source=str(p), pattern=pattern,
                 metadata=meta, properties={k: v for k, v in props.items()
                                             if k in ("title", "creator", "created", "modified", "subject",
                                                      "keywords", "description", "last_modified_by")},
                 comments=comments, language=language)


# ----------------------------------------------------------------------------- tables
def _cell_text(paras: list[SrcPara], cell: range) -> str:
    return "\n".join(paras[i].text for i in cell).strip()


def _classify(paras: list[SrcPara], table: Table) -> tuple[str, dict[str, int]]:
    """``('metadata'|'transcript'|'other', columns)`` for a table."""
    rows = [r for r in table.rows if any(_cell_text(paras, c) for c in r)]
    if not rows:
        return "other", {}
    width = Counter(len(r) for r in rows).most_common(1)[0][0]
    if width not in (2, 3):
        return "other", {}
    rows = [r for r in rows if len(r) == width]
    texts = [[_cell_text(paras, c) for c in r] for r in rows]
    header = all(t.casefold().strip(" :") in _HEADER_WORDS for t in texts[0] if t) and len(rows) > 1
    body = texts[1:] if header else texts
    cols = {}
    if width == 3:
        time_col = None
        for j in range(3):
            vals = [r[j] for r in body if r[j]]
            if vals and sum(sp.parse_time(v.strip("[]() ")) is not None for v in vals) >= 0.8 * len(vals):
                time_col = j
                break
        if time_col is None:
            return "other", {}
        rest = [j for j in range(3) if j != time_col]
        avg = {j: sum(len(r[j]) for r in body) / max(len(body), 1) for j in rest}
        spk, txt = sorted(rest, key=lambda j: avg[j])
        cols = {"time": time_col, "speaker": spk, "text": txt}
    else:
        cols = {"speaker": 0, "text": 1}
    keys = [r[cols["speaker"]] for r in body]
    values = [r[cols["text"]] for r in body]
    named = [k for k in keys if k]
    distinct = {k.casefold() for k in named}
    if width == 2 and not header and named:
        metaish = any(pre.norm_key(k) in sp.METADATA_KEYS or pre.norm_key(k).split("_")[0] in sp.METADATA_KEYS
                      for k in named)
        if len(distinct) == len(named) and metaish and all(len(k.split()) <= 5 for k in named) \
                and all(len(v.split()) <= 25 for v in values):
            return "metadata", cols
    if not named or not all(sp._name_ok(k, max_tokens=5) or sp._ID_LIKE.match(k) for k in named):
        return "other", {}
    if header:
        return "transcript", cols | {"header": 1}
    if len(distinct) < len(named) or all(sp._strength(k) != "weak" for k in named) or width == 3:
        return "transcript", cols
    return "other", {}


def _lines(paras: list[SrcPara], tables: list[Table], user_pattern: bool) -> tuple[LineList, dict[str, Any]]:
    """Lines in body order; transcript tables give forced turns, metadata tables go to metadata."""
    skip: set[int] = set()
    forced: dict[int, tuple[str | None, float | None]] = {}
    meta: dict[str, Any] = {}
    for table in tables:
        for row in table.rows:
            for cell in row:
                for i in cell:
                    if paras[i].kind == "body":
                        paras[i].kind = "table"
        kind, cols = ("other", {}) if user_pattern else _classify(paras, table)
        if kind == "metadata":
            for row in table.rows:
                if len(row) < 2:
                    continue
                key, value = _cell_text(paras, row[0]), _cell_text(paras, row[1])
                if key:
                    meta.setdefault(pre.norm_key(key), value)
                for cell in row:
                    for i in cell:
                        paras[i].kind = "preamble"
                        skip.add(i)
        elif kind == "transcript":
            rows = [r for r in table.rows if len(r) >= 2]
            for k, row in enumerate(rows):
                if cols.get("header") and k == 0:
                    for cell in row:
                        for i in cell:
                            paras[i].kind = "preamble"
                            skip.add(i)
                    continue
                speaker = _cell_text(paras, row[cols["speaker"]]).rstrip(":").strip() or None
                time = None
                if "time" in cols:
                    time = sp.parse_time(_cell_text(paras, row[cols["time"]]).strip("[]() "))
                for j, cell in enumerate(row):
                    if j != cols["text"]:
                        for i in cell:
                            paras[i].kind = "label"
                            skip.add(i)
                text_paras = [i for i in row[cols["text"]]]
                if text_paras:
                    forced[text_paras[0]] = (speaker, time)
                    for i in text_paras:
                        paras[i].kind = "table"
    lines = LineList(paras)
    for p in paras:
        if p.index in skip:
            continue
        if p.kind == "body" and p.bold and _is_bold_title(p):
            p.kind = "heading"
        text = p.text
        if "\n" not in text:
            lines.add(p.index, 0, len(text), forced.get(p.index))
            continue
        off = 0
        for k, part in enumerate(text.split("\n")):
            lines.add(p.index, off, len(part), forced.get(p.index) if k == 0 else None)
            off += len(part) + 1
    return lines, meta


def _is_bold_title(p: SrcPara) -> bool:
    """A short paragraph that is bold from end to end, not a label and not a sentence: a title."""
    text = p.text.strip()
    if not text or len(text) > 150 or text[-1] in ".?!:;,…" or "\n" in text or len(text.split()) > 15:
        return False
    lead = len(p.text) - len(p.text.lstrip())
    if p.bold[0][0] > lead or p.bold[-1][1] < lead + len(text) or sp.parse_label(text):
        return False
    pos = lead
    for a, b in p.bold:
        if a > pos and p.text[pos:a].strip():
            return False
        pos = max(pos, b)
    return not p.text[pos:].strip()
