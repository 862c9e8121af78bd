"""Read plain-text transcripts (.txt) and captions (.vtt WebVTT, .srt SubRip).

.txt files follow the same label conventions as Word files (see
:mod:`mcqual.io.speakers`); a blank line separates paragraphs, and in a file
without labels each paragraph is a turn. Line endings are normalised to
``"\\n"``; everything else is kept as written.

Captions: each cue's speaker comes from a WebVTT voice tag (``<v Ana>``) or a
``Name: text`` label at the start of the cue; an unlabelled cue continues the
current speaker; consecutive cues of one speaker merge into one turn (cue
texts joined with a space) whose timestamp is the first cue's start. A file
with no speakers at all is cut into turns at pauses of two seconds or more.
Markup (``<i>``, ``<c.x>``, ``{\\an8}``) is removed and entities are decoded.

Encodings tried, in order: ``encoding=`` if given; a byte-order mark (UTF-8,
UTF-16, UTF-32); UTF-8; UTF-16 without a mark (when the bytes say so);
Windows-1252. Anything else (or binary data) raises E109.

Examples
--------
>>> import tempfile, pathlib
>>> d = pathlib.Path(tempfile.mkdtemp())
>>> _ = (d / "int.txt").write_text("Interviewer: Do employers know the badge?\\nR: Some do.\\n", encoding="utf-8")
>>> t = read_text(d / "int.txt")
>>> [(x.speaker, x.role, x.text) for x in t.turns]
[('Interviewer', 'interviewer', 'Do employers know the badge?'), ('R', 'respondent', 'Some do.')]
"""
from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import Any

from ..errors import TranscriptError
from ..model import Transcript
from . import preamble as pre
from . import speakers as sp
from .assemble import Line, LineList, SrcPara, build, lines_of
from .ooxml import sniff

#: largest text file read (bytes)
MAX_TEXT_BYTES = 50 * 2**20
#: a pause this long (seconds) between cues starts a new turn when captions name no speakers
PAUSE = 2.0

_CUE_TIME = re.compile(r"^\s*(?P<start>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*"
                       r"(?P<end>(?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})(?:\s+.*)?$")
_VOICE = re.compile(r"^\s*<v(?:\.[^\s>]*)?\s+(?P<name>[^>]+)>")
_TAG = re.compile(r"<[^>\n]*>|\{\\[^}\n]*\}")


def read_text(path: str | os.PathLike[str], *, speaker_pattern: str | re.Pattern[str] | None = None,
              id: str | None = None, encoding: str | None = None, language: str | None = None,
              max_bytes: int = MAX_TEXT_BYTES) -> Transcript:
    """Read a .txt, .vtt or .srt transcript.

    Parameters
    ----------
    path : str or Path
        The file; ``.vtt`` (or a file starting with ``WEBVTT``) and ``.srt`` are
        read as captions, anything else as plain text.
    speaker_pattern : str or re.Pattern, optional
        Regular expression with a named group ``speaker`` (optional ``time``)
        matched at the start of each line/cue; replaces label detection (E112).
    id : str, optional
        Transcript id; the file stem by default.
    encoding : str, optional
        Force an encoding instead of detecting it.
    language : str, optional
        ISO 639-1 code; guessed from the text when not given.
    max_bytes : int
        Refuse larger files (E107).

    Returns
    -------
    Transcript

    Examples
    --------
    >>> import tempfile, pathlib
    >>> f = pathlib.Path(tempfile.mkdtemp()) / "fg.vtt"
    >>> _ = f.write_text("WEBVTT\\n\\n00:00:01.000 --> 00:00:03.000\\n<v Moderator>Welcome.\\n\\n"
    ...                  "00:00:04.000 --> 00:00:06.500\\n<v P1>Thanks.\\n", encoding="utf-8")
    >>> [(t.speaker, t.timestamp, t.text) for t in read_text(f).turns]
    [('Moderator', 1.0, 'Welcome.'), ('P1', 4.0, 'Thanks.')]
    """
    p = Path(path)
    pattern = sp.compile_pattern(speaker_pattern, p)
    data = _read_bytes(p, max_bytes)
    text = decode(data, encoding=encoding, path=p)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    tid = id if id is not None else p.stem
    suffix = p.suffix.lower()
    if suffix == ".vtt" or (suffix != ".srt" and text.startswith("WEBVTT")):
        return _captions(_vtt_cues(text, p), p, tid, pattern, language, vtt_meta=_vtt_header(text))
    if suffix == ".srt":
        return _captions(_srt_cues(text, p), p, tid, pattern, language)
    paras = _text_paragraphs(text)
    return build(paras, lines_of(paras), id=tid, source=str(p), pattern=pattern, language=language)


