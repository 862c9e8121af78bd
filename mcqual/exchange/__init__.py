"""Exchange with other QDA tools: REFI-QDA codebooks (.qdc) and projects (.qdpx), Word-comment codings.

Names load on first use, so ``import mcqual.exchange`` stays light.
"""
from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "read_qdc": "qdc", "write_qdc": "qdc", "CodeSet": "qdc",
    "to_qdpx": "qdpx", "read_qdpx": "qdpx", "QdpxProject": "qdpx", "ImportIssue": "qdpx",
    "read_comment_codings": "comments",
    "guid": "guids",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mcqual.exchange' has no attribute {name!r}")
