"""Merging coders' project files: ``mq.merge_projects(["ak.mcqual", "mb.mcqual"], into="team.mcqual")``.

Coders who work offline each keep a copy of the project; merging brings their
work into one team project:

* **transcripts** are matched by content (the same hash), then by id, then by
  similar text; where a coder's copy differs (a typo fixed on one laptop) the
  coder's codings are re-anchored onto the team's text (exact, moved, fuzzy or
  orphaned — never dropped, see :mod:`mcqual.project.anchor`); a transcript the
  team project lacks is added;
* **codebooks** are reconciled: codes only one coder added are added, a code
  with the same id but another label or definition is a *conflict* (the team's
  version is kept; the report lists both); renames and merges of codes made on
  a laptop are applied to that coder's codings, not replayed on everyone's;
* **events** (accept, reject, code, uncode, undo, re-anchoring) are appended
  once each: every merged event carries a stable *origin key* in its payload
  (``payload["origin"]``), a fingerprint of the event as its coder recorded it,
  so merging the same file again adds nothing, and a coder's copy that started
  from the team file does not bring the team's events twice; ``undo`` and
  ``uncode`` references are remapped to the new event ids;
* **suggestions** behind accept/reject decisions (and pending ones) are carried
  and matched to the team's (same transcript, code, nearly the same span), so
  decisions keep pointing at the right suggestion; **memos** are merged the same way.

A ``.qdpx`` coded in another tool merges as one more coder through
:func:`mcqual.exchange.merge.merge_projects` (the public ``mq.merge_projects``),
which converts it to a :class:`MergeSource`.

Examples
--------
>>> import os, tempfile
>>> import mcqual as mq
>>> d = tempfile.mkdtemp()
>>> t = mq.Transcript.from_turns("int-01", [("I", "Badges?"), ("R", "I trust badges from universities.")])
>>> for who in ("AK", "MB"):
...     with mq.Project.create(os.path.join(d, f"{who}.mcqual"), coder=who) as p:
...         _ = p.add_transcripts([t]); _ = p.set_codebook(mq.Codebook.from_codes(["trust"]))
...         _ = p.code("int-01", 10, 40, "trust")
>>> rep = merge_projects([os.path.join(d, "AK.mcqual"), os.path.join(d, "MB.mcqual")],
...                      into=os.path.join(d, "team.mcqual"))
>>> rep.events_added, rep.transcripts_added
(2, 1)
>>> merge_projects([os.path.join(d, "AK.mcqual")], into=os.path.join(d, "team.mcqual")).events_added
0
"""
from __future__ import annotations

import dataclasses
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

from ..errors import ProjectError
from . import _convert as cv
from .anchor import Anchorer
from .events import AT, CODE, CODER, CODING, END, ID, KIND, PAYLOAD, START, SUGG, TARGET, TID, replay
from .suggesting import SAME_SPAN, _iou

__all__ = ["MergeSource", "MergeReport", "merge_projects", "source_from_project", "origin_keys"]

#: event kinds carried by a merge (rename/merge of codes are applied to the coder's codings instead)
CARRIED = ("accept", "reject", "code", "uncode", "undo", "reanchor")

#: least rapidfuzz ratio (0-100) for two transcripts with different ids and hashes to be the same interview
SAME_TRANSCRIPT = 90.0