def _read_bytes(p: Path, max_bytes: int) -> bytes:
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise TranscriptError("E100", "no such file", path=p) from None
    except OSError as exc:
        raise TranscriptError("E100", f"cannot access the file ({exc.strerror})", path=p) from None
    if p.is_dir():
        raise TranscriptError("E100", "is a folder, not a file (use read_transcripts for folders)", path=p)
    if size == 0:
        raise TranscriptError("E108", "the file is empty (0 bytes)", path=p)
    if size > max_bytes:
        raise TranscriptError("E107", f"the file has {size:,} bytes (limit {max_bytes:,})", path=p)
    data = p.read_bytes()
    kind = sniff(data[:16])
    if kind in ("pdf", "rtf"):
        raise TranscriptError("E116", f"the file is a {kind.upper()} document, not plain text", path=p)
    if kind == "zip":
        raise TranscriptError("E110", "the file is a zip package (a .docx?), not plain text; "
                              "rename it to .docx or read it with read_docx", path=p)
    if kind == "ole":
        raise TranscriptError("E103", "the file is a binary Office document (.doc), not plain text", path=p)
    return data


_BOMS = ((b"\xff\xfe\x00\x00", "utf-32-le"), (b"\x00\x00\xfe\xff", "utf-32-be"), (b"\xef\xbb\xbf", "utf-8-sig"),
         (b"\xff\xfe", "utf-16-le"), (b"\xfe\xff", "utf-16-be"))


