"""Read YAML safely, with a line number for every key and list item; write codebooks as YAML.

Reading composes the node tree with a :class:`SafeLoader` subclass that refuses
every alias (``*name``): a codebook never needs them, and refusing them all is
the only rule that stops "billion laughs" alias bombs without a size guess.
Anchors alone (``&name``) are harmless and allowed. Any tag outside YAML's core
schema (``!!python/object``, ``!custom``) is refused as unsafe (E211) before
anything is constructed.

Examples
--------
>>> data, lines = parse_yaml("name: demo\\ncodes:\\n  - id: trust\\n")
>>> data["codes"][0]["id"], lines[("codes", 0, "id")]
('trust', 3)
"""
from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Any

import yaml
from yaml.events import AliasEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from ..errors import CodebookError, Problem

_CORE = "tag:yaml.org,2002:"
SAFE_TAGS = frozenset(_CORE + t for t in ("str", "int", "float", "bool", "null", "seq", "map", "timestamp"))

Lines = dict[tuple, int]


class _UnsafeYaml(Exception):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


#: deepest nesting of lists/mappings read (a codebook needs a handful of levels; 5,000 would overflow the stack)
MAX_DEPTH = 100


class _TooDeep(Exception):
    def __init__(self, line: int | None) -> None:
        super().__init__(f"the YAML is nested more than {MAX_DEPTH} levels deep")
        self.line = line


class NoAliasSafeLoader(yaml.SafeLoader):
    """A SafeLoader that refuses aliases (E211): no alias bombs, ever; and nesting deeper than :data:`MAX_DEPTH`."""

    _depth = 0

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(AliasEvent):
            event = self.peek_event()
            raise _UnsafeYaml(f"YAML alias *{event.anchor} is not allowed (aliases can build 'alias bombs')",
                              event.start_mark.line + 1 if event.start_mark else None)
        self._depth += 1
        try:
            if self._depth > MAX_DEPTH:
                event = self.peek_event()
                raise _TooDeep(event.start_mark.line + 1 if event.start_mark else None)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _walk(node: Node, loc: tuple, lines: Lines, problems: list[Problem], path: str | None) -> None:
    lines.setdefault(loc, node.start_mark.line + 1)
    if node.tag not in SAFE_TAGS:
        problems.append(Problem("E211", f"tag {node.tag!r} is not allowed (only plain YAML values are read)",
                                path, node.start_mark.line + 1))
        return
    if isinstance(node, MappingNode):
        seen: dict[str, int] = {}
        for knode, vnode in node.value:
            kline = knode.start_mark.line + 1
            if not isinstance(knode, ScalarNode) or knode.tag not in SAFE_TAGS:
                problems.append(Problem("E207", "a mapping key must be plain text", path, kline))
                continue
            key = knode.value
            if key in seen:
                problems.append(Problem("E201", f"key {key!r} appears twice in the same mapping "
                                        f"(lines {seen[key]} and {kline}); YAML would silently keep the last",
                                        path, kline, key, "Delete or merge one of the two."))
            seen[key] = kline
            lines[loc + (key,)] = kline
            _walk(vnode, loc + (key,), lines, problems, path)
            lines[loc + (key,)] = kline  # the key's line, not the value's
    elif isinstance(node, SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, loc + (i,), lines, problems, path)


def _plain(value: Any) -> Any:
    """Dates YAML parsed from unquoted text become ISO strings again."""
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def parse_yaml(text: str, path: str | Path | None = None, *, syntax_code: str = "E201") -> tuple[Any, Lines]:
    """Parse YAML text safely; return the plain data and a ``{location: line}`` map.

    A location is the tuple of keys and list indices from the root, e.g.
    ``("codes", 0, "children", 1, "label")``; lines are 1-based.

    Parameters
    ----------
    text : str
        The YAML source.
    path : str or Path, optional
        Named in error messages.
    syntax_code : str
        Error code for invalid YAML (``"E201"`` for codebooks, ``"E220"`` for guides).

    Raises
    ------
    CodebookError
        With every problem found: invalid YAML (``syntax_code``), unsafe tags or aliases (E211),
        duplicate keys.

    Examples
    --------
    >>> parse_yaml("a: [1, 2]\\n")[0]
    {'a': [1, 2]}
    """
    p = str(path) if path is not None else None
    loader = NoAliasSafeLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except _UnsafeYaml as exc:
            raise CodebookError(problems=[Problem("E211", str(exc), p, exc.line)]) from None
        except (_TooDeep, RecursionError) as exc:
            line = exc.line if isinstance(exc, _TooDeep) else None
            msg = str(exc) if isinstance(exc, _TooDeep) else "the YAML is nested too deeply to read"
            raise CodebookError(problems=[Problem(syntax_code, f"not valid YAML: {msg}", p, line, None,
                                                  "A codebook needs a few levels of children; flatten the file.")]) \
                from None
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line = mark.line + 1 if mark else None
            msg = " ".join(str(x) for x in (exc.context, exc.problem) if x)
            hint = None
            if "\t" in msg or "'\\t'" in msg:
                hint = "YAML does not allow tabs for indentation; indent with spaces."
            raise CodebookError(problems=[Problem(syntax_code, f"not valid YAML: {msg}", p, line, None, hint)]) \
                from None
        except yaml.YAMLError as exc:
            raise CodebookError(problems=[Problem(syntax_code, f"not valid YAML: {exc}", p)]) from None
        if node is None:
            return None, {}
        lines: Lines = {}
        problems: list[Problem] = []
        _walk(node, (), lines, problems, p)
        if problems:
            raise CodebookError(problems=problems)
        try:
            data = loader.construct_document(node)
        except yaml.YAMLError as exc:  # e.g. an unhashable key
            mark = getattr(exc, "problem_mark", None)
            raise CodebookError(problems=[Problem(syntax_code, f"not valid YAML: {exc}", p,
                                                  mark.line + 1 if mark else None)]) from None
    finally:
        loader.dispose()
    return _plain(data), lines