@dataclass
class MergeSource:
    """One coder's work, ready to merge (from a project file, or a ``.qdpx`` via the exchange layer).

    ``events`` are rows in :data:`~mcqual.project.storage.EVENT_FIELDS` order (payload as JSON
    text); ``suggestions`` rows in ``SUGGESTION_FIELDS`` order; ``memos`` rows in ``MEMO_FIELDS``
    order; ``code_map`` maps a code id as an event names it to the code as it stands now.
    """

    name: str
    transcripts: list = field(default_factory=list)
    codebook: Any = None
    events: list[tuple] = field(default_factory=list)
    suggestions: list[tuple] = field(default_factory=list)
    memos: list[tuple] = field(default_factory=list)
    attributes: dict[str, dict[str, Any]] = field(default_factory=dict)
    code_map: dict[str, str] = field(default_factory=dict)
    renames: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class MergeReport:
    """What :func:`merge_projects` did (renders as tables in Jupyter).

    Attributes
    ----------
    sources : tuple of str
    transcripts_added, events_added, events_skipped, suggestions_added, memos_added : int
        ``events_skipped`` counts events already in the team project (merged before, or shared
        history) — merging the same file twice adds nothing the second time.
    reanchored : dict
        Codings of a coder's differing transcript copy, by status: exact, moved, fuzzy, orphaned.
    transcripts : list of dict
        Per source transcript: source, transcript id, team id, how it matched (hash, id, similar, added).
    conflicts : list of dict
        Codebook conflicts (``kind``: ``label``/``definition`` — same id, different text; ``added`` —
        a code only this coder had; ``renamed`` — a coder renamed or merged codes offline) and
        ``orphaned`` codings (their quote is gone from the team's text: check by hand).
    """

    into: str
    sources: tuple[str, ...]
    transcripts_added: int
    events_added: int
    events_skipped: int
    suggestions_added: int
    memos_added: int
    reanchored: dict[str, int]
    transcripts: list[dict[str, Any]]
    conflicts: list[dict[str, Any]]
    codebook_version: int | None = None
    by_coder: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False

    def __repr__(self) -> str:
        re = ", ".join(f"{k}={v}" for k, v in self.reanchored.items() if v)
        return (f"MergeReport({'dry run, nothing written: ' if self.dry_run else ''}"
                f"{len(self.sources)} source(s) into {Path(self.into).name!r}: "
                f"{self.events_added} events added, {self.events_skipped} already there, "
                f"{self.transcripts_added} transcripts added, {self.suggestions_added} suggestions, "
                f"{self.memos_added} memos; re-anchored: {re or 'none'}; {len(self.conflicts)} conflicts)")

    def conflicts_frame(self):
        """The conflicts as a DataFrame (source, kind, code, team, theirs, note)."""
        import pandas as pd

        return pd.DataFrame(self.conflicts, columns=["source", "kind", "code", "team", "theirs", "note"])

    def _repr_html_(self) -> str:
        from .._html import table

        rows = [["sources", ", ".join(Path(s).name for s in self.sources)],
                ["events added", self.events_added], ["events already in the team project (skipped)",
                                                       self.events_skipped],
                ["transcripts added", self.transcripts_added], ["suggestions added", self.suggestions_added],
                ["memos added", self.memos_added]]
        rows += [[f"codings by {k} added", v] for k, v in sorted(self.by_coder.items())]
        rows += [[f"codings re-anchored: {k}", v] for k, v in self.reanchored.items()]
        if self.codebook_version:
            rows.append(["new codebook version", self.codebook_version])
        html = table(["", ""], rows, caption=f"{'Dry run (nothing written): merge' if self.dry_run else 'Merge'} "
                                             f"into {Path(self.into).name}")
        moved = [t for t in self.transcripts if t["match"] in ("id", "similar")]
        if moved:
            html += table(["source", "transcript", "team id", "matched by"],
                          [[Path(t["source"]).name, t["transcript_id"], t["team_id"],
                            "same id, other text" if t["match"] == "id" else "similar text"] for t in moved],
                          caption="Transcripts not identical to the team's copy (codings re-anchored)")
        if self.conflicts:
            html += table(["source", "kind", "code", "team", "theirs", "note"],
                          [[Path(c["source"]).name, c["kind"], c["code"], str(c["team"])[:80],
                            str(c["theirs"])[:80], c["note"]] for c in self.conflicts],
                          caption="Conflicts — check these")
        return html


# ---------------------------------------------------------------------------
# origin keys: a stable fingerprint per event / memo
# ---------------------------------------------------------------------------
def _payload(text: Any) -> dict:
    return cv.json_loads(text) if isinstance(text, str) else dict(text or {})


