"""Memos: append-only notes on the project, a transcript, a span, a code, a coding or a suggestion.

A memo is never updated in place: editing writes a new version whose
``replaces`` is the memo it supersedes, and withdrawing one writes an empty
version (hidden from :meth:`Project.memos` unless ``history=True``). Notes
given with a decision (``project.reject(12, note="too vague")``) are memos too:
:func:`mcqual.project.deciding.decide_many` writes one memo row per note in
the same transaction as the decision (target ``suggestion`` for accept and
reject, ``coding`` for a hand coding or an un-coding), so a note can be
edited, listed and exported like any memo.

Examples
--------
>>> import os, tempfile
>>> import mcqual as mq
>>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"), coder="ab")
>>> _ = p.add_transcripts([mq.Transcript.from_turns("a", [("I", "Why?"), ("R", "I trust badges.")])])
>>> _ = p.set_codebook(mq.Codebook.from_codes(["trust"]))
>>> m = p.memo("Issuers matter more than badges.", code="trust")
>>> m2 = p.memo("Issuers matter more than the badge itself.", replaces=m)
>>> p.memos()[["memo_id", "target", "code", "text", "version"]].values.tolist()
[[2, 'code', 'trust', 'Issuers matter more than the badge itself.', 2]]
>>> len(p.memos(history=True))
2
"""
from __future__ import annotations

import json
from typing import Any

from ..errors import ProjectError
from . import _convert as cv

MEMO_COLUMNS = ["memo_id", "target", "transcript_id", "start", "end", "code", "coding_id", "suggestion_id",
                "coder", "created_at", "text", "version", "replaces"]


def memo(self, text: str, *, transcript: str | None = None, span: tuple[int, int] | None = None,
         code: str | None = None, coding: int | None = None, suggestion: int | None = None,
         coder: str | None = None, replaces: int | None = None) -> int:
    """Write a memo; returns its id.

    The target follows from the arguments: none → the project; ``transcript``
    → that transcript; ``transcript`` and ``span=(start, end)`` → a passage;
    ``code`` (id or label) → the code; ``coding`` (a coding id) → that coding;
    ``suggestion`` (an id) → that suggestion. ``replaces=<memo id>`` writes a
    new version of that memo on the same target (give no target then);
    an empty ``text`` with ``replaces`` withdraws the memo.

    Parameters
    ----------
    text : str
    transcript : str, optional
    span : (int, int), optional
        Character offsets into the transcript's text (needs ``transcript``).
    code : str, optional
        A code id or label (case-insensitive).
    coding, suggestion : int, optional
    coder : str, optional
        The author (default ``project.coder``).
    replaces : int, optional
        The memo this one edits; it must be the latest version (E323 otherwise,
        so two coders editing at once never overwrite each other silently).

    Examples
    --------
    >>> import os, tempfile
    >>> import mcqual as mq
    >>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"), coder="ab")
    >>> _ = p.add_transcripts([mq.Transcript.from_turns("a", [("R", "I trust badges.")])])
    >>> p.memo("Second reading: irony?", transcript="a", span=(2, 7))
    1
    >>> p.memos().loc[0, "target"]
    'span'
    """
    who = self._coder(coder)
    text = "" if text is None else str(text)
    at = cv.now()
    store = self._store
    with store.write():
        if replaces is not None:
            if any(v is not None for v in (transcript, span, code, coding, suggestion)):
                raise ProjectError("E320", "a new version of a memo keeps its target: give replaces= alone",
                                   path=self.path, hint="Write project.memo(text, replaces=memo_id).")
            rows = {r[0]: r for r in store.memo_rows()}
            old = rows.get(int(replaces))
            if old is None:
                raise ProjectError("E323", f"no memo with id {replaces}", path=self.path)
            newer = [r[0] for r in rows.values() if r[10] == int(replaces)]
            if newer:
                raise ProjectError("E323", f"memo {replaces} was already edited (by memo {max(newer)}, "
                                   f"{rows[max(newer)][1]}); edit the latest version", path=self.path,
                                   hint="List current versions with project.memos() and pass replaces= the newest.")
            row = {"coder": who, "created_at": at, "target": old[3], "transcript_id": old[4], "start": old[5],
                   "end": old[6], "code": old[7], "coding_id": old[8], "suggestion_id": old[9],
                   "replaces": int(replaces), "text": text, "payload": {}}
        else:
            if not text.strip():
                raise ProjectError("E320", "a memo needs text", path=self.path,
                                   hint="Write some text; to withdraw a memo, pass text='' with replaces=memo_id.")
            row = {"coder": who, "created_at": at, "text": text, "replaces": None, "payload": {},
                   **_target(self, transcript, span, code, coding, suggestion)}
        return store.append_memos([row])[0]


