"""Decisions: accept, reject, code, uncode, undo — each appended to the log, many in one transaction.

Examples
--------
>>> normalise(("code", "int-01", 0, 5, "trust"))
{'action': 'code', 'transcript': 'int-01', 'start': 0, 'end': 5, 'code': 'trust'}
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

from ..errors import ProjectError
from . import _convert as cv
from .events import Event
from .memos import note_memos
from .quotes import lookup_code

_TUPLE_FIELDS = {"accept": ("suggestion_id",), "reject": ("suggestion_id",), "uncode": ("coding_id",),
                 "code": ("transcript", "start", "end", "code")}


def normalise(item: Any) -> dict[str, Any]:
    """A decision as a dict with ``action`` (from a dict or a tuple like ``("accept", 12)``)."""
    if isinstance(item, Mapping):
        d = dict(item)
        if "transcript_id" in d and "transcript" not in d:
            d["transcript"] = d.pop("transcript_id")
    elif isinstance(item, (tuple, list)) and item and item[0] in _TUPLE_FIELDS:
        fields = _TUPLE_FIELDS[item[0]]
        if len(item) - 1 != len(fields):
            raise ProjectError("E312", f"{item!r}: {item[0]!r} takes {', '.join(fields)}")
        d = {"action": item[0], **dict(zip(fields, item[1:]))}
    else:
        raise ProjectError("E312", f"cannot read decision {item!r}")
    action = d.get("action")
    if action not in _TUPLE_FIELDS:
        raise ProjectError("E312", f"unknown action {action!r} in {item!r}")
    missing = [f for f in _TUPLE_FIELDS[action] if d.get(f) is None]
    if missing:
        raise ProjectError("E312", f"{item!r} lacks {', '.join(missing)}")
    return d


def decide_many(self, decisions: Iterable[Any], *, coder: str | None = None, note: str = "") -> list[int]:
    """Record many decisions in one transaction (all or nothing); returns one event id per decision.

    Each decision is a tuple — ``("accept", suggestion_id)``, ``("reject", suggestion_id)``,
    ``("code", transcript_id, start, end, code)``, ``("uncode", coding_id)`` — or a dict
    with ``action`` and those fields (and optionally ``coder``, ``note``). Accepting
    what this coder already accepted (or rejecting what they rejected) records
    nothing and returns the standing event's id. For ``accept`` and ``code`` the
    returned id is also the new coding's id.

    Examples
    --------
    >>> import os, tempfile
    >>> import mcqual as mq
    >>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"), coder="ab")
    >>> _ = p.add_transcripts([mq.Transcript.from_turns("a", [("R", "I trust badges.")])])
    >>> _ = p.set_codebook(mq.Codebook.from_codes(["trust"]))
    >>> ids = p.decide_many([("code", "a", 2, 7, "trust"), ("code", "a", 8, 14, "trust")])
    >>> len(p.codings())
    2
    """
    items = [normalise(x) for x in decisions]
    if not items:
        return []
    default_coder = coder
    at = cv.now()
    store = self._store
    with store.write():
        sugg_ids = {int(d["suggestion_id"]) for d in items if d["action"] in ("accept", "reject")}
        suggs = {r[0]: r for r in store.suggestion_rows(ids=sugg_ids)} if sugg_ids else {}
        missing = sorted(sugg_ids - set(suggs))
        if missing:
            raise ProjectError("E305", f"no suggestion with id {', '.join(map(str, missing[:10]))}", path=self.path)
        tids = {str(d["transcript"]) for d in items if d["action"] == "code"}
        lengths = store.text_lengths(tids) if tids else {}
        code_map = self._code_map() if suggs else {}
        cb = None
        if tids or any(d.get("code") is not None for d in items if d["action"] == "accept"):
            cb = self._codebook_or_none()
            if cb is None:
                raise ProjectError("E307", "coding by hand needs a codebook", path=self.path)
        codings = {}
        uncode_ids = [int(d["coding_id"]) for d in items if d["action"] == "uncode"]
        if uncode_ids:
            codings = store.coding_events(uncode_ids)
        standing: dict[tuple[int, str], tuple[str, int]] = {}
        rows: list[dict[str, Any]] = []
        result: list[int | None] = []  # None: the id of rows[k] (filled in after the insert)
        for d in items:
            who = self._coder(d.get("coder", default_coder))
            act = d["action"]
            base = {"kind": act, "coder": who, "created_at": at}
            text_note = d.get("note", note)
            if act in ("accept", "reject"):
                sid = int(d["suggestion_id"])
                r = suggs[sid]
                key = (sid, who)
                prev = standing.get(key) if key in standing else store.last_decision(sid, who)
                if prev is not None and prev[0] == act:
                    result.append(prev[1])
                    continue
                if act == "accept" and r[12] == "orphaned":
                    raise ProjectError("E314", f"suggestion {sid} ({r[4]}) lost its text in a re-import",
                                       path=self.path)
                payload = {"score": r[5], "source": r[6]}
                if text_note:
                    payload["note"] = text_note
                code = code_map.get(r[4], r[4])
                if act == "accept" and d.get("code") is not None:  # "accept as" another code
                    as_code = lookup_code(cb, str(d["code"]), path=self.path)
                    if as_code != code:
                        payload["suggested"] = code
                        code = as_code
                rows.append({**base, "transcript_id": r[1], "start": r[2], "end": r[3],
                             "code": code, "suggestion_id": sid, "payload": payload})
                standing[key] = (act, -len(rows))  # placeholder: -(position + 1)
            elif act == "code":
                tid, a, b, code = str(d["transcript"]), int(d["start"]), int(d["end"]), str(d["code"])
                if tid not in lengths:
                    raise ProjectError("E304", f"no transcript {tid!r} in the project", path=self.path)
                if not (0 <= a < b <= lengths[tid]):
                    raise ProjectError("E306", f"span [{a}, {b}) is outside {tid!r} (length {lengths[tid]})",
                                       path=self.path)
                if code not in cb:
                    code = lookup_code(cb, code, path=self.path)  # a label or another case works too
                rows.append({**base, "transcript_id": tid, "start": a, "end": b, "code": code,
                             "payload": {"note": text_note} if text_note else {}})
            else:  # uncode
                cid = int(d["coding_id"])
                src = codings.get(cid)
                if src is None:
                    raise ProjectError("E305", f"no coding with id {cid}", path=self.path)
                rows.append({**base, "transcript_id": src[4], "start": src[5], "end": src[6], "code": src[7],
                             "coding_id": cid, "payload": {"note": text_note} if text_note else {}})
            result.append(None)
        ids = store.append_events(rows)
        store.append_memos(note_memos(rows, ids))  # a decision's note is a memo (same transaction)
    out, k = [], 0
    for r in result:
        if r is None:
            out.append(ids[k])
            k += 1
        elif r < 0:  # repeated within this batch: the id of the earlier row
            out.append(ids[-r - 1])
        else:
            out.append(r)
    return out


def accept(self, suggestion_ids: int | Iterable[int], *, coder: str | None = None, note: str = "",
           as_: str | None = None) -> list[int]:
    """Accept suggestions: each becomes a coding of ``coder`` (returns the coding ids).

    ``as_=`` accepts them as another code (an id or a label): the passage was
    right, the code was not. The suggested code is kept in the event's payload.

    Examples
    --------
    >>> import os, tempfile
    >>> import mcqual as mq
    >>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"))
    >>> p.accept([], coder="ab")
    []
    """
    ids = [suggestion_ids] if isinstance(suggestion_ids, int) else list(suggestion_ids)
    if as_ is not None:
        return decide_many(self, [{"action": "accept", "suggestion_id": int(i), "code": as_} for i in ids],
                           coder=coder, note=note)
    return decide_many(self, [("accept", int(i)) for i in ids], coder=coder, note=note)


def reject(self, suggestion_ids: int | Iterable[int], *, coder: str | None = None, note: str = "") -> list[int]:
    """Reject suggestions (they stay rejected for this coder, whatever suggesters say later)."""
    ids = [suggestion_ids] if isinstance(suggestion_ids, int) else list(suggestion_ids)
    return decide_many(self, [("reject", int(i)) for i in ids], coder=coder, note=note)


def code(self, transcript: str, start: int, end: int, code: str, *, coder: str | None = None,
         note: str = "") -> int:
    """Code ``transcript.text[start:end]`` with ``code`` by hand; returns the coding id.

    Examples
    --------
    >>> import os, tempfile
    >>> import mcqual as mq
    >>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"))
    >>> _ = p.add_transcripts([mq.Transcript.from_turns("a", [("R", "I trust badges.")])])
    >>> _ = p.set_codebook(mq.Codebook.from_codes(["trust"]))
    >>> p.code("a", 2, 7, "trust", coder="ab")
    1
    """
    return decide_many(self, [("code", transcript, start, end, code)], coder=coder, note=note)[0]


def uncode(self, coding_id: int | Iterable[int], *, coder: str | None = None, note: str = "") -> list[int]:
    """Remove codings (an ``uncode`` event; :meth:`undo` brings them back)."""
    ids = [coding_id] if isinstance(coding_id, int) else list(coding_id)
    return decide_many(self, [("uncode", int(i)) for i in ids], coder=coder, note=note)


def undo(self, coder: str | None = None) -> Event:
    """Undo ``coder``'s latest decision that is not undone yet (E308 if none); returns the undone event.

    Undoing a rename or merge also restores the codebook version from before it.
    """
    who = self._coder(coder)
    at = cv.now()
    with self._store.write():
        row = self._store.last_undoable(who)
        if row is None:
            raise ProjectError("E308", f"coder {who!r} has nothing to undo", path=self.path)
        target = Event.from_row(row)
        payload: dict[str, Any] = {"undone_kind": target.kind}
        if target.kind in ("rename", "merge"):
            before = target.payload.get("codebook_before")
            if before:
                cb = self.codebook(int(before))
                payload["codebook_after"] = self.set_codebook(cb, note=f"undo {target.kind} (event {target.event_id})")
        self._store.append_events([{"kind": "undo", "coder": who, "created_at": at,
                                    "transcript_id": target.transcript_id, "code": target.code,
                                    "suggestion_id": target.suggestion_id,
                                    "coding_id": target.event_id if target.kind in ("code", "accept")
                                    else target.coding_id,
                                    "target_event": target.event_id, "payload": payload}])
    return target
