"""``Project.suggest`` and ``Project.suggestions``: storing machine suggestions without touching decisions.

A suggestion is keyed by transcript, code and span. When a suggester runs
again, a suggestion on (nearly) the same span — overlap of at least
:data:`SAME_SPAN` of the union, so spans that moved a little after a
re-import still match — and the same code:

* is skipped if any coder has accepted or rejected it (the decision stands);
* refreshes the pending one (new score, reason, evidence) otherwise;
* is skipped if a coding of that code already covers the span;
* else is stored as new and pending.

A pending suggestion that the same suggester (same ``source`` and unit) did not propose again
in a later run over its transcript is *superseded*: it stays stored, with its run, but leaves
the pending queue (``suggestions("superseded")`` lists them). So after a suggester changes,
the queue, the exports and the human-machine agreement hold only what it proposes now.
"""
from __future__ import annotations

from typing import Any

from ..errors import ProjectError
from ..model import parse_segment_id
from . import _convert as cv

#: least intersection-over-union for two spans to count as the same suggestion
SAME_SPAN = 0.7

SUGGESTION_COLUMNS = ["suggestion_id", "segment_id", "transcript_id", "start", "end", "code", "score", "source",
                      "reason", "status", "decided_by", "anchor", "quote", "evidence", "flags", "unit", "run_id",
                      "created_at"]


def _iou(a0: int, a1: int, b0: int, b1: int) -> float:
    inter = min(a1, b1) - max(a0, b0)
    if inter <= 0:
        return 0.0
    return inter / (max(a1, b1) - min(a0, b0))