def _target(self: Any, transcript: Any, span: Any, code: Any, coding: Any, suggestion: Any) -> dict[str, Any]:
    given = [k for k, v in (("code", code), ("coding", coding), ("suggestion", suggestion)) if v is not None]
    if transcript is not None:
        given.append("transcript")
    if len(given) > 1:
        raise ProjectError("E320", f"a memo has one target, not {' and '.join(given)}", path=self.path,
                           hint="Give transcript= (with span= for a passage), code=, coding= or suggestion=.")
    store = self._store
    if span is not None and transcript is None:
        raise ProjectError("E320", "span= needs transcript=", path=self.path, hint="")
    if coding is not None:
        src = store.coding_events([int(coding)]).get(int(coding))
        if src is None:
            raise ProjectError("E305", f"no coding with id {coding}", path=self.path)
        live = self._state().codings.get(int(coding))
        code_now = live.code if live is not None else self._code_map().get(src[7], src[7])
        a, b = (live.start, live.end) if live is not None else (src[5], src[6])
        return {"target": "coding", "transcript_id": src[4], "start": a, "end": b, "code": code_now,
                "coding_id": int(coding)}
    if suggestion is not None:
        rows = store.suggestion_rows(ids=[int(suggestion)])
        if not rows:
            raise ProjectError("E305", f"no suggestion with id {suggestion}", path=self.path)
        r = rows[0]
        return {"target": "suggestion", "transcript_id": r[1], "start": r[2], "end": r[3],
                "code": self._code_map().get(r[4], r[4]), "suggestion_id": int(suggestion)}
    if code is not None:
        return {"target": "code", "code": self.resolve_code(code)}
    if transcript is not None:
        tid = str(transcript)
        lengths = store.text_lengths([tid])
        if tid not in lengths:
            raise ProjectError("E304", f"no transcript {tid!r} in the project", path=self.path)
        if span is None:
            return {"target": "transcript", "transcript_id": tid}
        try:
            a, b = (int(x) for x in span)
        except (TypeError, ValueError):
            raise ProjectError("E320", f"span= must be (start, end), not {span!r}", path=self.path, hint="") from None
        if not (0 <= a < b <= lengths[tid]):
            raise ProjectError("E306", f"span [{a}, {b}) is outside {tid!r} (length {lengths[tid]})", path=self.path)
        return {"target": "span", "transcript_id": tid, "start": a, "end": b}
    return {"target": "project"}


def memo_frame(self, *, history: bool = True):
    """Every memo row (all versions, with ``version``) plus decision notes older than memos (no ``memo_id``)."""
    rows = self._store.memo_rows()
    events = [e for e in self._store.events(where="kind IN ('accept','reject','code','uncode')")
              if _payload(e[11]).get("note")]
    return _frame(rows, events, self._code_map(), history=history)


def _payload(value: Any) -> dict[str, Any]:
    """A payload as a dict (stores hand it over as JSON text; a driver may already have decoded it)."""
    if isinstance(value, dict):
        return value
    return json.loads(value or "{}")


