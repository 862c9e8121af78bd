"""The suggester contract, the :class:`Suggestions` collection, and codings -> segment labels.

Every suggester follows scikit-learn's habits: ``__init__`` only stores
settings, ``fit(segments, codebook, codings=None)`` returns ``self`` and sets
learned state ending in ``_``, ``suggest(segments)`` returns
:class:`Suggestions`. Internally each suggester computes a score matrix
(segments x codes, in [0, 1]) whose per-code decision threshold is mapped to
0.5, so scores of different suggesters are comparable and combinable.

Examples
--------
>>> from mcqual.model import Suggestion
>>> s = Suggestions([Suggestion("a@0-5", "trust", 0.8, "rules", "matched 'trust'")])
>>> s.filter(min_score=0.9).to_frame().shape[0]
0
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from ..errors import SuggestError
from ..model import Evidence, Segment, Suggestion, make_segment_id, parse_segment_id

# --------------------------------------------------------------------------- scores


@dataclass
class ScoreTable:
    """Raw scores of one suggester: ``scores[i, j]`` for segment ``i`` and code ``codes[j]``, in [0, 1].

    ``explain(i, j)`` returns ``(reason, evidence, flags)`` for one cell.
    """

    codes: list[str]
    scores: np.ndarray
    explain: Callable[[int, int], tuple[str, tuple[Evidence, ...], tuple[str, ...]]]
    source: str = ""


def rescale(raw: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Map raw scores in [0, 1] so each column's threshold lands on 0.5 (piecewise linear, monotone).

    Examples
    --------
    >>> rescale(np.array([[0.2, 0.6]]), np.array([0.4, 0.6])).round(2).tolist()
    [[0.25, 0.5]]
    """
    t = np.clip(np.asarray(thresholds, dtype=float), 1e-6, 1 - 1e-6)
    raw = np.clip(raw, 0.0, 1.0)
    low = 0.5 * raw / t
    high = 0.5 + 0.5 * (raw - t) / (1 - t)
    return np.where(raw < t, low, high)


def best_threshold(scores: np.ndarray, labels: np.ndarray, prior: float, min_pos: int | None = 3,
                   strength: float = 3.0) -> float:
    """The cut maximising F1 on ``(scores, labels)``, shrunk towards ``prior``.

    With ``min_pos`` an int, only codes with fewer positives are shrunk (weight
    ``n_pos / (n_pos + strength)`` on the F1-optimal cut); with ``min_pos=None``
    every code is, so the data move a cut in proportion to how much evidence they hold.

    Examples
    --------
    >>> s, y = np.array([0.9, 0.8, 0.3, 0.2]), np.array([1, 1, 0, 0])
    >>> best_threshold(s, y, 0.2, min_pos=None, strength=0.0), best_threshold(s, y, 0.2, min_pos=None, strength=2.0)
    (0.55, 0.375)
    """
    labels = labels.astype(bool)
    n_pos = int(labels.sum())
    if n_pos == 0 or n_pos == len(labels):
        return prior
    order = np.argsort(-scores, kind="stable")
    s, y = scores[order], labels[order]
    tp = np.cumsum(y)
    k = np.arange(1, len(s) + 1)
    f1 = 2 * tp / (k + n_pos)
    # only cut between distinct scores
    distinct = np.r_[s[1:] < s[:-1], True]
    f1 = np.where(distinct, f1, -1)
    i = int(np.argmax(f1))
    nxt = s[i + 1] if i + 1 < len(s) else s[i] - 1e-3
    cut = float((s[i] + nxt) / 2)
    if min_pos is None or n_pos < min_pos:
        w = n_pos / (n_pos + strength)
        cut = w * cut + (1 - w) * prior
    return float(np.clip(cut, 1e-4, 1 - 1e-4))


