"""Train and score on sentence windows inside each segment, suggest for the segment.

Coders code a sentence or two inside a long turn; a classifier fitted on whole turns learns from
turns that are mostly about something else. :class:`Windowed` wraps any suggester: it cuts every
segment into overlapping windows of ``size`` sentences (offsets into the transcript, so span
codings map onto them by the usual overlap rule), fits the wrapped suggester on the windows, and
scores a segment by its best window, whose reason (and evidence) it keeps.

Examples
--------
>>> import mcqual as mq
>>> from mcqual.text.embedders import HashingEmbedder
>>> t = mq.Transcript.from_turns("a", [("R", "I like my job. The exam was hard and proctored. We eat lunch.")])
>>> segs = mq.segments([t])
>>> cb = mq.Codebook.from_codes(["exam"])
>>> w = Windowed(mq.RuleSuggester(use_labels=True), size=1).fit(segs, cb)
>>> s = w.suggest(segs)
>>> s[0].segment_id == segs[0].segment_id, "window" in s[0].reason
(True, True)
"""
from __future__ import annotations

from typing import Any, Sequence

from ..model import Segment, Suggestion
from .base import Suggestions


class Windowed:
    """A meta-suggester: ``base`` fitted and applied on sentence windows, lifted to the segments.

    Parameters
    ----------
    base : suggester
        Any object with ``fit(segments, codebook, codings=None)`` and ``suggest(segments)``
        (default: ``LearnedSuggester()``).
    size, step : int
        Sentences per window and the step between windows (overlapping when ``step < size``).
    lang : str
        Language of the sentence splitter.

    Attributes
    ----------
    base_ : suggester
        The fitted wrapped suggester.
    """

    source = "windowed"

    def __init__(self, base: Any = None, size: int = 3, step: int = 1, lang: str = "en") -> None:
        self.base = base
        self.size = size
        self.step = step
        self.lang = lang

    def get_params(self, deep: bool = False) -> dict[str, Any]:
        return {"base": self.base, "size": self.size, "step": self.step, "lang": self.lang}

    def _windows(self, segments: Sequence[Segment]) -> tuple[list[Segment], list[int]]:
        from ..text.nlp import split_sentences

        segs = list(segments)
        spans = split_sentences([s.text for s in segs], self.lang, trained=False) if segs else []
        out: list[Segment] = []
        owner: list[int] = []
        size, step = max(1, int(self.size)), max(1, int(self.step))
        for i, (seg, sents) in enumerate(zip(segs, spans)):
            if len(sents) <= size:
                out.append(seg)
                owner.append(i)
                continue
            starts = list(range(0, len(sents) - size + 1, step))
            if starts[-1] != len(sents) - size:
                starts.append(len(sents) - size)
            for k in starts:
                a, b = sents[k][0], sents[k + size - 1][1]
                out.append(Segment(seg.transcript_id, seg.start + a, seg.start + b, seg.text[a:b], seg.speaker,
                                   seg.role, "window", len(out), seg.turn, seg.timestamp, seg.context))
                owner.append(i)
        return out, owner

    def fit(self, segments: Sequence[Segment], codebook: Any, codings: Any = None) -> "Windowed":
        """Fit ``base`` on the windows of ``segments``; returns self."""
        from .learned import LearnedSuggester

        windows, _ = self._windows(segments)
        base = self.base if self.base is not None else LearnedSuggester()
        self.base_ = base.fit(windows, codebook, codings=codings)
        self.codebook_ = codebook
        return self

    def suggest(self, segments: Sequence[Segment]) -> Suggestions:
        """One suggestion per (segment, code): the best window's score, reason and evidence."""
        if not hasattr(self, "base_"):
            from ..errors import SuggestError

            raise SuggestError("E401", "Windowed is not fitted", hint="Call fit(segments, codebook) first.")
        segs = list(segments)
        windows, owner = self._windows(segs)
        by_id = {w.segment_id: k for k, w in enumerate(windows)}
        best: dict[tuple[int, str], Suggestion] = {}
        for s in self.base_.suggest(windows):
            k = by_id.get(s.segment_id)
            if k is None:
                continue
            key = (owner[k], s.code)
            if key not in best or s.score > best[key].score:
                best[key] = s
        out = []
        for (i, code), s in sorted(best.items(), key=lambda kv: (kv[0][0], -kv[1].score)):
            w = windows[by_id[s.segment_id]]
            where = "" if w.segment_id == segs[i].segment_id else f"window {w.text[:60]!r}…: "
            out.append(Suggestion(segs[i].segment_id, code, s.score, f"{s.source}/windows", where + s.reason,
                                  s.evidence, s.flags))
        return Suggestions(out, segs, self.codebook_)

    def __repr__(self) -> str:
        return f"Windowed({self.base!r}, size={self.size}, step={self.step})"
