"""SQLite file plumbing for :mod:`mcqual.project.store`: is a file writable, read-only URIs, and
numbered errors for SQLite's storage failures (disk full, read-only, damaged, I/O).

Examples
--------
>>> import sqlite3
>>> _translate(sqlite3.OperationalError("database or disk is full"), "study.mcqual", "writing").code
'E350'
"""
from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from ..errors import ProjectError


def writable(path: str | Path) -> bool:
    """Whether SQLite can write ``path``: the file itself and its folder (for the -wal and -shm files)."""
    p = Path(path)
    return os.access(p, os.W_OK) and os.access(p.parent, os.W_OK)


def _ro_uri(path: str) -> str:
    """A read-only ``file:`` URI; ``immutable=1`` where no -shm file can be made (a read-only folder)."""
    from urllib.parse import quote

    p = Path(path).resolve()
    uri = f"file:{quote(str(p))}?mode=ro"
    if not os.access(p.parent, os.W_OK) and not Path(str(p) + "-shm").exists():
        uri += "&immutable=1"
        wal = Path(str(p) + "-wal")
        if wal.exists() and wal.stat().st_size > 0:
            import warnings

            warnings.warn(f"{p.name}-wal holds changes that cannot be read from a read-only folder; copy "
                          f"{p.name} and {wal.name} to a writable folder to see them", stacklevel=4)
    return uri


_FULL = getattr(sqlite3, "SQLITE_FULL", 13)
_IOERR = getattr(sqlite3, "SQLITE_IOERR", 10)
_READONLY = getattr(sqlite3, "SQLITE_READONLY", 8)
_CORRUPT = getattr(sqlite3, "SQLITE_CORRUPT", 11)
_NOTADB = getattr(sqlite3, "SQLITE_NOTADB", 26)
_CANTOPEN = getattr(sqlite3, "SQLITE_CANTOPEN", 14)


def _translate(exc: sqlite3.Error, path: str, doing: str) -> ProjectError | None:
    """A numbered error for SQLite's storage failures (disk full, read-only, damaged, I/O); None otherwise."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    msg = str(exc)
    if primary == _FULL or "disk is full" in msg:
        return ProjectError("E350", f"the disk is full ({doing}: {msg}); the transaction was rolled back and "
                            "every earlier decision is intact", path=path)
    if primary == _READONLY or "readonly database" in msg:
        return ProjectError("E351", f"the project file cannot be written ({msg})", path=path)
    if primary in (_CORRUPT, _NOTADB) or "malformed" in msg:
        return ProjectError("E352", f"the project file is damaged ({msg})", path=path)
    if primary == _IOERR or "disk I/O error" in msg:
        return ProjectError("E353", f"the disk reported an I/O error while {doing} ({msg}); "
                            "the transaction was rolled back", path=path)
    if primary == _CANTOPEN or "unable to open" in msg:
        return ProjectError("E303", f"cannot open as SQLite: {msg}", path=path)
    return None


#: file systems on which SQLite's locks cannot be trusted by several computers at once
NETWORK_FS = ("nfs", "nfs4", "cifs", "smb3", "smbfs", "fuse.sshfs", "afs", "ceph", "glusterfs", "fuse.rclone",
              "davfs", "fuse.davfs2", "lustre", "gpfs")


def network_filesystem(path: str | Path, mounts: str = "/proc/mounts") -> str | None:
    """The network file system type ``path`` lives on (``'nfs4'``, ``'cifs'``…), or None.

    Linux reads ``/proc/mounts`` (the longest mount point above ``path``); on Windows a
    ``\\\\server\\share`` path counts as a network share. Elsewhere: None (unknown).

    Examples
    --------
    >>> network_filesystem("/", mounts="/nonexistent") is None
    True
    """
    p = str(Path(path).resolve())
    if os.name == "nt":  # pragma: no cover - Windows
        return "smb" if p.startswith("\\\\") else None
    try:
        with open(mounts, encoding="utf-8", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return None
    best, kind = "", None
    for line in lines:
        parts = line.split()
        if len(parts) < 3:
            continue
        point = parts[1].replace("\\040", " ")
        if (p == point or p.startswith(point.rstrip("/") + "/")) and len(point) >= len(best):
            best, kind = point, parts[2]
    return kind if kind in NETWORK_FS else None


def warn_if_network(path: str | Path) -> None:
    """Warn once per open when a writable project lives on a network file system."""
    kind = network_filesystem(path)
    if kind:
        import warnings

        warnings.warn(f"{Path(path).name} is on a network drive ({kind}): SQLite's locks are not reliable there, "
                      "and two computers writing the project at once can damage it. Code on a local copy and "
                      "copy it back, or keep the team project in PostgreSQL (docs/howto/storage.md).",
                      stacklevel=5)


__all__ = ["NETWORK_FS", "network_filesystem", "warn_if_network", "writable"]
