"""The core data model: frozen dataclasses over one plain-text string per transcript.

Offsets everywhere are half-open ``[start, end)`` indices into
``Transcript.text`` in Python ``str`` units (Unicode code points, the unit
REFI-QDA's PlainTextSelection uses). A :class:`Turn` is a view: its ``text`` is
always ``transcript.text[turn.start:turn.end]``, checked on construction.

Examples
--------
>>> from mcqual.model import Transcript, Turn
>>> text = "Interviewer: Do employers trust it?\\nR1: Mostly, yes."
>>> t = Transcript.from_turns("int-01", [("Interviewer", "Do employers trust it?", 0.0, "interviewer"),
...                                       ("R1", "Mostly, yes.", 4.0, "respondent")])
>>> t.turns[1].text == t.text[t.turns[1].start:t.turns[1].end]
True
"""
from __future__ import annotations

import hashlib
import math
from array import array
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any, Iterable, Iterator, Mapping, Sequence

ROLES = ("interviewer", "respondent", "other")

#: separator between turns in ``Transcript.text`` (paragraph breaks inside a turn are "\n")
TURN_SEPARATOR = "\n\n"


def _frozen_map(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


def format_timestamp(seconds: float | None) -> str:
    """``3723.0 -> '01:02:03'``; ``None -> ''``.

    Examples
    --------
    >>> format_timestamp(872.0)
    '00:14:32'
    """
    if seconds is None:
        return ""
    s = int(round(seconds))
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


@dataclass(frozen=True, slots=True)
class Paragraph:
    """One source paragraph of the original file, and where its text landed.

    ``start``/``end`` are offsets into ``Transcript.text`` of the text this
    paragraph contributed to a turn (``start == end == -1`` when the paragraph
    went to metadata, e.g. a label-only line or a preamble). ``part`` is the
    package part (``word/document.xml``) or ``"text"``; ``index`` counts
    paragraphs in document order (table cells included), so a coded quote can be
    found again in the original file.
    """

    index: int
    start: int
    end: int
    part: str = "word/document.xml"
    kind: str = "body"  # body | table | label | preamble | header | footer
    source_text: str = ""


@dataclass(frozen=True, slots=True)
class Turn:
    """One speaker turn: a view on ``Transcript.text[start:end]``."""

    index: int
    speaker: str | None
    start: int
    end: int
    text: str
    timestamp: float | None = None
    role: str | None = None
    paragraphs: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        if not (0 <= self.start <= self.end):
            raise ValueError(f"Turn {self.index}: invalid span [{self.start}, {self.end})")
        if self.end - self.start != len(self.text):
            raise ValueError(f"Turn {self.index}: text length does not match span")
        if self.role is not None and self.role not in ROLES:
            raise ValueError(f"Turn {self.index}: role must be one of {ROLES} or None, not {self.role!r}")

    @property
    def time(self) -> str:
        """The timestamp as ``HH:MM:SS`` ('' when unknown)."""
        return format_timestamp(self.timestamp)

    def __repr__(self) -> str:
        snippet = self.text[:40].replace("\n", " ")
        more = "…" if len(self.text) > 40 else ""
        return f"Turn({self.index}, {self.speaker!r}, [{self.start}:{self.end}], {snippet!r}{more})"


class _Compact(Sequence):
    """An immutable sequence stored as arrays; items are made on access (see :class:`TurnList`)."""

    __slots__ = ()

    def __len__(self) -> int:  # pragma: no cover - overridden
        raise NotImplementedError

    def _item(self, i: int) -> Any:  # pragma: no cover - overridden
        raise NotImplementedError

    def __getitem__(self, key):  # type: ignore[override]
        n = len(self)
        if isinstance(key, slice):
            return tuple(self._item(i) for i in range(*key.indices(n)))
        i = key.__index__()
        if i < 0:
            i += n
        if not 0 <= i < n:
            raise IndexError("index out of range")
        return self._item(i)

    def __iter__(self) -> Iterator[Any]:
        for i in range(len(self)):
            yield self._item(i)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (str, bytes)) or not isinstance(other, Sequence):
            return NotImplemented
        return len(self) == len(other) and all(a == b for a, b in zip(self, other))

    __hash__ = None  # type: ignore[assignment]

    def __add__(self, other: Iterable[Any]) -> tuple:
        return tuple(self) + tuple(other)

    def __radd__(self, other: Iterable[Any]) -> tuple:
        return tuple(other) + tuple(self)

    def __repr__(self) -> str:
        if len(self) <= 6:
            return repr(tuple(self))
        return f"{type(self).__name__}({len(self)} items: {self._item(0)!r}, …)"


