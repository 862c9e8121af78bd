"""Plain table files: CSV (Excel-friendly UTF-8) and Parquet, written atomically.

Examples
--------
>>> import io, pandas as pd
>>> buf = io.BytesIO()
>>> to_csv(pd.DataFrame({"code": ["trust"], "n": [3]}), buf)
>>> buf.getvalue().decode("utf-8-sig").splitlines()
['code,n', 'trust,3']
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ..errors import MissingDependencyError
from .._xml import PathOrFile, write_bytes


def _keep_index(df) -> bool:
    import pandas as pd

    return not (isinstance(df.index, pd.RangeIndex) and df.index.name is None)


#: first characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet will not run: ``'`` before a leading ``= + - @``, tab or CR (OWASP).

    Examples
    --------
    >>> neutralise("=) love it"), neutralise("-5 stars"), neutralise("fine"), neutralise(3)
    ("'=) love it", "'-5 stars", 'fine', 3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def safe_frame(table: Any) -> Any:
    """A copy of ``table`` with every text cell, column name and index label :func:`neutralise`-d.

    Numbers stay numbers (``-3`` is not touched); only text is.
    """
    import pandas as pd

    df = pd.DataFrame(table).copy()
    for c in df.columns:
        if not (pd.api.types.is_numeric_dtype(df[c].dtype) or pd.api.types.is_bool_dtype(df[c].dtype)
                or pd.api.types.is_datetime64_any_dtype(df[c].dtype)):
            df[c] = df[c].map(neutralise).astype(df[c].dtype if df[c].dtype == object else object)
    df.columns = [neutralise(c) for c in df.columns]
    if not isinstance(df.index, pd.RangeIndex):
        df.index = df.index.map(neutralise) if df.index.nlevels == 1 else df.index
    return df


def to_csv(table: Any, path: PathOrFile, *, excel: bool = True, index: bool | None = None, safe: bool = True,
           **kwargs: Any) -> Path | None:
    """Write a DataFrame as CSV (atomic when ``path`` is a path).

    Parameters
    ----------
    table : pandas.DataFrame
    path : str, Path or binary file
    excel : bool
        Write a UTF-8 byte-order mark so Excel opens accents correctly (default).
    index : bool, optional
        Write the index; default: when it is named or not a plain 0..n-1 range.
    safe : bool
        Neutralise text a spreadsheet would run as a formula: a cell starting with ``=``, ``+``,
        ``-``, ``@``, tab or carriage return gets a leading ``'`` (OWASP's advice on CSV
        injection). ``safe=False`` writes the text unchanged, for machines.
    **kwargs
        Passed to :meth:`pandas.DataFrame.to_csv` (``sep=";"``...).

    Examples
    --------
    >>> import io, pandas as pd
    >>> m = pd.DataFrame({"employer": [2]}, index=pd.Index(["trust"], name="code"))
    >>> buf = io.BytesIO(); to_csv(m, buf, excel=False); buf.getvalue()
    b'code,employer\\ntrust,2\\n'
    >>> buf = io.BytesIO(); to_csv(pd.DataFrame({"answer": ["=1+1"]}), buf, excel=False); buf.getvalue()
    b"answer\\n'=1+1\\n"
    """
    index = _keep_index(table) if index is None else index
    if safe:
        table = safe_frame(table)
    text = table.to_csv(index=index, lineterminator="\n", **kwargs)
    data = text.encode("utf-8-sig" if excel else "utf-8")
    return write_bytes(path, data)


def to_parquet(table: Any, path: PathOrFile, **kwargs: Any) -> Path | None:
    """Write a DataFrame as Parquet (needs ``pyarrow``; raises E900 naming the extra if missing).

    Examples
    --------
    >>> import pandas as pd
    >>> try:
    ...     to_parquet(pd.DataFrame({"a": [1]}), io.BytesIO())
    ... except MissingDependencyError as err:
    ...     print(err.code)
    ... else:
    ...     print("E900")
    E900
    """
    try:
        import pyarrow  # noqa: F401
    except ImportError as exc:
        raise MissingDependencyError("E900", f"writing Parquet needs pyarrow ({exc})",
                                     path=None if hasattr(path, "write") else path,
                                     hint="pip install 'mcqual[parquet]' (or pip install pyarrow); "
                                          "or use to_csv / to_excel.") from exc
    buf = io.BytesIO()
    table.to_parquet(buf, **kwargs)
    return write_bytes(path, buf.getvalue())
