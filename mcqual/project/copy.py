"""Copy a project between stores (SQLite file ⇄ PostgreSQL schema) and back it up, losslessly and verified.

:func:`copy_project` moves every table of a project — transcripts and their
earlier versions, case attributes, codebook versions, suggest runs and their
coverage, suggestions, the decision log with its event ids, memos — inside one
read snapshot of the source and one write transaction of the destination, then
checks the copy: every table row for row, and the codings replayed from both
decision logs. :func:`backup_project` writes a consistent SQLite file of any
project (SQLite's online backup API for a file, a copy for PostgreSQL).

Examples
--------
>>> import os, tempfile
>>> import mcqual as mq
>>> d = tempfile.mkdtemp()
>>> with mq.Project.create(os.path.join(d, "ak.mcqual"), coder="ak") as p:
...     _ = p.add_transcripts([mq.Transcript.from_turns("int-01", [("R", "I trust badges.")])])
...     _ = p.set_codebook(mq.Codebook.from_codes(["trust"]))
...     _ = p.code("int-01", 2, 7, "trust")
>>> report = copy_project(os.path.join(d, "ak.mcqual"), os.path.join(d, "copy.mcqual"))
>>> report.verified, report.counts["events"], report.codings
(True, 1, 1)
"""
from __future__ import annotations

import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ProjectError
from .storage import STORE_KEYS, TABLES, is_url, open_store

_COPY_KEYS = ("copied_from", "copied_at")


@dataclass(frozen=True)
class CopyReport:
    """What a copy or backup moved: rows per table, counts, and whether the copy was verified."""

    source: str
    dest: str
    rows: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)
    codings: int = 0
    verified: bool = False
    seconds: float = 0.0
    method: str = "copy"

    def __str__(self) -> str:
        c = self.counts
        what = ", ".join(f"{c.get(k, 0)} {k.replace('_', ' ')}" for k in
                         ("transcripts", "codebook_versions", "suggestions", "events", "memos"))
        if not self.verified:
            check = "not verified"
        elif self.method == "backup" and not self.codings:
            check = "SQLite online backup; integrity check ok"
        else:
            check = f"{self.codings} codings; verified: every table identical, codings replayed identically"
        return f"{self.method} {self.source} -> {self.dest}: {what} ({check}) in {self.seconds:.1f} s"

    def _repr_html_(self) -> str:
        from .._html import table

        rows = [[t, n] for t, n in self.rows.items()] + [["codings (replayed)", self.codings]]
        cap = f"{self.method}: {self.source} → {self.dest} ({'verified' if self.verified else 'not verified'})"
        return table(["table", "rows"], rows, caption=cap)


def _store_of(target: Any, *, readonly: bool | None = None):
    """``(store, opened_here)`` for a Project, a store, a path or a URL."""
    inner = getattr(target, "_store", None)
    if inner is not None:
        return inner, False
    if hasattr(target, "table_rows"):
        return target, False
    return open_store(target, readonly=readonly), True


def _discard(store: Any, dest: Any) -> None:
    """Remove a half-made destination (our own, just created)."""
    try:
        if hasattr(store, "drop"):  # a schema an administrator made (with grants) stays, emptied
            store.drop(schema=bool(getattr(store, "created_schema", True)))
        store.close()
    finally:
        if not is_url(dest):
            _remove_files(dest, ("", "-wal", "-shm", "-journal"))


def _remove_files(path: Any, suffixes: tuple[str, ...]) -> None:
    """Delete ``path`` + each suffix that exists (a project file and its SQLite side files)."""
    for suffix in suffixes:
        try:
            os.remove(str(path) + suffix)
        except FileNotFoundError:
            pass


def _snapshot(store: Any) -> dict[str, list[tuple]]:
    out = {}
    with store.read():
        for table, (cols, order) in TABLES.items():
            rows = store.table_rows(table, cols, order)
            if table == "project_info":
                rows = [r for r in rows if r[0] not in STORE_KEYS + _COPY_KEYS]
            out[table] = [tuple(r) for r in rows]
    return out


