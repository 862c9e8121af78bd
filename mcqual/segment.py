"""Cut a corpus into units to code: turns, sentences, paragraphs, sentence windows, survey answers.

Every segment is a view on ``Transcript.text[start:end]`` (half-open, code
points) with a stable id ``"<transcript_id>@<start>-<end>"``. Sentences,
paragraphs and windows never cross a turn.

Examples
--------
>>> import mcqual as mq
>>> t = mq.Transcript.from_turns("int-01", [
...     ("Interviewer", "Do employers trust badges?", None, "interviewer"),
...     ("R1", "Some do. Only if the issuer is known.", None, "respondent"),
...     ("Interviewer", "Mm-hm.", None, "interviewer")])
>>> segs = mq.segments([t])
>>> [s.text for s in segs]
['Some do. Only if the issuer is known.']
>>> [s.text for s in mq.segments([t], unit="sentence")]
['Some do.', 'Only if the issuer is known.']
>>> segs[0].segment_id
'int-01@28-65'
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Iterator, Sequence

from .errors import SuggestError
from .model import Segment, Transcript, make_segment_id

UNITS = ("turn", "sentence", "paragraph", "window", "answer")

#: words that make up back-channel turns ("Mm-hm.", "Okay, yeah.", "Right, I see.")
BACKCHANNEL = frozenset("""
mm mmm mhm mm-hm mm-hmm mmhm hm hmm hmm-mm uh-huh uh huh um uhm er erm ah oh ok okay yeah yes yep yup
right sure i see great good fine nice cool alright exactly absolutely indeed true thanks thank you
ja jo oui si sì nee nein non no
""".split())

_WORD = re.compile(r"[\w'-]+", re.UNICODE)
_INTERVIEWER_NAMES = frozenset({"interviewer", "i", "q", "int", "moderator", "facilitator", "researcher"})


def is_backchannel(text: str, max_words: int = 4) -> bool:
    """True for a very short turn made only of back-channel words ("Mm-hm.", "Okay, yes.").

    Examples
    --------
    >>> is_backchannel("Mm-hm."), is_backchannel("Yes, I see."), is_backchannel("Yes, employers do.")
    (True, True, False)
    """
    n = 0
    for m in _WORD.finditer(text):  # stops at the first word that rules it out: long turns cost nothing
        n += 1
        if n > max_words or m.group().lower().strip("'-") not in BACKCHANNEL:
            return False
    return True


def is_interviewer(role: str | None, speaker: str | None) -> bool:
    """The turn's role is ``interviewer`` (or, with no role, the speaker is labelled like one)."""
    if role is not None:
        return role == "interviewer"
    return speaker is not None and speaker.strip().lower().rstrip(":") in _INTERVIEWER_NAMES


