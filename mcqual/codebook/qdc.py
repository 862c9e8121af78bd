"""REFI-QDA codebooks (``.qdc``, ``urn:QDA-XML:codebook:1.0``): read and write, losslessly.

REFI-QDA gives a code a name, a colour, ``isCodable`` and one free-text
``Description``. mcqual's definition, inclusion/exclusion criteria, examples,
keywords, token patterns, memo and the code's stable id are written into that
Description in a layout a researcher can read in NVivo, ATLAS.ti or MAXQDA and
mcqual can parse back::

    Definition: Statements on how employers weigh a credential.
    Include:
    - mentions of hiring decisions
    Exclude:
    - formal degrees
    Examples:
    - "We call back people with a badge."
    ID: impact.hiring

A Description without these headings (another tool's free text) becomes the
definition. Ids: the ``ID:`` line carries the mcqual id; the GUID is
``uuid5("code:" + id)`` (:mod:`mcqual._guids`), so exports are stable.
Codes from another tool get ids from their path (``topics.health.diet``).
Code groups (``Sets/Set/MemberCode``, ATLAS.ti's code groups) are read into
``codebook.sets`` (a tuple of :class:`CodeSet`) and written back.

Examples
--------
>>> from mcqual.codebook.model import Code, Codebook
>>> cb = Codebook([Code("trust", "Trust", codable=False, definition="Why people trust a credential."),
...                Code("trust.qa", "Quality assurance", parent="trust", include=("EQF level",))])
>>> back = parse_qdc(qdc_bytes(cb))
>>> back["trust.qa"].include, back["trust.qa"].parent, back["trust"].codable
(('EQF level',), 'trust', False)
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from .model import Code, Codebook, slugify
from ..errors import CodebookError
from .._xml import PathOrFile, clean, json_safe, local, parse_refusing_dtd, read_input, write_bytes
from .._guids import guid, normalize_guid

NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
ORIGIN = "mcqual"

# Description layout: (heading, Code field, kind) in the order written
_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("Definition", "definition", "text"),
    ("Include", "include", "list"),
    ("Exclude", "exclude", "list"),
    ("Examples", "examples", "list"),
    ("Counter-examples", "counter_examples", "list"),
    ("Keywords", "keywords", "list"),
    ("Patterns", "patterns", "json"),
    ("Memo", "memo", "text"),
    ("Name", "name", "line"),
    ("ID", "id", "line"),
)
_HEADINGS = {h.lower(): (f, k) for h, f, k in _FIELDS}
_HEAD_RE = re.compile(r"^(Definition|Include|Exclude|Examples|Counter-examples|Keywords|Patterns|Memo|Name|ID):[ ]?(.*)$",
                      re.IGNORECASE)
_RGB = re.compile(r"^#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")


@dataclass(frozen=True)
class CodeSet:
    """A group of codes (REFI-QDA ``Set``; ATLAS.ti code groups, MAXQDA code sets)."""

    name: str
    codes: tuple[str, ...] = ()
    description: str = ""
    guid: str | None = None


# -- Description layout ----------------------------------------------------------
def format_description(code: Code) -> str:
    """The readable, parseable Description of ``code`` (see the module docstring).

    Examples
    --------
    >>> print(format_description(Code("trust.qa", "QA", definition="Quality assurance.", exclude=("fees",))))
    Definition: Quality assurance.
    Exclude:
    - fees
    ID: trust.qa
    """
    lines: list[str] = []
    default_name = re.split(r"[./]", code.id)[-1]
    for heading, fname, kind in _FIELDS:
        value = getattr(code, fname)
        if fname == "name" and value == default_name:
            continue
        if kind in ("text", "line"):
            if value:
                # continuation lines are indented, so a line like "Include: ..." inside a text stays text
                first, *rest = str(value).split("\n")
                lines.append(f"{heading}: {first}" if first else f"{heading}:")
                lines.extend("  " + r if r else "" for r in rest)
        elif value:
            lines.append(f"{heading}:")
            for item in value:
                text = json.dumps([dict(t) for t in item], ensure_ascii=False, sort_keys=True) \
                    if kind == "json" else str(item)
                first, *rest = text.split("\n")
                lines.append(f"- {first}")
                lines.extend(f"  {r}" for r in rest)
    return "\n".join(lines)


def parse_description(text: str | None) -> dict[str, Any]:
    """Fields of a Description written by :func:`format_description`; free text becomes ``definition``.

    Examples
    --------
    >>> parse_description("Definition: Trust.\\nInclude:\\n- badges\\n- EQF levels\\nID: trust")
    {'definition': 'Trust.', 'include': ('badges', 'EQF levels'), 'id': 'trust'}
    >>> parse_description("Anything about health")
    {'definition': 'Anything about health'}
    """
    text = (text or "").replace("\r\n", "\n").strip("\n")
    if not text:
        return {}
    lines = text.split("\n")
    if not _HEAD_RE.match(lines[0]):
        return {"definition": text.strip()}
    out: dict[str, Any] = {}
    field_: str | None = None
    kind = ""
    buf: list[str] = []

    def flush() -> None:
        if field_ is None:
            return
        if kind in ("text", "line"):
            out[field_] = "\n".join(buf).strip("\n")
        else:
            items: list[str] = []
            for line in buf:
                if line.startswith("- "):
                    items.append(line[2:])
                elif line == "-":
                    items.append("")
                elif items and line.startswith("  "):
                    items[-1] += "\n" + line[2:]
                elif line.strip():
                    items.append(line.strip())
            if kind == "json":
                pats = []
                for item in items:
                    try:
                        pats.append(tuple(json.loads(item)))
                    except ValueError:
                        continue
                out[field_] = tuple(pats)
            else:
                out[field_] = tuple(items)

    for line in lines:
        m = _HEAD_RE.match(line)
        if m and m.group(1).lower() in _HEADINGS:
            flush()
            field_, kind = _HEADINGS[m.group(1).lower()]
            buf = [m.group(2)] if m.group(2) else []
        else:
            buf.append(line[2:] if kind in ("text", "line") and line.startswith("  ") else line)
    flush()
    return out


# -- elements (shared with .qdpx) ----------------------------------------------------
def code_guid(code_id: str) -> str:
    """The GUID mcqual gives the code ``code_id``."""
    return guid("code", code_id)


def build_codes(parent_el, codebook: Codebook, ns: str,
                extra: Callable[[Any, Code], None] | None = None) -> None:
    """Append ``<Codes>`` with nested ``<Code>`` elements for ``codebook`` under ``parent_el``.

    ``extra(code_el, code)`` may add children (e.g. ``NoteRef`` in a project);
    it is called after the Description and before the child codes.
    """
    from lxml import etree

    codes_el = etree.SubElement(parent_el, f"{{{ns}}}Codes")
    ids = set(codebook.ids)

    def add(parent, code: Code) -> None:
        attrs = {"guid": code_guid(code.id), "name": clean(code.label or code.id),
                 "isCodable": "true" if code.codable else "false"}
        if code.color and _RGB.match(code.color):
            attrs["color"] = code.color
        el = etree.SubElement(parent, f"{{{ns}}}Code", attrs)
        desc = format_description(code)
        if desc:
            etree.SubElement(el, f"{{{ns}}}Description").text = clean(desc)
        if extra is not None:
            extra(el, code)
        for child in codebook.children(code.id):
            add(el, child)

    roots = [c for c in codebook if c.parent is None or c.parent not in ids]
    for code in roots:
        add(codes_el, code)


def meta_comment(codebook: Codebook):
    """An XML comment carrying the codebook's name/version/language/description (schema-neutral)."""
    from lxml import etree

    meta = {"name": codebook.name, "version": str(codebook.version), "language": codebook.language,
            "description": codebook.description}
    text = json.dumps(meta, ensure_ascii=True, sort_keys=True).replace("--", "-\\u002d")
    return etree.Comment(f"mcqual-codebook {text}")


