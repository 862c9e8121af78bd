"""Validate plain codebook data (from YAML or Excel) and build a :class:`Codebook`.

Every problem in the file is collected, each with its line (YAML) or row (Excel),
the field concerned and what to write instead, and raised together as one
:class:`~mcqual.errors.CodebookError` whose ``.problems`` lists them all.

Examples
--------
>>> from mcqual.codebook.validate import codebook_from_data
>>> try:
...     codebook_from_data({"codes": [{"id": "a", "lable": "A"}, {"id": "a"}]}, {})
... except Exception as err:
...     print([(p.code, p.field) for p in err.problems])
[('E202', 'lable'), ('E203', 'id')]
"""
from __future__ import annotations

import difflib
import re
from functools import lru_cache
from typing import Any, Mapping

from ..errors import CodebookError, Problem
from .model import Code, Codebook

TOP_KEYS = ("name", "version", "language", "description", "codes", "history")
CODE_KEYS = ("id", "label", "name", "parent", "definition", "include", "exclude", "examples",
             "counter_examples", "keywords", "patterns", "color", "codable", "memo", "children")
TEXT_FIELDS = ("label", "name", "definition", "memo")
LIST_FIELDS = ("include", "exclude", "examples", "counter_examples", "keywords")
COLOR = re.compile(r"^#[0-9a-fA-F]{6}$")


def closest(word: str, choices: tuple[str, ...] | list[str]) -> str | None:
    """The closest valid key to a misspelt one, or ``None``.

    Examples
    --------
    >>> closest("defintion", CODE_KEYS)
    'definition'
    """
    hits = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return hits[0] if hits else None


class Collector:
    """Collects :class:`Problem` s with the line of a location (or of its nearest parent)."""

    def __init__(self, lines: Mapping[tuple, int], path: str | None) -> None:
        self.lines = lines
        self.path = path
        self.problems: list[Problem] = []

    def line(self, loc: tuple) -> int | None:
        while True:
            if loc in self.lines:
                return self.lines[loc]
            if not loc:
                return None
            loc = loc[:-1]

    def add(self, code: str, message: str, loc: tuple, field: str | None = None, hint: str | None = None) -> None:
        self.problems.append(Problem(code, message, self.path, self.line(loc), field, hint))

    def unknown_keys(self, mapping: Mapping, valid: tuple[str, ...], loc: tuple, what: str) -> None:
        for key in mapping:
            if key not in valid:
                near = closest(key, valid)
                hint = (f"Did you mean {near!r}? " if near else "") + f"Valid keys: {', '.join(valid)}."
                self.add("E202", f"unknown key {key!r} in {what}", loc + (key,), str(key), hint)


def _type_name(value: Any) -> str:
    return {list: "a list", dict: "a mapping", bool: "true/false", type(None): "empty"}.get(
        type(value), type(value).__name__)


