"""The coding view's logic: the state sent to the browser and the handlers of the coder's actions.

Every handler is one project call (one event in the decision log, or one memo
row) and then re-reads the current transcript's codings, pending suggestions
and memos, so what the coder sees is what the file holds. Changing a coding's
code is an ``uncode`` and a ``code`` written in one transaction (the log has no
"recode" event: the two events keep the history of each coding simple, and
exports, reliability and re-anchoring already understand them); the view's
Undo takes back both together.

Examples
--------
>>> import os, tempfile
>>> import mcqual as mq
>>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"), coder="ab")
>>> _ = p.add_transcripts([mq.Transcript.from_turns("a", [("I", "Why?"), ("R", "I trust badges.")])])
>>> _ = p.set_codebook(mq.Codebook.from_codes(["trust", "badges"]))
>>> v = p.view()
>>> cid = v.handle({"action": "code", "start": 4, "end": 22, "code": "trust"})["coding_id"]
>>> p.codings()["snippet"].tolist()   # the selection's surrounding whitespace is trimmed
['I trust badges.']
>>> v.handle({"action": "recode", "coding_id": cid, "code": "badges"})["ok"]
True
>>> p.codings()["code"].tolist()
['badges']
>>> v.handle({"action": "undo"})["text"]
'Undid: changed code of a coding back to trust'
>>> p.codings()["code"].tolist()
['trust']
"""
from __future__ import annotations

from html import escape
from typing import Any

from ._base import MessageMixin, codes_payload, trim_span, widget_classes

#: most turns the static (no-kernel) HTML shows
STATIC_TURNS = 80


def build_view(project: Any, *, transcript: str | None, coder: str, height: int = 640):
    """A :class:`CodingView` widget on ``project`` opened at ``transcript``."""
    from ...errors import ProjectError

    cls = widget_classes()["CodingView"]
    ids = list(project._store.transcript_hashes())
    if not ids:
        raise ProjectError("E330", "the project has no transcripts to show", path=project.path)
    if transcript is not None and transcript not in ids:
        raise ProjectError("E304", f"no transcript {transcript!r} in the project", path=project.path,
                           hint=f"Transcripts: {', '.join(ids[:8])}{'…' if len(ids) > 8 else ''}.")
    w = cls(project, coder=coder, height=int(height))
    w.load(transcript or ids[0])
    w._register(project)
    return w


