"""Deterministic REFI-QDA GUIDs: ``uuid5`` over a stable key, so the same project exports the same file.

Every object mcqual writes to a ``.qdc``/``.qdpx`` gets a GUID derived from
its kind and its mcqual id (``code:trust.qa``, ``source:int-07``,
``selection:int-07:120:188``...). Re-exporting an unchanged project therefore
gives byte-identical files, and another tool's re-export keeps pointing at the
same codes. uuid5 cannot be inverted: the mcqual id itself travels in the
object's ``Description`` (an ``ID:`` line, see :mod:`mcqual.codebook.qdc`).

Examples
--------
>>> guid("code", "trust.qa") == guid("code", "trust.qa")
True
>>> guid("code", "trust.qa") != guid("code", "trust.qb")
True
>>> len(guid("user", "AB"))
36
"""
from __future__ import annotations

import re
import uuid

#: the namespace every mcqual GUID is derived in (fixed forever: changing it changes every export)
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://github.com/mcqual/mcqual/refi-qda")

_GUID = re.compile(r"^\{?([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}?$")


def guid(kind: str, *key: object) -> str:
    """The GUID of object ``kind`` with stable key parts ``key`` (lower-case, no braces).

    Examples
    --------
    >>> guid("selection", "int-07", 10, 42) == guid("selection", "int-07", 10, 42)
    True
    """
    name = kind + ":" + ":".join(str(k) for k in key)
    return str(uuid.uuid5(NAMESPACE, name))


def normalize_guid(value: str | None) -> str | None:
    """Other tools' GUIDs in one form: lower case, no braces (``None`` if not a GUID).

    Examples
    --------
    >>> normalize_guid("{1FF58B12-6F6F-4B0C-8BE5-BBDC91F55294}")
    '1ff58b12-6f6f-4b0c-8be5-bbdc91f55294'
    >>> normalize_guid("c001") is None
    True
    """
    if value is None:
        return None
    m = _GUID.match(value.strip())
    return m.group(1).lower() if m else None