def _frame(rows: list[tuple], events: list[tuple], code_map: dict[str, str], *, history: bool):
    import pandas as pd

    by_id = {r[0]: r for r in rows}
    replaced_by = {r[10]: r[0] for r in rows if r[10] is not None}
    covered = set()
    out = []
    for r in rows:
        version, cur = 1, r
        while cur[10] is not None and cur[10] in by_id:
            version += 1
            cur = by_id[cur[10]]
        payload = _payload(r[12])
        if payload.get("event_id") is not None:
            covered.add(int(payload["event_id"]))
        if not history and (r[0] in replaced_by or not r[11]):
            continue
        code = code_map.get(r[7], r[7]) if r[7] is not None else None
        out.append([r[0], r[3], r[4], r[5], r[6], code, r[8], r[9], r[1], r[2], r[11], version, r[10]])
    for e in events:  # notes written with decisions before memos existed (schema < 3)
        note = _payload(e[11]).get("note")
        if not note or e[0] in covered:
            continue
        on_sugg = e[1] in ("accept", "reject")
        coding_id = None if on_sugg else (e[0] if e[1] == "code" else e[9])
        out.append([None, "suggestion" if on_sugg else "coding", e[4], e[5], e[6], code_map.get(e[7], e[7]),
                    coding_id, e[8] if on_sugg else None, e[2], e[3], note, 1, None])
    df = pd.DataFrame(out, columns=MEMO_COLUMNS)
    df = df.sort_values("created_at", kind="stable", ignore_index=True)
    for k in ("memo_id", "start", "end", "coding_id", "suggestion_id", "replaces"):
        df[k] = df[k].astype("Int64")
    df["version"] = df["version"].astype("int64")
    return df


def memos(self, *, transcript: str | None = None, code: str | None = None, coding: int | None = None,
          suggestion: int | None = None, coder: str | None = None, history: bool = False):
    """The memos as a DataFrame (current versions; every version with ``history=True``).

    Columns: ``memo_id, target, transcript_id, start, end, code, coding_id,
    suggestion_id, coder, created_at, text, version, replaces``. Notes given
    with decisions are listed as memos on the suggestion (accept, reject) or
    the coding (code, uncode). Withdrawn memos (an empty latest version) are
    hidden unless ``history=True``.

    Parameters
    ----------
    transcript : str, optional
        Memos on this transcript, its passages, codings and suggestions.
    code : str, optional
        Memos on this code and on its codings and suggestions (id or label).
    coding, suggestion : int, optional
    coder : str, optional
        Only this author's memos.
    history : bool

    Examples
    --------
    >>> import os, tempfile
    >>> import mcqual as mq
    >>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"), coder="ab")
    >>> list(p.memos().columns) == MEMO_COLUMNS
    True
    """
    import pandas as pd

    from ._frames import MemoFrame

    with self._store.read():
        df = memo_frame(self, history=history)
        if code is not None:
            code = self.resolve_code(code)
        if transcript is not None and transcript not in self._store.text_lengths([transcript]):
            raise ProjectError("E304", f"no transcript {transcript!r} in the project", path=self.path)
    keep = pd.Series(True, index=df.index)
    if transcript is not None:
        keep &= df["transcript_id"] == transcript
    if code is not None:
        keep &= df["code"] == code
    if coding is not None:
        keep &= df["coding_id"] == int(coding)
    if suggestion is not None:
        keep &= df["suggestion_id"] == int(suggestion)
    if coder is not None:
        keep &= df["coder"] == coder
    return MemoFrame(df[keep.fillna(False).astype(bool)].reset_index(drop=True))


def note_memos(rows: list[dict[str, Any]], ids: list[int]) -> list[dict[str, Any]]:
    """Memo rows for the notes of just-appended decision events (``rows[k]`` got id ``ids[k]``)."""
    out = []
    for r, eid in zip(rows, ids):
        note = (r.get("payload") or {}).get("note")
        if not note:
            continue
        on_sugg = r["kind"] in ("accept", "reject")
        out.append({"coder": r["coder"], "created_at": r["created_at"],
                    "target": "suggestion" if on_sugg else "coding", "transcript_id": r.get("transcript_id"),
                    "start": r.get("start"), "end": r.get("end"), "code": r.get("code"),
                    "coding_id": None if on_sugg else (eid if r["kind"] == "code" else r.get("coding_id")),
                    "suggestion_id": r.get("suggestion_id") if on_sugg else None, "replaces": None,
                    "text": str(note), "payload": {"event_id": eid, "kind": r["kind"]}})
    return out