class Suggester:
    """Base class: settings in ``__init__``, ``fit`` -> self, ``suggest`` -> :class:`Suggestions`.

    Subclasses implement ``_fit(segments, codebook, codings)`` and
    ``_raw(segments) -> ScoreTable`` (raw scores in [0, 1]) and set
    ``default_threshold``. :meth:`calibrate` learns one threshold per code from
    gold codings; :meth:`scores` returns the rescaled table (threshold -> 0.5).
    """

    source = "suggester"
    threshold: float = 0.5
    top_k: int | None = None

    def fit(self, segments: Sequence[Segment], codebook: Any, codings: Any = None) -> "Suggester":
        self.codebook_ = codebook
        self.codes_ = [c.id for c in codebook.codable()] if hasattr(codebook, "codable") else list(codebook)
        self.thresholds_ = {c: self._raw_threshold() for c in self.codes_}
        self._fit(segments, codebook, codings)
        return self

    def _raw_threshold(self) -> float:
        """The default cut on the raw [0, 1] scale (``threshold`` unless a subclass maps it)."""
        return float(self.threshold)

    def _fit(self, segments, codebook, codings) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def _raw(self, segments: Sequence[Segment]) -> ScoreTable:  # pragma: no cover - abstract
        raise NotImplementedError

    def _check_fitted(self) -> None:
        if not hasattr(self, "codes_"):
            raise SuggestError("E401", f"{type(self).__name__} is not fitted")

    def scores(self, segments: Sequence[Segment]) -> ScoreTable:
        """Scores in [0, 1] with each code's threshold mapped to 0.5."""
        self._check_fitted()
        table = self._raw(segments)
        th = np.array([self.thresholds_.get(c, self._raw_threshold()) for c in table.codes])
        return ScoreTable(table.codes, rescale(table.scores, th) if len(table.codes) else table.scores,
                          table.explain, table.source or self.source)

    def suggest(self, segments: Sequence[Segment]) -> "Suggestions":
        """The suggestions at or above threshold (at most ``top_k`` per segment), best first per segment."""
        table = self.scores(segments)
        return Suggestions.from_table(table, segments, top_k=self.top_k, codebook=getattr(self, "codebook_", None))

    def calibrate(self, segments: Sequence[Segment], gold: Any, shrinkage: float = 15.0) -> "Suggester":
        """Choose each code's threshold from ``gold`` codings on ``segments``.

        The F1-optimal cut of each code is blended with the default threshold, weighted
        ``n / (n + shrinkage)`` for a code with ``n`` gold segments: a code coded 5 times moves a
        quarter of the way, one coded 45 times three quarters. (Taking the F1-optimal cut as it is
        overfits: on the sample study it lowered held-out macro-F1 from 0.34 to 0.29; with
        ``shrinkage=15`` calibration raises it to 0.35.) ``shrinkage=0`` takes the optimal cut.
        """
        self._check_fitted()
        table = self._raw(segments)
        labels = label_matrix(segments, gold, table.codes)
        for j, c in enumerate(table.codes):
            self.thresholds_[c] = best_threshold(table.scores[:, j], labels[:, j], self._raw_threshold(),
                                                 min_pos=None, strength=float(shrinkage))
        return self

    def get_params(self) -> dict[str, Any]:
        import inspect

        sig = inspect.signature(type(self).__init__)
        return {k: getattr(self, k) for k in sig.parameters if k != "self" and hasattr(self, k)}

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items()
                           if not isinstance(v, (list, dict)) or len(repr(v)) < 60)
        return f"{type(self).__name__}({params})"


# --------------------------------------------------------------------------- Suggestions