def origin_keys(rows: Sequence[tuple], *, memo: bool = False, prefix: str = "") -> dict[int, str]:
    """``{row id: origin key}`` for event rows (or memo rows with ``memo=True``).

    A row that came from a merge keeps the key stored in its payload; any other row's key is a
    hash of what its coder recorded (kind, coder, time, transcript, span, code, note) with the
    keys of the rows it refers to, so the same event in two copies of a project has one key.

    Examples
    --------
    >>> rows = [(1, "code", "ab", "t0", "a", 0, 5, "trust", None, None, None, "{}"),
    ...         (2, "undo", "ab", "t1", "a", None, None, "trust", None, 1, 1, "{}")]
    >>> k = origin_keys(rows)
    >>> len(set(k.values())), origin_keys([(9, *rows[0][1:])])[9] == k[1]
    (2, True)
    """
    out: dict[int, str] = {}
    for r in rows:
        p = _payload(r[-1])
        if isinstance(p.get("origin"), str):
            out[r[0]] = p["origin"]
            continue
        p.pop("origin", None)
        if memo:  # memo_id, coder, created_at, target, tid, start, end, code, coding_id, suggestion_id, replaces, text
            body = ["memo", *r[1:8], out.get(r[8]), r[9], out.get(r[10]), r[11], p]
        else:
            body = [*r[1:8], r[SUGG], out.get(r[CODING]) if r[CODING] is not None else None,
                    out.get(r[TARGET]) if r[TARGET] is not None else None, p]
        out[r[0]] = prefix + hashlib.sha1(json.dumps(body, sort_keys=True, default=str).encode()).hexdigest()[:24]
    return out


# ---------------------------------------------------------------------------
# sources
# ---------------------------------------------------------------------------
def source_from_project(project: Any, name: str | None = None) -> MergeSource:
    """A :class:`MergeSource` holding everything a project recorded."""
    store = project._store
    with store.read():
        attrs: dict[str, dict[str, Any]] = {}
        for tid, k, v in store.attribute_rows():
            attrs.setdefault(tid, {})[k] = v
        transcripts = [cv.row_to_transcript(r) for r in store.transcript_rows()]
        cb = project._codebook_or_none()
        events = store.events()
        suggestions = store.suggestion_rows()
        memos = store.memo_rows()
    state = replay(events)
    renames = []
    for r in events:
        if r[KIND] in ("rename", "merge") and r[ID] not in state.undone:
            p = _payload(r[PAYLOAD])
            renames.append(f"{r[KIND]} {', '.join(p.get('sources') or [r[CODE]])} -> {p.get('to')} by {r[CODER]}")
    return MergeSource(name or str(project.path), transcripts, cb, events, suggestions, memos, attrs,
                       dict(state.code_map), renames)


def _as_source(obj: Any) -> tuple[MergeSource, Any]:
    """(source, project to close or None)."""
    if isinstance(obj, MergeSource):
        return obj, None
    if hasattr(obj, "_store"):
        return source_from_project(obj), None
    from .project import Project

    p = Project.open(obj)
    try:
        return source_from_project(p, str(obj)), p
    except BaseException:
        p.close()
        raise


# ---------------------------------------------------------------------------
# the merge
# ---------------------------------------------------------------------------
class _DryRun(BaseException):
    """Raised inside the merge transaction to roll a preview back (a BaseException: stores re-raise it)."""


