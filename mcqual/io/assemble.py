"""From source paragraphs and lines to a :class:`~mcqual.model.Transcript` (shared by all readers).

A reader turns its file into :class:`SrcPara` (one per source paragraph, in
document order) and :class:`Line` (each paragraph split at line breaks). This
module finds the speaker labels, the preamble and the metadata block, joins the
lines of each turn (paragraph and line breaks inside a turn become ``"\\n"``,
turns are joined with ``"\\n\\n"``), maps every source paragraph and Word
comment to offsets in the final text, and assigns roles.

Examples
--------
>>> paras = [SrcPara(0, "Interviewer: Why micro-credentials?"), SrcPara(1, "R1: Flexibility.")]
>>> t = build(paras, lines_of(paras), id="x", source=None)
>>> [(turn.speaker, turn.role, turn.text) for turn in t.turns]
[('Interviewer', 'interviewer', 'Why micro-credentials?'), ('R1', 'respondent', 'Flexibility.')]
>>> t.paragraphs[1].start == t.turns[1].start
True
"""
from __future__ import annotations

import bisect
import re
from array import array
import warnings as _warnings
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

from ..model import TURN_SEPARATOR, Comment, Paragraph, ParagraphList, Transcript, TurnList
from . import preamble as pre
from . import speakers as sp


@dataclass(slots=True)
class SrcPara:
    """One paragraph of the source file: its text (line breaks as ``"\\n"``) and where it came from."""

    index: int
    text: str
    part: str = "text"
    kind: str = "body"  # body | table | heading | label | preamble | header | footer
    bold: tuple[tuple[int, int], ...] = ()


@dataclass(slots=True)
class Line:
    """One line of a paragraph. ``forced=(speaker, time)`` opens a turn without label detection."""

    para: int
    offset: int
    text: str
    forced: tuple[str | None, float | None] | None = None
    sep: str = "\n"


@dataclass(slots=True)
class RawComment:
    """A Word comment with anchors as ``(paragraph index, offset in paragraph text)``."""

    id: str
    author: str | None
    date: str | None
    text: str
    start: tuple[int, int] | None
    end: tuple[int, int] | None


class LineList(Sequence[Line]):
    """Lines stored as offsets into their paragraphs' texts (no object or string per line until read).

    ``append`` takes a :class:`Line` whose text is ``paragraph text[offset:offset + len(text)]``;
    reading gives :class:`Line` objects made on access (a slice gives a tuple).
    """

    __slots__ = ("paras", "para", "offset", "length", "sep", "forced")

    def __init__(self, paras: Sequence[SrcPara]) -> None:
        self.paras = paras  # paragraph ``index`` == its position (every reader numbers them so)
        self.para = array("q")
        self.offset = array("q")
        self.length = array("q")
        self.sep = array("b")
        self.forced: dict[int, tuple[str | None, float | None]] = {}

    def add(self, para: int, offset: int, length: int, forced: tuple[str | None, float | None] | None = None,
            sep: str = "\n") -> None:
        if forced is not None:
            self.forced[len(self.para)] = forced
        self.para.append(para)
        self.offset.append(offset)
        self.length.append(length)
        self.sep.append(_SEPS.index(sep) if sep in _SEPS else 0)

    def append(self, line: Line) -> None:
        self.add(line.para, line.offset, len(line.text), line.forced, line.sep)

    def __len__(self) -> int:
        return len(self.para)

    def _item(self, i: int) -> Line:
        a = self.offset[i]
        para = self.para[i]
        return Line(para, a, self.paras[para].text[a:a + self.length[i]], self.forced.get(i), _SEPS[self.sep[i]])

    def __getitem__(self, key):  # type: ignore[override]
        if isinstance(key, slice):
            return tuple(self._item(i) for i in range(*key.indices(len(self))))
        if key < 0:
            key += len(self)
        if not 0 <= key < len(self):
            raise IndexError("line index out of range")
        return self._item(key)

    def __iter__(self):
        for i in range(len(self.para)):
            yield self._item(i)

    def any_forced(self) -> bool:
        return bool(self.forced)


def lines_of(paras: Sequence[SrcPara]) -> LineList:
    """Split every paragraph at ``"\\n"`` into lines (offsets kept).

    Examples
    --------
    >>> [(l.para, l.offset, l.text) for l in lines_of([SrcPara(0, "a\\nbc")])]
    [(0, 0, 'a'), (0, 2, 'bc')]
    """
    out = LineList(paras)
    for p in paras:
        if p.kind in ("header", "footer", "preamble", "label"):
            continue
        text = p.text
        off = 0
        while True:
            j = text.find("\n", off)
            if j < 0:
                out.add(p.index, off, len(text) - off)
                break
            out.add(p.index, off, j - off)
            off = j + 1
    return out


