"""A project in one SQLite file: :class:`SQLiteStore` implements :class:`~mcqual.project.storage.Storage`.

The queries both stores share are in :class:`~mcqual.project._sqlstore.SQLStore`; this module
holds what is SQLite's own: the connection, transactions, WAL checkpoints, the schema and its
migrations, backups, and the dialect hooks (``?`` placeholders, ``lastrowid``, ``INSERT OR IGNORE``).

One SQLite file in WAL mode with foreign keys on. After every committed write
the store checkpoints the WAL (``PRAGMA wal_checkpoint(PASSIVE)``), so the main
file alone holds every commit: copying, e-mailing or syncing ``study.mcqual``
without its ``-wal`` side file loses nothing (unless another process held a
read snapshot open at that instant; its end, or the next write, catches up).
The schema is versioned with
``PRAGMA user_version`` and the :data:`MIGRATIONS` list (migration *i* brings
the schema from version *i* to *i + 1*); ``PRAGMA application_id`` marks the
file as an mcqual project. Writes run in ``BEGIN IMMEDIATE`` transactions with
a busy timeout, so two processes can write at once; triggers make the
``events`` table append-only.

Examples
--------
>>> import tempfile, os
>>> d = tempfile.mkdtemp()
>>> store = SQLiteStore.create(os.path.join(d, "p.mcq"))
>>> store.schema_version() == len(MIGRATIONS)
True
>>> store.close()
"""
from __future__ import annotations

import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

from ..errors import ProjectError
from ._sqlite import _ro_uri, _translate, warn_if_network, writable
from ._sqlstore import SQLStore

#: 'mcqu' — marks an SQLite file as an mcqual project
APPLICATION_ID = 0x6D637175

_SCHEMA_1 = """
CREATE TABLE project_info (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);
CREATE TABLE transcripts (
    transcript_id TEXT PRIMARY KEY,
    position      INTEGER NOT NULL,
    text          TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    turns         TEXT NOT NULL,            -- JSON [[start, end, speaker, timestamp, role, paragraphs], ...]
    metadata      TEXT NOT NULL DEFAULT '{}',
    language      TEXT,
    source        TEXT,
    version       INTEGER NOT NULL DEFAULT 1,
    added_at      TEXT NOT NULL,
    updated_at    TEXT NOT NULL
);
CREATE TABLE transcript_versions (          -- every earlier text of a re-imported transcript
    transcript_id TEXT NOT NULL REFERENCES transcripts(transcript_id),
    version       INTEGER NOT NULL,
    text          TEXT NOT NULL,
    content_hash  TEXT NOT NULL,
    turns         TEXT NOT NULL,
    metadata      TEXT NOT NULL,
    replaced_at   TEXT NOT NULL,
    PRIMARY KEY (transcript_id, version)
);
CREATE TABLE attributes (
    transcript_id TEXT NOT NULL REFERENCES transcripts(transcript_id),
    name          TEXT NOT NULL,
    value         TEXT,                     -- JSON
    PRIMARY KEY (transcript_id, name)
);
CREATE TABLE codebooks (
    version    INTEGER PRIMARY KEY,
    name       TEXT NOT NULL,
    content    TEXT NOT NULL,               -- JSON: codes, name, version, language, description
    note       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
CREATE TABLE suggest_runs (
    run_id           INTEGER PRIMARY KEY,
    suggester        TEXT NOT NULL,
    unit             TEXT,
    codebook_version INTEGER REFERENCES codebooks(version),
    n_suggestions    INTEGER NOT NULL,
    n_new            INTEGER NOT NULL,
    created_at       TEXT NOT NULL
);
CREATE TABLE suggestions (
    suggestion_id INTEGER PRIMARY KEY,
    transcript_id TEXT NOT NULL REFERENCES transcripts(transcript_id),
    span_start    INTEGER NOT NULL,
    span_end      INTEGER NOT NULL,
    code          TEXT NOT NULL,
    score         REAL NOT NULL,
    source        TEXT NOT NULL,
    reason        TEXT NOT NULL DEFAULT '',
    evidence      TEXT NOT NULL DEFAULT '[]', -- JSON [[start, end, label], ...]
    flags         TEXT NOT NULL DEFAULT '[]', -- JSON
    unit          TEXT,
    quote         TEXT NOT NULL DEFAULT '',
    anchor        TEXT NOT NULL DEFAULT 'exact',  -- exact | moved | fuzzy | orphaned
    run_id        INTEGER REFERENCES suggest_runs(run_id),
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CHECK (0 <= span_start AND span_start <= span_end)
);
CREATE INDEX suggestions_by_transcript ON suggestions(transcript_id, code, span_start);
CREATE TABLE events (                       -- the decision log: append-only
    event_id      INTEGER PRIMARY KEY AUTOINCREMENT,
    kind          TEXT NOT NULL CHECK (kind IN
                  ('accept','reject','code','uncode','rename','merge','undo','reanchor')),
    coder         TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    transcript_id TEXT REFERENCES transcripts(transcript_id),
    span_start    INTEGER,
    span_end      INTEGER,
    code          TEXT,
    suggestion_id INTEGER REFERENCES suggestions(suggestion_id),
    coding_id     INTEGER REFERENCES events(event_id),
    target_event  INTEGER REFERENCES events(event_id),
    payload       TEXT NOT NULL DEFAULT '{}'  -- JSON
);
CREATE INDEX events_by_suggestion ON events(suggestion_id) WHERE suggestion_id IS NOT NULL;
CREATE INDEX events_by_coding ON events(coding_id) WHERE coding_id IS NOT NULL;
CREATE INDEX events_by_target ON events(target_event) WHERE target_event IS NOT NULL;
CREATE INDEX events_by_coder ON events(coder, event_id);
CREATE TRIGGER events_no_update BEFORE UPDATE ON events
BEGIN SELECT RAISE(ABORT, 'mcqual: the events table is append-only (no UPDATE)'); END;
CREATE TRIGGER events_no_delete BEFORE DELETE ON events
BEGIN SELECT RAISE(ABORT, 'mcqual: the events table is append-only (no DELETE)'); END;
"""