def merge_projects(sources: Iterable[Any], into: Any, *, min_score: float = 80.0,
                   coders: Mapping[str, str] | None = None, note: str = "", dry_run: bool = False) -> MergeReport:
    """Merge coders' projects (paths, open Projects or :class:`MergeSource`) into the team project ``into``.

    Parameters
    ----------
    sources : iterable
        Project files (paths or URLs), open :class:`~mcqual.project.project.Project` objects, or
        :class:`MergeSource` (``mq.merge_projects`` also takes ``.qdpx`` files).
    into : path, URL or Project
        The team project; created when the path does not exist yet.
    min_score : float
        Least similarity (0–100) for a fuzzy re-anchoring of a coding on a differing transcript copy.
    coders : mapping, optional
        Rename coders on the way in (``{"me": "AK"}``).
    note : str
        Stored with the new codebook version, if the merge makes one.
    dry_run : bool
        Report what the merge would do, then roll it all back (a team file that does not exist yet
        is not created).

    Returns
    -------
    MergeReport
    """
    from .project import Project

    sources = list(sources)
    if not sources:
        raise ProjectError("E365", "nothing to merge: give at least one source project")
    close_target = False
    scratch = None
    if hasattr(into, "_store"):
        target = into
    else:
        into_s = str(into)
        if "://" not in into_s and dry_run and not Path(into_s).exists():
            import tempfile

            scratch = tempfile.TemporaryDirectory()
            target = Project.create(Path(scratch.name) / Path(into_s).name)
        elif "://" not in into_s:
            target = Project.create(into_s) if not Path(into_s).exists() else Project.open(into_s)
        else:  # a server store: open the project, or create it in an empty schema
            try:
                target = Project.open(into_s)
            except ProjectError as err:
                if err.code != "E357":
                    raise
                target = Project.create(into_s)
        close_target = True
    try:
        rep = _Merge(target, min_score, dict(coders or {}))

        def run() -> None:
            for obj in sources:
                if not isinstance(obj, MergeSource) and not hasattr(obj, "_store") and _same(obj, target.path):
                    raise ProjectError("E365", "a project cannot be merged into itself", path=str(obj))
                src, opened = _as_source(obj)
                try:
                    rep.add(src, note)
                finally:
                    if opened is not None:
                        opened.close()

        if not dry_run:
            run()
            return rep.report()
        try:
            with target._store.write():  # every source's transaction joins this one, then it rolls back
                run()
                raise _DryRun
        except _DryRun:
            pass
        target._state_cache = None
        target._cb_cache = None
        return dataclasses.replace(rep.report(), dry_run=True, into=str(into))
    finally:
        if close_target:
            target.close()
        if scratch is not None:
            scratch.cleanup()


def _same(a: Any, b: str) -> bool:
    try:
        return Path(str(a)).resolve() == Path(b).resolve()
    except OSError:  # pragma: no cover
        return False