def suggest(self, suggester: Any, unit: str = "turn", *, segments: Any = None, include_interviewer: bool = False,
            fit: bool = True) -> Any:
    """Run ``suggester`` over the project's transcripts and store its suggestions as pending.

    Parameters
    ----------
    suggester
        Anything with ``fit(segments, codebook, codings=None)`` and ``suggest(segments)``
        returning :class:`~mcqual.model.Suggestion` objects.
    unit : str
        Segment unit for :func:`mcqual.segments` ('turn', 'sentence', ...).
    segments : iterable of Segment, optional
        Use these instead of segmenting the project's corpus.
    include_interviewer : bool
        Passed to :func:`mcqual.segments`.
    fit : bool
        Call ``suggester.fit(segments, codebook, codings=...)`` first, with the
        project's current codings (``transcript_id, start, end, code, coder, segment_id``).

    Returns
    -------
    SuggestReport

    Examples
    --------
    >>> import os, tempfile
    >>> import mcqual as mq
    >>> class Keyword:  # the suggester contract, by hand
    ...     def fit(self, segments, codebook, codings=None):
    ...         return self
    ...     def suggest(self, segments):
    ...         return [mq.Suggestion(s.segment_id, "trust", 0.9, "kw", "says 'trust'")
    ...                 for s in segments if "trust" in s.text]
    >>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"))
    >>> t = mq.Transcript.from_turns("a", [("R", "I trust it."), ("R", "No.")])
    >>> _ = p.add_transcripts([t]); _ = p.set_codebook(mq.Codebook.from_codes(["trust"]))
    >>> segs = [mq.Segment("a", tt.start, tt.end, tt.text) for tt in t.turns]
    >>> p.suggest(Keyword(), segments=segs).new
    1
    >>> p.suggest(Keyword(), segments=segs).new
    0
    """
    from .reports import SuggestReport

    cb = self.codebook()
    if segments is None:
        segments = _make_segments(self.corpus(), unit, include_interviewer)
    seglist = list(segments)
    if iter(segments) is segments:  # a one-shot iterator: fit and suggest need it twice
        segments = seglist
    if fit:
        suggester.fit(segments, cb, codings=self.codings())
    found = list(suggester.suggest(segments))
    units = {s.segment_id: getattr(s, "unit", unit) for s in seglist}
    at = cv.now()
    with self._store.write():
        state = self._state()
        tids = {parse_segment_id(s.segment_id)[0] for s in found}
        texts = self._store.transcript_texts(tids)
        unknown = sorted(tids - set(texts))
        if unknown:
            raise ProjectError("E304", f"suggestions for transcripts not in the project: {', '.join(unknown[:5])}",
                               path=self.path)
        decided = {sid for sid, _ in state.decisions}
        index: dict[tuple[str, str], list[list]] = {}
        for row in self._store.suggestion_rows():
            sid, tid, s0, s1, code = row[:5]
            index.setdefault((tid, state.current_code(code)), []).append([sid, s0, s1, sid in decided, row])
        coded: dict[tuple[str, str], list[tuple[int, int]]] = {}
        for c in state.codings.values():
            coded.setdefault((c.transcript_id, c.code), []).append((c.start, c.end))
        new_rows: list[dict] = []
        refresh: dict[int, dict] = {}
        kept = already = 0
        for s in found:
            tid, a, b = parse_segment_id(s.segment_id)
            code = state.current_code(s.code)
            rec = {"transcript_id": tid, "start": a, "end": b, "code": code, "score": float(s.score),
                   "source": s.source, "reason": s.reason, "evidence": [[e.start, e.end, e.label] for e in s.evidence],
                   "flags": list(s.flags), "unit": units.get(s.segment_id, unit), "quote": texts[tid][a:b], "at": at}
            cands = index.get((tid, code), [])
            best = max(cands, key=lambda c: _iou(a, b, c[1], c[2]), default=None)
            if best is not None and _iou(a, b, best[1], best[2]) >= SAME_SPAN:
                if best[3]:
                    kept += 1
                elif best[0] is None:  # a duplicate within this run: keep the higher score
                    if rec["score"] > best[4]["score"]:
                        best[4].update(rec)
                else:
                    prev = refresh.get(best[0])
                    if prev is None or rec["score"] > prev["score"]:
                        refresh[best[0]] = {**rec, "suggestion_id": best[0], "anchor": "exact"}
                continue
            if any(c0 <= a and b <= c1 or _iou(a, b, c0, c1) >= SAME_SPAN for c0, c1 in coded.get((tid, code), [])):
                already += 1
                continue
            new_rows.append(rec)
            index.setdefault((tid, code), []).append([None, a, b, False, rec])
        run_id = self._store.add_run({"suggester": _describe(suggester), "unit": unit,
                                      "codebook_version": self._store.codebook_version() or None,
                                      "n_suggestions": len(found), "n_new": len(new_rows), "created_at": at})
        for r in new_rows:
            r["run_id"] = run_id
        for r in refresh.values():
            r["run_id"] = run_id
        self._store.insert_suggestions(new_rows)
        self._store.update_suggestions(list(refresh.values()))
        # what this run read: its transcripts (per segment unit), under every source it speaks for
        own = getattr(suggester, "source", None)
        sources = {p for s in found for p in _parts(s.source)} | (_parts(own) if isinstance(own, str) else set())
        by_unit: dict[str, set[str]] = {}
        for sg in seglist:
            by_unit.setdefault(getattr(sg, "unit", unit) or unit, set()).add(parse_segment_id(sg.segment_id)[0])
        known = set(self._store.transcript_hashes())  # ids only: no transcript text is read again
        for u, tids_u in by_unit.items():
            self._store.add_run_coverage(run_id, tids_u & known, sources, u)
    return SuggestReport(run_id, _describe(suggester), unit, len(seglist), len(found), len(new_rows), len(refresh),
                         kept, already)


def _parts(source: str) -> set[str]:
    """The suggesters a source names: an ensemble's ``"rules+embedding"`` is both."""
    return {p for p in str(source).split("+") if p}


def _superseded(tid: str, source: str, unit: Any, run_id: int | None, latest: dict) -> bool:
    """Every suggester behind ``source`` has run again over the transcript since ``run_id``."""
    if run_id is None:
        return False
    return all(latest.get((tid, p, unit), -1) > run_id for p in _parts(source))


