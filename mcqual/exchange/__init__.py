"""Exchange with other QDA tools: REFI-QDA codebooks (.qdc) and projects (.qdpx), Word-comment codings.

The ``.qdc`` codebook format itself lives with the codebook (:mod:`mcqual.codebook.qdc`);
it is re-exported here. Names load on first use, so ``import mcqual.exchange`` stays light.
"""
from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "read_qdc": "mcqual.codebook.qdc", "write_qdc": "mcqual.codebook.qdc", "CodeSet": "mcqual.codebook.qdc",
    "to_qdpx": "mcqual.exchange.qdpx", "read_qdpx": "mcqual.exchange.qdpx", "QdpxProject": "mcqual.exchange.qdpx",
    "ImportIssue": "mcqual.exchange.qdpx",
    "import_qdpx": "mcqual.exchange.qdpx_import", "QdpxImport": "mcqual.exchange.qdpx_import",
    "read_comment_codings": "mcqual.exchange.comments",
    "guid": "mcqual._guids",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mcqual.exchange' has no attribute {name!r}")
