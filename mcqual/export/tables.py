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


def to_csv(table: Any, path: PathOrFile, *, excel: bool = True, index: bool | None = None, **kwargs: Any) -> Path | None:
    """Write a DataFrame as CSV (atomic when ``path`` is a path).

    Parameters
    ----------
    table : pandas.DataFrame
    path : str, Path or binary file
    excel : bool
        Write a UTF-8 byte-order mark so Excel opens accents correctly (default).
    index : bool, optional
        Write the index; default: when it is named or not a plain 0..n-1 range.
    **kwargs
        Passed to :meth:`pandas.DataFrame.to_csv` (``sep=";"``...).

    Examples
    --------
    >>> import io, pandas as pd
    >>> m = pd.DataFrame({"employer": [2]}, index=pd.Index(["trust"], name="code"))
    >>> buf = io.BytesIO(); to_csv(m, buf, excel=False); buf.getvalue()
    b'code,employer\\ntrust,2\\n'
    """
    index = _keep_index(table) if index is None else index
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