class Segments(Sequence[Segment]):
    """An ordered, immutable list of :class:`~mcqual.model.Segment` with lookup by id.

    Examples
    --------
    >>> import mcqual as mq
    >>> t = mq.Transcript.from_turns("a", [("R", "Badges help."), ("R", "Employers check them.")])
    >>> segs = mq.segments([t], skip_interviewer=False)
    >>> segs.filter(segment_ids=["a@0-12"]).texts
    ['Badges help.']
    >>> list(segs.to_frame().columns)
    ['segment_id', 'transcript_id', 'start', 'end', 'speaker', 'role', 'text', 'unit', 'index', 'turn', 'context']
    """

    def __init__(self, segments: Iterable[Segment] = (), unit: str = "turn") -> None:
        self._items: tuple[Segment, ...] = tuple(segments)
        self.unit = unit
        self._index: dict[str, int] | None = None

    # -- sequence ------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Segment]:
        return iter(self._items)

    def __getitem__(self, key):  # type: ignore[override]
        if isinstance(key, str):
            i = self.index_of(key)
            if i is None:
                raise KeyError(f"no segment {key!r}")
            return self._items[i]
        if isinstance(key, slice):
            return Segments(self._items[key], self.unit)
        return self._items[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            return self.index_of(key) is not None
        return key in self._items

    def index_of(self, segment_id: str) -> int | None:
        """Position of ``segment_id`` in this list (None when absent)."""
        if self._index is None:
            self._index = {s.segment_id: i for i, s in enumerate(self._items)}
        return self._index.get(segment_id)

    @property
    def ids(self) -> list[str]:
        return [s.segment_id for s in self._items]

    @property
    def texts(self) -> list[str]:
        return [s.text for s in self._items]

    @property
    def transcript_ids(self) -> list[str]:
        """Distinct transcript ids, in order."""
        return list(dict.fromkeys(s.transcript_id for s in self._items))

    def filter(self, segment_ids: Iterable[str] | None = None, transcript_ids: Iterable[str] | None = None, *,
               speakers: Iterable[str] | None = None, roles: Iterable[str] | None = None,
               min_words: int = 0) -> "Segments":
        """The segments with these ids / in these transcripts / by these speakers or roles."""
        ids = set(segment_ids) if segment_ids is not None else None
        tids = set(transcript_ids) if transcript_ids is not None else None
        sp = set(speakers) if speakers is not None else None
        rl = set(roles) if roles is not None else None
        out = [s for s in self._items
               if (ids is None or s.segment_id in ids) and (tids is None or s.transcript_id in tids)
               and (sp is None or s.speaker in sp) and (rl is None or s.role in rl)
               and (not min_words or len(s.text.split()) >= min_words)]
        return Segments(out, self.unit)

    def to_frame(self):
        """One row per segment: segment_id, transcript_id, start, end, speaker, role, text, unit, index, turn, context."""
        import pandas as pd

        cols = {"segment_id": self.ids,
                "transcript_id": [s.transcript_id for s in self._items],
                "start": [s.start for s in self._items], "end": [s.end for s in self._items],
                "speaker": [s.speaker for s in self._items], "role": [s.role for s in self._items],
                "text": self.texts, "unit": [s.unit for s in self._items],
                "index": [s.index for s in self._items], "turn": [s.turn for s in self._items],
                "context": [s.context for s in self._items]}
        df = pd.DataFrame(cols)
        for c in ("start", "end", "index"):
            df[c] = df[c].astype("int64")
        return df

    def __add__(self, other: "Segments") -> "Segments":
        return Segments(list(self) + list(other), self.unit if self.unit == other.unit else "mixed")

    def __repr__(self) -> str:
        return f"Segments({len(self)} {self.unit} segments from {len(self.transcript_ids)} transcripts)"

    def _repr_html_(self) -> str:
        from html import escape

        from ._html import badge, color_for, table

        rows = [[escape(s.segment_id), badge(s.speaker or "—", color_for(s.speaker)),
                 escape(s.text[:300] + ("…" if len(s.text) > 300 else ""))] for s in self._items]
        return table(["segment", "speaker", "text"], rows, caption=repr(self), raw=True)


def _trim(text: str, a: int, b: int) -> tuple[int, int]:
    while a < b and text[a].isspace():
        a += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b


def _question_for(t: Transcript, turn) -> str | None:
    """The survey question an answer replies to, when the transcript metadata has it."""
    md = t.metadata
    qs = md.get("questions")
    if isinstance(qs, dict) or hasattr(qs, "get") and not isinstance(qs, (list, tuple, str)):
        for key in (turn.index, str(turn.index), turn.speaker):
            if key is not None and qs.get(key) is not None:
                return str(qs.get(key))
    elif isinstance(qs, (list, tuple)) and turn.index < len(qs) and qs[turn.index] is not None:
        return str(qs[turn.index])
    q = md.get("question")
    return str(q) if q else None


def _prompts(t: Transcript) -> dict[int, str]:
    """For each turn index, the interviewer's last real question or remark before it (back-channels skipped)."""
    out: dict[int, str] = {}
    last: str | None = None
    for turn in t.turns:
        if last is not None:
            out[turn.index] = last
        if is_interviewer(turn.role, turn.speaker) and not is_backchannel(turn.text):
            last = turn.text.strip()
    return out


def segments(corpus: Any, unit: str = "turn", *, skip_interviewer: bool = True, skip_backchannel: bool = True,
             size: int = 3, step: int = 1, lang: str | None = None, trained: bool | None = None,
             context: bool = True) -> Segments:
    """Cut a corpus (or transcripts) into segments.

    Parameters
    ----------
    corpus : Corpus or iterable of Transcript
    unit : {"turn", "sentence", "paragraph", "window", "answer"}
        ``turn`` (default) one segment per speaker turn; ``sentence`` spaCy
        sentences inside each turn (a trained pipeline when installed, else the
        rule-based sentencizer); ``paragraph`` the ``\\n``-separated paragraphs
        of a turn; ``window`` ``size`` consecutive sentences of a turn, moving by
        ``step`` (overlapping when ``step < size``); ``answer`` like ``turn``, for
        survey corpora, with the question in ``Segment.context`` (short answers are kept).
    skip_interviewer : bool
        Leave out interviewer turns (default, as for suggestions).
    skip_backchannel : bool
        Leave out back-channel turns such as "Mm-hm." or "Okay, yes.".
    size, step : int
        Window length and stride in sentences (``unit="window"``).
    lang : str, optional
        Language for sentence splitting; defaults to each transcript's language, else English.
    trained : bool, optional
        ``False`` forces the rule-based sentencizer; ``None`` uses a trained pipeline if installed.
    context : bool
        Put what the segment answers into ``Segment.context``: for interviews the interviewer's
        last question or remark before the turn (back-channels skipped), for surveys the question.
        The suggesters read it (an answer such as "Yes, because the university is known" takes
        its topic from the question).

    Returns
    -------
    Segments

    Examples
    --------
    >>> import mcqual as mq
    >>> t = mq.Transcript.from_turns("a", [("R", "One. Two. Three.")])
    >>> [s.text for s in mq.segments([t], unit="window", size=2)]
    ['One. Two.', 'Two. Three.']
    """
    if unit not in UNITS:
        raise SuggestError("E400", f"unknown segment unit {unit!r}")
    if size < 1 or step < 1:
        raise SuggestError("E400", f"window size and step must be >= 1 (got size={size}, step={step})",
                           hint="Pass size= and step= as positive sentence counts.")
    out: list[Segment] = []
    pending: list[tuple[Transcript, Any]] = []
    prompts: dict[tuple[str, int], str] = {}
    for t in corpus:
        if context and unit != "answer":
            prompts.update({(t.id, i): q for i, q in _prompts(t).items()})
        for turn in t.turns:
            if skip_interviewer and is_interviewer(turn.role, turn.speaker):
                continue
            if skip_backchannel and unit != "answer" and is_backchannel(turn.text):
                continue  # a written answer ("No.") is an answer, not a back-channel
            pending.append((t, turn))
    if unit in ("turn", "answer"):
        for t, turn in pending:
            a, b = _trim(t.text, turn.start, turn.end)
            if a >= b:
                continue
            if unit == "answer":
                ctx = _question_for(t, turn) if context else None
            else:
                ctx = prompts.get((t.id, turn.index))
            out.append(Segment(t.id, a, b, t.text[a:b], turn.speaker, turn.role, unit, len(out), turn.index,
                               turn.timestamp, ctx))
        return Segments(out, unit)
    if unit == "paragraph":
        for t, turn in pending:
            pos = turn.start
            for line in turn.text.split("\n"):
                a, b = _trim(t.text, pos, pos + len(line))
                pos += len(line) + 1
                if a < b:
                    out.append(Segment(t.id, a, b, t.text[a:b], turn.speaker, turn.role, unit, len(out),
                                       turn.index, turn.timestamp, prompts.get((t.id, turn.index))))
        return Segments(out, unit)
    # sentence / window: one nlp.pipe per language over all turns
    from .text.nlp import split_sentences

    by_lang: dict[str, list[int]] = {}
    for i, (t, _) in enumerate(pending):
        by_lang.setdefault(lang or t.language or "en", []).append(i)
    spans: list[list[tuple[int, int]]] = [[] for _ in pending]
    for lg, idx in by_lang.items():
        for i, sp in zip(idx, split_sentences([pending[i][1].text for i in idx], lg, trained)):
            spans[i] = sp
    for (t, turn), sents in zip(pending, spans):
        if unit == "sentence":
            groups = [(a, b) for a, b in sents]
        else:
            if len(sents) <= size:
                groups = [(sents[0][0], sents[-1][1])] if sents else []
            else:
                groups = [(sents[i][0], sents[i + size - 1][1]) for i in range(0, len(sents) - size + 1, step)]
                if (len(sents) - size) % step:
                    groups.append((sents[-size][0], sents[-1][1]))
        for a, b in groups:
            a, b = a + turn.start, b + turn.start
            out.append(Segment(t.id, a, b, t.text[a:b], turn.speaker, turn.role, unit, len(out), turn.index,
                               turn.timestamp, prompts.get((t.id, turn.index))))
    return Segments(out, unit)


def segments_from_frame(frame: Any, unit: str = "turn") -> Segments:
    """Rebuild :class:`Segments` from a ``to_frame()`` table (columns segment_id/transcript_id, start, end, text).

    Examples
    --------
    >>> import pandas as pd
    >>> segments_from_frame(pd.DataFrame({"transcript_id": ["a"], "start": [0], "end": [3], "text": ["Yes"]})).ids
    ['a@0-3']
    """
    rows = frame.to_dict("records") if hasattr(frame, "to_dict") else list(frame)
    out = []
    for i, r in enumerate(rows):
        def get(k, default=None):
            v = r.get(k, default)
            return None if v is not None and v != v else v  # NaN -> None
        out.append(Segment(str(r["transcript_id"]), int(r["start"]), int(r["end"]), str(r["text"]),
                           get("speaker"), get("role"), str(get("unit") or unit), i, get("turn"), get("timestamp"),
                           get("context")))
    return Segments(out, unit)


__all__ = ["segments", "Segments", "UNITS", "is_backchannel", "is_interviewer", "segments_from_frame",
           "make_segment_id"]