def _codings(store: Any) -> list[dict]:
    from .project import Project

    frame = Project(store).codings()
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def copy_project(source: Any, dest: Any, *, verify: bool = True) -> CopyReport:
    """Copy the project ``source`` into a new project ``dest`` (file path or ``postgresql://`` URL).

    Parameters
    ----------
    source : Project, path or URL
        The project to copy (read in one consistent snapshot; others may keep coding).
    dest : path or URL
        Where the copy goes: a new file, or a new (or empty) PostgreSQL schema.
    verify : bool
        Compare every table row for row and the replayed codings (E359 when they differ).

    Returns
    -------
    CopyReport

    Examples
    --------
    >>> import os, tempfile
    >>> import mcqual as mq
    >>> d = tempfile.mkdtemp()
    >>> mq.Project.create(os.path.join(d, "a.mcqual")).close()
    >>> copy_project(os.path.join(d, "a.mcqual"), os.path.join(d, "b.mcqual")).verified
    True
    """
    t0 = time.perf_counter()
    src, src_opened = _store_of(source)
    try:
        try:
            dst = open_store(dest, create=True)
        except ProjectError as err:
            if err.code == "E301":
                raise ProjectError("E360", err.message, path=err.path) from None
            raise
        try:
            data = _snapshot(src)
            with dst.write():
                for table, (cols, _) in TABLES.items():
                    dst.load_rows(table, cols, data[table])
                dst.load_rows("project_info", ("key", "value"),
                              [("copied_from", src.path), ("copied_at", _stamp())])
            rows = {t: len(r) for t, r in data.items()}
            n_codings, verified = 0, False
            if verify:
                again = _snapshot(dst)
                for table in TABLES:
                    if again[table] != data[table]:
                        raise ProjectError("E359", f"table {table}: {len(again[table])} rows copied of "
                                           f"{len(data[table])}, or some differ", path=dst.path)
                before, after = _codings(src), _codings(dst)
                if before != after:
                    raise ProjectError("E359", f"the replayed codings differ ({len(before)} vs {len(after)})",
                                       path=dst.path)
                n_codings, verified = len(after), True
            counts = dst.counts()
        except BaseException:
            _discard(dst, dest)
            raise
        dst.close()
    finally:
        if src_opened:
            src.close()
    return CopyReport(src.path, dst.path, rows, counts, n_codings, verified, time.perf_counter() - t0)


def _stamp() -> str:
    from . import _convert as cv

    return cv.now()


def backup_project(source: Any, dest: str | Path, *, overwrite: bool = False) -> CopyReport:
    """A consistent SQLite copy of ``source`` (a Project, a project file or a URL) at ``dest``.

    A file is copied with SQLite's online backup (one committed state, even while other
    coders write; the backup is a single file without ``-wal``); a PostgreSQL project is
    copied table by table inside one snapshot and verified.

    Examples
    --------
    >>> import os, tempfile
    >>> import mcqual as mq
    >>> d = tempfile.mkdtemp()
    >>> with mq.Project.create(os.path.join(d, "a.mcqual")) as project:  # a Project, a path or a URL
    ...     backup_project(project, os.path.join(d, "a-backup.mcqual")).method
    'backup'
    """
    from .._atomic import atomic_write
    from .store import SQLiteStore

    dest = Path(dest)
    if is_url(str(dest)):
        raise ProjectError("E356", "a backup is a file; use copy_project (mcqual project copy) for a URL",
                           path=str(dest))
    if dest.exists():
        if not overwrite:
            raise ProjectError("E360", "the backup file already exists", path=dest,
                               hint="Choose another name or pass overwrite=True (--overwrite).")
        _remove_files(dest, ("", "-wal", "-shm"))
    t0 = time.perf_counter()
    src, opened = _store_of(source, readonly=True)
    try:
        if not isinstance(src, SQLiteStore):
            report = copy_project(src, dest)
            return CopyReport(report.source, report.dest, report.rows, report.counts, report.codings,
                              report.verified, time.perf_counter() - t0, "backup")
        if not dest.parent.exists():
            raise ProjectError("E300", f"the folder {dest.parent} does not exist", path=dest)
        atomic_write(dest, src.backup, suffix=".part")  # a crash never leaves a half-written backup
        check = SQLiteStore.open(dest, readonly=True)
        try:
            ok = check.integrity_check() == "ok"
            counts = check.counts()
            rows = {t: len(check.table_rows(t, cols, order)) for t, (cols, order) in TABLES.items()}
        finally:
            check.close()
        if not ok:  # pragma: no cover - SQLite's backup copies pages verbatim
            raise ProjectError("E359", "the backup fails SQLite's integrity check", path=dest)
        return CopyReport(src.path, str(dest), rows, counts, 0, ok, time.perf_counter() - t0, "backup")
    finally:
        if opened:
            src.close()


__all__ = ["CopyReport", "backup_project", "copy_project"]