def _bold_label(para: SrcPara, line: Line, cand: sp.Candidate) -> bool:
    """The label is bold and the spoken text after it is not (all of it bold = a heading)."""
    if not para.bold or cand.alone:
        return False
    a, b = line.offset + cand.label_start, line.offset + cand.label_end
    rest_a, rest_b = line.offset + cand.content, line.offset + len(line.text.rstrip())
    return _covered(para.bold, para.text, a, b) and not _covered(para.bold, para.text, rest_a, rest_b)


def _covered(ranges: Sequence[tuple[int, int]], text: str, a: int, b: int) -> bool:
    pos = a
    for s, e in ranges:
        if e <= pos:
            continue
        if s > pos and text[pos:s].strip():
            return False
        pos = max(pos, e)
        if pos >= b:
            return True
    return not text[pos:b].strip()


_PROFILE_NAME = re.compile(r"^[A-ZÀ-ÖØ-Þ][\w'’.-]*(?:\s+[A-ZÀ-ÖØ-Þ][\w'’.-]*){0,3}\s*(?:,|\(|$)")


def _profile_lines(lines: Sequence[Line], cands: Sequence[sp.Candidate | None], ok: Sequence[bool]) -> list[int]:
    """Leading ``Interviewee: Sarah Chen, 24, undergraduate …`` lines: a profile header, not turns.

    A label line before the first question is a profile when its label is a role word
    (Interviewee, Interviewer, Respondent, Participant…) never used again as a label, its
    text starts with a name (then a comma, a bracket or nothing) and asks nothing, and at
    least two other speakers take turns after it.
    """
    accepted = [i for i, good in enumerate(ok) if good]
    if len(accepted) < 3:
        return []
    count: dict[str, int] = {}
    for i in accepted:
        c = cands[i]
        if c is not None:
            count[c.speaker.casefold()] = count.get(c.speaker.casefold(), 0) + 1
    out: list[int] = []
    for i in accepted[:3]:
        c = cands[i]
        if c is None or c.alone or sp.role_of_label(c.speaker) is None or count[c.speaker.casefold()] != 1:
            break
        text = lines[i].text[c.content:].strip()
        if "?" in text or not _PROFILE_NAME.match(text) or (len(text.split()) > 4 and "," not in text):
            break
        out.append(i)
    if out:
        others = {cands[i].speaker.casefold() for i in accepted if i not in out and cands[i] is not None}
        if len(others) < 2:
            return []
    return out


