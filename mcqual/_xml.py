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
    return _CTRL.sub("", "" if text is None else str(text))


def safe_parser():
    """An lxml parser that never resolves entities, DTDs or the network."""
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_blank_text=True)


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


__all__ = ["clean", "safe_parser", "local", "write_bytes", "read_input"]