def read_meta_comment(el) -> dict[str, str]:
    """Inverse of :func:`meta_comment`: search ``el``'s comments ({} if none)."""
    from lxml import etree

    for node in el.iter(etree.Comment):
        text = (node.text or "").strip()
        if text.startswith("mcqual-codebook "):
            try:
                meta = json_safe(text[len("mcqual-codebook "):])
            except ValueError:
                return {}
            return {k: str(v) for k, v in meta.items() if k in ("name", "version", "language", "description")}
    return {}


def parse_codes(codes_el, *, on_issue: Callable[[str, str, str], None] | None = None) -> tuple[list[Code], dict[str, str]]:
    """Codes from a ``<Codes>`` element: a list in document order and a ``guid -> code id`` map.

    GUIDs are normalised (lower case, no braces); a code without a usable GUID is
    still read (``on_issue(guid, name, reason)`` is told).
    """
    codes: list[Code] = []
    by_guid: dict[str, str] = {}
    used: set[str] = set()

    def unique(base: str) -> str:
        cand, n = base, 2
        while cand in used:
            cand, n = f"{base}_{n}", n + 1
        return cand

    def walk(el, parent_id: str | None) -> None:
        for child in el:
            if local(child.tag) != "Code":
                continue
            raw_guid = child.get("guid") or ""
            g = normalize_guid(raw_guid)
            name = child.get("name") or ""
            if g is None and on_issue is not None:
                on_issue(raw_guid, name, "the code's guid is not a GUID; kept it under its name")
            desc = next((d.text or "" for d in child if local(d.tag) == "Description"), "")
            fields = parse_description(desc)
            wanted = fields.pop("id", "") or ""
            if not wanted or wanted in used:
                slug = slugify(name) if name else "code"
                wanted = f"{parent_id}.{slug}" if parent_id else slug
            code_id = unique(wanted)
            used.add(code_id)
            color = child.get("color")
            if color and _RGB.match(color):
                if len(color) == 4:
                    color = "#" + "".join(ch * 2 for ch in color[1:])
            else:
                color = None
            codable = (child.get("isCodable") or "true").strip().lower() in ("true", "1")
            name_field = fields.pop("name", "") or ""
            codes.append(Code(code_id, label=name or code_id, parent=parent_id, name=name_field,
                              color=color, codable=codable, **fields))
            by_guid[g or raw_guid] = code_id
            walk(child, code_id)

    walk(codes_el, None)
    return codes, by_guid


