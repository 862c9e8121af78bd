"""Replaying the decision log: the current codings and decisions are derived, never stored.

An event row is a tuple in :data:`~mcqual.project.storage.EVENT_FIELDS` order.
The rules, applied in event order:

* ``undo`` removes its target event from the replay (undo is never undone itself);
* ``code`` and ``accept`` create a coding whose id is the event's id;
* ``reject`` records the decision and removes the same coder's coding from an
  earlier ``accept`` of that suggestion (a change of mind);
* ``uncode`` removes a coding; ``reanchor`` moves it (``active``/``fuzzy``/``orphaned``);
* ``rename`` and ``merge`` remap the code of every coding that exists then.

Examples
--------
>>> rows = [(1, "code", "ab", "t0", "int-01", 0, 5, "trust", None, None, None, "{}"),
...         (2, "code", "ab", "t1", "int-01", 9, 12, "trust", None, None, None, "{}"),
...         (3, "undo", "ab", "t2", None, None, None, None, None, None, 2, "{}"),
...         (4, "rename", "ab", "t3", None, None, None, "trust", None, None, None, '{"to": "trust.qa"}')]
>>> state = replay(rows)
>>> [(c.coding_id, c.code) for c in state.codings.values()]
[(1, 'trust.qa')]
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Iterable, Sequence

# positions in an event row (EVENT_FIELDS)
ID, KIND, CODER, AT, TID, START, END, CODE, SUGG, CODING, TARGET, PAYLOAD = range(12)


@dataclass(slots=True)
class LiveCoding:
    """A coding as the replay sees it (mutable while replaying)."""

    coding_id: int
    transcript_id: str
    start: int
    end: int
    code: str
    coder: str
    status: str
    created_at: str
    suggestion_id: int | None
    updated_at: str
    quote: str | None = None  # the last quote seen, for an orphaned coding


@dataclass
class State:
    """What the log says now."""

    codings: dict[int, LiveCoding] = field(default_factory=dict)
    #: (suggestion_id, coder) -> (kind, event_id) of the latest standing decision
    decisions: dict[tuple[int, str], tuple[str, int]] = field(default_factory=dict)
    #: old code id -> current code id (renames and merges still standing)
    code_map: dict[str, str] = field(default_factory=dict)
    undone: set[int] = field(default_factory=set)
    last_event: int = 0

    def current_code(self, code: str) -> str:
        return self.code_map.get(code, code)


def replay(rows: Sequence[tuple] | Iterable[tuple]) -> State:
    """Derive the current state from event rows in ``event_id`` order."""
    rows = rows if isinstance(rows, (list, tuple)) else list(rows)
    state = State()
    undone = {r[TARGET] for r in rows if r[KIND] == "undo"}
    state.undone = undone
    codings = state.codings
    decisions = state.decisions
    for r in rows:
        eid = r[ID]
        kind = r[KIND]
        if kind == "undo" or eid in undone:
            continue
        if kind == "code" or kind == "accept":
            codings[eid] = LiveCoding(eid, r[TID], r[START], r[END], r[CODE], r[CODER], "active", r[AT], r[SUGG],
                                      r[AT])
            if kind == "accept":
                decisions[(r[SUGG], r[CODER])] = ("accept", eid)
        elif kind == "reject":
            key = (r[SUGG], r[CODER])
            prev = decisions.get(key)
            if prev is not None and prev[0] == "accept":
                codings.pop(prev[1], None)
            decisions[key] = ("reject", eid)
        elif kind == "uncode":
            codings.pop(r[CODING], None)
        elif kind == "reanchor":
            c = codings.get(r[CODING]) if r[CODING] is not None else None
            if c is not None:
                payload = json.loads(r[PAYLOAD])
                c.start, c.end = r[START], r[END]
                c.status = payload.get("status", "active")
                c.updated_at = r[AT]
                if c.status == "orphaned":
                    c.quote = c.quote if c.quote is not None else payload.get("quote")
        elif kind == "rename" or kind == "merge":
            payload = json.loads(r[PAYLOAD])
            target = payload["to"]
            sources = set(payload.get("sources") or [r[CODE]])
            for c in codings.values():
                if c.code in sources:
                    c.code = target
                    c.updated_at = r[AT]
            for old, new in list(state.code_map.items()):
                if new in sources:
                    state.code_map[old] = target
            for s in sources:
                if s != target:
                    state.code_map[s] = target
            state.code_map.pop(target, None)
    state.last_event = rows[-1][ID] if rows else 0
    return state


@dataclass(frozen=True, slots=True)
class Event:
    """One entry of the decision log (what :meth:`Project.undo` returns).

    Examples
    --------
    >>> Event.from_row((7, "code", "ab", "t", "int-01", 0, 5, "trust", None, None, None, "{}"))
    Event(7, 'code' by 'ab' on int-01[0:5] code='trust')
    """

    event_id: int
    kind: str
    coder: str
    created_at: str
    transcript_id: str | None
    start: int | None
    end: int | None
    code: str | None
    suggestion_id: int | None
    coding_id: int | None
    target_event: int | None
    payload: dict

    @classmethod
    def from_row(cls, row: tuple) -> "Event":
        payload = row[PAYLOAD]
        return cls(*row[:PAYLOAD], json.loads(payload) if isinstance(payload, str) else dict(payload or {}))

    def __repr__(self) -> str:
        where = f" on {self.transcript_id}[{self.start}:{self.end}]" if self.transcript_id else ""
        extra = f" code={self.code!r}" if self.code else ""
        if self.suggestion_id is not None:
            extra += f" suggestion={self.suggestion_id}"
        if self.target_event is not None:
            extra += f" target={self.target_event}"
        return f"Event({self.event_id}, {self.kind!r} by {self.coder!r}{where}{extra})"