class Suggestions(Sequence[Suggestion]):
    """Suggestions of one or more suggesters, with the segments they refer to.

    Examples
    --------
    >>> from mcqual.model import Suggestion
    >>> s = Suggestions([Suggestion("a@0-5", "trust", 0.8, "rules", "matched"),
    ...                  Suggestion("a@0-5", "cost", 0.55, "rules", "matched")])
    >>> len(s.filter(code="trust")), list(s.to_frame().columns)[:5]
    (1, ['segment_id', 'code', 'score', 'source', 'reason'])
    """

    def __init__(self, suggestions: Iterable[Suggestion] = (), segments: Sequence[Segment] | None = None,
                 codebook: Any = None) -> None:
        self._items: tuple[Suggestion, ...] = tuple(suggestions)
        self.segments = segments
        self.codebook = codebook

    @classmethod
    def from_table(cls, table: ScoreTable, segments: Sequence[Segment], top_k: int | None = None,
                   threshold: float = 0.5, codebook: Any = None) -> "Suggestions":
        """Suggestions for every cell at or above ``threshold`` (best ``top_k`` per segment)."""
        out: list[Suggestion] = []
        S = table.scores
        if S.size:
            rows, cols = np.nonzero(S >= threshold)
            vals = np.clip(S[rows, cols], 0.0, 1.0)
            order = np.lexsort((-vals, rows))  # by segment, best first within a segment
            codes, source, explain = table.codes, table.source, table.explain
            prev, n_row, seg = -1, 0, None
            for i, j, v in zip(rows[order].tolist(), cols[order].tolist(), vals[order].tolist()):
                if i != prev:
                    prev, n_row, seg = i, 0, segments[i]
                n_row += 1
                if top_k and n_row > top_k:
                    continue
                reason, ev, flags = explain(i, j)
                out.append(Suggestion(seg.segment_id, codes[j], v, source, reason, tuple(ev), tuple(flags)))
        return cls(out, segments, codebook)

    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Suggestion]:
        return iter(self._items)

    def __getitem__(self, key):  # type: ignore[override]
        if isinstance(key, slice):
            return Suggestions(self._items[key], self.segments, self.codebook)
        return self._items[key]

    @property
    def codes(self) -> list[str]:
        return list(dict.fromkeys(s.code for s in self._items))

    def filter(self, code: str | Iterable[str] | None = None, min_score: float | None = None, *,
               source: str | None = None, segment_ids: Iterable[str] | None = None,
               flag: str | None = None) -> "Suggestions":
        """The suggestions of a code (or codes), at least ``min_score``, from a source, for some segments."""
        codes = {code} if isinstance(code, str) else set(code) if code is not None else None
        ids = set(segment_ids) if segment_ids is not None else None
        out = [s for s in self._items
               if (codes is None or s.code in codes) and (min_score is None or s.score >= min_score)
               and (source is None or s.source == source or source in s.source.split("+"))
               and (ids is None or s.segment_id in ids) and (flag is None or flag in s.flags)]
        return Suggestions(out, self.segments, self.codebook)

    def top(self, k: int = 1) -> "Suggestions":
        """The ``k`` best suggestions per segment."""
        by: dict[str, list[Suggestion]] = {}
        for s in self._items:
            by.setdefault(s.segment_id, []).append(s)
        out = [s for v in by.values() for s in sorted(v, key=lambda x: -x.score)[:k]]
        return Suggestions(out, self.segments, self.codebook)

    def to_frame(self):
        """One row per suggestion: segment_id, code, score, source, reason, transcript_id, start, end, flags, text."""
        import pandas as pd

        text = {}
        if self.segments is not None:
            text = {s.segment_id: s.text for s in self.segments}
        rows = {"segment_id": [s.segment_id for s in self._items], "code": [s.code for s in self._items],
                "score": [round(s.score, 4) for s in self._items], "source": [s.source for s in self._items],
                "reason": [s.reason for s in self._items]}
        parsed = [parse_segment_id(s.segment_id) for s in self._items]
        rows["transcript_id"] = [p[0] for p in parsed]
        rows["start"] = [p[1] for p in parsed]
        rows["end"] = [p[2] for p in parsed]
        rows["flags"] = [";".join(s.flags) for s in self._items]
        rows["text"] = [text.get(s.segment_id, "") for s in self._items]
        df = pd.DataFrame(rows)
        df["score"] = df["score"].astype("float64")
        for c in ("start", "end"):
            df[c] = df[c].astype("int64")
        return df

    def __repr__(self) -> str:
        n_seg = len({s.segment_id for s in self._items})
        return f"Suggestions({len(self)} suggestions, {n_seg} segments, {len(self.codes)} codes)"

    def _repr_html_(self) -> str:
        from html import escape

        from .._html import badge, color_for, highlight, table

        segs = {s.segment_id: s for s in self.segments} if self.segments is not None else {}
        rows = []
        for sug in sorted(self._items, key=lambda s: -s.score):
            color = self.codebook.color(sug.code) if self.codebook is not None and sug.code in self.codebook \
                else color_for(sug.code)
            seg = segs.get(sug.segment_id)
            if seg is not None:
                quote = highlight(seg.text, [(e.start, e.end, color, e.label or sug.code) for e in sug.evidence],
                                  seg.start)
            else:
                quote = "<i>(segment text not available)</i>"
            flags = "".join(f" <span style='color:#b00'>[{escape(f)}]</span>" for f in sug.flags)
            label = self.codebook[sug.code].label if self.codebook is not None and sug.code in self.codebook \
                else sug.code
            rows.append([badge(label, color), f"{sug.score:.2f}", escape(sug.source), quote,
                         escape(sug.reason) + flags])
        return table(["code", "score", "source", "quote", "reason"], rows, caption=repr(self), raw=True)


# --------------------------------------------------------------------------- codings -> labels


@dataclass(frozen=True)
class LabelSet:
    """Per-segment positive codes, explicit negatives (rejections) and which segments were reviewed."""

    positives: dict[str, set[str]] = field(default_factory=dict)
    negatives: dict[str, set[str]] = field(default_factory=dict)
    reviewed: set[str] = field(default_factory=set)


_REJECT = {"rejected", "reject", "no", "false", "0", "negative"}


