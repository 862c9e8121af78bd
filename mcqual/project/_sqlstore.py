"""What both SQL stores share: :class:`SQLStore` holds every :class:`~mcqual.project.storage.Storage`
method whose SQL is the same in SQLite and PostgreSQL up to a few dialect details.

The queries are written once, SQLite-style (``?`` and ``:name`` placeholders);
a subclass supplies the dialect hooks:

* :meth:`SQLStore._sql` / :meth:`SQLStore._sql_named` turn the placeholders into its own
  (psycopg's ``%s`` / ``%(name)s``);
* :meth:`SQLStore._in` writes "``column`` is one of these values" (``IN (?, ?, …)`` in chunks of
  :attr:`SQLStore._CHUNK`, or ``= ANY(?)`` with one array);
* :meth:`SQLStore._insert_id` / :meth:`SQLStore._insert_ids` return the ids of inserted rows
  (``lastrowid`` or ``RETURNING``); :meth:`SQLStore._ignore_conflicts` makes an INSERT skip rows
  already there;
* :attr:`SQLStore._ROWID` (the column that keeps attributes in insertion order) and
  :attr:`SQLStore._N_CODES` (the JSON function counting a codebook's codes).

Connections, transactions and locking, migrations, schemas and error translation stay in
:mod:`mcqual.project.store` and :mod:`mcqual.project.pgstore`; each provides ``_q`` (a read),
``_x`` and ``_many`` (statements inside the open write transaction) and ``write``.

Examples
--------
>>> _dumps({"code": "trust", "spans": [(2, 7)]})
'{"code":"trust","spans":[[2,7]]}'
>>> SQLStore._in(SQLStore, "suggestion_id", [4, 5])
('suggestion_id IN (?,?)', [4, 5])
"""
from __future__ import annotations

import json
from contextlib import contextmanager
from typing import Any, ContextManager, Iterable, Iterator, Mapping, Sequence

from ..errors import ProjectError
from .storage import EVENT_FIELDS, MEMO_FIELDS, SUGGESTION_FIELDS, UNDOABLE

_EVENT_COLS = ("event_id, kind, coder, created_at, transcript_id, span_start, span_end, code, "
               "suggestion_id, coding_id, target_event, payload")
_MEMO_COLS = ("memo_id, coder, created_at, target, transcript_id, span_start, span_end, code, coding_id, "
              "suggestion_id, replaces, text, payload")
_SUGG_COLS = ("suggestion_id, transcript_id, span_start, span_end, code, score, source, reason, evidence, "
              "flags, unit, quote, anchor, run_id, created_at, updated_at")
assert len(_EVENT_COLS.split(",")) == len(EVENT_FIELDS)
assert len(_SUGG_COLS.split(",")) == len(SUGGESTION_FIELDS)
assert len(_MEMO_COLS.split(",")) == len(MEMO_FIELDS)

#: the event columns prefixed with the alias ``e.`` (for the "not undone" self-joins)
_E_EVENT_COLS = ", ".join("e." + c.strip() for c in _EVENT_COLS.split(","))
_NOT_UNDONE = "AND NOT EXISTS (SELECT 1 FROM events u WHERE u.target_event = e.event_id AND u.kind='undo') "

_TRANSCRIPT_COLS = ("transcript_id", "text", "content_hash", "turns", "metadata", "language", "source", "version",
                    "added_at", "updated_at")
_CODEBOOK_COLS = ("version", "name", "content", "note", "created_at")


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=str, separators=(",", ":"))


