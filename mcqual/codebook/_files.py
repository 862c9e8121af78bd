"""Atomic file writes shared by the codebook writers (temp file in the same folder + ``os.replace``)."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

from ..errors import ExchangeError


def atomic_write(path: str | Path, write: Callable[[str], None]) -> Path:
    """Call ``write(tmp_path)`` then move the temp file onto ``path`` in one step.

    A reader never sees a half-written codebook: either the old file or the new one.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> atomic_write(d / "x.txt", lambda p: pathlib.Path(p).write_text("hi")).read_text()
    'hi'
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ExchangeError("E600", f"the folder {folder} does not exist", path=path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    os.close(fd)
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise ExchangeError("E600", f"cannot write the file ({exc.strerror or exc})", path=path) from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8, ``\\n`` newlines) to ``path`` atomically."""
    def _write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)

    return atomic_write(path, _write)