def add_memos(self, memos: Any, *, coder: str | None = None) -> list[int]:
    """Add memos from a table (e.g. the ``memos`` of :func:`mcqual.read_qdpx`) in one transaction; returns their ids.

    Each row has ``text`` and optionally ``coder``, ``created_at`` (kept: the
    memo's original time) and what it is about: ``target`` and/or
    ``transcript_id``, ``start``, ``end``, ``code``. A memo on a coding is
    attached to the project's coding with that span and code (the memo's
    coder's, if several); when there is none it stays on the passage. A memo
    already in the project (same target, author, time and text) is not added
    again, so importing the same file twice adds nothing. Empty memos are
    skipped.

    Examples
    --------
    >>> import os, tempfile
    >>> import mcqual as mq
    >>> import pandas as pd
    >>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"), coder="ab")
    >>> _ = p.add_transcripts([mq.Transcript.from_turns("a", [("R", "I trust badges.")])])
    >>> rows = pd.DataFrame({"text": ["From NVivo."], "coder": ["NV"], "transcript_id": ["a"],
    ...                      "created_at": ["2024-05-01T10:00:00Z"]})
    >>> p.add_memos(rows), p.add_memos(rows)
    ([1], [])
    >>> p.memos()[["target", "coder", "created_at"]].values.tolist()
    [['transcript', 'NV', '2024-05-01T10:00:00Z']]
    """
    if hasattr(memos, "to_dict") and hasattr(memos, "columns"):
        rows = memos.to_dict("records")
    else:
        rows = [dict(r) for r in memos]
    at = cv.now()
    store = self._store
    with store.write():
        existing = {(r[3], r[4], r[5], r[6], r[7], r[8], r[9], r[1], r[2], r[11]) for r in store.memo_rows()}
        state = self._state()
        out_rows = []
        for r in rows:
            r = {k: (None if _missing(v) else v) for k, v in r.items()}
            text = str(r.get("text") or "")
            if not text.strip():
                continue
            who = str(r.get("coder") or coder or self.coder or "unknown")
            when = str(r.get("created_at") or at)
            target = _import_target(self, state, r, who)
            key = (target["target"], target.get("transcript_id"), target.get("start"), target.get("end"),
                   target.get("code"), target.get("coding_id"), target.get("suggestion_id"), who, when, text)
            if key in existing:
                continue
            existing.add(key)
            payload = {"imported": str(r["memo_id"])} if r.get("memo_id") is not None else {}
            out_rows.append({"coder": who, "created_at": when, "text": text, "replaces": None, "payload": payload,
                             **target})
        return store.append_memos(out_rows)


def _missing(v: Any) -> bool:
    try:
        return v is None or bool(v != v)  # NaN, NA
    except (TypeError, ValueError):
        return False


def _import_target(self: Any, state: Any, r: dict[str, Any], who: str) -> dict[str, Any]:
    target = r.get("target")
    tid, code = r.get("transcript_id"), r.get("code")
    a, b = r.get("start"), r.get("end")
    if code is not None and target in (None, "code") and tid is None:
        return {"target": "code", "code": self.resolve_code(str(code))}
    if tid is None:
        return {"target": "project"}
    tid = str(tid)
    if a is None or b is None:
        return _target(self, tid, None, None, None, None)
    a, b = int(a), int(b)
    if code is not None and target in (None, "coding"):
        cid = self.resolve_code(str(code))
        same = [c for c in state.codings.values()
                if (c.transcript_id, c.start, c.end, c.code) == (tid, a, b, cid)]
        same.sort(key=lambda c: (c.coder != who, c.coding_id))
        if same:
            return {"target": "coding", "transcript_id": tid, "start": a, "end": b, "code": cid,
                    "coding_id": same[0].coding_id}
    return _target(self, tid, (a, b), None, None, None)