def _table_index(table: list, index: dict, value: Any) -> int:
    k = index.get(value)
    if k is None:
        k = index[value] = len(table)
        table.append(value)
    return k


class TurnList(_Compact):
    """The turns of a transcript, stored compactly: offsets, times and table indices in arrays.

    About 45 bytes a turn instead of some 250 for a :class:`Turn` object with its text copy, so a
    file of a million one-line turns fits in a small multiple of its size. Indexing, iteration and
    slicing give ordinary :class:`Turn` objects (made on access; a slice is a tuple); a TurnList
    compares equal to a tuple of the same turns.

    Examples
    --------
    >>> text = "Why?\\n\\nBecause."
    >>> turns = TurnList.from_turns(text, [Turn(0, "I", 0, 4, "Why?"), Turn(1, "R", 6, 14, "Because.", 3.0)])
    >>> turns[1].text, turns[1].timestamp, turns[-1].speaker, len(turns)
    ('Because.', 3.0, 'R', 2)
    >>> turns == (Turn(0, "I", 0, 4, "Why?"), Turn(1, "R", 6, 14, "Because.", 3.0))
    True
    """

    __slots__ = ("_text", "_start", "_end", "_spk", "_time", "_role", "_pstart", "_pflat", "_speakers")

    def __init__(self, text: str) -> None:
        self._text = text
        self._start = array("q")
        self._end = array("q")
        self._spk = array("i")
        self._time = array("d")
        self._role = array("b")
        self._pstart = array("q", [0])
        self._pflat = array("q")
        self._speakers: list[str | None] = []

    def append(self, speaker: str | None, start: int, end: int, timestamp: float | None, role: str | None,
               paragraphs: Iterable[int], _index: dict | None = None) -> None:
        """Add one turn (used while a transcript is built; a finished transcript never changes)."""
        idx = _index if _index is not None else {s: k for k, s in enumerate(self._speakers)}
        self._start.append(start)
        self._end.append(end)
        self._spk.append(_table_index(self._speakers, idx, speaker))
        self._time.append(math.nan if timestamp is None else float(timestamp))
        self._role.append(-1 if role is None else ROLES.index(role))
        self._pflat.extend(paragraphs)
        self._pstart.append(len(self._pflat))

    @classmethod
    def from_turns(cls, text: str, turns: Iterable["Turn"]) -> "TurnList":
        out = cls(text)
        idx: dict = {}
        for t in turns:
            out.append(t.speaker, t.start, t.end, t.timestamp, t.role, t.paragraphs, idx)
        return out

    def __len__(self) -> int:
        return len(self._start)

    def _item(self, i: int) -> "Turn":
        a, b = self._start[i], self._end[i]
        ts = self._time[i]
        r = self._role[i]
        return Turn(i, self._speakers[self._spk[i]], a, b, self._text[a:b], None if ts != ts else ts,
                    None if r < 0 else ROLES[r], tuple(self._pflat[self._pstart[i]:self._pstart[i + 1]]))

    @property
    def starts(self) -> array:
        """Start offsets of all turns (for binary search)."""
        return self._start

    def __reduce__(self):
        return (_turnlist_from_state, (self._text, self._start, self._end, self._spk, self._time, self._role,
                                       self._pstart, self._pflat, self._speakers))


def _turnlist_from_state(text, start, end, spk, time, role, pstart, pflat, speakers) -> TurnList:
    out = TurnList(text)
    out._start, out._end, out._spk, out._time, out._role = start, end, spk, time, role
    out._pstart, out._pflat, out._speakers = pstart, pflat, speakers
    return out