class _Merge:
    def __init__(self, target: Any, min_score: float, coders: dict[str, str]) -> None:
        self.p = target
        self.store = target._store
        self.min_score = min_score
        self.coders = coders
        self.names: list[str] = []
        self.counts = {"transcripts": 0, "events": 0, "skipped": 0, "suggestions": 0, "memos": 0}
        self.reanchored = {"exact": 0, "moved": 0, "fuzzy": 0, "orphaned": 0}
        self.transcripts: list[dict[str, Any]] = []
        self.conflicts: list[dict[str, Any]] = []
        self.cb_version: int | None = None
        self.by_coder: dict[str, int] = {}
        self.team_map: dict[str, str] = {}
        self.coder_sources: dict[str, set[str]] = {}

    def report(self) -> MergeReport:
        for who, names in sorted(self.coder_sources.items()):
            if len(names) > 1:  # two files brought new codings under one coder id: two people, or one on two machines?
                self.conflicts.append({"source": ", ".join(sorted(names)), "kind": "coder", "code": "", "team": who,
                                       "theirs": who, "note": f"new codings by {who!r} came from {len(names)} files; "
                                       f"if these are different people, merge again with coders={{{who!r}: ...}} "
                                       f"on a fresh team file"})
        c = self.counts
        return MergeReport(self.p.path, tuple(self.names), c["transcripts"], c["events"], c["skipped"],
                           c["suggestions"], c["memos"], dict(self.reanchored), self.transcripts, self.conflicts,
                           self.cb_version, dict(self.by_coder))

    def _code(self, src: MergeSource, code: str) -> str:
        """A source's code as the team calls it now: the coder's own renames, then the team's."""
        code = src.code_map.get(code, code)
        return self.team_map.get(code, code)

    def conflict(self, src: MergeSource, kind: str, code: str, team: Any, theirs: Any, note: str) -> None:
        self.conflicts.append({"source": src.name, "kind": kind, "code": code, "team": team, "theirs": theirs,
                               "note": note})

    # -- one source, in one write transaction --------------------------------------
    def add(self, src: MergeSource, note: str) -> None:
        self.names.append(src.name)
        store = self.store
        with store.write():
            self.team_map = self.p._code_map()  # renames and merges of codes made in the team project
            tmap, anchors = self._transcripts(src)
            self._codebook(src, note)
            smap = self._suggestions(src, tmap, anchors)
            emap = self._events(src, tmap, anchors, smap)
            self._memos(src, tmap, anchors, smap, emap)

    def _transcripts(self, src: MergeSource) -> tuple[dict[str, str], dict[str, Anchorer]]:
        store = self.store
        hashes = store.transcript_hashes()
        by_hash = {h: t for t, h in hashes.items()}
        tmap: dict[str, str] = {}
        anchors: dict[str, Anchorer] = {}
        texts: dict[str, str] | None = None
        team_attrs: dict[str, set] | None = None
        at = cv.now()
        taken: set[str] = set()  # two transcripts of one source never land on one team transcript
        for t in src.transcripts:
            match = "hash"
            if t.content_hash in by_hash and by_hash[t.content_hash] not in taken:
                tid = by_hash[t.content_hash]
            elif hashes.get(t.id) == t.content_hash and t.id not in taken:
                tid = t.id
            elif t.id in hashes and t.id not in taken:
                tid, match = t.id, "id"
            else:
                if texts is None:
                    texts = store.transcript_texts()
                tid = _similar(t.text, {k: v for k, v in texts.items() if k not in taken})
                match = "similar" if tid else "added"
            if tid is None:
                tid = t.id if t.id not in hashes else f"{t.id}~{hashlib.sha1(t.text.encode()).hexdigest()[:6]}"
                row = cv.transcript_to_row(t, at)
                row["transcript_id"] = tid
                store.insert_transcript(row)
                hashes[tid] = t.content_hash
                by_hash[t.content_hash] = tid
                if texts is not None:
                    texts[tid] = t.text
                self.counts["transcripts"] += 1
            elif match != "hash":
                team_text = store.transcript_texts([tid])[tid]
                anchors[t.id] = Anchorer(t.text, team_text, min_score=self.min_score)
            tmap[t.id] = tid
            taken.add(tid)
            self.transcripts.append({"source": src.name, "transcript_id": t.id, "team_id": tid, "match": match})
            attrs = src.attributes.get(t.id) or {}
            if attrs:
                if team_attrs is None:
                    team_attrs = {}
                    for tt, n, _ in store.attribute_rows():
                        team_attrs.setdefault(tt, set()).add(n)
                new = {k: v for k, v in attrs.items() if k not in team_attrs.get(tid, set())}
                if new:  # attributes the team lacks; the team's values win
                    store.set_attributes(tid, cv.jsonable(new))
                    team_attrs.setdefault(tid, set()).update(new)
        return tmap, anchors

    def _codebook(self, src: MergeSource, note: str) -> None:
        cb = src.codebook
        for r in src.renames:
            self.conflict(src, "renamed", "", "", r, "applied to this coder's codings only; do the same in the "
                                                      "team project if the team agrees")
        if cb is None:
            return
        team = self.p._codebook_or_none()
        if team is None:
            self.cb_version = self.p.set_codebook(cb, note=note or f"merged from {Path(src.name).name}")
            return
        merged = team
        for c in cb:
            now = self.team_map.get(c.id, c.id)
            if now != c.id:  # the team renamed or merged this code since the coder's copy was made
                if now not in merged:
                    self.conflict(src, "renamed", c.id, now, c.id, "renamed in the team project, but the new code "
                                  "is not in the team codebook")
                continue
            mine = merged.get(c.id)
            if mine is None:
                parent = c.parent if c.parent in merged else None
                merged = merged.add_code(dataclasses.replace(c, parent=parent), by=f"merge {Path(src.name).name}")
                self.conflict(src, "added", c.id, "", c.label, "a code only this coder had; added to the team "
                                                                "codebook")
                continue
            for f in ("label", "definition"):
                if getattr(mine, f) != getattr(c, f) and getattr(c, f):
                    self.conflict(src, f, c.id, getattr(mine, f), getattr(c, f),
                                  "same id, different text; the team's version is kept")
        if merged is not team:
            self.cb_version = self.p.set_codebook(merged, note=note or f"merged from {Path(src.name).name}")

    def _span(self, anchors: dict[str, Anchorer], tid: str | None, a: Any, b: Any) -> tuple[Any, Any, str]:
        if tid is None or a is None or b is None or tid not in anchors:
            return a, b, "exact"
        an = anchors[tid].anchor(int(a), int(b))
        return an.start, an.end, an.status

    def _suggestions(self, src: MergeSource, tmap: dict, anchors: dict) -> dict[int, int]:
        store = self.store
        index: dict[tuple[str, str], list[tuple[int, int, int]]] = {}
        for r in store.suggestion_rows():
            index.setdefault((r[1], r[4]), []).append((r[0], r[2], r[3]))
        smap: dict[int, int] = {}
        new: list[tuple[int, dict]] = []
        aliases: list[tuple[int, int]] = []  # (source id, position in new)
        at = cv.now()
        for r in src.suggestions:
            tid = tmap.get(r[1], r[1])
            a, b, status = self._span(anchors, r[1], r[2], r[3])
            code = self._code(src, r[4])
            best = max(index.get((tid, code), []), key=lambda c: _iou(a, b, c[1], c[2]), default=None)
            if best is not None and _iou(a, b, best[1], best[2]) >= SAME_SPAN:
                if best[0] < 0:  # the same as a suggestion new in this merge: one row for both
                    aliases.append((r[0], -best[0] - 1))
                else:
                    smap[r[0]] = best[0]
                continue
            new.append((r[0], {"transcript_id": tid, "start": a, "end": b, "code": code, "score": r[5],
                               "source": r[6], "reason": r[7], "evidence": cv.json_loads(r[8]),
                               "flags": cv.json_loads(r[9]), "unit": r[10], "quote": r[11], "at": r[14] or at}))
            index.setdefault((tid, code), []).append((-len(new), a, b))
        if not new:
            return smap
        run_id = store.add_run({"suggester": f"merged from {Path(src.name).name}", "unit": None,
                                "codebook_version": store.codebook_version() or None,
                                "n_suggestions": len(new), "n_new": len(new), "created_at": at})
        for _, row in new:
            row["run_id"] = run_id
        store.insert_suggestions([row for _, row in new])
        ids = {}
        for r in store.suggestion_rows():
            if r[13] == run_id:
                ids[(r[1], r[2], r[3], r[4])] = r[0]
        for old, row in new:
            smap[old] = ids[(row["transcript_id"], row["start"], row["end"], row["code"])]
        for old, k in aliases:
            smap[old] = smap[new[k][0]]
        self.counts["suggestions"] += len(new)
        return smap

    def _events(self, src: MergeSource, tmap: dict, anchors: dict, smap: dict) -> dict[int, int]:
        store = self.store
        # events already in the team project (merged before, or shared history): map their ids too
        team_by_key = {k: i for i, k in origin_keys(store.events()).items()}
        keys = origin_keys(src.events)
        emap: dict[int, int] = {}
        for r in src.events:
            if keys[r[ID]] in team_by_key:
                emap[r[ID]] = team_by_key[keys[r[ID]]]
        rows: list[dict] = []
        pending: list[int] = []  # source ids of rows, in order (None for a merge re-anchor row)
        skipped_refs: set[int] = set()
        for r in src.events:
            eid, kind = r[ID], r[KIND]
            if eid in emap:
                self.counts["skipped"] += 1
                continue
            if kind not in CARRIED or (kind == "reanchor" and r[CODING] is None):
                skipped_refs.add(eid)
                continue
            refs = [x for x in (r[CODING], r[TARGET]) if x is not None]
            if any(x in skipped_refs for x in refs):
                skipped_refs.add(eid)
                continue
            p = _payload(r[PAYLOAD])
            p["origin"] = keys[eid]
            p.setdefault("merged_from", Path(src.name).name)
            a, b, status = self._span(anchors, r[TID], r[START], r[END])
            code = r[CODE]
            if code is not None and kind in ("code", "accept", "reject"):
                code = self._code(src, code)
            row = {"kind": kind, "coder": self.coders.get(r[CODER], r[CODER]), "created_at": r[AT],
                   "transcript_id": tmap.get(r[TID], r[TID]) if r[TID] is not None else None,
                   "start": a, "end": b, "code": code,
                   "suggestion_id": smap.get(r[SUGG]) if r[SUGG] is not None else None,
                   "coding_id": r[CODING], "target_event": r[TARGET], "payload": p}
            if r[SUGG] is not None and row["suggestion_id"] is None:
                skipped_refs.add(eid)  # its suggestion did not come with the source
                continue
            rows.append(row)
            pending.append(eid)
            if kind in ("code", "accept"):
                self.reanchored[status] += 1 if r[TID] in anchors else 0
                self.by_coder[row["coder"]] = self.by_coder.get(row["coder"], 0) + 1
                self.coder_sources.setdefault(row["coder"], set()).add(src.name)
                if status in ("fuzzy", "orphaned"):
                    quote = anchors[r[TID]].old[r[START]:r[END]]
                    rows.append({"kind": "reanchor", "coder": "mcqual", "created_at": r[AT],
                                 "transcript_id": row["transcript_id"], "start": a, "end": b, "code": code,
                                 "coding_id": ("self", eid),
                                 "payload": {"status": status, "anchor": status, "quote": quote,
                                             "merge": Path(src.name).name, "origin": keys[eid] + ":anchor"}})
                    pending.append(-1)
                    if status == "orphaned":
                        self.conflict(src, "orphaned", code, "", quote, f"coding by {row['coder']} on "
                                      f"{row['transcript_id']}: its quote is not in the team's text; kept, flagged")
        _append_batched(rows, pending, ("coding_id", "target_event"), emap, store.append_events)
        self.counts["events"] += len([x for x in pending if x >= 0])
        return emap

    def _memos(self, src: MergeSource, tmap: dict, anchors: dict, smap: dict, emap: dict) -> None:
        if not src.memos:
            return
        store = self.store
        team = store.memo_rows()
        have = origin_keys(team, memo=True)
        by_key = {k: i for i, k in have.items()}
        keys = origin_keys(src.memos, memo=True)
        mmap: dict[int, int] = {}
        rows: list[dict] = []
        pending: list[int] = []
        for r in src.memos:
            if keys[r[0]] in by_key:
                mmap[r[0]] = by_key[keys[r[0]]]
                continue
            p = _payload(r[12])
            p["origin"] = keys[r[0]]
            a, b, _ = self._span(anchors, r[4], r[5], r[6])
            pending.append(r[0])
            rows.append({"coder": self.coders.get(r[1], r[1]), "created_at": r[2], "target": r[3],
                         "transcript_id": tmap.get(r[4], r[4]) if r[4] is not None else None, "start": a, "end": b,
                         "code": self._code(src, r[7]) if r[7] else r[7],
                         "coding_id": emap.get(r[8]) if r[8] is not None else None,
                         "suggestion_id": smap.get(r[9]) if r[9] is not None else None,
                         "replaces": r[10], "text": r[11], "payload": p})
        _append_batched(rows, pending, ("replaces",), mmap, store.append_memos)
        self.counts["memos"] += len(rows)


