"""The storage interface a project talks to: every backend implements :class:`Storage`.

:mod:`mcqual.project.store` implements it with the standard library's
``sqlite3``, :mod:`mcqual.project.pgstore` with PostgreSQL (psycopg 3);
:func:`open_store` picks one from a path or a ``postgresql://`` URL. Rows cross the interface as plain dicts and tuples (no SQL, no
cursor objects), so :class:`~mcqual.project.project.Project` never sees SQL.

Event rows are tuples in :data:`EVENT_FIELDS` order.

Examples
--------
>>> EVENT_FIELDS[:3]
('event_id', 'kind', 'coder')
"""
from __future__ import annotations

from typing import Any, ContextManager, Iterable, Mapping, Protocol, Sequence, runtime_checkable

#: the kinds of event the decision log holds
EVENT_KINDS = ("accept", "reject", "code", "uncode", "rename", "merge", "undo", "reanchor")

#: kinds a coder can undo
UNDOABLE = ("accept", "reject", "code", "uncode", "rename", "merge")

#: the fields of an event row, in order
EVENT_FIELDS = ("event_id", "kind", "coder", "created_at", "transcript_id", "start", "end", "code",
                "suggestion_id", "coding_id", "target_event", "payload")

#: the fields of a memo row, in order. A memo is append-only: editing writes a new row whose
#: ``replaces`` is the memo it supersedes. ``target`` is one of :data:`MEMO_TARGETS`.
MEMO_FIELDS = ("memo_id", "coder", "created_at", "target", "transcript_id", "start", "end", "code",
               "coding_id", "suggestion_id", "replaces", "text", "payload")

#: what a memo can be written on
MEMO_TARGETS = ("project", "transcript", "code", "coding", "span", "suggestion")

#: the fields of a suggestion row, in order
SUGGESTION_FIELDS = ("suggestion_id", "transcript_id", "start", "end", "code", "score", "source", "reason",
                     "evidence", "flags", "unit", "quote", "anchor", "run_id", "created_at", "updated_at")


#: the tables of a project with their columns (the same in every store) and the order to read them in;
#: a copy between stores moves exactly these, in this order (parents before children)
TABLES: dict[str, tuple[tuple[str, ...], str]] = {
    "project_info": (("key", "value"), "key"),
    "transcripts": (("transcript_id", "position", "text", "content_hash", "turns", "metadata", "language",
                     "source", "version", "added_at", "updated_at"), "position"),
    "transcript_versions": (("transcript_id", "version", "text", "content_hash", "turns", "metadata",
                             "replaced_at"), "transcript_id, version"),
    "attributes": (("transcript_id", "name", "value"), "rowid"),
    "codebooks": (("version", "name", "content", "note", "created_at"), "version"),
    "suggest_runs": (("run_id", "suggester", "unit", "codebook_version", "n_suggestions", "n_new", "created_at"),
                     "run_id"),
    "run_coverage": (("run_id", "transcript_id", "source", "unit"), "run_id, transcript_id, source"),
    "suggestions": (("suggestion_id", "transcript_id", "span_start", "span_end", "code", "score", "source",
                     "reason", "evidence", "flags", "unit", "quote", "anchor", "run_id", "created_at",
                     "updated_at"), "suggestion_id"),
    "events": (("event_id", "kind", "coder", "created_at", "transcript_id", "span_start", "span_end", "code",
                "suggestion_id", "coding_id", "target_event", "payload"), "event_id"),
    "memos": (("memo_id", "coder", "created_at", "target", "transcript_id", "span_start", "span_end", "code",
               "coding_id", "suggestion_id", "replaces", "text", "payload"), "memo_id"),
}

#: ``project_info`` keys that describe one store, not the project (not copied)
STORE_KEYS = ("application", "schema_version")


def is_url(target: Any) -> bool:
    """Whether ``target`` names a PostgreSQL project (``postgresql://…``) rather than a file.

    Examples
    --------
    >>> is_url("postgresql://postgres@127.0.0.1:5432/test?schema=study"), is_url("study.mcqual")
    (True, False)
    """
    return isinstance(target, str) and target.split("://", 1)[0].lower() in ("postgresql", "postgres")


def open_store(target: Any, *, create: bool = False, **kwargs: Any) -> "Storage":
    """The store for a file path or a ``postgresql://`` URL, created or opened.

    Examples
    --------
    >>> import os, tempfile
    >>> store = open_store(os.path.join(tempfile.mkdtemp(), "p.mcqual"), create=True)
    >>> type(store).__name__
    'SQLiteStore'
    >>> store.close()
    """
    if is_url(target):
        from .pgstore import PostgresStore

        if create:
            kwargs.pop("readonly", None)
            return PostgresStore.create(target, **kwargs)
        return PostgresStore.open(target, **kwargs)
    from .store import SQLiteStore

    if create:
        kwargs.pop("readonly", None)
        return SQLiteStore.create(target, **kwargs)
    return SQLiteStore.open(target, **kwargs)