def _make_segments(corpus: Any, unit: str, include_interviewer: bool) -> Any:
    import inspect

    from ..segment import segments as make_segments

    params = inspect.signature(make_segments).parameters
    if "include_interviewer" in params:
        return make_segments(corpus, unit=unit, include_interviewer=include_interviewer)
    if "skip_interviewer" in params:
        return make_segments(corpus, unit=unit, skip_interviewer=not include_interviewer)
    return make_segments(corpus, unit=unit)


def _describe(suggester: Any) -> str:
    text = repr(suggester)
    if text.startswith("<") and " at 0x" in text:
        text = type(suggester).__name__
    return text[:200]


def suggestions(self, status: str | None = "pending", *, coder: str | None = None, code: str | None = None,
                transcript: str | None = None):
    """Stored suggestions as a DataFrame, optionally by status, coder, code, transcript.

    ``status`` is ``"pending"``, ``"accepted"``, ``"rejected"``, ``"superseded"`` or ``None``
    (all). With ``coder``, status is that coder's decision (pending = not yet decided
    by them); without, it is the latest decision of any coder. An undecided suggestion that a
    later run of the same suggester (same ``source`` and ``unit``) over the same transcript did
    not propose again is ``"superseded"`` (kept, not in the queue). ``decided_by`` lists who
    decided. ``code`` follows renames and merges.

    Examples
    --------
    >>> import os, tempfile
    >>> import mcqual as mq
    >>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"))
    >>> list(p.suggestions().columns[:6])
    ['suggestion_id', 'segment_id', 'transcript_id', 'start', 'end', 'code']
    """
    import pandas as pd

    if status not in (None, "pending", "accepted", "rejected", "superseded"):
        raise ProjectError("E503", "status must be 'pending', 'accepted', 'rejected', 'superseded' or None, "
                           f"not {status!r}", path=self.path, hint="")
    from .quotes import code_arg

    with self._store.read():
        state = self._state()
        rows = self._store.suggestion_rows(transcript_id=transcript) if transcript else self._store.suggestion_rows()
        code = code_arg(self, code, {state.current_code(r[4]) for r in rows})  # an id or a label, any case
        latest = self._store.latest_runs()
    by_sugg: dict[int, list[tuple[int, str, str]]] = {}
    for (sid, who), (kind, eid) in state.decisions.items():
        by_sugg.setdefault(sid, []).append((eid, kind, who))
    names = {"accept": "accepted", "reject": "rejected"}
    # the newest run of each suggester (source, unit) over each transcript
    for r in rows:  # runs from before coverage was recorded: the transcripts they proposed something on
        for part in _parts(r[6]):
            key = (r[1], part, r[10])
            if r[13] is not None and r[13] > latest.get(key, -1):
                latest[key] = r[13]
    out = []
    for r in rows:
        sid, tid, s0, s1, c = r[:5]
        c = state.current_code(c)
        if code is not None and c != code:
            continue
        decs = sorted(by_sugg.get(sid, []))
        if coder is not None:
            mine = [d for d in decs if d[2] == coder]
            st = names[mine[-1][1]] if mine else "pending"
        else:
            st = names[decs[-1][1]] if decs else "pending"
        if st == "pending" and not decs and _superseded(tid, r[6], r[10], r[13], latest):
            st = "superseded"
        if status is not None and st != status:
            continue
        out.append([sid, f"{tid}@{s0}-{s1}", tid, s0, s1, c, r[5], r[6], r[7], st,
                    ", ".join(sorted({d[2] for d in decs})), r[12], r[11], cv.json_loads(r[8]),
                    cv.json_loads(r[9]), r[10], r[13], r[14]])
    df = pd.DataFrame(out, columns=SUGGESTION_COLUMNS)
    for col in ("suggestion_id", "start", "end"):
        df[col] = df[col].astype("int64")
    df["score"] = df["score"].astype("float64")
    return df.sort_values(["transcript_id", "start", "code"], kind="stable", ignore_index=True)