def build(paras: Sequence[SrcPara], lines: Sequence[Line], *, id: str, source: str | None,
          pattern: re.Pattern[str] | None = None, metadata: Mapping[str, Any] | None = None,
          properties: Mapping[str, Any] | None = None, comments: Sequence[RawComment] = (),
          language: str | None = None, warnings: Sequence[str] = (), detect: bool = True,
          merge_same: bool = False) -> Transcript:
    """Detect labels in ``lines`` and build the transcript (see the module docstring).

    ``metadata`` comes from the file (metadata tables, headers); ``properties``
    are document properties (title, creator, created) used where the text gives
    none. ``merge_same`` joins consecutive forced lines of one speaker (captions).
    """
    meta: dict[str, Any] = dict(metadata or {})
    notes = list(warnings)
    role_of_para: dict[int, str] = {}
    consumed = bytearray(len(lines))  # one byte a line, not a list slot
    headings: list[str] = []

    # 1. a key/value metadata block at the top (Date: …, Interviewer: Anna …)
    if detect:
        lead = []
        for line in lines[:80]:  # a metadata block sits at the top
            if line.forced is not None:
                break
            lead.append("" if paras[line.para].kind == "heading" else line.text)
        n = pre.header_block(lead)
        if n:
            for i in range(n):
                if paras[lines[i].para].kind == "heading" and lines[i].text.strip():
                    headings.append(lines[i].text.strip())
            for k, v in pre.preamble_metadata(lead[:n]).items():
                if k == "preamble":
                    meta["preamble"] = tuple(meta.get("preamble", ())) + tuple(v)  # type: ignore[arg-type]
                else:
                    meta.setdefault(k, v)
            for i in range(n):
                consumed[i] = True
                role_of_para.setdefault(lines[i].para, "preamble")

    # 2. label candidates, then which of them are labels
    cands: list[sp.Candidate | None] = [None] * len(lines)
    bold = bytearray(len(lines))
    if detect:
        headings_at = {p.index for p in paras if p.kind == "heading"}
        parse = sp.parse_label
        for i, line in enumerate(lines):
            if consumed[i] or line.forced is not None or line.para in headings_at:
                continue
            c = parse(line.text, pattern, bare=True)
            if c is not None:
                cands[i] = c
                if c.strength != "strong":
                    bold[i] = _bold_label(paras[line.para], line, c)
        for i, c in enumerate(cands):  # a bare name line opens a paragraph and text follows it
            if c is not None and c.form == "alone-bare":
                nxt = cands[i + 1] if i + 1 < len(cands) else None
                if (lines[i].offset != 0 or i + 1 >= len(lines) or not lines[i + 1].text.strip()
                        or (nxt is not None and nxt.alone) or lines[i + 1].forced is not None):
                    cands[i] = None
        if pattern is not None:
            ok = [c is not None for c in cands]
        else:
            ok = sp.accept(cands, bold)
        if pattern is None:
            for i in _profile_lines(lines, cands, ok):
                c = cands[i]
                assert c is not None
                meta.setdefault(pre.norm_key(c.speaker), lines[i].text[c.content:].strip())
                ok[i] = False
                consumed[i] = True
                role_of_para.setdefault(lines[i].para, "preamble")
    else:
        ok = [False] * len(lines)
    forced_at = lines.forced if isinstance(lines, LineList) else {i: x.forced for i, x in enumerate(lines)
                                                                    if x.forced is not None}
    first_ok = next((i for i, good in enumerate(ok) if good), len(lines))
    first_start = min([first_ok, *forced_at]) if forced_at else first_ok
    labelled = first_start < len(lines)

    # 3. turns, kept flat (one entry per turn and per piece in arrays, no object per line)
    dr = _Drafts()
    cur = -1  # the open draft, -1 when none

    def add(line: Line, a: int, d: int) -> None:
        text = line.text
        seg = text[a:] if a else text
        core = seg.strip()
        if core:
            s = line.offset + a + (len(seg) - len(seg.lstrip()))
            dr.piece(line.para, s, s + len(core), line.sep)
        dr.para(d, line.para)

    first = first_start if labelled else 0
    # unlabelled answers separated by "-----" lines: one turn per block, not per paragraph
    blocks = not labelled and sum(1 for i, x in enumerate(lines) if not consumed[i] and pre.is_separator(x.text)) >= 2
    if labelled:
        before = [i for i in range(first) if not consumed[i]]
        if any(lines[i].text.strip() for i in before):
            pm = pre.preamble_metadata([lines[i].text for i in before if paras[lines[i].para].kind != "heading"])
            for k, v in pm.items():
                if k == "preamble":
                    meta["preamble"] = tuple(meta.get("preamble", ())) + tuple(v)  # type: ignore[arg-type]
                else:
                    meta.setdefault(k, v)
        for i in before:
            if paras[lines[i].para].kind == "heading" and lines[i].text.strip():
                headings.append(lines[i].text.strip())
            consumed[i] = True
            role_of_para.setdefault(lines[i].para, "preamble")
    kinds = [p.kind for p in paras]
    is_trailer, is_separator = pre.is_trailer, pre.is_separator
    for i in range(first, len(lines)):
        if consumed[i]:
            continue
        line = lines[i]
        text = line.text
        if kinds[line.para] == "heading":
            if text.strip():
                headings.append(text.strip())
                cur = -1
            continue
        if line.forced is not None:
            speaker, time = line.forced
            if merge_same and cur >= 0 and speaker is not None and dr.speaker[cur] == speaker:
                add(line, 0, cur)
                continue
            cur = dr.open(speaker, time)
            add(line, 0, cur)
            continue
        if ok[i]:
            c = cands[i]
            assert c is not None
            time = c.time
            pos = c.content
            if time is None and not c.alone:
                time, pos = sp.strip_leading_time(text, pos)
            cur = dr.open(c.speaker, time)
            dr.para(cur, line.para)
            if c.alone:
                role_of_para.setdefault(line.para, "label")
            else:
                add(line, pos, cur)
            continue
        if not text or text.isspace():
            continue
        if is_trailer(text):
            meta.setdefault("transcribed_by", text.strip())
            role_of_para.setdefault(line.para, "preamble")
            continue
        if is_separator(text):
            if not labelled:
                role_of_para.setdefault(line.para, "separator")
                cur = -1
            continue
        if not labelled:
            if cur < 0 or (not blocks and dr.last_para(cur) != line.para):
                cur = dr.open(None, None)
            add(line, 0, cur)
            continue
        if cur < 0:
            cur = dr.open(None, None)
        pos = 0
        if not dr.has_pieces(cur) and dr.time[cur] is None:
            dr.time[cur], pos = sp.strip_leading_time(text, 0)
        add(line, pos, cur)
    if headings:
        meta.setdefault("title", headings[0])
        meta["headings"] = tuple(headings)
    del cands, ok, bold, consumed

    # 4. text, turns, paragraph map
    out = _Chunks()
    pos = 0
    spans = array("q")  # start, end of each kept draft, in pairs
    kept = array("q")
    dst = array("q", bytes(8 * len(dr.pc_para)))  # where each piece landed in the text
    ptext = [p.text for p in paras]
    for d in range(len(dr.speaker)):
        p0, p1 = dr.pc_first[d], dr.pc_first[d + 1]
        if p0 == p1:
            for para in dr.paras_of(d):
                role_of_para.setdefault(para, "label")
            continue
        if kept:
            out.write(TURN_SEPARATOR)
            pos += len(TURN_SEPARATOR)
        start = pos
        for k in range(p0, p1):
            if k > p0:
                sep = _SEPS[dr.pc_sep[k]]
                out.write(sep)
                pos += len(sep)
            dst[k] = pos
            a, b = dr.pc_s[k], dr.pc_e[k]
            out.write(ptext[dr.pc_para[k]][a:b])
            pos += b - a
        spans.append(start)
        spans.append(pos)
        kept.append(d)
    text = out.getvalue()
    del out
    speakers = [dr.speaker[d] for d in kept]
    roles = sp.assign_roles(speakers, _Slices(text, spans), meta)
    turns = TurnList(text)
    index: dict = {}
    for k, d in enumerate(kept):
        sp_ = dr.speaker[d]
        turns.append(sp_, spans[2 * k], spans[2 * k + 1], dr.time[d], roles.get(sp_) if sp_ else None,
                     sorted(set(dr.paras_of(d))), index)
    del speakers, kept, spans

    size = max((p.index for p in paras), default=-1) + 1
    c_start = array("q", [-1]) * size  # where each source paragraph's text landed
    c_end = array("q", [-1]) * size
    for k in range(len(dr.pc_para)):
        para = dr.pc_para[k]
        if c_start[para] < 0:
            c_start[para] = dst[k]
        c_end[para] = dst[k] + dr.pc_e[k] - dr.pc_s[k]
    out_paras = ParagraphList.from_paragraphs(
        Paragraph(p.index, c_start[p.index], c_end[p.index], p.part, p.kind if p.kind in ("table",) else "body",
                  p.text)
        if c_start[p.index] >= 0 else Paragraph(p.index, -1, -1, p.part, role_of_para.get(p.index, p.kind), p.text)
        for p in paras)
    del c_start, c_end

    if properties:
        for k, v in properties.items():
            if v not in (None, ""):
                meta.setdefault(k, v)
        meta["properties"] = dict(properties)
    any_forced = lines.any_forced() if isinstance(lines, LineList) else any(x.forced is not None for x in lines)
    meta["layout"] = ("table" if any_forced and detect else
                      "labelled" if labelled else "unlabelled")

    out_comments: tuple[Comment, ...] = ()
    if comments:
        pieces = [(dr.pc_para[k], dr.pc_s[k], dr.pc_e[k], dst[k]) for k in range(len(dr.pc_para))]
        out_comments = tuple(_map_comments(comments, pieces, paras, text))
    if not len(turns):
        msg = f"{source or id}: no spoken text found; the transcript has no turns"
        notes.append(msg)
        _warnings.warn(msg, UserWarning, stacklevel=3)
    if language is None:
        from .lang import guess_language

        language = guess_language(text)
    return Transcript(id=id, text=text, turns=turns, metadata=meta, language=language, source=source,
                      paragraphs=out_paras, comments=out_comments, warnings=tuple(notes))


