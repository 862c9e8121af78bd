"""Read .xlsx sheets (surveys, case attributes, Excel codebooks) within limits.

A workbook is a zip of XML parts; a 300 KB file can hold a sheet that inflates to
300 MiB, or rows whose cells sit in column XFD so that a reader pads every row to
16,384 cells. Before openpyxl sees the file, every part is checked *before
inflating* (the limits a .docx gets, :mod:`mcqual.io.ooxml`): at most
:data:`MAX_PART_BYTES` inflated per part, a compression ratio of at most
:data:`~mcqual.io.ooxml.MAX_RATIO`:1, :data:`MAX_TOTAL_BYTES` in all. Rows are then
read in openpyxl's streaming mode with a budget: at most :data:`MAX_CELLS` cells
(rows × the widest row), :data:`MAX_CELL_CHARS` characters in one cell and
:data:`MAX_SECONDS` seconds. Anything over a limit is a numbered error (E118 for
surveys and attribute sheets, E214 for Excel codebooks), never a hang or a
``MemoryError``.

Examples
--------
>>> import pathlib, tempfile
>>> import pandas as pd
>>> f = pathlib.Path(tempfile.mkdtemp()) / "cases.xlsx"
>>> pd.DataFrame({"case": ["a", "b"], "age": [31, 45]}).to_excel(f, index=False)
>>> read_rows(f)
[['case', 'age'], ['a', 31], ['b', 45]]
"""
from __future__ import annotations

import os
import time
import zipfile
import zlib
from pathlib import Path
from typing import Any

from ..errors import McqualError, TranscriptError
from .ooxml import MAX_RATIO

#: largest part of a workbook inflated (bytes)
MAX_PART_BYTES = 64 * 2**20
#: largest total inflated for one workbook (bytes)
MAX_TOTAL_BYTES = 256 * 2**20
#: most cells read from one sheet (rows × widest row, as a table would hold them)
MAX_CELLS = 5_000_000
#: longest text in one cell (Excel itself stops at 32,767)
MAX_CELL_CHARS = 1_000_000
#: longest a sheet may take to read (seconds)
MAX_SECONDS = 60.0


def check_package(path: str | os.PathLike[str], *, error: type[McqualError] = TranscriptError,
                  code: str = "E118") -> None:
    """Refuse a workbook whose parts would inflate past the limits (checked from the zip headers).

    A file that is not a zip at all is left to openpyxl (which says so in its own words).
    """
    p = Path(path)
    try:
        zf = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, OSError, ValueError, zlib.error):
        return
    with zf:
        total = 0
        for info in zf.infolist():
            if info.file_size > MAX_PART_BYTES:
                raise error(code, f"part {info.filename} would inflate to {info.file_size:,} bytes "
                            f"(limit {MAX_PART_BYTES:,})", path=p)
            if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
                raise error(code, f"part {info.filename} has a compression ratio above {MAX_RATIO}:1 "
                            "(a zip bomb?)", path=p)
            total += info.file_size
            if total > MAX_TOTAL_BYTES:
                raise error(code, f"the workbook inflates to more than {MAX_TOTAL_BYTES:,} bytes", path=p)


def read_rows(path: str | os.PathLike[str], sheet: str | int | None = None, *,
              error: type[McqualError] = TranscriptError, code: str = "E118",
              max_cells: int = MAX_CELLS, max_seconds: float = MAX_SECONDS) -> list[list[Any]]:
    """The rows of one sheet as lists of values (trailing empty cells and rows dropped, rows padded).

    Parameters
    ----------
    path : str or Path
    sheet : str or int, optional
        Sheet name or 0-based position; the first sheet by default.
    error, code : exception class and error code raised when a limit is passed.
    max_cells, max_seconds : the budget (see the module docstring).
    """
    return read_sheets(path, [sheet], error=error, code=code, max_cells=max_cells,
                       max_seconds=max_seconds)[0]


def read_sheets(path: str | os.PathLike[str], sheets: list[str | int | None], *,
                error: type[McqualError] = TranscriptError, code: str = "E118", max_cells: int = MAX_CELLS,
                max_seconds: float = MAX_SECONDS, missing_ok: bool = False) -> list[list[list[Any]]]:
    """Several sheets of one workbook (see :func:`read_rows`); a missing sheet is ``[]`` when ``missing_ok``."""
    from openpyxl import load_workbook

    p = Path(path)
    check_package(p, error=error, code=code)
    deadline = time.monotonic() + max_seconds
    wb = load_workbook(p, read_only=True, data_only=True)
    try:
        out = []
        for sheet in sheets:
            if sheet is None:
                ws = wb.worksheets[0] if wb.worksheets else None
            elif isinstance(sheet, int):
                ws = wb.worksheets[sheet] if -len(wb.worksheets) <= sheet < len(wb.worksheets) else None
            else:
                ws = wb[sheet] if sheet in wb.sheetnames else None
            if ws is None:
                if missing_ok:
                    out.append([])
                    continue
                raise ValueError(f"Worksheet {sheet!r} not found")
            out.append(sheet_rows(ws, path=p, error=error, code=code, max_cells=max_cells, deadline=deadline,
                                  max_seconds=max_seconds))
        return out
    finally:
        wb.close()


def sheet_rows(ws: Any, *, path: Path, error: type[McqualError] = TranscriptError, code: str = "E118",
               max_cells: int = MAX_CELLS, deadline: float | None = None,
               max_seconds: float = MAX_SECONDS) -> list[list[Any]]:
    """The rows of an open (read-only) openpyxl worksheet, within the cell/size/time budget."""
    p = path
    if deadline is None:
        deadline = time.monotonic() + max_seconds
    if hasattr(ws, "reset_dimensions"):
        ws.reset_dimensions()  # the <dimension> element may lie (A1:XFD1048576): never pad to it
    rows: list[list[Any]] = []
    width = 0
    last = 0
    for k, row in enumerate(ws.iter_rows(values_only=True)):
        values = list(row)
        while values and (values[-1] is None or values[-1] == ""):
            values.pop()
        if len(values) > width:
            width = len(values)
        if values:
            last = len(rows) + 1
            for v in values:
                if isinstance(v, str) and len(v) > MAX_CELL_CHARS:
                    raise error(code, f"a cell in row {k + 1} holds {len(v):,} characters "
                                f"(limit {MAX_CELL_CHARS:,})", path=p)
        rows.append(values)
        if width * len(rows) > max_cells:
            raise error(code, f"the sheet holds more than {max_cells:,} cells ({len(rows):,} rows × {width:,} "
                        "columns so far)", path=p)
        if k % 512 == 0 and time.monotonic() > deadline:
            raise error(code, f"reading the sheet took more than {max_seconds:g} s", path=p)
    rows = rows[:last]
    for r in rows:
        if len(r) < width:
            r.extend([None] * (width - len(r)))
    return rows