# 2: which transcripts (and suggester sources) each suggest run read, so that a later run of the
#    same suggester can tell which of its earlier pending suggestions it no longer proposes
_SCHEMA_2 = """
CREATE TABLE run_coverage (
    run_id        INTEGER NOT NULL REFERENCES suggest_runs(run_id),
    transcript_id TEXT NOT NULL REFERENCES transcripts(transcript_id),
    source        TEXT NOT NULL,
    unit          TEXT,
    PRIMARY KEY (run_id, transcript_id, source)
);
"""

# 3: memos on the project, a transcript, a code, a coding, a span or a suggestion; append-only
#    like the decision log (editing a memo writes a new row that ``replaces`` the old one)
_SCHEMA_3 = """
CREATE TABLE memos (
    memo_id       INTEGER PRIMARY KEY AUTOINCREMENT,
    coder         TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    target        TEXT NOT NULL CHECK (target IN
                  ('project','transcript','code','coding','span','suggestion')),
    transcript_id TEXT,
    span_start    INTEGER,
    span_end      INTEGER,
    code          TEXT,
    coding_id     INTEGER,
    suggestion_id INTEGER,
    replaces      INTEGER REFERENCES memos(memo_id),
    text          TEXT NOT NULL,
    payload       TEXT NOT NULL DEFAULT '{}'
);
CREATE INDEX memos_by_transcript ON memos(transcript_id) WHERE transcript_id IS NOT NULL;
CREATE TRIGGER memos_no_update BEFORE UPDATE ON memos
BEGIN SELECT RAISE(ABORT, 'mcqual: the memos table is append-only (no UPDATE)'); END;
CREATE TRIGGER memos_no_delete BEFORE DELETE ON memos
BEGIN SELECT RAISE(ABORT, 'mcqual: the memos table is append-only (no DELETE)'); END;
"""

