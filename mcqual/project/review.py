"""Reviewing pending suggestions in Jupyter (ipywidgets), with an HTML fallback.

The widget shows one suggestion at a time (``mode="one"``, the review card of
:mod:`mcqual.project.widgets.card`: the interviewer's question, the span in its
turn, widen/narrow, accept as…, note, undo, keyboard shortcuts) or a list
(``mode="list"``): the quote with the evidence highlighted, code, score,
source and reason, and Accept / Reject / Skip buttons that record decisions
for the reviewing coder right away (each click is one committed event).
Without ipywidgets the review renders as an HTML table; decide by id with
``review.accept(ids)`` / ``review.reject(ids)``.

Examples
--------
>>> import os, tempfile
>>> import mcqual as mq
>>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"), coder="ab")
>>> r = p.review(widgets=False)
>>> "no pending suggestions" in r._repr_html_()
True
"""
from __future__ import annotations

from html import escape
from typing import Any, Iterable

from .._html import badge, color_for, highlight, table


class Review:
    """A review queue for one coder (build with :meth:`Project.review`)."""

    def __init__(self, project: Any, *, code: str | None, coder: str, transcript: str | None, mode: str,
                 min_score: float, widgets: bool | None) -> None:
        self.project = project
        self.code = code
        self.coder = coder
        self.transcript = transcript
        self.mode = mode
        self.min_score = min_score
        self.widgets = widgets
        self.position = 0
        self.skipped: set[int] = set()
        self.refresh()

    # -- the queue -----------------------------------------------------------
    def refresh(self) -> "Review":
        """Reload the pending suggestions (after other coders or processes decided)."""
        df = self.project.suggestions("pending", coder=self.coder, code=self.code, transcript=self.transcript)
        df = df[df["score"] >= self.min_score]
        from .active import order_queue

        self.queue = order_queue(self.project, df, self.coder, getattr(self, "order", "score"))
        self._texts = self.project._store.transcript_texts(set(self.queue["transcript_id"])) if len(df) else {}
        return self

    @property
    def pending(self) -> list[int]:
        """Ids still to decide (skipped ones last)."""
        ids = [int(i) for i in self.queue["suggestion_id"]]
        return [i for i in ids if i not in self.skipped] + [i for i in ids if i in self.skipped]

    def accept(self, suggestion_ids: int | Iterable[int]) -> list[int]:
        """Accept by id (as this review's coder); returns the coding ids."""
        out = self.project.accept(suggestion_ids, coder=self.coder)
        self.refresh()
        return out

    def reject(self, suggestion_ids: int | Iterable[int]) -> list[int]:
        """Reject by id (as this review's coder)."""
        out = self.project.reject(suggestion_ids, coder=self.coder)
        self.refresh()
        return out

    def skip(self, suggestion_id: int) -> None:
        """Leave a suggestion pending and move it to the end of the queue."""
        self.skipped.add(int(suggestion_id))

    # -- rendering -------------------------------------------------------------
    def _row(self, sid: int):
        return self.queue[self.queue["suggestion_id"] == sid].iloc[0]

    def card_html(self, sid: int) -> str:
        """One suggestion: code badge, score, source, reason, and the quote with its evidence highlighted."""
        r = self._row(sid)
        text = self._texts.get(r["transcript_id"], "")
        spans = [(int(e[0]), int(e[1]), "#d62728", str(e[2]) if len(e) > 2 else "") for e in r["evidence"]]
        quote = highlight(text[int(r["start"]):int(r["end"])], spans, offset=int(r["start"]))
        color = color_for(r["code"])
        label = r["code"]
        cb = self.project._codebook_or_none()
        if cb is not None and r["code"] in cb:
            color = cb.color(r["code"])
            label = cb.get(r["code"]).label or r["code"]
        question = self._question(r["transcript_id"], int(r["start"]))
        return (f"<div style='font-family:sans-serif;font-size:90%;border-left:4px solid {color};padding:4px 8px'>"
                f"<div>#{sid} {badge(label, color)} score <b>{r['score']:.2f}</b> · {escape(str(r['source']))}"
                f" · <code>{escape(r['segment_id'])}</code></div>"
                + (f"<div style='color:#555;font-style:italic;margin-top:4px'>{escape(question)}</div>" if question
                   else "")
                + f"<div style='margin:4px 0'>{quote}</div>"
                f"<div style='color:#555'>{escape(str(r['reason']))}</div></div>")

    def _question(self, transcript_id: str, start: int) -> str:
        """"Q: …" — the interviewer's last question before ``start`` ('' when there is none)."""
        from .widgets.card import question_before

        cache = self.__dict__.setdefault("_transcripts", {})
        if transcript_id not in cache:
            cache[transcript_id] = self.project.transcript(transcript_id).transcript
        q = question_before(cache[transcript_id], start)
        return f"{q['speaker'] or 'Q'}: {q['text']}" if q else ""

    def __repr__(self) -> str:
        return f"Review({len(self.queue)} pending for {self.coder!r})"

    def _repr_html_(self) -> str:
        if not len(self.queue):
            return f"<div>Review: no pending suggestions for {escape(self.coder)}.</div>"
        rows = [[str(sid), self.card_html(sid)] for sid in self.pending]
        return table(["id", "suggestion"], rows, raw=True,
                     caption=f"{len(self.queue)} pending for {self.coder} — decide with review.accept([ids]) / "
                             f"review.reject([ids])")

    def _use_widgets(self) -> bool:
        if self.widgets is False:
            return False
        try:
            import ipywidgets  # noqa: F401
            if self.mode == "one":
                import anywidget  # noqa: F401
        except ImportError:
            if self.widgets:
                from ..errors import MissingDependencyError

                raise MissingDependencyError("E900", "ipywidgets is not installed",
                                             hint="pip install 'mcqual[notebook]'") from None
            return False
        return True

    def card_widget(self):
        """The review card (an anywidget): the question above the answer, the span inside its turn,
        widen/narrow, accept as…, note, undo and keyboard shortcuts (see :mod:`mcqual.project.widgets.card`)."""
        from .widgets.card import build_card

        return build_card(self)

    def widget(self):
        """The review card for ``mode="one"``; for ``mode="list"`` an ipywidgets list of cards with buttons."""
        if self.mode == "one":
            return self.card_widget()
        import ipywidgets as W

        out = W.VBox()

        def rebuild() -> None:
            ids = self.pending
            if not ids:
                out.children = [W.HTML(self._repr_html_())]
                return
            shown = ids[:1] if self.mode == "one" else ids[:50]
            kids = [W.HTML(f"<b>{len(ids)} pending</b> for {escape(self.coder)}")]
            for sid in shown:
                kids.append(W.HTML(self.card_html(sid)))
                kids.append(self._buttons(W, sid, rebuild))
            out.children = kids

        rebuild()
        return out

    def _buttons(self, W: Any, sid: int, rebuild: Any):
        acc = W.Button(description="Accept", button_style="success", icon="check")
        rej = W.Button(description="Reject", button_style="danger", icon="times")
        skp = W.Button(description="Skip", icon="forward")
        acc.on_click(lambda _: (self.accept(sid), rebuild()))
        rej.on_click(lambda _: (self.reject(sid), rebuild()))
        skp.on_click(lambda _: (self.skip(sid), rebuild()))
        return W.HBox([acc, rej, skp])

    def _ipython_display_(self) -> None:  # pragma: no cover - needs a notebook front end
        from IPython.display import HTML, display

        if self._use_widgets():
            display(self.widget())
        else:
            display(HTML(self._repr_html_()))
