"""Readers: Word (.docx), text (.txt/.vtt/.srt), folders of transcripts, case attribute sheets.

======================  ==============================================
``read_docx``           one Word transcript -> Transcript
``read_text``           one .txt/.vtt/.srt transcript -> Transcript
``read_transcripts``    a folder or list of files -> Corpus (+ errors)
``read_attributes``     cases.csv / cases.xlsx -> DataFrame by case id
======================  ==============================================

Names load on first use, so ``import mcqual.io`` stays cheap.

Examples
--------
>>> from mcqual import io
>>> sorted(io.__all__)[:2]
['read_attributes', 'read_docx']
"""
from __future__ import annotations

import importlib
from typing import Any

_LAZY = {"read_docx": "docx", "read_text": "text", "read_transcripts": "transcripts",
         "read_attributes": "attributes"}
__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mcqual.io' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