#: migration i brings a project from schema version i to i + 1
MIGRATIONS: list[str] = [_SCHEMA_1, _SCHEMA_2, _SCHEMA_3]


class SQLiteStore(SQLStore):
    """The SQLite backend. Use :meth:`create` / :meth:`open`, not the constructor.

    Parameters
    ----------
    path : str or Path
    timeout : float
        Seconds to wait for another process's write lock before E309.
    durable : bool
        ``synchronous=FULL`` (each commit reaches the disk) when True; NORMAL
        (still safe against a killed process, not against power loss) when False.
    """

    def __init__(self, path: str | Path, *, timeout: float = 30.0, durable: bool = True,
                 readonly: bool = False, checkpoint: bool = True) -> None:
        self.path = str(path)
        self.timeout = timeout
        self.readonly = bool(readonly)
        self.checkpoint = bool(checkpoint)
        self.closed = False
        self._behind = False  # the last checkpoint could not copy everything (a reader held it back)
        self._lock = threading.RLock()
        self._depth = 0
        self._mode = ""  # "write" or "read" while a transaction is open
        try:
            if self.readonly:
                self._con = sqlite3.connect(_ro_uri(self.path), uri=True, timeout=timeout, isolation_level=None,
                                            check_same_thread=False)
                self._con.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
                self._con.execute("PRAGMA query_only = ON")
                return
            self._con = sqlite3.connect(self.path, timeout=timeout, isolation_level=None,
                                        check_same_thread=False)
            self._con.execute(f"PRAGMA busy_timeout = {int(timeout * 1000)}")
            self._con.execute("PRAGMA foreign_keys = ON")
            mode = self._con.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        except sqlite3.DatabaseError as exc:
            raise (_translate(exc, self.path, "open")
                   or ProjectError("E303", f"cannot open as SQLite: {exc}", path=self.path)) from None
        if str(mode).lower() != "wal":  # pragma: no cover - e.g. a read-only network share
            self._con.execute("PRAGMA journal_mode = DELETE")
        self._con.execute(f"PRAGMA synchronous = {'FULL' if durable else 'NORMAL'}")

    # -- lifecycle -------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, **kwargs: Any) -> "SQLiteStore":
        """A new, empty project file (E301 if ``path`` exists)."""
        p = Path(path)
        if p.exists():
            raise ProjectError("E301", "a file already exists here", path=p)
        if not p.parent.exists():
            raise ProjectError("E300", f"the folder {p.parent} does not exist", path=p)
        warn_if_network(p.parent)
        store = cls(p, **kwargs)
        store._migrate()
        return store

    @classmethod
    def open(cls, path: str | Path, *, readonly: bool | None = None, **kwargs: Any) -> "SQLiteStore":
        """An existing project (E300 if missing, E303 if not mcqual's, E302 if too new); migrates it.

        ``readonly=None`` opens read-only by itself when the file (or its folder) is not writable.
        """
        p = Path(path)
        if not p.is_file():
            raise ProjectError("E300", "no project file here", path=p)
        try:
            with open(p, "rb") as fh:
                head = fh.read(16)
        except OSError as exc:
            raise ProjectError("E303", f"cannot read the file ({exc.strerror})", path=p,
                               hint="Check the file's permissions.") from None
        if head != b"SQLite format 3\x00":
            raise ProjectError("E303", "the file is not an SQLite database", path=p)
        if readonly is None:
            readonly = not writable(p)
        if not readonly:
            warn_if_network(p)
        store = cls(p, readonly=readonly, **kwargs)
        try:
            app = store._con.execute("PRAGMA application_id").fetchone()[0]
            version = store.schema_version()
            if app == APPLICATION_ID:  # reading the schema finds most damage early
                store._con.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            store.close()
            err = _translate(exc, str(p), "open")
            if err is None or err.code == "E303" or str(exc) == "file is not a database":
                raise ProjectError("E303", f"unreadable database: {exc}", path=p) from None
            raise err from None
        if app != APPLICATION_ID and version != 0:
            store.close()
            raise ProjectError("E303", f"application_id is {app:#x}, not mcqual's", path=p)
        if version > len(MIGRATIONS):
            store.close()
            raise ProjectError("E302", f"schema version {version}, this mcqual knows up to {len(MIGRATIONS)}",
                               path=p)
        if app != APPLICATION_ID:  # an empty SQLite file: refuse unless truly empty
            n = store._con.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if n:
                store.close()
                raise ProjectError("E303", "an SQLite database, but not an mcqual project", path=p)
        store._migrate()
        return store

    def _migrate(self) -> None:
        if self.schema_version() == len(MIGRATIONS):
            return  # up to date: no write lock needed (another process may be writing)
        if self.readonly:
            raise ProjectError("E351", f"schema version {self.schema_version()} needs migrating to "
                               f"{len(MIGRATIONS)}, which a read-only project cannot do", path=self.path)
        with self.write():
            version = self.schema_version()
            for i in range(version, len(MIGRATIONS)):
                # executescript would COMMIT; run statement by statement inside our transaction
                for stmt in _split_sql(MIGRATIONS[i]):
                    self._con.execute(stmt)
                self._con.execute(f"PRAGMA user_version = {i + 1}")
            if version == 0:
                self._con.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                from .._version import __version__

                self._con.execute("INSERT INTO project_info VALUES ('created_by', ?)", (f"mcqual {__version__}",))

    def close(self) -> None:
        self.closed = True
        try:
            self._con.close()
        except Exception:  # pragma: no cover
            pass

    def _closed_error(self) -> ProjectError:
        return ProjectError("E361", "the project was closed", path=self.path)

    def schema_version(self) -> int:
        return int(self._q("PRAGMA user_version")[0][0])

    def integrity_check(self) -> str:
        """``'ok'``, or what SQLite found wrong (damage is reported, never raised)."""
        try:
            with self._lock:
                return "; ".join(r[0] for r in self._con.execute("PRAGMA integrity_check").fetchall())
        except sqlite3.DatabaseError as exc:
            return f"damaged: {exc}"

    def backup(self, dest: str | Path) -> None:
        """A consistent copy of the whole project into the new file ``dest`` (SQLite's online backup API).

        Safe while other processes write: the copy holds one committed state.
        """
        target = sqlite3.connect(str(dest), isolation_level=None)
        try:
            with self._lock:
                self._con.backup(target)
            target.execute("PRAGMA journal_mode = DELETE")  # a single file, no -wal side file
        except sqlite3.DatabaseError as exc:
            err = _translate(exc, str(dest), "backup")
            if err is None:
                raise
            raise err from None
        finally:
            target.close()

    def _checkpoint(self) -> None:
        """Copy committed WAL frames into the main file without waiting for anyone."""
        if not self.checkpoint or self.readonly:
            return
        try:
            busy, log, done = self._con.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        except sqlite3.DatabaseError:  # pragma: no cover - the commit stands; the next write retries
            self._behind = True
            return
        self._behind = bool(busy) or (log >= 0 and done < log)

    # -- transactions ------------------------------------------------------------
    @contextmanager
    def _begin_write(self) -> Iterator[None]:
        """The outermost :meth:`write`: ``BEGIN IMMEDIATE`` ... ``COMMIT``, then a WAL checkpoint."""
        if self.closed:
            raise self._closed_error()
        if self.readonly:
            raise ProjectError("E351", "the project was opened read-only", path=self.path)
        try:
            self._con.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            err = _translate(exc, self.path, "write")
            if err is None:
                err = ProjectError("E309", f"could not get the write lock within {self.timeout:g} s ({exc})",
                                   path=self.path)
            raise err from None
        with self._outermost("write"):
            yield

    def _rollback(self) -> None:
        """Roll back if SQLite has not already done so (it does by itself on SQLITE_FULL and I/O errors)."""
        if self._con.in_transaction:
            try:
                self._con.execute("ROLLBACK")
            except sqlite3.DatabaseError:  # pragma: no cover - the transaction is gone either way
                pass

    @contextmanager
    def _begin_read(self) -> Iterator[None]:
        """The outermost :meth:`read`: ``BEGIN DEFERRED``, its snapshot taken at once."""
        if self.closed:
            raise self._closed_error()
        try:
            self._con.execute("BEGIN DEFERRED")
            self._con.execute("SELECT 1 FROM project_info LIMIT 1").fetchall()  # start the snapshot now
        except sqlite3.DatabaseError as exc:
            self._rollback()
            raise (_translate(exc, self.path, "reading") or exc) from None
        with self._outermost("read"):
            yield

    @contextmanager
    def _outermost(self, mode: str) -> Iterator[None]:
        """The body of a transaction just begun: roll back on an error (a write's storage failure
        numbered), else ``COMMIT`` and checkpoint (a read's snapshot may have held one back)."""
        writing = mode == "write"
        self._depth, self._mode = 1, mode
        try:
            yield
        except sqlite3.DatabaseError as exc:
            self._depth = 0
            self._rollback()
            err = _translate(exc, self.path, "write") if writing else None
            if err is None:
                raise
            raise err from None
        except BaseException:
            self._depth = 0
            self._rollback()
            raise
        self._depth = 0
        try:
            self._con.execute("COMMIT")
        except sqlite3.DatabaseError as exc:  # busy, disk full or I/O error at commit: nothing was written
            self._rollback()
            if not writing:  # pragma: no cover - ending a read transaction
                raise (_translate(exc, self.path, "reading") or exc) from None
            err = _translate(exc, self.path, "commit")
            if err is None:  # pragma: no cover - busy at commit
                err = ProjectError("E309", f"commit failed ({exc})", path=self.path)
            raise err from None
        self._checkpoint()

    def _q(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[tuple]:
        with self._lock:
            if self.closed:
                raise self._closed_error()
            try:
                return self._con.execute(sql, params).fetchall()
            except sqlite3.DatabaseError as exc:
                err = _translate(exc, self.path, "read")
                if err is None:
                    raise
                raise err from None

    # -- dialect hooks for SQLStore ------------------------------------------------------
    def _x(self, sql: str, params: Any = ()) -> Any:
        """Execute inside the open write transaction."""
        return self._con.execute(sql, params)

    def _many(self, sql: str, rows: Sequence[Any]) -> None:
        self._con.executemany(sql, rows)

    def _ignore_conflicts(self, insert: str) -> str:
        return insert.replace("INSERT INTO", "INSERT OR IGNORE INTO", 1)

    def _insert_id(self, sql: str, params: Sequence[Any], id_col: str) -> int:
        return int(self._con.execute(sql, params).lastrowid)

    def _insert_ids(self, sql: str, rows: Sequence[Sequence[Any]], table: str, id_col: str) -> list[int]:
        """Ids of rows inserted in order: contiguous, as one writer holds the lock."""
        if len(rows) == 1:
            return [int(self._con.execute(sql, rows[0]).lastrowid)]
        self._con.executemany(sql, rows)
        last = self._con.execute(f"SELECT max({id_col}) FROM {table}").fetchone()[0]
        # one executemany inside one write transaction: the ids are contiguous
        return list(range(last - len(rows) + 1, last + 1))


    def load_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Append rows with their ids (inside :meth:`write`)."""
        if not rows:
            return
        verb = "INSERT OR REPLACE" if table == "project_info" else "INSERT"
        with self.write():
            self._con.executemany(f"{verb} INTO {table} ({', '.join(columns)}) VALUES "
                                  f"({','.join('?' * len(columns))})", rows)

    def __repr__(self) -> str:
        return f"SQLiteStore({os.path.basename(self.path)!r})"


def _split_sql(script: str) -> list[str]:
    """Statements of a migration script (triggers keep their inner ``;``)."""
    out, buf = [], []
    for line in script.splitlines():
        if line.strip().startswith("--") or not line.strip():
            continue
        buf.append(line)
        joined = "\n".join(buf)
        if sqlite3.complete_statement(joined):
            out.append(joined.strip())
            buf = []
    if "".join(buf).strip():
        out.append("\n".join(buf))
    return out