class CodingLogic(MessageMixin):
    """The Python side of :func:`mcqual.project.widgets.view` (mixed into the anywidget class)."""

    _project: Any
    _seen: tuple[int, int] = (-1, -1)
    #: vectors for ``project.quality`` (the "How good?" button); None = the cached MiniLM
    quality_embedder: Any = None

    # -- state ------------------------------------------------------------------------
    def load(self, transcript_id: str) -> None:
        """Show ``transcript_id``: its turns (sent once), then codings, suggestions and memos."""
        p = self._project
        t = p.transcript(transcript_id).transcript
        turns = t.turns or ()
        if turns:
            rows = [{"i": tu.index, "speaker": tu.speaker or "", "role": tu.role or "", "time": tu.time,
                     "start": tu.start, "end": tu.end, "text": tu.text} for tu in turns]
        else:
            rows = [{"i": 0, "speaker": "", "role": "", "time": "", "start": 0, "end": len(t.text), "text": t.text}]
        self.transcript_id = t.id
        self.codes = codes_payload(p._codebook_or_none())
        self.doc = {"id": t.id, "turns": rows, "n_words": t.n_words, "length": len(t.text)}
        self._text = t.text
        self.refresh()

    def refresh(self) -> None:
        """Re-read codings (every coder's), this coder's pending suggestions and the memos of this transcript."""
        p = self._project
        tid = self.transcript_id
        with p._store.read():
            last = p._store.last_event_id()
            cod = p.codings(transcript=tid)
            sug = p.suggestions("pending", coder=self.coder, transcript=tid)
            mem = p.memos(transcript=tid) if hasattr(p, "memos") else None
            ids = list(p._store.transcript_hashes())
            n_memos = p._store.counts().get("memos", 0)
            self.codes = codes_payload(p._codebook_or_none())
        mine: dict[str, int] = {}
        for r in p._state().codings.values():
            if r.coder == self.coder:
                mine[r.transcript_id] = mine.get(r.transcript_id, 0) + 1
        with self.hold_sync():
            self._set_marks(ids, mine, cod, sug, mem)
        self._seen = (last, n_memos)

    def _set_marks(self, ids: list, mine: dict, cod: Any, sug: Any, mem: Any) -> None:
        self.transcripts = [{"id": i, "n": mine.get(i, 0)} for i in ids]
        self.codings = [{"id": int(r.coding_id), "start": int(r.start), "end": int(r.end), "code": r.code,
                         "coder": r.coder, "status": r.status,
                         "suggestion": _int(r.suggestion_id)}
                        for r in cod.itertuples(index=False)]
        self.suggestions = [{"id": int(r.suggestion_id), "start": int(r.start), "end": int(r.end), "code": r.code,
                             "score": round(float(r.score), 3), "source": str(r.source), "reason": str(r.reason)}
                            for r in sug.itertuples(index=False)]
        memos = []
        if mem is not None:
            for r in mem.itertuples(index=False):
                memos.append({"id": int(r.memo_id), "target": r.target, "coding": _int(r.coding_id),
                              "suggestion": _int(r.suggestion_id), "start": _int(r.start), "end": _int(r.end),
                              "code": r.code if isinstance(r.code, str) else None,
                              "coder": r.coder, "at": str(r.created_at)[:16], "text": r.text})
        self.memos = memos
        self.version = self.version + 1

    def sync(self) -> None:
        """Re-read the project if it changed (called after another widget on this project acted)."""
        if self.changed():
            self.refresh()

    def changed(self) -> bool:
        """Whether the project file changed since the last refresh (another coder, another process)."""
        store = self._project._store
        return (store.last_event_id(), store.counts().get("memos", 0)) != self._seen

    # -- actions -----------------------------------------------------------------------
    def handle(self, msg: dict[str, Any]) -> dict[str, Any]:
        """Run one action from the browser (or a test) and reply in ``status``.

        Actions: ``code`` (start, end, code), ``uncode`` (coding_id), ``recode``
        (coding_id, code), ``memo`` (text and coding_id, or start/end; replaces),
        ``accept`` / ``reject`` (suggestion_id), ``undo``, ``refresh``, ``focus``
        (refresh only if the file changed), ``transcript`` (id), ``quality`` (measure how good the
        suggestions are for this coder, on demand: see :meth:`_do_quality`).
        """
        from ...errors import McqualError

        action = msg.get("action")
        fn = getattr(self, f"_do_{action}", None)
        if fn is None:
            return self._reply(False, f"unknown action {action!r}")
        try:
            return self._after(self._project, action, fn(msg))
        except McqualError as e:
            self.refresh()
            return self._reply(False, str(e))
        except (KeyError, TypeError, ValueError) as e:
            return self._reply(False, f"malformed {action!r} message: {e}")

    def _resolve(self, code: str) -> str:
        p = self._project
        if hasattr(p, "resolve_code"):
            return p.resolve_code(code)
        return code

    def _do_code(self, msg: dict[str, Any]) -> dict[str, Any]:
        start, end = trim_span(self._text, int(msg["start"]), int(msg["end"]))
        if start >= end:
            return self._reply(False, "select some words first")
        code = self._resolve(str(msg["code"]))
        cid = self._project.code(self.transcript_id, start, end, code, coder=self.coder)
        self.refresh()
        return self._reply(True, f"Coded {_quote(self._text[start:end])} as {self._label(code)}", coding_id=cid,
                           start=start, end=end)

    def _own(self, cid: int) -> dict[str, Any]:
        from ...errors import ProjectError

        for c in self.codings:
            if c["id"] == cid:
                if c["coder"] != self.coder:
                    raise ProjectError("E331", f"coding {cid} is {c['coder']!r}'s, not {self.coder!r}'s",
                                       path=self._project.path)
                return c
        raise ProjectError("E305", f"no coding with id {cid} in {self.transcript_id!r}", path=self._project.path)

    def _do_uncode(self, msg: dict[str, Any]) -> dict[str, Any]:
        c = self._own(int(msg["coding_id"]))
        self._project.uncode(c["id"], coder=self.coder)
        self.refresh()
        return self._reply(True, f"Removed {self._label(c['code'])} from {_quote(self._text[c['start']:c['end']])}")

    def _do_recode(self, msg: dict[str, Any]) -> dict[str, Any]:
        c = self._own(int(msg["coding_id"]))
        code = self._resolve(str(msg["code"]))
        if code == c["code"]:
            return self._reply(True, "Same code: nothing changed")
        ids = self._project.decide_many([{"action": "uncode", "coding_id": c["id"]},
                                         {"action": "code", "transcript": self.transcript_id, "start": c["start"],
                                          "end": c["end"], "code": code}], coder=self.coder)
        self.refresh()
        return self._reply(True, f"Changed {self._label(c['code'])} to {self._label(code)}", coding_id=ids[1])

    def _do_memo(self, msg: dict[str, Any]) -> dict[str, Any]:
        from ...errors import ProjectError

        p = self._project
        if not hasattr(p, "memo"):
            raise ProjectError("E332", "this mcqual has no memos", path=p.path)
        text = str(msg.get("text", ""))
        replaces = msg.get("replaces")
        if replaces is not None:
            mid = p.memo(text, replaces=int(replaces), coder=self.coder)
        elif msg.get("coding_id") is not None:
            mid = p.memo(text, coding=int(msg["coding_id"]), coder=self.coder)
        elif msg.get("suggestion_id") is not None:
            mid = p.memo(text, suggestion=int(msg["suggestion_id"]), coder=self.coder)
        else:
            start, end = trim_span(self._text, int(msg["start"]), int(msg["end"]))
            if start >= end:
                return self._reply(False, "select some words first")
            mid = p.memo(text, transcript=self.transcript_id, span=(start, end), coder=self.coder)
        self.refresh()
        return self._reply(True, "Memo withdrawn" if not text.strip() else "Memo saved", memo_id=mid)

    def _do_accept(self, msg: dict[str, Any]) -> dict[str, Any]:
        sid = int(msg["suggestion_id"])
        cid = self._project.accept(sid, coder=self.coder)[0]
        self.refresh()
        return self._reply(True, f"Accepted suggestion {sid}", coding_id=cid)

    def _do_reject(self, msg: dict[str, Any]) -> dict[str, Any]:
        sid = int(msg["suggestion_id"])
        self._project.reject(sid, coder=self.coder, note=str(msg.get("note", "") or ""))
        self.refresh()
        return self._reply(True, f"Rejected suggestion {sid}")

    def _do_undo(self, msg: dict[str, Any]) -> dict[str, Any]:
        text = undo_action(self._project, self.coder, self._label)
        self.refresh()
        return self._reply(True, text)

    def _do_refresh(self, msg: dict[str, Any]) -> dict[str, Any]:
        self.refresh()
        return self._reply(True, "Up to date")

    def _do_focus(self, msg: dict[str, Any]) -> dict[str, Any]:
        if self.changed():
            self.refresh()
            return self._reply(True, "Reloaded: the project changed")
        return {"ok": True, "text": "", "n": self.status.get("n", 0)}

    def _do_quality(self, msg: dict[str, Any]) -> dict[str, Any]:
        """``project.quality(coder)`` now, into the ``quality`` trait: ``{code: sentence}`` plus a summary.

        Only when asked (the "How good?" button): it embeds the coder's decided
        passages, which loads the sentence model the first time. The result is not
        refreshed by later decisions; ``quality_info["n"]`` says how many decisions
        it was measured on. ``quality_embedder`` (an attribute, default the
        cached MiniLM) gives the vectors.
        """
        p = self._project
        if not hasattr(p, "quality"):
            return self._reply(False, "this project cannot measure its suggestions (no project.quality)")
        q = p.quality(self.coder, embedder=getattr(self, "quality_embedder", None))
        t = q.to_frame()
        order = [c["id"] for c in self.codes]
        rows = {str(r["code"]): r for _, r in t.iterrows()}
        ids = [c for c in order if c in rows] + sorted(set(rows) - set(order))
        decided = [c for c in ids if int(rows[c]["decisions"]) + int(rows[c]["coded"]) > 0]
        n = int(sum(int(rows[c]["decisions"]) + int(rows[c]["coded"]) for c in ids))
        with self.hold_sync():
            self.quality = {c: str(q.summary_for(c)) for c in ids}
            self.quality_info = {"n": n, "decided": decided, "none": len(ids) - len(decided),
                                 "run": int(self.quality_info.get("run", 0)) + 1}
        return self._reply(True, f"Measured on {_n(n, 'decision')} of {self.coder}")

    def _do_transcript(self, msg: dict[str, Any]) -> dict[str, Any]:
        self.load(str(msg["id"]))
        return self._reply(True, f"Opened {self.transcript_id}")

    # -- display ------------------------------------------------------------------------
    def __repr__(self) -> str:
        mine = sum(1 for c in self.codings if c["coder"] == self.coder)
        return (f"CodingView({self.transcript_id!r}, coder={self.coder!r}: {mine} of {len(self.codings)} codings "
                f"yours, {len(self.suggestions)} suggestions pending)")

    def static_html(self) -> str:
        """What a notebook saved without a kernel shows: instructions and the transcript with its codings."""
        from ..._html import badge, color_for, highlight, table

        colors = {c["id"]: c["color"] for c in self.codes}
        labels = {c["id"]: c["label"] for c in self.codes}
        memo_of = {m["coding"]: m["text"] for m in self.memos if m["coding"] is not None}
        spans = [(c["start"], c["end"], colors.get(c["code"], color_for(c["code"])),
                  f"{labels.get(c['code'], c['code'])} ({c['coder']})"
                  + (f" — memo: {memo_of[c['id']]}" if c["id"] in memo_of else ""))
                 for c in self.codings]
        rows = []
        turns = self.doc.get("turns", [])
        for tu in turns[:STATIC_TURNS]:
            who = escape(tu["speaker"] or "")
            role = tu["role"] if tu["role"] and tu["role"].lower() != (tu["speaker"] or "").lower() else ""
            meta = f"<b>{who}</b>" + (f"<br><small>{escape(role)}</small>" if role else "")
            meta += f"<br><small>{escape(tu['time'])}</small>" if tu["time"] else ""
            rows.append([meta, highlight(tu["text"], spans, offset=tu["start"])])
        more = len(turns) - STATIC_TURNS
        if more > 0:
            rows.append(["…", f"{more} more turns — run the cell to see them all"])
        used = sorted({c["code"] for c in self.codings})
        legend = " ".join(badge(labels.get(c, c), colors.get(c, color_for(c))) for c in used)
        head = (f"<p><b>mcqual coding view</b> — transcript <code>{escape(self.transcript_id)}</code>, coder "
                f"<code>{escape(self.coder)}</code>: {_n(len(self.codings), 'coding')}, "
                f"{_n(len(self.suggestions), 'suggestion')} pending. This is a static copy: <b>run the cell</b> (with a kernel) to code — "
                f"select text with the mouse, pick a code, click a coding to remove, change or annotate it. "
                f"Without the view: <code>project.code(transcript, start, end, code)</code>.</p>")
        return ("<div class='mcq-static'>" + head + (f"<p>{legend}</p>" if legend else "")
                + table(["turn", "text"], rows, raw=True) + "</div>")


