"""One atomic file write for the whole package: a temp file in the target's folder, then ``os.replace``.

A reader (or a crash) never sees a half-written file: either the old one or the new one.
Used by the codebook writers, the exports (Excel, Word, REFI-QDA, plots, CSV) and the
pseudonym mapping.

The file gets the permissions any program's new file gets: ``0666`` less the user's umask
(``0644`` where the umask is ``022``), not the owner-only ``0600`` of the temp file it was
written as. A writer that holds secrets passes ``mode=`` (the pseudonym map keeps ``0600``).

Examples
--------
>>> import pathlib, tempfile
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> atomic_write(d / "x.txt", lambda tmp: pathlib.Path(tmp).write_text("hi")).read_text()
'hi'
>>> sorted(p.name for p in d.iterdir())  # no temp file left behind
['x.txt']
"""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Callable

from .errors import ExchangeError


def current_umask() -> int:
    """The process's umask (read from ``/proc`` where possible, so it is never changed, even briefly).

    Examples
    --------
    >>> 0 <= current_umask() <= 0o777
    True
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    except (OSError, ValueError, IndexError):
        pass
    old = os.umask(0o022)
    os.umask(old)
    return old


def default_mode() -> int:
    """The mode of a new file: ``0o666`` less the umask.

    Examples
    --------
    >>> default_mode() == 0o666 & ~current_umask()
    True
    """
    return 0o666 & ~current_umask()


def atomic_write(path: str | Path, write: Callable[[str], object], *, parents: bool = False,
                 suffix: str = ".tmp", mode: int | None = None) -> Path:
    """Call ``write(tmp_path)``, then move the temp file onto ``path`` in one step.

    Parameters
    ----------
    path : path
        The file to (re)place.
    write : callable
        Writes the whole content to the temp path it is given.
    parents : bool
        Create missing folders; otherwise a missing folder is error E600.
    suffix : str
        The temp file's suffix (some writers choose the format from it).
    mode : int, optional
        The file's permissions; default ``0o666`` less the umask, as for any new file.

    Raises
    ------
    ExchangeError
        E600 when the folder is missing or the file cannot be written; the temp file is removed.
    """
    path = Path(path)
    folder = path.parent if str(path.parent) else Path(".")
    if parents:
        folder.mkdir(parents=True, exist_ok=True)
    elif not folder.is_dir():
        raise ExchangeError("E600", f"the folder {folder} does not exist", path=path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=folder)
    except OSError as exc:
        raise ExchangeError("E600", f"cannot write in {folder} ({exc.strerror or exc})", path=path) from exc
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, default_mode() if mode is None else mode)
        os.replace(tmp, path)
    except OSError as exc:
        raise ExchangeError("E600", f"cannot write the file ({exc.strerror or exc})", path=path) from exc
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path