def _text(col: Collector, value: Any, loc: tuple, field: str, who: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        col.add("E207", f"{field} of {who} must be text, not {_type_name(value)}", loc, field)
        return ""
    return str(value).strip()


def _text_list(col: Collector, value: Any, loc: tuple, field: str, who: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value.strip(),) if value.strip() else ()
    if not isinstance(value, list):
        col.add("E207", f"{field} of {who} must be a list of text, not {_type_name(value)}", loc, field,
                f"Write one item per line: '{field}:' then '  - first item'.")
        return ()
    out = []
    for i, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            col.add("E207", f"item {i + 1} of {field} of {who} must be text, not {_type_name(item)}",
                    loc + (i,), field, "Quote the item if it contains ': ' or starts with a special character.")
        elif str(item).strip():
            out.append(str(item).strip())
    return tuple(out)


@lru_cache(maxsize=1)
def _matcher_vocab():
    import spacy

    return spacy.blank("en").vocab


def check_patterns(col: Collector, value: Any, loc: tuple, who: str) -> tuple:
    """Validate spaCy Matcher token patterns (list of lists of token dicts); E205 for each bad one."""
    if value is None:
        return ()
    hint_wrap = "patterns is a list of patterns, each a list of token dicts: [[{LOWER: digital}, {LEMMA: badge}]]."
    if not isinstance(value, list):
        col.add("E205", f"patterns of {who} must be a list of patterns, not {_type_name(value)}", loc,
                "patterns", hint_wrap)
        return ()
    if value and all(isinstance(v, dict) for v in value):
        col.add("E205", f"patterns of {who} is a single pattern (a list of token dicts); wrap it in a "
                        "second list", loc, "patterns", hint_wrap)
        return ()
    good = []
    for i, pat in enumerate(value):
        ploc = loc + (i,)
        if not isinstance(pat, list) or not pat or not all(isinstance(t, dict) for t in pat):
            col.add("E205", f"pattern {i + 1} of {who} must be a non-empty list of token dicts", ploc,
                    "patterns", hint_wrap)
            continue
        from spacy.matcher import Matcher

        matcher = Matcher(_matcher_vocab(), validate=True)
        try:
            matcher.add("p", [pat])
        except Exception as exc:  # spaCy raises MatchPatternError / ValueError with its own text
            msg = " ".join(str(exc).split())
            col.add("E205", f"pattern {i + 1} of {who} is not a valid spaCy pattern: {msg[:300]}", ploc,
                    "patterns")
            continue
        good.append(tuple(pat))
    return tuple(good)


def _read_code(col: Collector, raw: Any, loc: tuple, parent: str | None, out: list, where: dict) -> None:
    if not isinstance(raw, dict):
        col.add("E207", f"a code must be a mapping with at least an id, not {_type_name(raw)}", loc, None,
                "Write '- id: my_code' then the code's other keys, indented under it.")
        return
    cid = raw.get("id")
    if cid is None or (isinstance(cid, str) and not cid.strip()):
        label = raw.get("label")
        from .model import slugify

        sugg = f" (e.g. id: {slugify(label)})" if isinstance(label, str) else ""
        col.add("E207", f"a code has no id{sugg}", loc, "id", "Give every code a stable, unique id.")
        cid = None
    elif isinstance(cid, bool) or not isinstance(cid, (str, int, float)):
        col.add("E207", f"a code id must be text, not {_type_name(cid)}", loc + ("id",), "id")
        cid = None
    else:
        cid = str(cid).strip()
    who = f"code {cid!r}" if cid else "a code"
    col.unknown_keys(raw, CODE_KEYS, loc, who)
    own_parent = raw.get("parent")
    if own_parent is not None and not isinstance(own_parent, (str, int, float)):
        col.add("E207", f"parent of {who} must be a code id", loc + ("parent",), "parent")
        own_parent = None
    elif own_parent is not None:
        own_parent = str(own_parent).strip() or None
    if parent is not None and own_parent is not None and own_parent != parent:
        col.add("E204", f"{who} is nested under {parent!r} but says parent: {own_parent!r}", loc + ("parent",),
                "parent", "Remove the parent key of a nested code (nesting gives its parent).")
    the_parent = parent if parent is not None else own_parent
    fields: dict[str, Any] = {}
    for f in TEXT_FIELDS:
        fields[f] = _text(col, raw.get(f), loc + (f,), f, who)
    if fields["name"] and "/" in fields["name"]:
        col.add("E207", f"name of {who} must not contain '/' (it is one path segment)", loc + ("name",), "name")
        fields["name"] = ""
    for f in LIST_FIELDS:
        fields[f] = _text_list(col, raw.get(f), loc + (f,), f, who)
    fields["patterns"] = check_patterns(col, raw.get("patterns"), loc + ("patterns",), who)
    color = raw.get("color")
    if color is not None and (not isinstance(color, str) or not COLOR.match(color.strip())):
        col.add("E206", f"color of {who} is {color!r}, not '#RRGGBB'", loc + ("color",), "color")
        color = None
    codable = raw.get("codable", True)
    if codable is None:
        codable = True
    if not isinstance(codable, bool):
        col.add("E207", f"codable of {who} must be true or false, not {codable!r}", loc + ("codable",), "codable")
        codable = True
    if cid is not None:
        out.append((Code(cid, parent=the_parent, color=color.strip() if color else None, codable=codable,
                         **fields), loc))
        if cid in where:
            col.add("E203", f"duplicate code id {cid!r} (first defined on line {col.line(where[cid])})",
                    loc + ("id",), "id")
        else:
            where[cid] = loc + ("id",)
    children = raw.get("children")
    if children is None:
        return
    if not isinstance(children, list):
        col.add("E207", f"children of {who} must be a list of codes, not {_type_name(children)}",
                loc + ("children",), "children")
        return
    for i, child in enumerate(children):
        _read_code(col, child, loc + ("children", i), cid if cid is not None else "?", out, where)


def codebook_from_data(data: Any, lines: Mapping[tuple, int] | None = None, *, path: str | None = None) -> Codebook:
    """Validate parsed codebook data and build the :class:`Codebook`.

    Parameters
    ----------
    data : mapping or list
        ``{"name": ..., "codes": [...]}`` as read from YAML (a bare list is taken as the codes).
    lines : mapping, optional
        ``{location tuple: line}`` from :func:`~mcqual.codebook.yaml_io.parse_yaml`.
    path : str, optional
        The file, named in every problem.

    Raises
    ------
    CodebookError
        Listing every problem (E202-E207) with its line.

    Examples
    --------
    >>> codebook_from_data({"name": "x", "codes": [{"id": "a", "children": [{"id": "a.b"}]}]}).path("a.b")
    'a/b'
    """
    col = Collector(lines or {}, path)
    if data is None:
        col.add("E207", "the codebook file is empty", (), "codes", "Write 'codes:' followed by a list of codes.")
        raise CodebookError(problems=col.problems)
    if isinstance(data, list):
        data = {"codes": data}
    if not isinstance(data, dict):
        col.add("E207", f"a codebook must be a mapping with a 'codes:' key, not {_type_name(data)}", ())
        raise CodebookError(problems=col.problems)
    col.unknown_keys(data, TOP_KEYS, (), "the codebook")
    meta = {}
    for key, default in (("name", "codebook"), ("language", "en"), ("description", "")):
        val = data.get(key)
        if val is not None and (isinstance(val, bool) or not isinstance(val, (str, int, float))):
            col.add("E207", f"{key} must be text, not {_type_name(val)}", (key,), key)
            val = None
        meta[key] = str(val).strip() if val is not None else default
    version = data.get("version", "1")
    if isinstance(version, bool) or not isinstance(version, (str, int, float)):
        col.add("E207", f"version must be text like '1.2', not {_type_name(version)}", ("version",), "version")
        version = "1"
    codes_raw = data.get("codes")
    found: list[tuple[Code, tuple]] = []
    where: dict[str, tuple] = {}
    if codes_raw is None:
        col.add("E207", "the codebook has no 'codes:' list", (), "codes", "Add 'codes:' followed by '- id: ...'.")
    elif not isinstance(codes_raw, list):
        col.add("E207", f"codes must be a list of codes, not {_type_name(codes_raw)}", ("codes",), "codes")
    else:
        for i, raw in enumerate(codes_raw):
            _read_code(col, raw, ("codes", i), None, found, where)
    history = data.get("history") or []
    if not isinstance(history, list) or not all(isinstance(e, dict) for e in history):
        col.add("E207", "history must be a list of mappings (events written by mcqual)", ("history",), "history")
        history = []
    # parents: exist, no cycles
    ids = [c.id for c, _ in found]
    known = set(ids)
    by_id = {c.id: c for c, _ in found}
    for code, loc in found:
        if code.parent is not None and code.parent != "?" and code.parent not in known:
            near = closest(code.parent, ids)
            col.add("E204", f"code {code.id!r} has parent {code.parent!r}, which does not exist", loc + ("parent",),
                    "parent", f"Did you mean {near!r}?" if near else None)
    reported: set[str] = set()
    for code, loc in found:
        seen = [code.id]
        cur = by_id.get(code.parent) if code.parent else None
        while cur is not None:
            if cur.id in seen:
                if not reported & set(seen):
                    col.add("E204", f"the parents of {code.id!r} form a cycle: {' -> '.join(seen + [cur.id])}",
                            loc + ("parent",), "parent")
                reported.update(seen)
                break
            seen.append(cur.id)
            cur = by_id.get(cur.parent) if cur.parent else None
    if col.problems:
        raise CodebookError(problems=col.problems)
    return Codebook([c for c, _ in found], name=meta["name"], version=str(version), language=meta["language"],
                    description=meta["description"], history=history, source=path)
