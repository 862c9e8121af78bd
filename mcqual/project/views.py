"""Read views of a project: the derived codings, the audit history, a transcript with its codings.

Examples
--------
>>> CODING_COLUMNS[:5]
['coding_id', 'transcript_id', 'start', 'end', 'code']
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable

from ..errors import ProjectError

CODING_COLUMNS = ["coding_id", "transcript_id", "start", "end", "code", "coder", "status", "snippet", "created_at",
                  "updated_at", "suggestion_id", "segment_id"]
HISTORY_COLUMNS = ["event_id", "kind", "coder", "created_at", "transcript_id", "start", "end", "code",
                   "suggestion_id", "coding_id", "target_event", "undone", "details"]
STATUSES = ("active", "fuzzy", "orphaned")


def codings(self, coder: str | Iterable[str] | None = None, status: str | Iterable[str] | None = None, *,
            code: str | None = None, transcript: str | None = None):
    """The current codings (derived from the decision log) as a DataFrame.

    Parameters
    ----------
    coder : str or list of str, optional
        Only these coders' codings (default: every coder's — one row per coder).
    status : str or list, optional
        ``"active"``, ``"fuzzy"`` (re-anchored on an edited quote) or
        ``"orphaned"`` (quote gone after a re-import; kept, check by hand —
        its ``snippet`` is the lost quote, ``start``/``end`` a best guess).
    code, transcript : str, optional

    Examples
    --------
    >>> import os, tempfile
    >>> import mcqual as mq
    >>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"))
    >>> list(p.codings().columns[:9])
    ['coding_id', 'transcript_id', 'start', 'end', 'code', 'coder', 'status', 'snippet', 'created_at']
    """
    import pandas as pd

    from .quotes import code_arg

    if code is not None:  # an id or a label; unknown: E311 with the closest codes
        code = code_arg(self, code, {c.code for c in self._state().codings.values()})
    coders = None if coder is None else ({coder} if isinstance(coder, str) else set(coder))
    statuses = None if status is None else ({status} if isinstance(status, str) else set(status))
    if statuses is not None and not statuses <= set(STATUSES):
        raise ProjectError("E503", f"status must be one of {STATUSES}, not {sorted(statuses)}", path=self.path,
                           hint="")
    with self._store.read():
        state = self._state()
        live = [c for c in state.codings.values()
                if (coders is None or c.coder in coders) and (statuses is None or c.status in statuses)
                and (code is None or c.code == code) and (transcript is None or c.transcript_id == transcript)]
        texts = self._store.transcript_texts({c.transcript_id for c in live}) if live else {}
    tids = [c.transcript_id for c in live]
    starts = [c.start for c in live]
    ends = [c.end for c in live]
    cols = {"coding_id": [c.coding_id for c in live], "transcript_id": tids, "start": starts, "end": ends,
            "code": [c.code for c in live], "coder": [c.coder for c in live], "status": [c.status for c in live],
            "snippet": [texts[t][a:b] if c.quote is None else c.quote
                        for t, a, b, c in zip(tids, starts, ends, live)],
            "created_at": [c.created_at for c in live], "updated_at": [c.updated_at for c in live],
            "suggestion_id": [c.suggestion_id for c in live],
            "segment_id": [f"{t}@{a}-{b}" for t, a, b in zip(tids, starts, ends)]}
    df = pd.DataFrame(cols, columns=CODING_COLUMNS)
    for k in ("coding_id", "start", "end"):
        df[k] = df[k].astype("int64")
    df["suggestion_id"] = df["suggestion_id"].astype("Int64")
    return df


def history(self, coding_id: int | None = None, *, suggestion_id: int | None = None, transcript: str | None = None,
            coder: str | None = None, kind: str | None = None):
    """The decision log (or the audit trail of one coding / suggestion) as a DataFrame.

    For ``coding_id``: the event that created it, the suggestion decisions
    behind it, re-anchorings, un-codings, the renames/merges that changed its
    code, and every undo of those. ``undone`` marks events an undo cancelled.

    Examples
    --------
    >>> import os, tempfile
    >>> import mcqual as mq
    >>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"), coder="ab")
    >>> _ = p.add_transcripts([mq.Transcript.from_turns("a", [("R", "I trust badges.")])])
    >>> _ = p.set_codebook(mq.Codebook.from_codes(["trust"]))
    >>> cid = p.code("a", 2, 7, "trust"); _ = p.uncode(cid)
    >>> p.history(cid)["kind"].tolist()
    ['code', 'uncode']
    """
    import pandas as pd

    store = self._store
    with store.read():
        if coding_id is not None:
            created = store.coding_events([int(coding_id)]).get(int(coding_id))
            if created is None:
                raise ProjectError("E305", f"no coding with id {coding_id}", path=self.path)
            rows = store.events(where="event_id = ? OR coding_id = ?", params=(int(coding_id), int(coding_id)))
            if created[8] is not None:  # from a suggestion: that coder's decisions on it
                rows += store.events(where="suggestion_id = ? AND coder = ? AND kind IN ('accept','reject')",
                                     params=(created[8], created[2]))
            current = created[7]
            for r in store.events(created[0], where="kind IN ('rename','merge')"):
                p = json.loads(r[11])
                if current in set(p.get("sources") or [r[7]]):
                    rows.append(r)
                    current = p["to"]
            ids = {r[0] for r in rows}
            if ids:
                marks = ",".join("?" * len(ids))
                rows += store.events(where=f"kind = 'undo' AND target_event IN ({marks})", params=tuple(ids))
        else:
            clauses, params = [], []
            for col, val in (("suggestion_id", suggestion_id), ("transcript_id", transcript), ("coder", coder),
                             ("kind", kind)):
                if val is not None:
                    clauses.append(f"{col} = ?")
                    params.append(val)
            rows = store.events(where=" AND ".join(clauses), params=tuple(params))
        undone = {r[10] for r in store.events(where="kind = 'undo'")}
    seen, out = set(), []
    for r in sorted(rows, key=lambda r: r[0]):
        if r[0] in seen:
            continue
        seen.add(r[0])
        out.append([*r[:11], r[0] in undone, json.loads(r[11])])
    df = pd.DataFrame(out, columns=HISTORY_COLUMNS)
    df["event_id"] = df["event_id"].astype("int64")
    for k in ("start", "end", "suggestion_id", "coding_id", "target_event"):
        df[k] = df[k].astype("Int64")
    return df


def review(self, code: str | None = None, coder: str | None = None, *, transcript: str | None = None,
           mode: str = "one", min_score: float = 0.0, widgets: bool | None = None, order: str = "score"):
    """Review pending suggestions in Jupyter: one by one or as a list, with accept / reject / skip.

    Shows each suggestion's quote with its evidence highlighted, the code, score,
    source and reason. Without ipywidgets (or ``widgets=False``) it renders an
    HTML table; then accept or reject by id with :meth:`accept` / :meth:`reject`.

    Parameters
    ----------
    code, transcript : str, optional
        Only suggestions for this code (id or label, any case; an unknown code
        is E311 naming the closest codes) / transcript.
    coder : str, optional
        Whose decisions are recorded (default ``project.coder``); the queue
        holds suggestions this coder has not decided yet.
    mode : {"one", "list"}
    min_score : float
    widgets : bool, optional
        Force (True) or refuse (False) ipywidgets; default: use them when importable.
    order : {"score", "active", "document"}
        Queue order: best score first; ``"active"`` learns fastest per code from your decisions
        (:mod:`mcqual.project.active`); ``"document"`` in reading order.

    Examples
    --------
    >>> import os, tempfile
    >>> import mcqual as mq
    >>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"), coder="ab")
    >>> p.review(widgets=False)
    Review(0 pending for 'ab')
    """
    from .quotes import code_arg
    from .review import Review

    who = self._coder(coder)
    code = code_arg(self, code)  # review(code="consnet") is E311 naming "consent", never "0 pending"
    if mode not in ("one", "list"):
        raise ProjectError("E503", f"mode must be 'one' or 'list', not {mode!r}", path=self.path, hint="")
    from .active import ORDERS

    if order not in ORDERS:
        raise ProjectError("E503", f"order must be one of {', '.join(ORDERS)}, not {order!r}", path=self.path, hint="")
    rv = Review(self, code=code, coder=who, transcript=transcript, mode=mode, min_score=min_score, widgets=widgets)
    if order != "score":
        rv.order = order  # read by Review.refresh, which orders the queue (and re-orders after each decision)
        rv.refresh()
    return rv


@dataclass(frozen=True, eq=False)
class TranscriptView:
    """A transcript with its codings; renders highlighted in Jupyter (``project.transcript(id)``)."""

    transcript: Any
    codings: Any  # DataFrame
    codebook: Any = None
    memos: Any = None  # DataFrame (project.memos(transcript=...)): listed under the text

    def _color(self, code: str) -> str:
        from .._html import color_for

        if self.codebook is not None and code in self.codebook:
            return self.codebook.color(code)
        return color_for(code)

    def __repr__(self) -> str:
        return f"TranscriptView({self.transcript.id!r}, {len(self.codings)} codings)"

    def _repr_html_(self) -> str:
        from .._html import badge, transcript_html

        spans = []
        for r in self.codings.itertuples(index=False):
            flag = "" if r.status == "active" else f" [{r.status}]"
            spans.append((int(r.start), int(r.end), self._color(r.code), f"{r.code} ({r.coder}){flag}"))
        legend = " ".join(badge(c, self._color(c)) for c in sorted(set(self.codings["code"])))
        html = transcript_html(self.transcript, spans) + (f"<div>{legend}</div>" if legend else "")
        if self.memos is not None and len(self.memos):
            html += "<div style='font-family:sans-serif;font-size:90%;margin-top:6px'><b>Memos</b>" + \
                self.memos._repr_html_() + "</div>"
        return html
