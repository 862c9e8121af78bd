"""Codings kept as Word comments: a coder selects a passage in Word and comments it with code names.

The comment text lists codes separated by ``;`` or ``,``
(``"immersion; emotional response"``). :func:`read_comment_codings` turns
every such comment into one row per code, anchored on the transcript text
(``Transcript.text[start:end]`` is the commented passage), so a colleague's
Word-coded file becomes a coder's codings table for agreement, matrices or a
project.

Examples
--------
>>> from mcqual.model import Transcript, Comment
>>> t = Transcript.from_turns("int-01", [("R", "I trust badges from known issuers.")])
>>> t = Transcript(t.id, t.text, t.turns, comments=(Comment("0", "AB", None, "trust; issuer", 2, 7, "trust"),))
>>> read_comment_codings(t)[["start", "end", "code", "coder", "snippet"]].values.tolist()
[[2, 7, 'trust', 'AB', 'trust'], [2, 7, 'issuer', 'AB', 'trust']]
"""
from __future__ import annotations

import re
import unicodedata
import warnings
from pathlib import Path
from typing import Any, Iterable

from ..codebook.model import Codebook
from ..errors import ExchangeError
from ..model import Transcript

COLUMNS = ["transcript_id", "start", "end", "code", "coder", "snippet", "comment_id", "comment"]


def _norm(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return re.sub(r"[\s_\-/.]+", " ", text).strip()


def _lookup(codebook: Codebook) -> dict[str, str]:
    out: dict[str, str] = {}
    for c in codebook:
        for key in (c.id, c.label, c.name, codebook.path(c.id)):
            out.setdefault(_norm(key), c.id)
    return out


def split_codes(text: str, known: dict[str, str] | None = None) -> list[str]:
    """Code names in a comment, in order, without duplicates.

    ``;`` separates codes; ``,`` does too, unless the comma is part of a known
    code name (``known``: normalised name -> id).

    Examples
    --------
    >>> split_codes("audio; visuals; narrative ")
    ['audio', 'visuals', 'narrative']
    >>> split_codes("trust, recognition;trust")
    ['trust', 'recognition']
    >>> split_codes("EQF, NQF levels", {"eqf nqf levels": "x"})
    ['EQF, NQF levels']
    """
    out: list[str] = []
    text = text.replace("\r", "\n")
    for part in re.split(r"[;\n]", text):
        part = part.strip()
        if not part:
            continue
        if known is not None and "," in part and _norm(part.replace(",", " ")) in known:
            pieces = [part]
        else:
            pieces = [p.strip() for p in part.split(",")]
        for p in pieces:
            p = p.strip().strip("\"'“”‘’").strip()
            if p and p not in out:
                out.append(p)
    return out


def _transcripts(source: Any) -> list[Transcript]:
    if isinstance(source, Transcript):
        return [source]
    if isinstance(source, (str, Path)):
        from ..io.docx import read_docx

        return [read_docx(source)]
    if isinstance(source, Iterable):
        out: list[Transcript] = []
        for item in source:
            out.extend(_transcripts(item))
        return out
    raise ExchangeError("E603", f"cannot read comment codings from a {type(source).__name__}",
                        hint="Pass a .docx path, a Transcript read with mq.read_docx, or a list/Corpus of them.")


def read_comment_codings(docx: Any, codebook: Codebook | None = None, coder: str | None = None, *,
                         unknown: str = "keep"):
    """Codings made as Word comments, as a coder's codings table.

    Parameters
    ----------
    docx : str, Path, Transcript, Corpus or list
        A ``.docx`` (read with ``mq.read_docx``) or transcripts already read.
    codebook : Codebook, optional
        Map comment names onto code ids (matched on id, label, name or path,
        ignoring case, spaces, ``_``/``-``). Without it the names are the codes.
    coder : str, optional
        The coder id for every row; default: the comment's author (or ``"word"``).
    unknown : {"keep", "drop", "raise"}
        What to do with a name that is not in ``codebook``: keep it as its own
        code (with a warning), drop it (with a warning), or raise E603.

    Returns
    -------
    pandas.DataFrame
        ``transcript_id, start, end, code, coder, snippet, comment_id, comment``;
        one row per code of each comment; ``snippet == text[start:end]``.

    Examples
    --------
    >>> from mcqual.model import Transcript, Comment
    >>> from mcqual.codebook.model import Code, Codebook
    >>> t = Transcript.from_turns("a", [("R", "We hire on skills.")])
    >>> t = Transcript("a", t.text, t.turns, comments=(Comment("1", None, None, "Hiring", 3, 7, "hire"),))
    >>> read_comment_codings(t, Codebook([Code("impact.hiring", "Hiring")]), coder="EF")["code"].tolist()
    ['impact.hiring']
    """
    import pandas as pd

    if unknown not in ("keep", "drop", "raise"):
        raise ExchangeError("E603", f"unknown={unknown!r} is not one of 'keep', 'drop', 'raise'",
                            hint="Pass unknown='keep', 'drop' or 'raise'.")
    known = _lookup(codebook) if codebook is not None else None
    rows: list[dict[str, Any]] = []
    problems: list[str] = []
    missing: dict[str, int] = {}
    for t in _transcripts(docx):
        for c in t.comments:
            where = f"{t.source or t.id}: comment {c.id}"
            if c.start is None or c.end is None or c.start < 0 or c.end <= c.start or c.end > len(t.text):
                problems.append(f"{where} is not anchored on transcript text (left out)")
                continue
            names = split_codes(c.text or "", known)
            if not names:
                problems.append(f"{where} holds no code name (left out)")
                continue
            seen: set[str] = set()
            for name in names:
                code = name
                if known is not None:
                    code = known.get(_norm(name)) or known.get(_norm(name.replace(",", " ")))
                    if code is None:
                        if unknown == "raise":
                            raise ExchangeError("E603", f"{where}: {name!r} is not a code of codebook "
                                                f"{codebook.name!r}", path=t.source,  # type: ignore[union-attr]
                                                hint="Fix the comment or add the code; or pass unknown='keep'.")
                        missing[name] = missing.get(name, 0) + 1
                        if unknown == "drop":
                            continue
                        code = name
                if code in seen:
                    continue
                seen.add(code)
                rows.append({"transcript_id": t.id, "start": c.start, "end": c.end, "code": code,
                             "coder": coder or c.author or "word", "snippet": t.text[c.start:c.end],
                             "comment_id": c.id, "comment": c.text})
    if missing:
        verb = "left out" if unknown == "drop" else "kept as codes of their own"
        warnings.warn(f"read_comment_codings: {len(missing)} names are not in the codebook and were {verb}: "
                      + ", ".join(f"{k!r} ({v}x)" for k, v in sorted(missing.items())[:8]), stacklevel=2)
    if problems:
        warnings.warn(f"read_comment_codings: {len(problems)} comments left out: " + "; ".join(problems[:5]),
                      stacklevel=2)
    df = pd.DataFrame(rows, columns=COLUMNS)
    return df.astype({"start": "int64", "end": "int64"})
