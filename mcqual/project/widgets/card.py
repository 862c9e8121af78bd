"""The review card's logic: one pending suggestion in its context, adjusted and decided in place.

The card shows the interviewer's question above the answer, the suggested span
highlighted inside its turn, the suggester's score and reason, and lets the
coder widen or narrow the span by sentences (or take the whole turn), accept it
as another code, write a note, skip, go back and forth, and undo. Accepting an
adjusted span or another code is still **one** ``accept`` event: its span and
code are what the coder chose, and its payload keeps what was suggested
(``"suggested_span": [start, end]``, and ``"suggested"``: the code, when
another was chosen — as :meth:`Project.accept` with ``as_=`` records it), so
the suggester's precision can be measured against the coder's decisions.
Where the project has ``project.quality`` (how good each code's suggestions
have been), the card shows its one-line note for the code.

Examples
--------
>>> import os, tempfile
>>> import mcqual as mq
>>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"), coder="ab")
>>> t = mq.Transcript.from_turns("a", [("I", "Do you trust badges?", None, "interviewer"),
...                                    ("R", "Yes. Issuers matter. A lot.", None, "respondent")])
>>> _ = p.add_transcripts([t]); _ = p.set_codebook(mq.Codebook.from_codes(["trust", "issuer"]))
>>> class Kw:
...     def fit(self, segments, codebook, codings=None): return self
...     def suggest(self, segments):
...         return [mq.Suggestion(s.segment_id, "trust", 0.8, "kw", "says 'Issuers'") for s in segments
...                 if "Issuers" in s.text]
>>> _ = p.suggest(Kw(), unit="sentence")
>>> card = p.review().card_widget()
>>> card.card["question"]["text"], card.card["quote"]
('Do you trust badges?', 'Issuers matter.')
>>> card.handle({"action": "widen", "side": "end"})["ok"], card.card["quote"]
(True, 'Issuers matter. A lot.')
>>> card.handle({"action": "accept", "code": "issuer", "note": "about issuers"})["text"]
'Accepted as issuer'
>>> p.codings()[["code", "snippet"]].values.tolist()
[['issuer', 'Issuers matter. A lot.']]
"""
from __future__ import annotations

import re
from typing import Any

from ._base import MessageMixin, codes_payload, trim_span, widget_classes

_SENT = re.compile(r"[^.!?…]+(?:[.!?…]+[\"'”’)\]]*|$)")


def build_card(review: Any):
    """A :class:`ReviewCard` widget on a :class:`~mcqual.project.review.Review` queue."""
    cls = widget_classes()["ReviewCard"]
    w = cls(review, coder=review.coder)
    w.codes = codes_payload(review.project._codebook_or_none())
    w._history: list[int] = []
    w.show(review.pending[0] if review.pending else None)
    w._register(review.project)
    return w


def sentence_spans(text: str, offset: int = 0) -> list[tuple[int, int]]:
    """Sentence spans (whitespace-trimmed, shifted by ``offset``) of a turn's text.

    Uses mcqual's rule-based sentence splitter (spaCy's sentencizer with
    mcqual's abbreviations) and falls back to a regular expression.

    Examples
    --------
    >>> sentence_spans("Yes. Issuers matter.", 10)
    [(10, 14), (15, 30)]
    """
    try:
        from ...text.nlp import split_sentences

        spans = split_sentences([text], trained=False)[0]
    except Exception:  # pragma: no cover - spaCy missing or broken: a plain splitter
        spans = []
        for m in _SENT.finditer(text):
            a, b = trim_span(text, m.start(), m.end())
            if a < b:
                spans.append((a, b))
    return [(a + offset, b + offset) for a, b in spans] or [(offset, offset + len(text))]


