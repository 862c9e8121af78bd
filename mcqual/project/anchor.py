"""Re-anchoring spans when a transcript's text changes (a typo fixed, a name removed, a turn added).

For each span ``[start, end)`` of the old text, in order of preference:

1. **exact / moved** — both ends lie in text the diff kept unchanged and the
   quote reads the same at the mapped offsets (``moved`` when they shifted);
2. **fuzzy** — the quote was edited: the mapped span, or the best
   :func:`rapidfuzz.fuzz.partial_ratio_alignment` match near (then anywhere in)
   the new text, is similar enough (``min_score``, 0–100);
3. **orphaned** — nothing similar is left. The span is kept (clamped to the
   new text) and flagged, never dropped.

The diff (:class:`difflib.SequenceMatcher`) runs over lines, then over the
sentences of changed lines, then over the word/space/punctuation tokens of
changed sentences: fast on long interviews, exact on offsets.

Examples
--------
>>> old = "We trust badges from known issuers. Employers ask for proof."
>>> new = "Honestly, we trust badges from known issuers. Employers ask for proof."
>>> a = Anchorer(old, new)
>>> a.anchor(0, 35).status, new[slice(*a.anchor(36, 60).span)]
('fuzzy', 'Employers ask for proof.')
>>> a.anchor(36, 60).status
'moved'
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from difflib import SequenceMatcher

_TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.UNICODE)

#: statuses, best first
STATUSES = ("exact", "moved", "fuzzy", "orphaned")


@dataclass(frozen=True, slots=True)
class Anchor:
    """Where a span of the old text is in the new text, and how sure that is."""

    start: int
    end: int
    status: str  # exact | moved | fuzzy | orphaned
    score: float = 100.0

    @property
    def span(self) -> tuple[int, int]:
        return (self.start, self.end)


_LEVELS = (re.compile(r"[^\n]*\n|[^\n]+"),          # lines (turns, paragraphs)
           re.compile(r"[^.!?]+[.!?]*\s*|[.!?]+\s*"),  # sentences
           _TOKEN)                                     # words, spaces, punctuation

#: above this many units, SequenceMatcher's autojunk heuristic keeps the diff fast
_AUTOJUNK_ABOVE = 3000


def _units(text: str, level: int) -> tuple[list[str], list[int]]:
    units, starts = [], []
    for m in _LEVELS[level].finditer(text):
        units.append(m.group())
        starts.append(m.start())
    return units, starts


def _diff(old: str, new: str, o_off: int, n_off: int, level: int, out: list[tuple[int, int, int]]) -> None:
    """Equal blocks of ``old`` vs ``new``: lines first, then sentences, then tokens inside changed parts."""
    ou, os_ = _units(old, level)
    nu, ns_ = _units(new, level)
    if not ou or not nu:
        return
    sm = SequenceMatcher(None, ou, nu, autojunk=max(len(ou), len(nu)) > _AUTOJUNK_ABOVE)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        o0 = os_[i1] if i1 < len(ou) else len(old)
        o1 = os_[i2] if i2 < len(ou) else len(old)
        n0 = ns_[j1] if j1 < len(nu) else len(new)
        n1 = ns_[j2] if j2 < len(nu) else len(new)
        if tag == "equal":
            out.append((o_off + o0, o_off + o1, n_off + n0))
        elif tag == "replace" and level + 1 < len(_LEVELS):
            _diff(old[o0:o1], new[n0:n1], o_off + o0, n_off + n0, level + 1, out)


class Anchorer:
    """Maps offsets of ``old`` to ``new`` (build once per transcript, then :meth:`anchor` each span).

    Parameters
    ----------
    old, new : str
        The stored text and the re-imported text.
    min_score : float
        Least rapidfuzz similarity (0–100) for a fuzzy re-anchor.
    """

    def __init__(self, old: str, new: str, *, min_score: float = 80.0) -> None:
        self.old, self.new, self.min_score = old, new, min_score
        blocks: list[tuple[int, int, int]] = []  # equal character blocks: (old_start, old_end, new_start)
        _diff(old, new, 0, 0, 0, blocks)
        blocks.sort()
        self._blocks = blocks
        self._block_starts = [b[0] for b in blocks]

    def map_offset(self, pos: int, *, is_end: bool = False) -> int | None:
        """``pos`` in the new text if it lies in unchanged text (an end may touch a block's end), else None.

        Examples
        --------
        >>> Anchorer("a cat sat", "the cat sat").map_offset(2)
        4
        """
        probe = pos - 1 if is_end and pos > 0 else pos
        i = bisect.bisect_right(self._block_starts, probe) - 1
        if i < 0:
            return None
        o0, o1, n0 = self._blocks[i]
        if o0 <= probe < o1 or (is_end and o0 < pos <= o1):
            return n0 + (pos - o0)
        return None

    def _expected(self, pos: int) -> int:
        """A best guess for ``pos`` in the new text (nearest unchanged block)."""
        i = bisect.bisect_right(self._block_starts, pos) - 1
        if i < 0:
            return min(pos, len(self.new))
        o0, o1, n0 = self._blocks[i]
        return max(0, min(len(self.new), n0 + min(pos, o1) - o0))

    def anchor(self, start: int, end: int) -> Anchor:
        """Re-anchor ``old[start:end]`` in the new text."""
        quote = self.old[start:end]
        new = self.new
        ns = self.map_offset(start)
        ne = self.map_offset(end, is_end=True)
        if ns is not None and ne is not None and ne > ns and new[ns:ne] == quote:
            return Anchor(ns, ne, "exact" if (ns, ne) == (start, end) else "moved")
        if not quote.strip():
            return self._orphan(start, end)
        from rapidfuzz import fuzz

        if ns is not None and ne is not None and ne > ns:
            score = fuzz.ratio(quote, new[ns:ne])
            if score >= self.min_score:
                return Anchor(ns, ne, "fuzzy", float(score))
        # the same quote, moved elsewhere (e.g. the turn was reordered): take the nearest copy
        guess = ns if ns is not None else self._expected(start)
        hits = [m.start() for m in re.finditer(re.escape(quote), new)]
        if hits:
            best = min(hits, key=lambda h: abs(h - guess))
            return Anchor(best, best + len(quote), "moved")
        # fuzzy search: near the expected place first, then the whole text
        pad = max(200, 2 * len(quote))
        lo = max(0, guess - pad)
        windows = [(lo, min(len(new), guess + len(quote) + pad)), (0, len(new))]
        for w0, w1 in windows:
            hay = new[w0:w1]
            if len(hay) < len(quote) // 2 or not hay:
                continue
            res = fuzz.partial_ratio_alignment(quote, hay, score_cutoff=self.min_score)
            if res is None:
                continue
            if len(quote) <= len(hay):
                a, b = res.dest_start + w0, res.dest_end + w0
            else:  # quote longer than the window: rapidfuzz aligned the window inside the quote
                a, b = w0, w1
            a, b = _trim(new, a, b)
            if b > a:
                return Anchor(a, b, "fuzzy", float(res.score))
        return self._orphan(start, end)

    def _orphan(self, start: int, end: int) -> Anchor:
        n = len(self.new)
        a = min(self._expected(start), max(n - 1, 0))
        b = max(a + 1, min(self._expected(end), n)) if n else a + 1
        return Anchor(a, b, "orphaned", 0.0)


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def reanchor(old: str, new: str, spans: list[tuple[int, int]], *, min_score: float = 80.0) -> list[Anchor]:
    """Re-anchor many spans of ``old`` in ``new`` (one diff for all).

    Examples
    --------
    >>> [a.status for a in reanchor("x recieve y", "x receive y", [(0, 1), (2, 9), (10, 11)])]
    ['exact', 'fuzzy', 'exact']
    """
    if old == new:
        return [Anchor(a, b, "exact") for a, b in spans]
    anchorer = Anchorer(old, new, min_score=min_score)
    return [anchorer.anchor(a, b) for a, b in spans]