def decode(data: bytes, *, encoding: str | None = None, path: Any = None) -> str:
    """Bytes to text: ``encoding`` if given, else BOM, UTF-8, BOM-less UTF-16, Windows-1252 (E109 otherwise).

    Examples
    --------
    >>> decode("Grüße".encode("cp1252")), decode("\\ufeffΑυτή".encode("utf-8")), decode("hi".encode("utf-16"))
    ('Grüße', 'Αυτή', 'hi')
    """
    if encoding is not None:
        try:
            text = data.decode(encoding)
        except LookupError:
            raise TranscriptError("E109", f"unknown encoding {encoding!r}", path=path) from None
        except UnicodeDecodeError as exc:
            raise TranscriptError("E109", f"not valid {encoding} at byte {exc.start}", path=path) from None
        return _check_text(text.lstrip("\ufeff"), path)
    for bom, codec in _BOMS:
        if data.startswith(bom):
            try:
                return _check_text(data[len(bom):].decode(codec.replace("-sig", "")), path)
            except UnicodeDecodeError as exc:
                raise TranscriptError("E109", f"the file starts with a {codec} byte-order mark but is not valid "
                                      f"{codec} (byte {exc.start})", path=path) from None
    head = data[:4000]
    if b"\x00" in head and _utf16_shaped(head):
        codec = "utf-16-le" if head[1::2].count(0) > head[0::2].count(0) else "utf-16-be"
        try:
            return _check_text(data.decode(codec), path)
        except (UnicodeDecodeError, TranscriptError):
            pass
    nuls = data.count(b"\x00")
    if nuls and nuls <= max(8, len(data) // 1000):
        data = data.replace(b"\x00", b"")  # a few stray NULs in 8-bit text (a bad copy-paste): dropped
    try:
        return _check_text(data.decode("utf-8"), path)
    except UnicodeDecodeError:
        pass
    try:
        return _check_text(data.decode("cp1252"), path)
    except UnicodeDecodeError as exc:
        raise TranscriptError("E109", f"not UTF-8, UTF-16 or Windows-1252 (undecodable byte at {exc.start})",
                              path=path) from None


def _utf16_shaped(head: bytes) -> bool:
    """UTF-16 without a BOM: NULs sit in one byte parity only (high bytes of Latin letters and spaces).

    A few NULs in ASCII text are not UTF-16 (``b"hello\\x00 there"``): one parity must hold at
    least 5 % NULs (and at least 3), the other at most a quarter as many.

    Examples
    --------
    >>> _utf16_shaped("Interviewer: hi".encode("utf-16-le")), _utf16_shaped(b"Interviewer: hello\\x00 there\\n")
    (True, False)
    """
    even, odd = head[0::2].count(0), head[1::2].count(0)
    hi, lo = max(even, odd), min(even, odd)
    return hi >= max(3, len(head) // 40) and lo * 4 <= hi


def _check_text(text: str, path: Any) -> str:
    sample = text[:20000]
    controls = sum(1 for ch in sample if ch < " " and ch not in "\t\n\r\f\v")
    if "\x00" in sample or controls > max(3, len(sample) // 100):
        raise TranscriptError("E109", "the file holds binary data, not text", path=path)
    return text


# ----------------------------------------------------------------------------- plain text
def _text_paragraphs(text: str) -> list[SrcPara]:
    """Blocks separated by blank lines, each a paragraph (its lines keep their ``"\\n"``).

    Found by scanning for line breaks (one slice of ``text`` per block, no string per line).

    Examples
    --------
    >>> [p.text for p in _text_paragraphs("a\\nb\\n \\n\\nc\\n")]
    ['a\\nb', 'c']
    """
    paras: list[SrcPara] = []
    n = len(text)
    pos = 0
    block_start = -1  # start of the open block
    block_end = -1  # end of its last non-blank line
    while pos <= n:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl
        blank = pos == end or text[pos:end].isspace() if end - pos < 64 else not text[pos:end].strip()
        if not blank:
            if block_start < 0:
                block_start = pos
            block_end = end
        elif block_start >= 0:
            paras.append(SrcPara(len(paras), text[block_start:block_end], "text"))
            block_start = -1
        if nl < 0:
            break
        pos = nl + 1
    if block_start >= 0:
        paras.append(SrcPara(len(paras), text[block_start:block_end], "text"))
    return paras


# ----------------------------------------------------------------------------- captions
def _blocks(text: str) -> list[tuple[int, list[str]]]:
    """``(first line number, lines)`` of each blank-line separated block (1-based line numbers)."""
    out: list[tuple[int, list[str]]] = []
    cur: list[str] = []
    start = 0
    for no, line in enumerate(text.split("\n"), 1):
        if line.strip():
            if not cur:
                start = no
            cur.append(line)
        elif cur:
            out.append((start, cur))
            cur = []
    if cur:
        out.append((start, cur))
    return out


def _vtt_header(text: str) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    blocks = _blocks(text)
    if not blocks:
        return meta
    head = blocks[0][1]
    title = head[0][len("WEBVTT"):].strip(" \t-")
    if title:
        meta["title"] = title
    for line in head[1:]:
        kv = pre.key_value(line)
        if kv:
            meta.setdefault(kv[0], kv[1])
    notes = [" ".join(b[1])[4:].strip() for b in blocks[1:] if b[1][0].startswith("NOTE")]
    if notes:
        meta["notes"] = tuple(notes)
    return meta


def _vtt_cues(text: str, p: Path) -> list[tuple[float, float, str | None, str]]:
    blocks = _blocks(text)
    if not blocks or not blocks[0][1][0].startswith("WEBVTT"):
        raise TranscriptError("E111", "a WebVTT file must start with the line 'WEBVTT'", path=p, line=1)
    cues = []
    for lineno, block in blocks[1:]:
        first = block[0]
        if first.startswith(("NOTE", "STYLE", "REGION")) and "-->" not in first:
            continue
        if "-->" in first:
            timing, payload, at = first, block[1:], lineno
        elif len(block) > 1 and "-->" in block[1]:
            timing, payload, at = block[1], block[2:], lineno + 1
        else:
            raise TranscriptError("E111", f"cue without a 'start --> end' timing line: {first[:60]!r}",
                                  path=p, line=lineno)
        start, end = _timing(timing, p, at)
        cues.append((start, end) + _cue_text(payload))
    return cues


def _srt_cues(text: str, p: Path) -> list[tuple[float, float, str | None, str]]:
    cues = []
    for lineno, block in _blocks(text.lstrip("\ufeff")):
        if "-->" in block[0]:
            timing, payload, at = block[0], block[1:], lineno
        elif len(block) > 1 and block[0].strip().isdigit() and "-->" in block[1]:
            timing, payload, at = block[1], block[2:], lineno + 1
        else:
            raise TranscriptError("E111", f"subtitle block without a 'start --> end' timing line: "
                                  f"{block[0][:60]!r}", path=p, line=lineno)
        start, end = _timing(timing, p, at)
        cues.append((start, end) + _cue_text(payload))
    if not cues:
        raise TranscriptError("E111", "no subtitle cues found", path=p, line=1)
    return cues


def _timing(line: str, p: Path, lineno: int) -> tuple[float, float]:
    m = _CUE_TIME.match(line)
    start = sp.parse_time(m.group("start")) if m else None
    end = sp.parse_time(m.group("end")) if m else None
    if start is None or end is None:
        raise TranscriptError("E111", f"cannot read the cue timing {line.strip()[:60]!r}", path=p, line=lineno)
    return start, end


def _cue_text(payload: list[str]) -> tuple[str | None, str]:
    raw = " ".join(x.strip() for x in payload)
    voice = None
    m = _VOICE.match(raw)
    if m:
        voice = html.unescape(m.group("name")).strip() or None
    clean = html.unescape(_TAG.sub("", raw))
    return voice, re.sub(r"[ \t]+", " ", clean).strip()


def _captions(cues: list[tuple[float, float, str | None, str]], p: Path, tid: str, pattern: Any,
              language: str | None, vtt_meta: dict[str, Any] | None = None) -> Transcript:
    texts = [c[3] for c in cues]
    cands = [sp.parse_label(t, pattern) if c[2] is None and t else None for c, t in zip(cues, texts)]
    ok = [c is not None for c in cands] if pattern is not None else sp.accept(cands)
    any_speaker = any(c[2] is not None for c in cues) or any(ok)
    paras: list[SrcPara] = []
    lines = LineList(paras)
    cur: str | None = None
    prev_end: float | None = None
    pending: tuple[str | None, float | None] | None = None
    turn_chars = 0
    for k, ((start, end, voice, text), cand, accepted) in enumerate(zip(cues, cands, ok)):
        paras.append(SrcPara(k, text, "text"))
        offset = 0
        if voice is not None:
            speaker: str | None = voice
        elif accepted and cand is not None:
            speaker, offset = cand.speaker, cand.content
        else:
            speaker = None
        if any_speaker:
            new = (speaker is not None and speaker != cur) or (not lines and pending is None)
        else:
            new = (prev_end is None or start - prev_end >= PAUSE
                   or (turn_chars > 1000 and bool(lines) and lines[-1].text.rstrip().endswith((".", "?", "!"))))
        prev_end = end
        if new:
            cur = speaker if speaker is not None else cur
            pending = (cur, start)
            turn_chars = 0
        if not text[offset:].strip():
            continue
        turn_chars += len(text) - offset
        lines.append(Line(k, offset, text[offset:], pending, " "))
        pending = None
    meta = dict(vtt_meta or {})
    if language is None and isinstance(meta.get("language"), str) and len(meta["language"]) <= 5:
        language = meta["language"].split("-")[0].lower()
    meta["cues"] = len(cues)
    return build(paras, lines, id=tid, source=str(p), metadata=meta, language=language, detect=False,
                 merge_same=True)