def adjust(span: tuple[int, int], sentences: list[tuple[int, int]], action: str, side: str = "end") -> tuple[int, int]:
    """Widen or narrow ``span`` by one sentence on ``side`` (``"start"`` or ``"end"``).

    Widening first snaps a partial sentence to its edge, then adds the next one;
    narrowing drops the outermost sentence on that side but never the last one.

    Examples
    --------
    >>> s = [(0, 4), (5, 20), (21, 27)]
    >>> adjust((5, 20), s, "widen", "end"), adjust((5, 20), s, "widen", "start")
    ((5, 27), (0, 20))
    >>> adjust((0, 27), s, "narrow", "end"), adjust((0, 27), s, "narrow", "start")
    ((0, 20), (5, 27))
    >>> adjust((7, 12), s, "widen", "end")
    (7, 20)
    """
    a, b = span
    if action == "widen":
        if side == "end":
            ends = [e for _, e in sentences if e > b]
            return (a, ends[0]) if ends else (a, b)
        starts = [s for s, _ in sentences if s < a]
        return (starts[-1], b) if starts else (a, b)
    inside = [(s, e) for s, e in sentences if s < b and e > a]
    if len(inside) <= 1:
        return (a, b)
    if side == "end":
        return (a, min(b, inside[-2][1]))
    return (max(a, inside[1][0]), b)


def accept_adjusted(project: Any, suggestion_id: int, *, start: int, end: int, code: str, coder: str,
                    note: str = "") -> int:
    """Accept a suggestion with another span and/or code: one ``accept`` event; returns the coding id.

    The event's payload keeps the suggestion's own span and code under
    ``"suggested"``. A note is written as a memo on the suggestion, as with
    :meth:`Project.accept`.
    """
    from ...errors import ProjectError
    from .. import _convert as cv

    store = project._store
    at = cv.now()
    with store.write():
        rows = store.suggestion_rows(ids=[int(suggestion_id)])
        if not rows:
            raise ProjectError("E305", f"no suggestion with id {suggestion_id}", path=project.path)
        r = rows[0]
        tid = r[1]
        length = store.text_lengths([tid])[tid]
        if not (0 <= start < end <= length):
            raise ProjectError("E306", f"span [{start}, {end}) is outside {tid!r} (length {length})",
                               path=project.path)
        cb = project.codebook()
        if code not in cb:
            project._require_codes(cb, [code])
        prev = store.last_decision(int(suggestion_id), coder)
        if prev is not None and prev[0] == "accept":
            raise ProjectError("E333", f"suggestion {suggestion_id} is already accepted by {coder!r}",
                               path=project.path)
        suggested = project._code_map().get(r[4], r[4])
        payload: dict[str, Any] = {"score": r[5], "source": r[6], "suggested_span": [r[2], r[3]]}
        if code != suggested:
            payload["suggested"] = suggested  # as Project.accept(as_=) records it
        if note:
            payload["note"] = note
        row = {"kind": "accept", "coder": coder, "created_at": at, "transcript_id": tid, "start": int(start),
               "end": int(end), "code": code, "suggestion_id": int(suggestion_id), "payload": payload}
        ids = store.append_events([row])
        if note and hasattr(store, "append_memos"):
            from ..memos import note_memos

            store.append_memos(note_memos([row], ids))
    return ids[0]