_SEPS = ("\n", " ", "\n\n", "")


class _Drafts:
    """The turns being built, as parallel arrays: speaker, time, their pieces and paragraphs."""

    __slots__ = ("speaker", "time", "pc_first", "pa_first", "pa", "pc_para", "pc_s", "pc_e", "pc_sep")

    def __init__(self) -> None:
        self.speaker: list[str | None] = []
        self.time: list[float | None] = []
        self.pc_first = array("q", [0])  # pieces of draft d: pc_first[d]:pc_first[d + 1]
        self.pa_first = array("q", [0])  # paragraphs of draft d: pa_first[d]:pa_first[d + 1]
        self.pa = array("q")
        self.pc_para = array("q")
        self.pc_s = array("q")
        self.pc_e = array("q")
        self.pc_sep = array("b")

    def open(self, speaker: str | None, time: float | None) -> int:
        self.speaker.append(speaker)
        self.time.append(time)
        self.pc_first.append(len(self.pc_para))
        self.pa_first.append(len(self.pa))
        return len(self.speaker) - 1

    def piece(self, para: int, s: int, e: int, sep: str) -> None:  # always to the last draft
        self.pc_para.append(para)
        self.pc_s.append(s)
        self.pc_e.append(e)
        self.pc_sep.append(_SEPS.index(sep) if sep in _SEPS else 0)
        self.pc_first[-1] = len(self.pc_para)

    def para(self, d: int, para: int) -> None:
        if self.pa_first[d] == self.pa_first[d + 1] or self.pa[-1] != para:
            self.pa.append(para)
            self.pa_first[-1] = len(self.pa)

    def last_para(self, d: int) -> int:
        return self.pa[self.pa_first[d + 1] - 1] if self.pa_first[d + 1] > self.pa_first[d] else -1

    def has_pieces(self, d: int) -> bool:
        return self.pc_first[d + 1] > self.pc_first[d]

    def paras_of(self, d: int) -> array:
        return self.pa[self.pa_first[d]:self.pa_first[d + 1]]