def parse_sets(sets_el, by_guid: dict[str, str], ref_attr: str = "guid") -> list[CodeSet]:
    """``<Sets>`` -> :class:`CodeSet` list (members that are not codes are left out)."""
    out = []
    for s in sets_el:
        if local(s.tag) != "Set":
            continue
        desc = next((d.text or "" for d in s if local(d.tag) == "Description"), "")
        members = []
        for m in s:
            if local(m.tag) == "MemberCode":
                g = normalize_guid(m.get(ref_attr) or m.get("targetGUID") or m.get("guid") or "")
                if g in by_guid:
                    members.append(by_guid[g])
        out.append(CodeSet(s.get("name") or "", tuple(members), desc, normalize_guid(s.get("guid") or "")))
    return out


# -- public API ---------------------------------------------------------------------
def qdc_bytes(codebook: Codebook, *, origin: str | None = None) -> bytes:
    """The ``.qdc`` XML of ``codebook`` as UTF-8 bytes (deterministic).

    Examples
    --------
    >>> qdc_bytes(Codebook([Code("trust", "Trust")]))[:38]
    b"<?xml version='1.0' encoding='UTF-8'?>"
    """
    from lxml import etree

    from .._version import __version__

    root = etree.Element(f"{{{NS_CODEBOOK}}}CodeBook", nsmap={None: NS_CODEBOOK},
                         origin=origin or f"{ORIGIN} {__version__}")
    root.append(meta_comment(codebook))
    if len(codebook) == 0:
        raise CodebookError("E209", "a REFI-QDA codebook needs at least one code", path=codebook.source,
                            hint="Add codes before exporting.")
    build_codes(root, codebook, NS_CODEBOOK)
    sets = list(getattr(codebook, "sets", ()) or ())
    if sets:
        sets_el = etree.SubElement(root, f"{{{NS_CODEBOOK}}}Sets")
        for s in sets:
            el = etree.SubElement(sets_el, f"{{{NS_CODEBOOK}}}Set",
                                  guid=s.guid or guid("set", s.name), name=clean(s.name))
            if s.description:
                etree.SubElement(el, f"{{{NS_CODEBOOK}}}Description").text = clean(s.description)
            for cid in s.codes:
                if cid in codebook:
                    etree.SubElement(el, f"{{{NS_CODEBOOK}}}MemberCode", guid=code_guid(cid))
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def write_qdc(codebook: Codebook, path: PathOrFile, *, origin: str | None = None) -> Path | None:
    """Write ``codebook`` as a REFI-QDA ``.qdc`` file (atomic), for NVivo, ATLAS.ti, MAXQDA, QualCoder.

    Parameters
    ----------
    codebook : Codebook
    path : str, Path or binary file
    origin : str, optional
        The ``origin`` attribute (default ``"mcqual <version>"``).

    Examples
    --------
    >>> import io
    >>> buf = io.BytesIO()
    >>> write_qdc(Codebook([Code("trust", "Trust")]), buf)
    >>> b'name="Trust"' in buf.getvalue()
    True
    """
    return write_bytes(path, qdc_bytes(codebook, origin=origin))