class CardLogic(MessageMixin):
    """The Python side of the review card (mixed into the anywidget class)."""

    _review: Any
    _history: list[int]

    # -- state ---------------------------------------------------------------------------
    def show(self, sid: int | None, span: tuple[int, int] | None = None) -> None:
        """Put suggestion ``sid`` on the card (None: the queue is done)."""
        rv = self._review
        self.n_pending = len(rv.pending)
        if sid is None or sid not in set(int(i) for i in rv.queue["suggestion_id"]):
            self.card = {}
            return
        r = rv._row(sid)
        p = rv.project
        t = p.transcript(r["transcript_id"]).transcript
        s0, s1 = int(r["start"]), int(r["end"])
        turn = t.turn_at(s0)
        if turn is None:
            tu = {"speaker": "", "role": "", "time": "", "start": 0, "end": len(t.text), "text": t.text}
            q = None
        else:
            tu = {"speaker": turn.speaker or "", "role": turn.role or "", "time": turn.time, "start": turn.start,
                  "end": turn.end, "text": turn.text}
            q = _question(t, turn.index)
        a, b = span or (s0, s1)
        cb = p._codebook_or_none()
        code = r["code"]
        quality = self._quality_note(code)
        pos = rv.pending.index(sid) if sid in rv.pending else 0
        self.card = {
            "sid": int(sid), "code": code, "label": cb.get(code).label if cb is not None and code in cb else code,
            "color": cb.color(code) if cb is not None and code in cb else "#777777",
            "score": round(float(r["score"]), 3), "source": str(r["source"]), "reason": str(r["reason"]),
            "transcript_id": str(r["transcript_id"]), "turn": tu, "question": q,
            "suggested": [s0, s1], "start": int(a), "end": int(b), "quote": t.text[a:b],
            "evidence": [[int(e[0]), int(e[1]), str(e[2]) if len(e) > 2 else ""] for e in r["evidence"]],
            "sentences": [list(x) for x in sentence_spans(tu["text"], tu["start"])],
            "quality": quality, "position": pos + 1, "skipped": int(sid) in rv.skipped,
        }

    def sync(self) -> None:
        """Catch up after another widget on this project decided: keep this card if it is still pending."""
        rv = self._review
        rv.refresh()
        if self.sid is not None and self.sid in set(rv.pending):
            self.n_pending = len(rv.pending)
        else:
            self.show(rv.pending[0] if rv.pending else None)

    def _quality_note(self, code: str) -> str:
        """One line on how good this code's suggestions have been (``project.quality``, where it exists).

        Computed once per card (and again on Refresh): it reads every decision of the coder.
        """
        p = self._review.project
        if not hasattr(p, "quality"):
            return ""
        q = self.__dict__.get("_quality")
        if q is None:
            try:
                q = p.quality(self._review.coder)
            except Exception:  # noqa: BLE001 - the note is optional; never break the card
                q = False
            self.__dict__["_quality"] = q
        if not q:
            return ""
        try:
            return str(q.summary_for(code))
        except Exception:  # noqa: BLE001
            return ""

    @property
    def sid(self) -> int | None:
        return self.card.get("sid") if self.card else None

    def _next(self) -> None:
        rv = self._review
        rv.refresh()
        self.show(rv.pending[0] if rv.pending else None)

    # -- actions ----------------------------------------------------------------------------
    def handle(self, msg: dict[str, Any]) -> dict[str, Any]:
        """One action: ``accept`` (optional start, end, code, note), ``reject`` (note), ``skip``, ``next``,
        ``prev``, ``widen`` / ``narrow`` (side), ``turn``, ``reset``, ``undo``, ``refresh``."""
        from ...errors import McqualError

        action = msg.get("action")
        fn = getattr(self, f"_do_{action}", None)
        if fn is None:
            return self._reply(False, f"unknown action {action!r}")
        if action not in ("undo", "refresh") and self.sid is None:
            return self._reply(False, "no suggestion on the card")
        try:
            return self._after(self._review.project, action, fn(msg))
        except McqualError as e:
            return self._reply(False, str(e))
        except (KeyError, TypeError, ValueError) as e:
            return self._reply(False, f"malformed {action!r} message: {e}")

    def _do_accept(self, msg: dict[str, Any]) -> dict[str, Any]:
        rv, c = self._review, self.card
        p = rv.project
        code = str(msg.get("code") or c["code"])
        if hasattr(p, "resolve_code"):
            code = p.resolve_code(code)
        start, end = int(msg.get("start", c["start"])), int(msg.get("end", c["end"]))
        note = str(msg.get("note", "") or "")
        if (start, end) == (c["suggested"][0], c["suggested"][1]):
            if code == c["code"]:
                p.accept(c["sid"], coder=rv.coder, note=note)
                text = "Accepted"
            else:
                p.accept(c["sid"], coder=rv.coder, note=note, as_=code)
                text = "Accepted as " + self._label(code)
        else:
            accept_adjusted(p, c["sid"], start=start, end=end, code=code, coder=rv.coder, note=note)
            text = "Accepted as " + self._label(code) if code != c["code"] else "Accepted (span adjusted)"
        return self._decided(text)

    def _do_reject(self, msg: dict[str, Any]) -> dict[str, Any]:
        rv = self._review
        rv.project.reject(self.card["sid"], coder=rv.coder, note=str(msg.get("note", "") or ""))
        return self._decided("Rejected")

    def _decided(self, text: str) -> dict[str, Any]:
        self._history.append(self.card["sid"])
        self.n_done = self.n_done + 1
        self._next()
        return self._reply(True, text)

    def _do_skip(self, msg: dict[str, Any]) -> dict[str, Any]:
        rv = self._review
        rv.skip(self.card["sid"])
        self._next()
        return self._reply(True, "Skipped (it stays pending, at the end of the queue)")

    def _step(self, k: int) -> dict[str, Any]:
        ids = self._review.pending
        if not ids:
            return self._reply(False, "nothing pending")
        i = ids.index(self.sid) if self.sid in ids else 0
        self.show(ids[(i + k) % len(ids)])
        return self._reply(True, f"{self.card['position']} of {len(ids)}")

    def _do_next(self, msg: dict[str, Any]) -> dict[str, Any]:
        return self._step(1)

    def _do_prev(self, msg: dict[str, Any]) -> dict[str, Any]:
        return self._step(-1)

    def _do_widen(self, msg: dict[str, Any]) -> dict[str, Any]:
        c = self.card
        span = adjust((c["start"], c["end"]), [tuple(s) for s in c["sentences"]], "widen", msg.get("side", "end"))
        self.show(c["sid"], span)
        return self._reply(True, "Widened")

    def _do_narrow(self, msg: dict[str, Any]) -> dict[str, Any]:
        c = self.card
        span = adjust((c["start"], c["end"]), [tuple(s) for s in c["sentences"]], "narrow", msg.get("side", "end"))
        self.show(c["sid"], span)
        return self._reply(True, "Narrowed")

    def _do_turn(self, msg: dict[str, Any]) -> dict[str, Any]:
        c = self.card
        self.show(c["sid"], (c["turn"]["start"], c["turn"]["end"]))
        return self._reply(True, "The whole turn")

    def _do_reset(self, msg: dict[str, Any]) -> dict[str, Any]:
        self.show(self.card["sid"])
        return self._reply(True, "As suggested")

    def _do_undo(self, msg: dict[str, Any]) -> dict[str, Any]:
        from .coding import undo_action

        rv = self._review
        text = undo_action(rv.project, rv.coder, self._label)
        rv.refresh()
        back = self._history.pop() if self._history else None
        if back is not None and back in set(rv.pending):
            self.n_done = max(0, self.n_done - 1)
            self.show(back)
        else:
            self.show(self.sid if self.sid in set(rv.pending) else (rv.pending[0] if rv.pending else None))
        return self._reply(True, text)

    def _do_refresh(self, msg: dict[str, Any]) -> dict[str, Any]:
        self.__dict__["_quality"] = None
        rv = self._review
        rv.refresh()
        self.show(self.sid if self.sid in set(rv.pending) else (rv.pending[0] if rv.pending else None))
        return self._reply(True, "Up to date")

    # -- display ----------------------------------------------------------------------------
    def __repr__(self) -> str:
        return f"ReviewCard({self.n_pending} pending for {self.coder!r})"

    def static_html(self) -> str:
        """A notebook saved without a kernel shows this: how to review, and the pending suggestions."""
        head = ("<p><b>mcqual review card</b> — a static copy. <b>Run the cell</b> (with a kernel) to review: "
                "<kbd>a</kbd> accept, <kbd>r</kbd> reject, <kbd>s</kbd> skip, <kbd>←</kbd>/<kbd>→</kbd> previous/"
                "next, <kbd>Shift</kbd>+<kbd>→</kbd>/<kbd>←</kbd> widen/narrow by a sentence, <kbd>u</kbd> undo. "
                "Without a kernel: <code>project.accept([ids])</code> / <code>project.reject([ids], note=…)</code>."
                "</p>")
        return "<div class='mcq-static'>" + head + self._review._repr_html_() + "</div>"


def _question(t: Any, index: int) -> dict[str, str] | None:
    """The interviewer's last turn before turn ``index`` (role ``interviewer``, else the previous other speaker)."""
    turns = t.turns
    me = turns[index]
    for k in range(index - 1, -1, -1):
        tu = turns[k]
        if tu.role == "interviewer" or (tu.role is None and me.role is None and tu.speaker != me.speaker
                                         and tu.speaker is not None):
            return {"speaker": tu.speaker or "", "text": tu.text, "time": tu.time}
        if tu.role not in (None, "interviewer") and tu.speaker != me.speaker and me.role is None:
            break
    return None



def question_before(t: Any, offset: int) -> dict[str, str] | None:
    """The interviewer's question before character ``offset`` of transcript ``t`` (None if none).

    Examples
    --------
    >>> import mcqual as mq
    >>> t = mq.Transcript.from_turns("a", [("I", "Why?", None, "interviewer"), ("R", "Because.", None, "respondent")])
    >>> question_before(t, 8)["text"]
    'Why?'
    """
    turn = t.turn_at(offset)
    return _question(t, turn.index) if turn is not None else None
