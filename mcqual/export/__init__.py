"""Export: plots now (``mq.plot.heatmap``, ``mq.plot.bars``); Excel and Word writers live beside them.

Names load on first use, so ``import mcqual.export`` stays light.

Examples
--------
>>> import mcqual.export as ex
>>> callable(ex.heatmap)
True
"""
from __future__ import annotations

import importlib
from typing import Any

#: public name -> module (relative to this package) that defines it
_LAZY: dict[str, str] = {"heatmap": "plots", "bars": "plots", "save_figure": "plots",
                         "to_excel": "excel", "to_docx": "word", "grid_to_docx": "grid"}
_LAZY.update({"to_csv": "tables", "to_parquet": "tables"})
_LAZY.update({"write_review_workbook": "review_workbook", "read_review_workbook": "review_workbook",
              "import_review": "review_workbook"})


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'mcqual.export' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(_LAZY)