def read_yaml_file(path: str | Path, *, syntax_code: str = "E201", missing_code: str = "E200") -> tuple[Any, Lines]:
    """Read and :func:`parse_yaml` a file (UTF-8, BOM tolerated)."""
    path = Path(path)
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise CodebookError(missing_code, f"no such file: {path}", path=path) from None
    except IsADirectoryError:
        raise CodebookError(missing_code, f"{path} is a folder, not a file", path=path) from None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CodebookError(problems=[Problem(syntax_code, f"the file is not UTF-8 text ({exc.reason} at byte "
                                              f"{exc.start})", str(path), None, None,
                                              "Save the file as UTF-8.")]) from None
    return parse_yaml(text, path, syntax_code=syntax_code)


# -- codebooks -----------------------------------------------------------------

def read_codebook_yaml(path: str | Path):
    """Read a codebook YAML file, validating it (every problem reported at once)."""
    from .validate import codebook_from_data

    data, lines = read_yaml_file(path)
    return codebook_from_data(data, lines, path=str(path))


def codebook_from_yaml(text: str, path: str | None = None):
    """A :class:`Codebook` from YAML text.

    Examples
    --------
    >>> cb = codebook_from_yaml('''
    ... name: demo
    ... codes:
    ...   - id: trust
    ...     codable: false
    ...     children:
    ...       - id: trust.issuer
    ...         label: Issuer reputation
    ... ''')
    >>> cb.path("trust.issuer")
    'trust/issuer'
    """
    from .validate import codebook_from_data

    data, lines = parse_yaml(text, path)
    return codebook_from_data(data, lines, path=path)


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:  # our reader refuses aliases: never write any
        return True


def _str_presenter(dumper: yaml.SafeDumper, value: str):
    if "\n" in value:
        return dumper.represent_scalar(_CORE + "str", value, style="|")
    return dumper.represent_scalar(_CORE + "str", value)


_Dumper.add_representer(str, _str_presenter)


def code_to_dict(code, default_name: str | None = None) -> dict[str, Any]:
    """A code as the YAML mapping the reader accepts (defaults left out)."""
    d: dict[str, Any] = {"id": code.id}
    if code.label and code.label != code.id:
        d["label"] = code.label
    if code.name and code.name != default_name:
        d["name"] = code.name
    for f in ("definition",):
        if getattr(code, f):
            d[f] = getattr(code, f)
    for f in ("include", "exclude", "examples", "counter_examples", "keywords"):
        if getattr(code, f):
            d[f] = list(getattr(code, f))
    if code.patterns:
        d["patterns"] = [[dict(tok) for tok in pat] for pat in code.patterns]
    if code.color:
        d["color"] = code.color
    if not code.codable:
        d["codable"] = False
    if code.memo:
        d["memo"] = code.memo
    return d


def codebook_to_dict(codebook) -> dict[str, Any]:
    """The codebook as nested plain data (children under their parents)."""
    import re

    def tree(parent: str | None) -> list[dict[str, Any]]:
        out = []
        for c in codebook.children(parent):
            d = code_to_dict(c, re.split(r"[./]", c.id)[-1])
            kids = tree(c.id)
            if kids:
                d["children"] = kids
            out.append(d)
        return out

    data: dict[str, Any] = {"name": codebook.name, "version": str(codebook.version),
                            "language": codebook.language}
    if codebook.description:
        data["description"] = codebook.description
    data["codes"] = tree(None)
    if codebook.history:
        data["history"] = [dict(e) for e in codebook.history]
    return data


def codebook_to_yaml(codebook) -> str:
    """The codebook as YAML text (nested ``children:``, ``history:`` kept).

    Examples
    --------
    >>> from mcqual.codebook.model import Code, Codebook
    >>> print(codebook_to_yaml(Codebook([Code("trust", "Trust")], name="demo")), end="")
    name: demo
    version: '1'
    language: en
    codes:
    - id: trust
      label: Trust
    """
    return yaml.dump(codebook_to_dict(codebook), Dumper=_Dumper, sort_keys=False, allow_unicode=True,
                     width=100, default_flow_style=False)


def write_codebook_yaml(codebook, path: str | Path) -> Path:
    """Write ``codebook`` to ``path`` as YAML, atomically."""
    from ._files import atomic_write_text

    return atomic_write_text(path, codebook_to_yaml(codebook))