def parse_qdc(data: bytes, *, source: str | None = None) -> Codebook:
    """A :class:`Codebook` from ``.qdc`` XML bytes (see :func:`read_qdc`)."""
    root = parse_refusing_dtd(data, error=CodebookError, code="E209", dtd_code="E213", what="the codebook XML",
                              path=source)
    if local(root.tag) != "CodeBook":
        raise CodebookError("E209", f"the root element is <{local(root.tag)}>, not <CodeBook>", path=source)
    codes_el = next((c for c in root if local(c.tag) == "Codes"), None)
    if codes_el is None:
        raise CodebookError("E209", "the codebook has no <Codes> element", path=source)
    codes, by_guid = parse_codes(codes_el)
    meta = read_meta_comment(root)
    name = meta.get("name") or (Path(source).stem if source and not source.startswith("<") else "codebook")
    cb = Codebook(codes, name=name, version=meta.get("version", "1"), language=meta.get("language", "en"),
                  description=meta.get("description", ""), source=source)
    sets_el = next((c for c in root if local(c.tag) == "Sets"), None)
    cb.sets = tuple(parse_sets(sets_el, by_guid)) if sets_el is not None else ()  # type: ignore[attr-defined]
    cb.guids = dict(by_guid)  # type: ignore[attr-defined]
    return cb


def read_qdc(path: PathOrFile) -> Codebook:
    """Read a REFI-QDA ``.qdc`` codebook (any tool's; lenient about vendor quirks).

    Upper-case or braced GUIDs, an off-spec ``schemaLocation`` and a missing
    ``isCodable`` are accepted. Definitions, criteria and examples written by
    :func:`write_qdc` are read back into their fields; code groups go to
    ``codebook.sets`` and the original GUIDs to ``codebook.guids`` (guid -> id).

    Raises
    ------
    CodebookError
        E200 if the file does not exist, E209 if it is not REFI-QDA codebook XML.

    Examples
    --------
    >>> import io
    >>> cb = read_qdc(io.BytesIO(qdc_bytes(Codebook([Code("trust", "Trust", definition="Why.")]))))
    >>> cb["trust"].definition
    'Why.'
    """
    data, name = read_input(path, code="E200", error=CodebookError)
    return parse_qdc(data, source=name)