@runtime_checkable
class Storage(Protocol):
    """What a project needs from a database. All writes happen inside :meth:`write`."""

    path: str

    # -- lifecycle and transactions -------------------------------------------
    def close(self) -> None: ...
    def write(self) -> ContextManager[None]:
        """A write transaction (exclusive against other writers); commits on success."""
    def read(self) -> ContextManager[None]:
        """A read transaction: every read inside sees one consistent snapshot."""
    def schema_version(self) -> int: ...
    def integrity_check(self) -> str: ...

    # -- transcripts and attributes --------------------------------------------
    def transcript_rows(self, ids: Sequence[str] | None = None) -> list[dict[str, Any]]: ...
    def transcript_hashes(self) -> dict[str, str]: ...
    def insert_transcript(self, row: Mapping[str, Any]) -> None: ...
    def replace_transcript(self, row: Mapping[str, Any]) -> None:
        """Archive the current text as a version, then store ``row``."""
    def transcript_versions(self, transcript_id: str) -> list[dict[str, Any]]: ...
    def set_attributes(self, transcript_id: str, values: Mapping[str, Any]) -> None: ...
    def attribute_rows(self) -> list[tuple[str, str, Any]]: ...

    # -- codebooks ---------------------------------------------------------------
    def add_codebook(self, name: str, content: Mapping[str, Any], note: str, created_at: str) -> int: ...
    def codebook_row(self, version: int | None = None) -> dict[str, Any] | None: ...
    def codebook_versions(self) -> list[dict[str, Any]]: ...
    def codebook_version(self) -> int: ...

    # -- suggestions ---------------------------------------------------------------
    def add_run(self, row: Mapping[str, Any]) -> int: ...
    def add_run_coverage(self, run_id: int, transcript_ids: Iterable[str], sources: Iterable[str],
                         unit: str | None) -> None:
        """Record that run ``run_id`` of suggesters ``sources`` read these transcripts."""
    def latest_runs(self) -> dict[tuple[str, str, str | None], int]:
        """``{(transcript_id, source, unit): newest run_id}`` over the recorded coverage."""
    def suggestion_rows(self, *, ids: Iterable[int] | None = None, transcript_id: str | None = None) -> list[tuple]: ...
    def insert_suggestions(self, rows: Sequence[Mapping[str, Any]]) -> None: ...
    def update_suggestions(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Refresh pending suggestions (span, score, source, reason, evidence...) by id."""
    def decided_suggestion_ids(self) -> set[int]: ...

    # -- the event log (append-only) -------------------------------------------------
    def append_events(self, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        """Insert events in order inside one write; returns one id per row, increasing in commit order.
        Callers use the returned ids, never arithmetic on them: SQLite's are contiguous (one writer
        holds the lock), PostgreSQL's come from ``RETURNING`` (a rolled-back write may leave a gap)."""
    def events(self, since: int = 0, *, where: str = "", params: Sequence[Any] = (),
               replay_only: bool = False) -> list[tuple]:
        """Event rows after ``since``; ``where`` is a filter over EVENT_FIELDS column names
        (``start``/``end`` are ``span_start``/``span_end``); ``replay_only`` may blank payloads
        the replay does not read."""
    def last_event_id(self) -> int: ...
    def last_decision(self, suggestion_id: int, coder: str) -> tuple[str, int] | None:
        """(kind, event_id) of ``coder``'s latest not-undone accept/reject of a suggestion."""
    def standing_events(self, kinds: Sequence[str]) -> list[tuple]: ...
    def coding_events(self, ids: Sequence[int]) -> dict[int, tuple]: ...
    def text_lengths(self, ids: Iterable[str]) -> dict[str, int]: ...
    def transcript_texts(self, ids: Iterable[str] | None = None) -> dict[str, str]: ...
    def last_undoable(self, coder: str) -> tuple | None: ...

    # -- memos (append-only) ---------------------------------------------------------
    def append_memos(self, rows: Sequence[Mapping[str, Any]]) -> list[int]:
        """Insert memo rows (dicts keyed by :data:`MEMO_FIELDS` less ``memo_id``); returns their ids."""
    def memo_rows(self, since: int = 0) -> list[tuple]:
        """Every memo row with ``memo_id > since`` in :data:`MEMO_FIELDS` order (payload as JSON text)."""
    def counts(self) -> dict[str, int]: ...

    # -- whole tables (copy and backup) ----------------------------------------------
    def table_rows(self, table: str, columns: Sequence[str], order: str) -> list[tuple]:
        """Every row of one of :data:`TABLES` in its order."""
    def load_rows(self, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
        """Append rows with their ids as they are (a copy); ids issued later follow them."""