class SQLStore:
    """The shared half of :class:`~mcqual.project.store.SQLiteStore` and
    :class:`~mcqual.project.pgstore.PostgresStore` (not used on its own)."""

    path: str
    _depth: int
    _mode: str
    _lock: Any  # a threading.RLock

    #: how many values one ``IN (...)`` may hold (None: no limit, one query)
    _CHUNK: int | None = 500
    #: the column that orders attributes by insertion
    _ROWID = "rowid"
    #: the number of codes in a codebook's JSON ``content``
    _N_CODES = "json_array_length(content, '$.codes')"

    # -- dialect hooks (SQLite's here; PostgresStore overrides) ------------------------
    def _q(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[tuple]:
        raise NotImplementedError

    def _x(self, sql: str, params: Any = ()) -> Any:
        raise NotImplementedError

    def _many(self, sql: str, rows: Sequence[Any]) -> Any:
        raise NotImplementedError

    def _begin_write(self) -> ContextManager[None]:
        """The outermost write transaction (called holding ``_lock``; sets ``_depth`` and ``_mode``)."""
        raise NotImplementedError

    def _begin_read(self) -> ContextManager[None]:
        """The outermost read transaction (called holding ``_lock``; sets ``_depth`` and ``_mode``)."""
        raise NotImplementedError

    def _sql(self, sql: str) -> str:
        """``sql`` (``?`` placeholders) in the driver's paramstyle."""
        return sql

    def _sql_named(self, sql: str) -> str:
        """``sql`` (``:name`` placeholders) in the driver's named paramstyle."""
        return sql

    def _int(self, value: Any) -> Any:
        """A parameter compared with an integer column, as the driver wants it."""
        return value

    def _in(self, column: str, values: Sequence[Any]) -> tuple[str, list[Any]]:
        """``(condition, params)``: ``column`` is one of ``values``."""
        return f"{column} IN ({','.join('?' * len(values))})", list(values)

    def _chunks(self, values: list[Any]) -> Iterator[list[Any]]:
        if self._CHUNK is None:
            yield values
            return
        for i in range(0, len(values), self._CHUNK):
            yield values[i:i + self._CHUNK]

    def _ignore_conflicts(self, insert: str) -> str:
        """An INSERT that skips rows whose key is already there."""
        raise NotImplementedError

    def _insert_id(self, sql: str, params: Sequence[Any], id_col: str) -> int:
        """Run one INSERT (inside :meth:`write`); the new row's ``id_col``."""
        raise NotImplementedError

    def _insert_ids(self, sql: str, rows: Sequence[Sequence[Any]], table: str, id_col: str) -> list[int]:
        """Run one INSERT per row in order (inside :meth:`write`); their ``id_col`` values."""
        raise NotImplementedError

    # -- helpers -------------------------------------------------------------------------
    def _select(self, sql: str, params: Sequence[Any] | Mapping[str, Any] = ()) -> list[tuple]:
        return self._q(self._sql(sql), params)

    def _run(self, sql: str, params: Any = ()) -> Any:
        return self._x(self._sql(sql), params)

    def _select_in(self, sql: str, column: str, values: list[Any], params: Sequence[Any] = ()) -> list[tuple]:
        """``sql WHERE <params' conditions> column IN values`` chunk by chunk (``sql`` ends in WHERE or AND)."""
        out: list[tuple] = []
        for chunk in self._chunks(values):
            cond, extra = self._in(column, chunk)
            out += self._select(f"{sql} {cond}", (*params, *extra))
        return out

    def _append(self, table: str, columns: str, rows: Sequence[Sequence[Any]]) -> list[int]:
        """Insert ``rows`` (every column of ``columns`` but the first, the id) into an append-only
        table in one write; their ids."""
        id_col, *cols = (c.strip() for c in columns.split(","))
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({','.join('?' * len(cols))})"
        with self.write():
            return self._insert_ids(self._sql(sql), rows, table, id_col)

    # -- transactions ------------------------------------------------------------------
    def write(self) -> ContextManager[None]:
        """A write transaction, exclusive against other writers; commits on success (re-entrant:
        nested calls join the outer one)."""
        return self._transaction(writing=True)

    def read(self) -> ContextManager[None]:
        """A read transaction: reads inside see one snapshot (joins an open transaction)."""
        return self._transaction(writing=False)

    @contextmanager
    def _transaction(self, writing: bool) -> Iterator[None]:
        with self._lock:
            if self._depth:
                with self._nested(writing):
                    yield
                return
            with self._begin_write() if writing else self._begin_read():
                yield

    @contextmanager
    def _nested(self, writing: bool) -> Iterator[None]:
        """Join the transaction already open (a write may not join a read snapshot: E313)."""
        if writing and self._mode != "write":
            raise ProjectError("E313", "a decision was recorded inside a read snapshot", path=self.path)
        self._depth += 1
        try:
            yield
        finally:
            self._depth -= 1

    # -- transcripts ---------------------------------------------------------------
    def transcript_rows(self, ids: Sequence[str] | None = None) -> list[dict[str, Any]]:
        sql = f"SELECT {', '.join(_TRANSCRIPT_COLS)} FROM transcripts"
        params: list[Any] = []
        if ids is not None:
            cond, params = self._in("transcript_id", list(ids))
            sql += f" WHERE {cond}"
        out = []
        for r in self._select(sql + " ORDER BY position", params):
            d = dict(zip(_TRANSCRIPT_COLS, r))
            d["turns"] = json.loads(d["turns"])
            d["metadata"] = json.loads(d["metadata"])
            out.append(d)
        return out

    def transcript_texts(self, ids: Iterable[str] | None = None) -> dict[str, str]:
        if ids is None:
            return dict(self._select("SELECT transcript_id, text FROM transcripts"))
        return dict(self._select_in("SELECT transcript_id, text FROM transcripts WHERE", "transcript_id",
                                    list(set(ids))))

    def transcript_hashes(self) -> dict[str, str]:
        return dict(self._select("SELECT transcript_id, content_hash FROM transcripts ORDER BY position"))

    def insert_transcript(self, row: Mapping[str, Any]) -> None:
        with self.write():
            self._run("INSERT INTO transcripts (transcript_id, position, text, content_hash, turns, metadata, "
                      "language, source, version, added_at, updated_at) SELECT ?, coalesce(max(position), -1) + 1, "
                      "?, ?, ?, ?, ?, ?, 1, ?, ? FROM transcripts",
                      (row["transcript_id"], row["text"], row["content_hash"], _dumps(row["turns"]),
                       _dumps(row["metadata"]), row.get("language"), row.get("source"), row["at"], row["at"]))

    def replace_transcript(self, row: Mapping[str, Any]) -> None:
        with self.write():
            self._run("INSERT INTO transcript_versions (transcript_id, version, text, content_hash, turns, metadata, "
                      "replaced_at) SELECT transcript_id, version, text, content_hash, turns, metadata, ? "
                      "FROM transcripts WHERE transcript_id = ?", (row["at"], row["transcript_id"]))
            self._run("UPDATE transcripts SET text=?, content_hash=?, turns=?, metadata=?, language=?, source=?, "
                      "version=version+1, updated_at=? WHERE transcript_id=?",
                      (row["text"], row["content_hash"], _dumps(row["turns"]), _dumps(row["metadata"]),
                       row.get("language"), row.get("source"), row["at"], row["transcript_id"]))

    def transcript_versions(self, transcript_id: str) -> list[dict[str, Any]]:
        rows = self._select("SELECT version, content_hash, length(text), replaced_at FROM transcript_versions "
                            "WHERE transcript_id=? ORDER BY version", (transcript_id,))
        return [dict(zip(("version", "content_hash", "chars", "replaced_at"), r)) for r in rows]

    def set_attributes(self, transcript_id: str, values: Mapping[str, Any]) -> None:
        with self.write():
            self._many(self._sql("INSERT INTO attributes (transcript_id, name, value) VALUES (?,?,?) "
                                 "ON CONFLICT (transcript_id, name) DO UPDATE SET value = excluded.value"),
                       [(transcript_id, str(k), _dumps(v)) for k, v in values.items()])

    def attribute_rows(self) -> list[tuple[str, str, Any]]:
        return [(t, n, json.loads(v)) for t, n, v in self._select(
            "SELECT a.transcript_id, a.name, a.value FROM attributes a JOIN transcripts t USING (transcript_id) "
            f"ORDER BY t.position, a.{self._ROWID}")]

    # -- codebooks -----------------------------------------------------------------
    def add_codebook(self, name: str, content: Mapping[str, Any], note: str, created_at: str) -> int:
        with self.write():
            return self._insert_id(self._sql("INSERT INTO codebooks (name, content, note, created_at) "
                                             "VALUES (?,?,?,?)"),
                                   (name, _dumps(content), note, created_at), "version")

    def codebook_row(self, version: int | None = None) -> dict[str, Any] | None:
        sql = f"SELECT {', '.join(_CODEBOOK_COLS)} FROM codebooks"
        if version is None:
            rows = self._select(sql + " ORDER BY version DESC LIMIT 1")
        else:
            rows = self._select(sql + " WHERE version=?", (self._int(version),))
        if not rows:
            return None
        d = dict(zip(_CODEBOOK_COLS, rows[0]))
        d["content"] = json.loads(d["content"])
        return d

    def codebook_version(self) -> int:
        return int(self._select("SELECT coalesce(max(version), 0) FROM codebooks")[0][0])

    def codebook_versions(self) -> list[dict[str, Any]]:
        rows = self._select(f"SELECT version, name, note, created_at, {self._N_CODES} FROM codebooks ORDER BY version")
        return [dict(zip(("version", "name", "note", "created_at", "n_codes"), r)) for r in rows]

    # -- suggestions ---------------------------------------------------------------
    def add_run(self, row: Mapping[str, Any]) -> int:
        with self.write():
            return self._insert_id(self._sql(
                "INSERT INTO suggest_runs (suggester, unit, codebook_version, n_suggestions, n_new, created_at) "
                "VALUES (?,?,?,?,?,?)"), (row["suggester"], row.get("unit"), row.get("codebook_version"),
                                          row["n_suggestions"], row["n_new"], row["created_at"]), "run_id")

    def add_run_coverage(self, run_id: int, transcript_ids: Iterable[str], sources: Iterable[str],
                         unit: str | None) -> None:
        rows = [(int(run_id), t, src, unit) for t in sorted(set(transcript_ids)) for src in sorted(set(sources))]
        with self.write():
            self._many(self._ignore_conflicts(self._sql("INSERT INTO run_coverage VALUES (?,?,?,?)")), rows)

    def latest_runs(self) -> dict[tuple[str, str, str | None], int]:
        """``{(transcript_id, source, unit): newest run_id}`` over the runs' coverage."""
        rows = self._select("SELECT transcript_id, source, unit, max(run_id) FROM run_coverage "
                            "GROUP BY transcript_id, source, unit")
        return {(t, src, u): int(r) for t, src, u, r in rows}

    def suggestion_rows(self, *, ids: Iterable[int] | None = None, transcript_id: str | None = None) -> list[tuple]:
        sql = f"SELECT {_SUGG_COLS} FROM suggestions"
        if ids is not None:
            return self._select_in(sql + " WHERE", "suggestion_id", [int(i) for i in ids])
        if transcript_id is not None:
            return self._select(sql + " WHERE transcript_id=? ORDER BY suggestion_id", (transcript_id,))
        return self._select(sql + " ORDER BY suggestion_id")

    def _suggestion_params(self, rows: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
        return [{**r, "evidence": _dumps(r.get("evidence", [])), "flags": _dumps(r.get("flags", []))} for r in rows]

    def insert_suggestions(self, rows: Sequence[Mapping[str, Any]]) -> None:
        with self.write():
            self._many(self._sql_named(
                "INSERT INTO suggestions (transcript_id, span_start, span_end, code, score, source, reason, "
                "evidence, flags, unit, quote, anchor, run_id, created_at, updated_at) "
                "VALUES (:transcript_id,:start,:end,:code,:score,:source,:reason,:evidence,:flags,:unit,:quote,"
                "'exact',:run_id,:at,:at)"), self._suggestion_params(rows))

    def update_suggestions(self, rows: Sequence[Mapping[str, Any]]) -> None:
        with self.write():
            self._many(self._sql_named(
                "UPDATE suggestions SET span_start=:start, span_end=:end, score=:score, source=:source, "
                "reason=:reason, evidence=:evidence, flags=:flags, quote=:quote, anchor=:anchor, "
                "run_id=coalesce(:run_id, run_id), updated_at=:at WHERE suggestion_id=:suggestion_id"),
                self._suggestion_params(rows))

    def decided_suggestion_ids(self) -> set[int]:
        return {r[0] for r in self._select("SELECT DISTINCT suggestion_id FROM events WHERE suggestion_id IS NOT "
                                           "NULL AND kind IN ('accept','reject')")}

    # -- events ----------------------------------------------------------------------
    def append_events(self, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        """Insert events in order; returns their ids (increasing, see :meth:`_insert_ids`)."""
        if not rows:
            return []
        params = [(r["kind"], r["coder"], r["created_at"], r.get("transcript_id"), r.get("start"), r.get("end"),
                   r.get("code"), r.get("suggestion_id"), r.get("coding_id"), r.get("target_event"),
                   _dumps(r.get("payload") or {})) for r in rows]
        return self._append("events", _EVENT_COLS, params)

    def events(self, since: int = 0, *, where: str = "", params: Sequence[Any] = (),
               replay_only: bool = False) -> list[tuple]:
        """Event rows (``EVENT_FIELDS`` order, payload still JSON text) with ``event_id > since``.

        ``where`` uses ``?`` placeholders in every store."""
        if replay_only:  # the replay reads payloads of reanchor/rename/merge only: skip the rest
            cols = _EVENT_COLS.replace(", payload", ", CASE WHEN kind IN ('reanchor','rename','merge') "
                                                   "THEN payload ELSE '{}' END")
        else:
            cols = _EVENT_COLS
        sql = f"SELECT {cols} FROM events WHERE event_id > ?"
        if where:
            sql += f" AND ({where})"
        return self._select(sql + " ORDER BY event_id", (self._int(since), *params))

    def last_event_id(self) -> int:
        return int(self._select("SELECT coalesce(max(event_id), 0) FROM events")[0][0])

    def last_decision(self, suggestion_id: int, coder: str) -> tuple[str, int] | None:
        rows = self._select(
            "SELECT e.kind, e.event_id FROM events e WHERE e.suggestion_id=? AND e.coder=? "
            "AND e.kind IN ('accept','reject') " + _NOT_UNDONE +
            "ORDER BY e.event_id DESC LIMIT 1", (int(suggestion_id), coder))
        return (rows[0][0], int(rows[0][1])) if rows else None

    def standing_events(self, kinds: Sequence[str]) -> list[tuple]:
        """Events of ``kinds`` that no undo has cancelled, in order."""
        cond, params = self._in("e.kind", list(kinds))
        return self._select(f"SELECT {_E_EVENT_COLS} FROM events e WHERE {cond} " + _NOT_UNDONE +
                            "ORDER BY e.event_id", params)

    def coding_events(self, ids: Sequence[int]) -> dict[int, tuple]:
        """The creating event (code/accept) of each coding id that exists."""
        rows = self._select_in(f"SELECT {_EVENT_COLS} FROM events WHERE kind IN ('code','accept') AND",
                               "event_id", [int(i) for i in ids])
        return {int(r[0]): r for r in rows}

    def text_lengths(self, ids: Iterable[str]) -> dict[str, int]:
        return dict(self._select_in("SELECT transcript_id, length(text) FROM transcripts WHERE", "transcript_id",
                                    list(set(ids))))

    def last_undoable(self, coder: str) -> tuple | None:
        cond, params = self._in("e.kind", list(UNDOABLE))
        rows = self._select(f"SELECT {_E_EVENT_COLS} FROM events e WHERE e.coder=? AND {cond} " + _NOT_UNDONE +
                            "ORDER BY e.event_id DESC LIMIT 1", (coder, *params))
        return rows[0] if rows else None

    # -- memos -------------------------------------------------------------------------
    def append_memos(self, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        """Insert memos in order; returns their ids (increasing, see :meth:`_insert_ids`)."""
        if not rows:
            return []
        params = [(r["coder"], r["created_at"], r["target"], r.get("transcript_id"), r.get("start"), r.get("end"),
                   r.get("code"), r.get("coding_id"), r.get("suggestion_id"), r.get("replaces"), str(r["text"]),
                   _dumps(r.get("payload") or {})) for r in rows]
        return self._append("memos", _MEMO_COLS, params)

    def memo_rows(self, since: int = 0) -> list[tuple]:
        """Memo rows (``MEMO_FIELDS`` order, payload still JSON text) with ``memo_id > since``."""
        return self._select(f"SELECT {_MEMO_COLS} FROM memos WHERE memo_id > ? ORDER BY memo_id", (int(since),))

    def counts(self) -> dict[str, int]:
        row = self._select("SELECT (SELECT count(*) FROM transcripts), (SELECT count(*) FROM suggestions), "
                           "(SELECT count(*) FROM events), (SELECT count(*) FROM codebooks), "
                           "(SELECT count(*) FROM memos)")[0]
        return dict(zip(("transcripts", "suggestions", "events", "codebook_versions", "memos"), map(int, row)))

    # -- whole tables (copy and backup) ---------------------------------------------------
    def table_rows(self, table: str, columns: Sequence[str], order: str) -> list[tuple]:
        """Every row of ``table`` (for :func:`~mcqual.project.copy.copy_project`)."""
        order = self._ROWID if order == "rowid" else order
        return self._select(f"SELECT {', '.join(columns)} FROM {table} ORDER BY {order}")