def _append_batched(rows: list[dict], sources: list[int], ref_fields: tuple[str, ...], idmap: dict[int, int],
                    append: Any) -> None:
    """Append ``rows`` in as few batches as references allow: a row that refers (by source id, or
    ``("self", id)``) to a row of the batch being built waits until that batch has its ids."""
    batch: list[dict] = []
    batch_src: list[int] = []
    in_batch: set[int] = set()

    def flush() -> None:
        if batch:
            for s, i in zip(batch_src, append(batch)):
                if s >= 0:
                    idmap[s] = i
            batch.clear()
            batch_src.clear()
            in_batch.clear()

    for row, src in zip(rows, sources):
        refs = [row[f][1] if isinstance(row[f], tuple) else row[f] for f in ref_fields if row.get(f) is not None]
        if any(r in in_batch for r in refs):
            flush()
        for f in ref_fields:
            v = row.get(f)
            if v is not None:
                row[f] = idmap.get(v[1] if isinstance(v, tuple) else v)
        batch.append(row)
        batch_src.append(src)
        if src >= 0:
            in_batch.add(src)
    flush()


def _similar(text: str, candidates: Mapping[str, str]) -> str | None:
    """The team transcript whose text is most like ``text`` (ratio >= SAME_TRANSCRIPT), else None."""
    if not candidates:
        return None
    from rapidfuzz import fuzz, process

    near = {k: v for k, v in candidates.items() if 0.8 * len(text) <= len(v) <= 1.25 * len(text)}
    if not near:
        return None
    best = process.extractOne(text, near, scorer=fuzz.ratio, score_cutoff=SAME_TRANSCRIPT)
    return best[2] if best else None