_PARA_KINDS = ("body", "table", "label", "preamble", "header", "footer", "heading", "separator")


class ParagraphList(_Compact):
    """Source paragraphs stored compactly (offsets in arrays, source texts in one string).

    Examples
    --------
    >>> ps = ParagraphList.from_paragraphs([Paragraph(0, 0, 4, "text", "body", "Why?"),
    ...                                     Paragraph(1, -1, -1, "text", "label", "R:")])
    >>> ps[1].kind, ps[1].source_text, ps[0] == Paragraph(0, 0, 4, "text", "body", "Why?")
    ('label', 'R:', True)
    """

    __slots__ = ("_index", "_start", "_end", "_part", "_kind", "_src", "_soff", "_parts", "_kinds")

    def __init__(self) -> None:
        self._index = array("q")
        self._start = array("q")
        self._end = array("q")
        self._part = array("i")
        self._kind = array("i")
        self._soff = array("q", [0])
        self._src: str = ""
        self._parts: list[str] = []
        self._kinds: list[str] = list(_PARA_KINDS)

    @classmethod
    def from_paragraphs(cls, paragraphs: Iterable["Paragraph"]) -> "ParagraphList":
        out = cls()
        pidx: dict = {}
        kidx = {k: i for i, k in enumerate(out._kinds)}
        chunks: list[str] = []
        pos = 0
        for p in paragraphs:
            out._index.append(p.index)
            out._start.append(p.start)
            out._end.append(p.end)
            out._part.append(_table_index(out._parts, pidx, p.part))
            out._kind.append(_table_index(out._kinds, kidx, p.kind))
            chunks.append(p.source_text)
            pos += len(p.source_text)
            out._soff.append(pos)
        out._src = "".join(chunks)
        return out

    def __len__(self) -> int:
        return len(self._index)

    def _item(self, i: int) -> "Paragraph":
        return Paragraph(self._index[i], self._start[i], self._end[i], self._parts[self._part[i]],
                         self._kinds[self._kind[i]], self._src[self._soff[i]:self._soff[i + 1]])

    def __reduce__(self):
        return (_paragraphs_from_paragraphs, (tuple(self),))


def _paragraphs_from_paragraphs(items) -> ParagraphList:
    return ParagraphList.from_paragraphs(items)


@dataclass(frozen=True, slots=True)
class Comment:
    """A Word comment anchored on ``Transcript.text[start:end]`` (``-1`` if its anchor is outside turns)."""

    id: str
    author: str | None
    date: str | None
    text: str
    start: int
    end: int
    quote: str = ""