def undo_action(project: Any, coder: str, label: Any = str) -> str:
    """Undo ``coder``'s last action: one event, or both halves of a code change (an uncode+code pair)."""
    store = project._store
    ev = project.undo(coder=coder)
    if ev.kind == "code":
        prev = store.last_undoable(coder)
        if (prev is not None and prev[1] == "uncode" and prev[0] == ev.event_id - 1 and prev[3] == ev.created_at
                and prev[4] == ev.transcript_id and (prev[5], prev[6]) == (ev.start, ev.end)):
            project.undo(coder=coder)
            return f"Undid: changed code of a coding back to {label(prev[7])}"
    what = {"code": "coded", "uncode": "removed", "accept": "accepted", "reject": "rejected",
            "rename": "renamed", "merge": "merged"}.get(ev.kind, ev.kind)
    return f"Undid: {what} {label(ev.code) if ev.code else ''}".rstrip()


def _int(x: Any) -> int | None:
    if x is None:
        return None
    try:
        if x != x:  # NaN / NA
            return None
    except TypeError:
        return None
    return int(x)


def _quote(text: str, n: int = 40) -> str:
    text = " ".join(text.split())
    return f"“{text[:n]}…”" if len(text) > n else f"“{text}”"


def _n(k: int, word: str) -> str:
    return f"{k} {word}" if k == 1 else f"{k} {word}s"
