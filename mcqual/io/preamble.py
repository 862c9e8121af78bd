"""Lines around the turns: metadata blocks, preambles (Otter, Word Transcribe), separators, tool sign-offs.

Examples
--------
>>> key_value("Date: 12 March 2024")
('date', '12 March 2024')
>>> is_separator("-----"), is_trailer("Transcribed by https://otter.ai")
(True, True)
"""
from __future__ import annotations

import re
from typing import Iterable, Sequence

from .speakers import METADATA_KEYS, parse_label

_KEYVAL = re.compile(r"^\s*(?P<key>[^\W\d_][^:\n]{0,38}?)\s*:\s*(?P<value>\S.*?)\s*$")


def key_value(line: str) -> tuple[str, str] | None:
    """``'Respondent ID: R07' -> ('respondent_id', 'R07')``; None unless the line is a short key/value pair.

    Examples
    --------
    >>> key_value("Date: 12 March 2024")
    ('date', '12 March 2024')
    >>> key_value("Interviewer: Thank you for taking the time to talk to us today about badges.") is None
    True
    """
    m = _KEYVAL.match(line)
    if not m:
        return None
    key, value = m.group("key"), m.group("value")
    if len(key.split()) > 4 or len(value.split()) > 12 or "?" in value or value.startswith("//"):
        return None
    return norm_key(key), value


def norm_key(key: str) -> str:
    """``'Respondent ID' -> 'respondent_id'``.

    Examples
    --------
    >>> norm_key(" Date of interview ")
    'date_of_interview'
    """
    return re.sub(r"[^\w]+", "_", key.strip().casefold()).strip("_")


_TRAILER = re.compile(r"(?i)^\s*(?:transcribed|transcription|transcript\s+generated|automatically\s+transcribed)"
                      r"\s+(?:by|with|using)\s+\S+")


def is_trailer(line: str) -> bool:
    """A transcription tool's sign-off (``Transcribed by https://otter.ai``): metadata, not speech.

    Examples
    --------
    >>> is_trailer("Transcribed by https://otter.ai"), is_trailer("Transcribed by hand, I think.")
    (True, False)
    """
    s = line.strip()
    if s[:1] not in "TtAa":
        return False
    return bool(_TRAILER.match(s)) and len(s.split()) <= 6 and not s.endswith((",", "."))


def is_separator(line: str) -> bool:
    """A line of only dashes, stars, underscores or equals signs (``-----``).

    Examples
    --------
    >>> is_separator("-----"), is_separator("- yes")
    (True, False)
    """
    s = line.strip()
    return len(s) >= 3 and s[0] in "-_*=~#•·–—" and not s.strip("-_*=~#•·–— ")


def _pipe_parts(line: str) -> list[str]:
    """``'int-10 | 2026-04-02 | Italy'`` -> its parts, when the line is such a metadata line ([] otherwise)."""
    if line.count("|") < 2:
        return []
    parts = [x.strip() for x in line.split("|")]
    if all(x and len(x.split()) <= 6 and "?" not in x for x in parts):
        return parts
    return []


def header_block(lines: Iterable[str]) -> int:
    """How many leading lines form a metadata block (``Date: …``, ``Interviewer: Anna``…), 0 if none.

    The block may start with up to two short title lines and must hold at least
    one key that is not a speaker role (date, country, duration…); it ends at
    the first line that is not a short ``key: value`` pair, or at a repeated key.

    Examples
    --------
    >>> header_block(["Interview 7", "Date: 3 May", "Interviewer: Anna Roth", "", "Interviewer: Shall we start?"])
    4
    >>> header_block(["Interviewer: Hello.", "R: Hi."])
    0
    """
    keys: set[str] = set()
    has_meta = piped = False
    titles = 0
    end = 0
    for i, line in enumerate(lines):
        if not line.strip():
            if keys:
                end = i + 1
            continue
        if _pipe_parts(line):
            has_meta = piped = True
            end = i + 1
            continue
        kv = key_value(line)
        if kv is None:
            if keys or titles >= 2 or len(line.split()) > 15 or parse_label(line) is not None:
                break
            titles += 1
            continue
        key = kv[0]
        if key in keys:
            break
        keys.add(key)
        if key in METADATA_KEYS or key.split("_")[0] in METADATA_KEYS:
            has_meta = True
        end = i + 1
    return end if has_meta and (len(keys) >= 2 or piped) else 0


_OTTER_NEXT = {"summary keywords": "keywords", "keywords": "keywords", "speakers": "speakers",
               "participants": "speakers", "attendees": "speakers"}
_DATE = re.compile(r"(?i)\b(?:\d{4}-\d{2}-\d{2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}|"
                   r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}|"
                   r"\d{1,2}\s+(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*)")


def preamble_metadata(lines: Sequence[str]) -> dict[str, object]:
    """Metadata from the lines before the first turn (title, date, Otter's keywords and speakers, key: value).

    Examples
    --------
    >>> m = preamble_metadata(["Trust in badges", "Tue, Mar 12, 2024 10:04AM", "SPEAKERS", "Ana, Ben"])
    >>> m["title"], m["speakers"], m["date"]
    ('Trust in badges', 'Ana, Ben', 'Tue, Mar 12, 2024 10:04AM')
    """
    meta: dict[str, object] = {}
    pending: str | None = None
    kept = [x.strip() for x in lines if x.strip()]
    for line in kept:
        if pending:
            meta.setdefault(pending, line)
            pending = None
            continue
        low = line.casefold().rstrip(":")
        if low in _OTTER_NEXT:
            pending = _OTTER_NEXT[low]
            continue
        parts = _pipe_parts(line)
        if parts:
            for part in parts:
                kv = key_value(part)
                if kv is not None:
                    meta.setdefault(kv[0], kv[1])
                elif "date" not in meta and _DATE.search(part):
                    meta["date"] = part
            continue
        kv = key_value(line)
        if kv is not None:
            meta.setdefault(kv[0], kv[1])
            continue
        if "date" not in meta and _DATE.search(line) and len(line) < 60:
            meta["date"] = line
        elif "title" not in meta and not is_separator(line):
            meta["title"] = line
    if kept:
        meta["preamble"] = tuple(kept)
    return meta
