"""Shared plumbing for the exchange formats: safe XML parsing and atomic writes."""
from __future__ import annotations

import re
from pathlib import Path
from typing import IO, Callable, Union

from ._atomic import atomic_write
from .errors import ExchangeError

PathOrFile = Union[str, Path, IO[bytes]]


_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def clean(text: object) -> str:
    """Text XML 1.0 can hold: control characters dropped (``None`` -> ``''``).

    Examples
    --------
    >>> clean("a\x0bb")
    'ab'
    """
    return _SURROGATE.sub("\ufffd", _CTRL.sub("", "" if text is None else str(text)))


def safe_parser():
    """An lxml parser that never resolves entities, DTDs or the network."""
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_blank_text=True)


def parse_refusing_dtd(data: bytes, *, error: type, code: str, dtd_code: str, what: str, path: object,
                       syntax_prefix: str = "") -> object:
    """The root of ``data`` parsed with :func:`safe_parser`: ``error(code)`` when it is not well-formed
    XML, ``error(dtd_code)`` when it carries a ``<!DOCTYPE>`` (``what`` names the document).

    Examples
    --------
    >>> parse_refusing_dtd(b"<a/>", error=ExchangeError, code="E601", dtd_code="E640", what="x", path=None).tag
    'a'
    """
    from lxml import etree

    try:
        root = etree.fromstring(data, safe_parser())
    except etree.XMLSyntaxError as exc:
        raise error(code, f"{syntax_prefix}not well-formed XML ({exc})", path=path) from exc
    if has_dtd(root):
        raise error(dtd_code, f"{what} carries a <!DOCTYPE> (entities are never resolved, so text "
                    "after one would be lost)", path=path)
    return root


def has_dtd(root: object) -> bool:
    """True when a parsed tree carried a ``<!DOCTYPE>`` (in any encoding: UTF-8, UTF-16…).

    mcqual's parsers never resolve entities, but lxml then drops the text after an
    entity reference silently; a DTD in a data file is refused instead.

    Examples
    --------
    >>> from lxml import etree
    >>> has_dtd(etree.fromstring('<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'.encode("utf-16"), safe_parser()))
    True
    >>> has_dtd(etree.fromstring(b"<a/>", safe_parser()))
    False
    """
    tree = root.getroottree() if hasattr(root, "getroottree") else None  # type: ignore[attr-defined]
    if tree is None:
        return False
    info = tree.docinfo
    return bool(info.doctype) or info.internalDTD is not None or info.externalDTD is not None


_SURROGATE = re.compile(r"[\ud800-\udfff]")


def text_safe(text: str) -> str:
    """Lone surrogates (which no XML or UTF-8 file can hold) replaced by U+FFFD.

    Examples
    --------
    >>> text_safe("a" + chr(0xD800) + "b") == "a\\ufffdb"
    True
    """
    return _SURROGATE.sub("\ufffd", text) if text else text


def json_safe(text: str, notes: list[str] | None = None) -> object:
    """``json.loads`` whose strings carry no lone surrogate (JSON's ``"\\ud800"`` escape can make one).

    Each replacement is described in ``notes`` when a list is given.

    Examples
    --------
    >>> json_safe('{"speaker": "\\\\ud800Ana"}')
    {'speaker': '\ufffdAna'}
    """
    import json

    def walk(value: object) -> object:
        if isinstance(value, str):
            safe = text_safe(value)
            if notes is not None and safe is not value and safe != value:
                notes.append(f"a lone surrogate in {safe[:40]!r} was replaced by U+FFFD (no file can hold one)")
            return safe
        if isinstance(value, dict):
            return {text_safe(str(k)): walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return value

    return walk(json.loads(text))


def local(tag: object) -> str:
    """``'{urn:x}Code' -> 'Code'`` (comments and PIs give ``''``)."""
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def write_bytes(target: PathOrFile, data: bytes | Callable[[IO[bytes]], None]) -> Path | None:
    """Write ``data`` to a path atomically (temp file + ``os.replace``) or straight into an open binary file.

    Examples
    --------
    >>> import io
    >>> buf = io.BytesIO(); write_bytes(buf, b"abc"); buf.getvalue()
    b'abc'
    """
    if hasattr(target, "write"):
        if callable(data):
            data(target)  # type: ignore[arg-type]
        else:
            target.write(data)  # type: ignore[union-attr]
        return None
    def _write(tmp: str) -> None:
        with open(tmp, "wb") as fh:
            if callable(data):
                data(fh)
            else:
                fh.write(data)

    return atomic_write(target, _write)  # type: ignore[arg-type]


def read_input(source: PathOrFile, *, code: str, error=ExchangeError) -> tuple[bytes, str]:
    """The bytes of a path or an open binary file, and a name for messages."""
    if hasattr(source, "read"):
        data = source.read()  # type: ignore[union-attr]
        return (data.encode("utf-8") if isinstance(data, str) else data), getattr(source, "name", "<stream>")
    path = Path(source)  # type: ignore[arg-type]
    if not path.is_file():
        raise error(code, "file not found", path=path, hint="Check the path.")
    return path.read_bytes(), str(path)


__all__ = ["clean", "safe_parser", "parse_refusing_dtd", "has_dtd", "text_safe", "json_safe", "local", "write_bytes", "read_input"]