class _Chunks:
    """Text written in pieces, joined in chunks of 4,096 (no list of a million small strings)."""

    __slots__ = ("done", "cur")

    def __init__(self) -> None:
        self.done: list[str] = []
        self.cur: list[str] = []

    def write(self, piece: str) -> None:
        self.cur.append(piece)
        if len(self.cur) >= 4096:
            self.done.append("".join(self.cur))
            self.cur = []

    def getvalue(self) -> str:
        return "".join(self.done) + "".join(self.cur)


class _Slices(Sequence):
    """``text[a:b]`` for each (a, b) pair in ``spans``, made on access (turn texts for role guessing)."""

    def __init__(self, text: str, spans: array) -> None:
        self.text, self.spans = text, spans

    def __len__(self) -> int:
        return len(self.spans) // 2

    def __getitem__(self, i):  # type: ignore[override]
        return self.text[self.spans[2 * i]:self.spans[2 * i + 1]]


def _map_comments(comments: Sequence[RawComment], pieces: Sequence[tuple[int, int, int, int]],
                  paras: Sequence[SrcPara], text: str) -> Iterable[Comment]:
    ends = [(p, e) for p, s, e, _ in pieces]
    starts = [(p, s) for p, s, e, _ in pieces]
    for c in comments:
        a_anchor = c.start or c.end
        b_anchor = c.end or c.start
        if a_anchor is None or b_anchor is None:
            yield Comment(c.id, c.author, c.date, c.text, -1, -1, "")
            continue
        quote = _source_quote(paras, a_anchor, b_anchor)
        a = b = -1
        i = bisect.bisect_right(ends, a_anchor)
        if i < len(pieces):
            para, s, e, dst = pieces[i]
            a = dst + max(0, a_anchor[1] - s) if para == a_anchor[0] else dst
        j = bisect.bisect_left(starts, b_anchor) - 1
        if j >= 0:
            para, s, e, dst = pieces[j]
            b = dst + min(e - s, b_anchor[1] - s) if para == b_anchor[0] else dst + (e - s)
        if a < 0 or b < 0 or a >= b:
            a = b = -1
        yield Comment(c.id, c.author, c.date, c.text, a, b, quote)


def _source_quote(paras: Sequence[SrcPara], a: tuple[int, int], b: tuple[int, int]) -> str:
    if b < a or a[0] >= len(paras) or b[0] >= len(paras):
        return ""
    if a[0] == b[0]:
        return paras[a[0]].text[a[1]:b[1]]
    chunks = [paras[a[0]].text[a[1]:]]
    chunks += [paras[k].text for k in range(a[0] + 1, b[0])]
    chunks.append(paras[b[0]].text[:b[1]])
    return "\n".join(chunks)