@dataclass(frozen=True, eq=False)
class Transcript:
    """One interview (or one survey respondent's answers) as plain text with turns.

    Parameters
    ----------
    id : str
        Case/transcript id (the file stem by default).
    text : str
        The plain text; the single truth all offsets point into.
    turns : sequence of Turn
        Ordered, non-overlapping views on ``text``; kept as a compact :class:`TurnList`
        (indexing and iteration give :class:`Turn` objects).
    metadata : mapping
        Title, date, interviewer, respondent, language, header/footer text, core
        properties, preamble lines, anything the reader found outside the turns.
    language : str, optional
        ISO 639-1 code (``"en"``) when known.
    source : str, optional
        The file it was read from.
    paragraphs : sequence of Paragraph
        Map back to the source file's paragraphs (a compact :class:`ParagraphList`).
    comments : tuple of Comment
        Word comments with their anchored spans.
    attributes : mapping
        Case attributes (respondent group, country, ...) joined from a sheet.
    warnings : tuple of str
        Things the reader noticed but could handle (empty file, unknown label...).
    """

    id: str
    text: str
    turns: Sequence[Turn] = ()
    metadata: Mapping[str, Any] = field(default_factory=dict)
    language: str | None = None
    source: str | None = None
    paragraphs: Sequence[Paragraph] = ()
    comments: tuple[Comment, ...] = ()
    attributes: Mapping[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        turns = self.turns
        if isinstance(turns, TurnList) and turns._text is self.text:
            prev_end = 0  # built from this text: its views hold by construction; check the order only
            n = len(self.text)
            for a, b in zip(turns._start, turns._end):
                if a < prev_end or b > n or a > b:
                    raise ValueError(f"{self.id}: turn [{a}, {b}) overlaps or is out of range")
                prev_end = b
        else:
            turns = tuple(turns)
            prev_end = 0
            for i, turn in enumerate(turns):
                if turn.index != i:
                    raise ValueError(f"{self.id}: turn {i} has index {turn.index}")
                if turn.start < prev_end or turn.end > len(self.text):
                    raise ValueError(f"{self.id}: turn {i} [{turn.start}, {turn.end}) overlaps or is out of range")
                if self.text[turn.start:turn.end] != turn.text:
                    raise ValueError(f"{self.id}: turn {i} text differs from transcript.text[start:end]")
                prev_end = turn.end
            turns = TurnList.from_turns(self.text, turns)
        object.__setattr__(self, "turns", turns)
        paras = self.paragraphs
        object.__setattr__(self, "paragraphs", paras if isinstance(paras, ParagraphList)
                           else ParagraphList.from_paragraphs(paras))
        object.__setattr__(self, "comments", tuple(self.comments))
        object.__setattr__(self, "warnings", tuple(self.warnings))
        object.__setattr__(self, "metadata", _frozen_map(self.metadata))
        object.__setattr__(self, "attributes", _frozen_map(self.attributes))

    # -- construction --------------------------------------------------------
    @classmethod
    def from_turns(
        cls,
        id: str,
        turns: Iterable[tuple[str | None, str] | tuple[str | None, str, float | None] | tuple[str | None, str, float | None, str | None]],
        **kwargs: Any,
    ) -> "Transcript":
        """Build a transcript from ``(speaker, text[, timestamp[, role]])`` tuples.

        Turns are joined with a blank line; offsets are computed.

        Examples
        --------
        >>> t = Transcript.from_turns("x", [("I", "Why?"), ("R", "Because.")])
        >>> t.text
        'Why?\\n\\nBecause.'
        """
        parts: list[str] = []
        out: list[Turn] = []
        pos = 0
        for i, item in enumerate(turns):
            speaker, text = item[0], item[1]
            ts = item[2] if len(item) > 2 else None
            role = item[3] if len(item) > 3 else None
            if parts:
                parts.append(TURN_SEPARATOR)
                pos += len(TURN_SEPARATOR)
            out.append(Turn(i, speaker, pos, pos + len(text), text, ts, role))
            parts.append(text)
            pos += len(text)
        return cls(id=id, text="".join(parts), turns=tuple(out), **kwargs)

    def with_attributes(self, attributes: Mapping[str, Any]) -> "Transcript":
        """A copy with case attributes replaced."""
        return replace(self, attributes=attributes)

    # -- derived -------------------------------------------------------------
    @property
    def content_hash(self) -> str:
        """SHA-256 of ``text`` (what a project uses to notice an edited transcript)."""
        return hashlib.sha256(self.text.encode("utf-8")).hexdigest()

    @property
    def speakers(self) -> list[str]:
        """Distinct speakers in order of first appearance."""
        seen: dict[str, None] = {}
        for t in self.turns:
            if t.speaker is not None:
                seen.setdefault(t.speaker, None)
        return list(seen)

    @property
    def n_words(self) -> int:
        return sum(len(t.text.split()) for t in self.turns)

    def turn_at(self, offset: int) -> Turn | None:
        """The turn containing character ``offset`` (binary search), or None."""
        import bisect

        starts = self.turns.starts if isinstance(self.turns, TurnList) else [t.start for t in self.turns]
        i = bisect.bisect_right(starts, offset) - 1
        if i >= 0 and self.turns[i].start <= offset < self.turns[i].end:
            return self.turns[i]
        return None

    def source_paragraphs(self, start: int, end: int) -> list[Paragraph]:
        """The source paragraphs a span ``[start, end)`` came from."""
        return [p for p in self.paragraphs if p.start >= 0 and p.start < end and p.end > start]

    def to_frame(self):
        """One row per turn: transcript_id, index, speaker, role, timestamp, start, end, text."""
        import pandas as pd

        return pd.DataFrame(
            {
                "transcript_id": [self.id] * len(self.turns),
                "turn": [t.index for t in self.turns],
                "speaker": [t.speaker for t in self.turns],
                "role": [t.role for t in self.turns],
                "timestamp": [t.timestamp for t in self.turns],
                "start": [t.start for t in self.turns],
                "end": [t.end for t in self.turns],
                "words": [len(t.text.split()) for t in self.turns],
                "text": [t.text for t in self.turns],
            }
        )

    def __repr__(self) -> str:
        return (f"Transcript({self.id!r}, turns={len(self.turns)}, speakers={len(self.speakers)}, "
                f"words={self.n_words})")

    def __len__(self) -> int:
        return len(self.turns)

    def _repr_html_(self) -> str:
        from . import _html

        return _html.transcript_html(self)


@dataclass(frozen=True, slots=True)
class Segment:
    """A unit to code: a view on ``[start, end)`` of one transcript's text.

    ``segment_id`` is stable across runs: ``"<transcript_id>@<start>-<end>"``.
    ``context`` holds e.g. the survey question an answer replies to.
    """

    transcript_id: str
    start: int
    end: int
    text: str
    speaker: str | None = None
    role: str | None = None
    unit: str = "turn"
    index: int = 0
    turn: int | None = None
    timestamp: float | None = None
    context: str | None = None

    @property
    def segment_id(self) -> str:
        return make_segment_id(self.transcript_id, self.start, self.end)

    def __repr__(self) -> str:
        snippet = self.text[:40].replace("\n", " ")
        return f"Segment({self.segment_id!r}, {snippet!r}{'…' if len(self.text) > 40 else ''})"


def make_segment_id(transcript_id: str, start: int, end: int) -> str:
    """The stable id of a segment.

    Examples
    --------
    >>> make_segment_id("int-01", 10, 42)
    'int-01@10-42'
    """
    return f"{transcript_id}@{start}-{end}"


def parse_segment_id(segment_id: str) -> tuple[str, int, int]:
    """Inverse of :func:`make_segment_id`.

    Examples
    --------
    >>> parse_segment_id("int-01@10-42")
    ('int-01', 10, 42)
    """
    tid, _, span = segment_id.rpartition("@")
    a, _, b = span.partition("-")
    return tid, int(a), int(b)


@dataclass(frozen=True, slots=True)
class Evidence:
    """A highlight inside a segment: offsets relative to the transcript text."""

    start: int
    end: int
    label: str = ""


@dataclass(frozen=True, slots=True)
class Suggestion:
    """One proposed code for one segment, with its score in [0, 1] and why."""

    segment_id: str
    code: str
    score: float
    source: str
    reason: str
    evidence: tuple[Evidence, ...] = ()
    flags: tuple[str, ...] = ()  # e.g. ("negated",)

    def __post_init__(self) -> None:
        if not (0.0 <= self.score <= 1.0):
            raise ValueError(f"score must be in [0, 1], got {self.score}")

    @property
    def transcript_id(self) -> str:
        return parse_segment_id(self.segment_id)[0]

    @property
    def start(self) -> int:
        return parse_segment_id(self.segment_id)[1]

    @property
    def end(self) -> int:
        return parse_segment_id(self.segment_id)[2]


@dataclass(frozen=True, slots=True)
class Coding:
    """A coding (Taguette's shape): document, span, code, coder, and its state."""

    transcript_id: str
    start: int
    end: int
    code: str
    coder: str
    snippet: str = ""
    status: str = "active"  # active | orphaned | fuzzy
    id: str | None = None

    def __post_init__(self) -> None:
        if not (0 <= self.start < self.end):
            raise ValueError(f"invalid coding span [{self.start}, {self.end})")


def turns_from_spans(text: str, spans: Sequence[tuple[int, int, str | None, float | None, str | None]]) -> tuple[Turn, ...]:
    """Build turns from ``(start, end, speaker, timestamp, role)`` spans into ``text``."""
    return tuple(Turn(i, sp, a, b, text[a:b], ts, role) for i, (a, b, sp, ts, role) in enumerate(spans))