def _records(codings: Any) -> list[dict[str, Any]]:
    if codings is None:
        return []
    if hasattr(codings, "to_dict") and hasattr(codings, "columns"):
        return codings.to_dict("records")
    if hasattr(codings, "to_frame") and not isinstance(codings, (list, tuple)):
        return codings.to_frame().to_dict("records")
    out = []
    for c in codings:
        if isinstance(c, dict):
            out.append(c)
        elif hasattr(c, "__dataclass_fields__") or hasattr(c, "__slots__"):
            out.append({k: getattr(c, k) for k in ("segment_id", "transcript_id", "start", "end", "code",
                                                   "coder", "status") if hasattr(c, k)})
        else:
            raise SuggestError("E402", f"cannot read a coding from {type(c).__name__}")
    return out


def overlaps_enough(a0: int, a1: int, b0: int, b1: int) -> bool:
    """True when ``[a0, a1)`` and ``[b0, b1)`` overlap by at least half of the shorter one.

    Examples
    --------
    >>> overlaps_enough(0, 10, 5, 100), overlaps_enough(0, 10, 6, 100)
    (True, False)
    """
    ov = min(a1, b1) - max(a0, b0)
    return ov > 0 and 2 * ov >= min(a1 - a0, b1 - b0)


def coerce_labels(segments: Sequence[Segment], codings: Any, *, coder: str | None = None) -> LabelSet:
    """Turn codings (``segment_id, code`` or ``transcript_id, start, end, code``) into segment labels.

    A character-span coding labels every segment it overlaps by at least half of
    the shorter of the two. A ``decision``/``status`` column equal to
    ``rejected`` makes the row a negative. ``coder`` keeps only that coder's rows.

    Examples
    --------
    >>> from mcqual.model import Segment
    >>> segs = [Segment("a", 0, 10, "x" * 10), Segment("a", 12, 30, "y" * 18)]
    >>> coerce_labels(segs, [{"transcript_id": "a", "start": 2, "end": 9, "code": "c"}]).positives
    {'a@0-10': {'c'}}
    """
    recs = _records(codings)
    by_tid: dict[str, list[tuple[int, int, str]]] = {}
    for s in segments:
        by_tid.setdefault(s.transcript_id, []).append((s.start, s.end, s.segment_id))
    for v in by_tid.values():
        v.sort()
    starts = {k: [x[0] for x in v] for k, v in by_tid.items()}
    maxlen = {k: max(x[1] - x[0] for x in v) for k, v in by_tid.items()}
    known = {s.segment_id for s in segments}
    pos: dict[str, set[str]] = {}
    neg: dict[str, set[str]] = {}
    reviewed: set[str] = set()
    import bisect

    for r in recs:
        if coder is not None and r.get("coder") not in (None, coder):
            continue
        code = r.get("code")
        if code is None or code != code:
            raise SuggestError("E402", "a coding has no 'code'")
        code = str(code)
        decision = str(r.get("decision", r.get("status", "")) or "").lower()
        target = neg if decision in _REJECT else pos
        sid = r.get("segment_id")
        hits: list[str] = []
        if sid is not None and sid == sid:
            tid, a, b = parse_segment_id(str(sid))
            if make_segment_id(tid, a, b) in known:
                hits = [make_segment_id(tid, a, b)]
        else:
            if r.get("transcript_id") is None or r.get("start") is None or r.get("end") is None:
                raise SuggestError("E402", f"coding {r!r} has neither segment_id nor transcript_id/start/end")
            tid, a, b = str(r["transcript_id"]), int(r["start"]), int(r["end"])
        if not hits:  # a character span (or a segment of another unit): map it by overlap
            lst = by_tid.get(tid, [])
            i = bisect.bisect_left(starts.get(tid, []), b) - 1
            while i >= 0 and lst[i][0] + maxlen.get(tid, 0) > a:
                s0, s1, s_id = lst[i]
                if overlaps_enough(a, b, s0, s1):
                    hits.append(s_id)
                i -= 1
        for h in hits:
            target.setdefault(h, set()).add(code)
            reviewed.add(h)
    return LabelSet(pos, neg, reviewed)


def label_matrix(segments: Sequence[Segment], gold: Any, codes: Sequence[str], *,
                 coder: str | None = None) -> np.ndarray:
    """Boolean matrix segments x codes: does a gold coding of the code cover the segment?"""
    labels = gold if isinstance(gold, LabelSet) else coerce_labels(segments, gold, coder=coder)
    col = {c: j for j, c in enumerate(codes)}
    Y = np.zeros((len(segments), len(codes)), dtype=bool)
    for i, s in enumerate(segments):
        for c in labels.positives.get(s.segment_id, ()):
            if c in col:
                Y[i, col[c]] = True
    return Y
