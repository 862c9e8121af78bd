"""``mq.Project``: transcripts, codebook versions, suggestions and an append-only decision log in one file.

Every accept, reject, hand coding, un-coding, rename, merge, undo and
re-anchoring is an event (coder, time, target); the current codings are
derived from the log (:mod:`mcqual.project.events`). Running suggesters again
never touches a decision. SQL lives in :mod:`mcqual.project.store` only.

Examples
--------
>>> import os, tempfile
>>> import mcqual as mq
>>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "study.mcq"), coder="ab")
>>> t = mq.Transcript.from_turns("int-01", [("I", "Do you trust badges?"), ("R1", "Only from known issuers.")])
>>> p.add_transcripts([t])
ImportReport(added=1, updated=0, unchanged=0; codings: exact=0, moved=0, fuzzy=0, orphaned=0)
>>> p.set_codebook(mq.Codebook.from_codes(["trust", "recognition"]))
1
>>> cid = p.code("int-01", 22, 46, "trust")
>>> p.codings()[["code", "coder", "snippet"]].iloc[0].tolist()
['trust', 'ab', 'Only from known issuers.']
>>> p.undo().kind
'code'
>>> len(p.codings())
0
>>> p.close()
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterable, Iterator, Sequence

from ..errors import ProjectError
from . import _convert as cv
from .anchor import Anchorer
from .events import Event, State, replay
from .reports import ImportReport, Orphan
from .storage import Storage, open_store

SYSTEM_CODER = "mcqual"


class Project:
    """A coding project stored in one SQLite file or one PostgreSQL schema. Open with :meth:`create` or :meth:`open`.

    A project is a context manager: ``with mq.Project.open(path) as p:`` closes it at the end.

    Parameters
    ----------
    store : Storage, path or URL
        The backend (:class:`~mcqual.project.store.SQLiteStore`,
        :class:`~mcqual.project.pgstore.PostgresStore`), or the path or
        ``postgresql://`` URL of an existing project (same as :meth:`open`).
    coder : str, optional
        The default coder id for decisions (``project.coder = "ab"`` works too).
    """

    def __init__(self, store: Storage | str | Path, *, coder: str | None = None) -> None:
        if isinstance(store, (str, Path)):  # mq.Project("study.mcq") opens an existing project
            store = open_store(store)
        self._store = store
        self.coder = coder
        self._state_cache: State | None = None
        self._cb_cache: tuple[int, Any] | None = None

    # -- lifecycle -----------------------------------------------------------------
    @classmethod
    def create(cls, path: str | Path, *, coder: str | None = None, durable: bool = True,
               timeout: float = 30.0) -> "Project":
        """A new project file at ``path`` (E301 if it exists), or in PostgreSQL at a URL.

        ``path`` may be ``postgresql://user@host:5432/dbname?schema=NAME``: one schema holds one
        project (see :mod:`mcqual.project.pgstore`).

        Examples
        --------
        >>> import os, tempfile
        >>> Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq")).close()
        """
        return cls(open_store(path, create=True, durable=durable, timeout=timeout), coder=coder)

    @classmethod
    def open(cls, path: str | Path, *, coder: str | None = None, durable: bool = True,
             timeout: float = 30.0, readonly: bool | None = None) -> "Project":
        """An existing project (E300 missing, E303 not a project, E302 made by a newer mcqual).

        ``path`` is a project file or a ``postgresql://…?schema=NAME`` URL. A file that cannot be
        written (or sits in a read-only folder) opens read-only by itself (``readonly=None``);
        writing to it then raises E351.

        Examples
        --------
        >>> import os, tempfile
        >>> path = os.path.join(tempfile.mkdtemp(), "p.mcq")
        >>> Project.create(path).close()
        >>> Project.open(path, coder="ab").coder
        'ab'
        """
        return cls(open_store(path, durable=durable, timeout=timeout, readonly=readonly), coder=coder)

    @property
    def path(self) -> str:
        return self._store.path

    @property
    def name(self) -> str:
        """A short name: the file's name, or ``schema (database on host)`` for PostgreSQL."""
        return str(getattr(self._store, "name", "") or Path(self.path).name)

    @property
    def readonly(self) -> bool:
        """Whether the project was opened read-only."""
        return bool(getattr(self._store, "readonly", False))

    def close(self) -> None:
        """Close the database connection."""
        self._store.close()

    def backup(self, path: str | Path, *, overwrite: bool = False):
        """Write a consistent copy of the whole project to the SQLite file ``path`` (safe while others code).

        SQLite projects use SQLite's online backup; PostgreSQL projects are copied table by
        table inside one snapshot. Returns a :class:`~mcqual.project.copy.CopyReport`.

        Examples
        --------
        >>> import os, tempfile
        >>> d = tempfile.mkdtemp()
        >>> with Project.create(os.path.join(d, "p.mcqual")) as p:
        ...     p.backup(os.path.join(d, "backup.mcqual")).counts["events"]
        0
        """
        from .copy import backup_project

        return backup_project(self, path, overwrite=overwrite)

    def __enter__(self) -> "Project":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    @contextmanager
    def snapshot(self) -> Iterator["Project"]:
        """Read everything inside the block from one consistent snapshot (for exports).

        Examples
        --------
        >>> import os, tempfile
        >>> with Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq")) as p, p.snapshot():
        ...     len(p.codings())
        0
        """
        with self._store.read():
            yield self

    def integrity_check(self) -> str:
        """``'ok'`` when the store is sound, else what is wrong (SQLite: ``PRAGMA integrity_check``;
        a damaged file is reported, not raised)."""
        return self._store.integrity_check()

    # -- helpers --------------------------------------------------------------------
    def _coder(self, coder: str | None) -> str:
        c = coder if coder is not None else self.coder
        if not c or not str(c).strip():
            raise ProjectError("E310", "this decision needs a coder id", path=self.path)
        return str(c).strip()

    def _state(self) -> State:
        last = self._store.last_event_id()
        if self._state_cache is None or self._state_cache.last_event != last:
            self._state_cache = replay(self._store.events(replay_only=True))
        return self._state_cache

    def _code_map(self) -> dict[str, str]:
        if self._state_cache is not None and self._state_cache.last_event == self._store.last_event_id():
            return self._state_cache.code_map
        return replay(self._store.standing_events(("rename", "merge"))).code_map

    # -- transcripts -----------------------------------------------------------------
    def add_transcripts(self, corpus: Iterable[Any], *, min_score: float = 80.0) -> ImportReport:
        """Add transcripts; re-anchor codings and suggestions of any whose text changed.

        A transcript with the same id and content hash is left alone; a changed
        one is stored as a new version (the old text is kept) and every coding
        and suggestion on it is re-anchored (exact, moved, fuzzy or orphaned —
        never dropped), each move recorded as a ``reanchor`` event. Case
        attributes (``transcript.attributes``) are stored too.

        Parameters
        ----------
        corpus : Corpus or iterable of Transcript
        min_score : float
            Least rapidfuzz similarity (0–100) to accept a fuzzy re-anchor.

        Examples
        --------
        >>> import os, tempfile
        >>> from mcqual.model import Transcript
        >>> p = Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"))
        >>> p.add_transcripts([Transcript.from_turns("a", [("R", "Yes.")])]).added
        ('a',)
        """
        added, unchanged, updated = [], [], []
        counts = {"exact": 0, "moved": 0, "fuzzy": 0}
        sugg_counts: dict[str, int] = {}
        orphans: list[Orphan] = []
        at = cv.now()
        with self._store.write():
            hashes = self._store.transcript_hashes()
            for t in corpus:
                if t.id not in hashes:
                    self._store.insert_transcript(cv.transcript_to_row(t, at))
                    added.append(t.id)
                elif hashes[t.id] == t.content_hash:
                    unchanged.append(t.id)
                else:
                    self._reanchor(t, at, min_score, counts, sugg_counts, orphans)
                    updated.append(t.id)
                hashes[t.id] = t.content_hash
                if t.attributes:
                    self._store.set_attributes(t.id, cv.jsonable(dict(t.attributes)))
        return ImportReport(tuple(added), tuple(unchanged), tuple(updated), counts["exact"], counts["moved"],
                            counts["fuzzy"], tuple(orphans), sugg_counts)

    def _reanchor(self, t: Any, at: str, min_score: float, counts: dict, sugg_counts: dict,
                  orphans: list) -> None:
        old = self._store.transcript_texts([t.id])[t.id]
        anchorer = Anchorer(old, t.text, min_score=min_score)
        state = self._state()
        events = []
        version = {"content_hash": t.content_hash}
        for c in [c for c in state.codings.values() if c.transcript_id == t.id]:
            a = anchorer.anchor(c.start, c.end)
            quote = old[c.start:c.end]
            if c.status == "orphaned" and a.status != "fuzzy":
                status = "orphaned"  # a lost quote stays flagged until a coder looks at it
            else:
                status = {"exact": "active", "moved": "active"}.get(a.status, a.status)
                if status == "active" and c.status == "fuzzy":
                    status = "fuzzy"
            if status == "orphaned":
                orphans.append(Orphan("coding", c.coding_id, t.id, c.code, c.coder, quote))
            else:
                counts[a.status] += 1
            if (a.start, a.end, status) != (c.start, c.end, c.status):
                events.append({"kind": "reanchor", "coder": SYSTEM_CODER, "created_at": at, "transcript_id": t.id,
                               "start": a.start, "end": a.end, "code": c.code, "coding_id": c.coding_id,
                               "payload": {"status": status, "anchor": a.status, "score": round(a.score, 1),
                                           "from": [c.start, c.end], "quote": quote, **version}})
        updates = []
        for row in self._store.suggestion_rows(transcript_id=t.id):
            sid, _, s0, s1 = row[:4]
            a = anchorer.anchor(s0, s1)
            sugg_counts[a.status] = sugg_counts.get(a.status, 0) + 1
            if a.status == "orphaned":
                orphans.append(Orphan("suggestion", sid, t.id, row[4], "", old[s0:s1]))
            if a.status != "exact":
                updates.append({"suggestion_id": sid, "start": a.start, "end": a.end, "score": row[5],
                                "source": row[6], "reason": row[7], "evidence": _shift_evidence(row[8], s0, a),
                                "flags": cv.json_loads(row[9]), "quote": t.text[a.start:a.end],
                                "anchor": a.status, "run_id": None, "at": at})
                events.append({"kind": "reanchor", "coder": SYSTEM_CODER, "created_at": at, "transcript_id": t.id,
                               "start": a.start, "end": a.end, "code": row[4], "suggestion_id": sid,
                               "payload": {"status": a.status, "score": round(a.score, 1), "from": [s0, s1],
                                           **version}})
        self._store.replace_transcript(cv.transcript_to_row(t, at))
        self._store.update_suggestions(updates)
        self._store.append_events(events)

    def corpus(self):
        """All transcripts (current versions) as a :class:`~mcqual.corpus.Corpus`, attributes joined.

        Examples
        --------
        >>> import os, tempfile
        >>> len(Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq")).corpus())
        0
        """
        from ..corpus import Corpus

        with self._store.read():
            rows = self._store.transcript_rows()
            attrs = self._attr_dict()
            frame = self.attributes() if attrs else None
        return Corpus([cv.row_to_transcript(r, attrs.get(r["transcript_id"])) for r in rows], attributes=frame)

    def transcript(self, transcript_id: str, *, coder: str | None = None, status: str | None = None):
        """One transcript with its codings (a view that renders highlighted in Jupyter).

        Examples
        --------
        >>> import os, tempfile
        >>> from mcqual.model import Transcript
        >>> p = Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"))
        >>> _ = p.add_transcripts([Transcript.from_turns("a", [("R", "Yes.")])])
        >>> p.transcript("a").transcript.text
        'Yes.'
        """
        from .views import TranscriptView

        rows = self._store.transcript_rows([transcript_id])
        if not rows:
            raise ProjectError("E304", f"no transcript {transcript_id!r} in the project", path=self.path)
        t = cv.row_to_transcript(rows[0], self._attr_dict().get(transcript_id))
        codings = self.codings(coder=coder, status=status, transcript=transcript_id)
        cb = self._codebook_or_none()
        return TranscriptView(t, codings, cb, self.memos(transcript=transcript_id))

    def _attr_dict(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for tid, name, value in self._store.attribute_rows():
            out.setdefault(tid, {})[name] = value
        return out

    def attributes(self):
        """Case attributes as a DataFrame indexed by ``transcript_id`` (one column per attribute).

        Examples
        --------
        >>> import os, tempfile
        >>> from mcqual.model import Transcript
        >>> p = Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"))
        >>> t = Transcript.from_turns("a", [("R", "Yes.")], attributes={"respondent_group": "learner"})
        >>> _ = p.add_transcripts([t])
        >>> p.attributes().loc["a", "respondent_group"]
        'learner'
        """
        import pandas as pd

        attrs = self._attr_dict()
        ids = [r for r in self._store.transcript_hashes()]
        df = pd.DataFrame.from_dict({i: attrs.get(i, {}) for i in ids}, orient="index")
        df.index.name = "transcript_id"
        return df

    # -- codebook ----------------------------------------------------------------------
    def set_codebook(self, codebook: Any, *, note: str = "") -> int:
        """Store ``codebook`` (a Codebook or a file path) as the current version; returns its version number.

        Earlier versions are kept. Setting a codebook identical to the current
        one stores nothing and returns the current version.

        Examples
        --------
        >>> import os, tempfile
        >>> from mcqual.codebook.model import Codebook
        >>> p = Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"))
        >>> p.set_codebook(Codebook.from_codes(["trust"])), p.set_codebook(Codebook.from_codes(["trust"]))
        (1, 1)
        """
        if isinstance(codebook, (str, Path)):
            from ..codebook.load import load_codebook

            codebook = load_codebook(codebook)
        content = cv.codebook_to_json(codebook)
        with self._store.write():
            current = self._store.codebook_row()
            if current is not None and current["content"] == content:
                return int(current["version"])
            return self._store.add_codebook(codebook.name, content, note, cv.now())

    def code_many(self, rows: Any, *, coder: str | None = None, note: str = "") -> list[int]:
        """Hand codings in one transaction from a DataFrame or dicts (``transcript_id, start, end, code``
        and optionally ``coder``); returns the coding ids.

        Examples
        --------
        >>> import os, tempfile
        >>> from mcqual.model import Transcript
        >>> from mcqual.codebook.model import Codebook
        >>> p = Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"))
        >>> _ = p.add_transcripts([Transcript.from_turns("a", [("R", "I trust badges.")])])
        >>> _ = p.set_codebook(Codebook.from_codes(["trust"]))
        >>> p.code_many([{"transcript_id": "a", "start": 2, "end": 7, "code": "trust", "coder": "ab"}])
        [1]
        """
        if hasattr(rows, "to_dict") and hasattr(rows, "columns"):
            rows = rows.to_dict("records")
        items = []
        for r in rows:
            d = {"action": "code", "transcript": r.get("transcript_id", r.get("transcript")),
                 "start": r["start"], "end": r["end"], "code": r["code"]}
            if r.get("coder") is not None:
                d["coder"] = r["coder"]
            items.append(d)
        return self.decide_many(items, coder=coder, note=note)

    def _codebook_or_none(self, version: int | None = None):
        current = self._store.codebook_version()
        v = version or current
        if v == 0:
            return None
        if self._cb_cache is not None and self._cb_cache[0] == v:
            return self._cb_cache[1]
        row = self._store.codebook_row(v)
        if row is None:
            return None
        cb = cv.codebook_from_json(row["content"])
        if v == current:
            self._cb_cache = (v, cb)
        return cb

    def codebook(self, version: int | None = None):
        """The current codebook (or an earlier ``version``); E307 when none is set.

        Examples
        --------
        >>> import os, tempfile
        >>> from mcqual.codebook.model import Codebook
        >>> p = Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"))
        >>> _ = p.set_codebook(Codebook.from_codes(["trust"]))
        >>> p.codebook().ids
        ['trust']
        """
        cb = self._codebook_or_none(version)
        if cb is None:
            what = f"version {version}" if version else "codebook"
            raise ProjectError("E307", f"the project has no {what}", path=self.path)
        return cb

    def codebook_versions(self):
        """One row per stored codebook version: version, name, note, created_at, n_codes."""
        import pandas as pd

        return pd.DataFrame(self._store.codebook_versions(),
                            columns=["version", "name", "note", "created_at", "n_codes"])

    def rename_code(self, old: str, new: str, *, coder: str | None = None, label: str | None = None) -> Event:
        """Rename code ``old`` to ``new``: a new codebook version and a ``rename`` event; codings follow.

        Examples
        --------
        >>> import os, tempfile
        >>> from mcqual.codebook.model import Codebook
        >>> p = Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"), coder="ab")
        >>> _ = p.set_codebook(Codebook.from_codes(["trust"]))
        >>> p.rename_code("trust", "confidence").kind, p.codebook().ids
        ('rename', ['confidence'])
        """
        coder = self._coder(coder)
        with self._store.write():
            cb = self.codebook()
            old = self._require_codes(cb, [old])[0]
            if new in cb:
                raise ProjectError("E311", f"code {new!r} already exists; use merge_codes to combine codes",
                                   path=self.path, hint="Choose a new id, or project.merge_codes([old], new).")
            before = self._store.codebook_version()
            after = self.set_codebook(cv.renamed_codebook(cb, old, new, label, by=coder), note=f"rename {old} -> {new}")
            row = {"kind": "rename", "coder": coder, "created_at": cv.now(), "code": old,
                   "payload": {"to": new, "codebook_before": before, "codebook_after": after}}
            eid = self._store.append_events([row])[0]
        return Event.from_row(self._store.events(eid - 1)[0])

    def merge_codes(self, sources: Sequence[str] | str, into: str, *, coder: str | None = None) -> Event:
        """Merge ``sources`` into code ``into``: a new codebook version and a ``merge`` event; codings follow."""
        coder = self._coder(coder)
        sources = [sources] if isinstance(sources, str) else list(sources)
        with self._store.write():
            cb = self.codebook()
            *sources, into = self._require_codes(cb, [*sources, into])
            before = self._store.codebook_version()
            after = self.set_codebook(cv.merged_codebook(cb, sources, into, by=coder),
                                      note=f"merge {', '.join(sources)} -> {into}")
            row = {"kind": "merge", "coder": coder, "created_at": cv.now(), "code": into,
                   "payload": {"sources": [s for s in sources if s != into], "to": into,
                               "codebook_before": before, "codebook_after": after}}
            eid = self._store.append_events([row])[0]
        return Event.from_row(self._store.events(eid - 1)[0])

    def _require_codes(self, cb: Any, codes: Iterable[str]) -> list[str]:
        """The ids of ``codes`` (ids or labels, any case); E311 names the closest codes of an unknown one."""
        from .quotes import lookup_code

        return [c if c in cb else lookup_code(cb, c, path=self.path) for c in codes]

    # -- suggestions, decisions, views (defined in sibling modules) ----------------------
    from .suggesting import suggest, suggestions  # noqa: E402
    from .deciding import accept, decide_many, reject, uncode, undo  # noqa: E402
    from .quotes import code, locate, resolve_code  # noqa: E402
    from .memos import add_memos, memo, memos  # noqa: E402
    from .search import code_hits, search  # noqa: E402
    from .views import codings, history, review  # noqa: E402
    from .disagreements import disagreements, resolve  # noqa: E402
    from .widgets import view  # noqa: E402
    from .quality import quality  # noqa: E402

    # -- display ---------------------------------------------------------------------------
    def summary(self) -> dict[str, int]:
        """Counts: transcripts, suggestions, events, codebook versions, codings."""
        out = self._store.counts()
        out["codings"] = len(self._state().codings)
        return out

    def __repr__(self) -> str:
        s = self.summary()
        return (f"Project({self.name!r}: {s['transcripts']} transcripts, {s['codings']} codings, "
                f"{s['suggestions']} suggestions, {s['events']} events)")

    def _repr_html_(self) -> str:
        from .._html import table

        s = self.summary()
        rows = [[k.replace("_", " "), v] for k, v in s.items()]
        state = self._state()
        by_coder: dict[str, int] = {}
        for c in state.codings.values():
            by_coder[c.coder] = by_coder.get(c.coder, 0) + 1
        rows += [[f"codings by {k}", v] for k, v in sorted(by_coder.items())]
        return table(["", "n"], rows, caption=f"Project {self.name}")


def _shift_evidence(evidence_json: str, old_start: int, a: Any) -> list:
    """Evidence spans move with their suggestion (dropped where they no longer fit)."""
    out = []
    for e in cv.json_loads(evidence_json):
        s, t = e[0] - old_start + a.start, e[1] - old_start + a.start
        if a.start <= s < t <= a.end:
            out.append([s, t, *e[2:]])
    return out


__all__ = ["Project", "SYSTEM_CODER"]
