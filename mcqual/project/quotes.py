"""Coding by quote and naming codes by label: ``project.code(tid, "Trust", quote="…")``.

A quote is found in the transcript's text ignoring differences a copy and
paste from Word, a PDF or an e-mail introduces: runs of whitespace and line
breaks, smart versus straight quotes, en/em dashes versus hyphens, ``…``
versus ``...``, soft hyphens and zero-width spaces; then, if that finds
nothing, ignoring case; then without quotation marks around the quote; then
reading ``...`` / ``[…]`` inside the quote as an elision (the parts in order,
in one turn). Not found is E321 (with the closest passage when one is near);
found more than once is E322, listing every place, and ``occurrence=`` picks one.

Examples
--------
>>> normalise_map("It’s  a\\nwell—known…")[0]
"It's a well-known..."
"""
from __future__ import annotations

import re
from typing import Any

from ..errors import CodebookError, ProjectError

_QUOTES = {c: "'" for c in "‘’‚‛′`´"} | {c: '"' for c in "“”„‟″«»"}
_DASHES = {c: "-" for c in "‐‑‒–—―−"}
_DROP = set("\u00ad\u200b\u200c\u200d\u2060\ufeff")
_ELISION = re.compile(r"\s*(?:\[\s*(?:\.\.\.|…)\s*\]|\(\s*(?:\.\.\.|…)\s*\)|\.\.\.|…)\s*")
_GAP = 600  # most characters an elision may skip


def normalise_map(text: str, *, fold: bool = False) -> tuple[str, list[int]]:
    """``text`` normalised for quote matching, and the original offset of each normalised character."""
    out: list[str] = []
    idx: list[int] = []
    space = False
    for i, ch in enumerate(text):
        if ch in _DROP:
            continue
        if ch.isspace():
            if not space:
                out.append(" ")
                idx.append(i)
            space = True
            continue
        space = False
        ch = _QUOTES.get(ch) or _DASHES.get(ch) or ("..." if ch == "…" else ch)
        if fold:
            ch = ch.casefold()
        for c in ch:
            out.append(c)
            idx.append(i)
    return "".join(out), idx


def resolve_code(self, name: str) -> str:
    """The id of the code ``name`` names (its id or label, case-insensitively); E311 lists the closest names.

    Examples
    --------
    >>> import os, tempfile
    >>> import mcqual as mq
    >>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"))
    >>> _ = p.set_codebook(mq.Codebook([mq.Code("trust", "Trust in issuers")]))
    >>> p.resolve_code("TRUST IN ISSUERS"), p.resolve_code("trust")
    ('trust', 'trust')
    >>> p.resolve_code("trsut in isuers")
    Traceback (most recent call last):
    ...
    mcqual.errors.ProjectError: [E311] ...: no code 'trsut in isuers' in the codebook; closest: 'Trust in issuers' (trust) — ...
    """
    cb = self._codebook_or_none()
    if cb is None:
        raise ProjectError("E307", f"cannot look up code {name!r}: the project has no codebook", path=self.path)
    return lookup_code(cb, name, path=self.path)


def code_arg(self, name: str | None, known: Any = ()) -> str | None:
    """A ``code=`` filter argument as a code id (``None`` stays ``None``; no codebook: as given).

    ``known`` are codes in use that the codebook may lack (a suggester's new
    theme, a coding from an earlier codebook): an exact or case-insensitive
    match with one of them is accepted too.
    """
    if name is None:
        return None
    cb = self._codebook_or_none()
    if cb is None or name in cb or name in known:
        return name
    key = " ".join(str(name).split()).casefold()
    try:
        return lookup_code(cb, name, path=self.path)
    except ProjectError:
        hit = [k for k in known if str(k).casefold() == key]
        if len(hit) == 1:
            return hit[0]
        raise


def lookup_code(cb: Any, name: Any, *, path: str | None = None) -> str:
    """:meth:`Codebook.lookup` with the project's error (E311) and message."""
    try:
        return cb.lookup(name)
    except CodebookError as exc:
        msg = exc.message.replace(f" in codebook {cb.name!r}", " in the codebook")
        raise ProjectError("E311", msg, path=path, hint=exc.hint if "names" in exc.message or "is the" in
                           exc.message else None) from None


def find_quote(text: str, quote: str) -> tuple[list[tuple[int, int]], str]:
    """Every ``(start, end)`` where ``quote`` occurs in ``text`` (see the module doc), and how it matched.

    Examples
    --------
    >>> find_quote("He said: “I trust\\n badges”. I trust badges.", '"I trust badges"')
    ([(9, 26)], 'exact')
    >>> find_quote("I trust badges. Not all of them, only some.", "I trust … only some")
    ([(0, 42)], 'elision')
    """
    q = quote.strip()
    for fold in (False, True):
        nt, idx = normalise_map(text, fold=fold)
        for variant in _variants(q):
            nq = normalise_map(variant, fold=fold)[0]
            if not nq:
                continue
            found, i = [], nt.find(nq)
            while i >= 0:
                found.append((idx[i], idx[i + len(nq) - 1] + 1))
                i = nt.find(nq, i + 1)
            whole = [(a, b) for a, b in found if _bounded(text, a, b)]  # "trust" is not in "trusted"
            if whole or found:
                return whole or found, "exact" if not fold else "case"
    parts = [p for p in _ELISION.split(q) if p.strip()]
    if len(parts) > 1:
        nt, idx = normalise_map(text, fold=True)
        nparts = [normalise_map(p.strip(" \"'“”‘’"), fold=True)[0] for p in parts]
        found = []
        i = nt.find(nparts[0])
        while i >= 0:
            pos, ok = i + len(nparts[0]), True
            for p in nparts[1:]:
                j = nt.find(p, pos)
                if j < 0 or j - pos > _GAP or "\n\n" in text[idx[pos - 1]:idx[j]]:
                    ok = False
                    break
                pos = j + len(p)
            if ok:
                found.append((idx[i], idx[pos - 1] + 1))
            i = nt.find(nparts[0], i + 1)
        if found:
            return found, "elision"
    return [], ""


def _bounded(text: str, a: int, b: int) -> bool:
    """The passage does not start or end inside a word."""
    return not ((a > 0 and text[a - 1].isalnum() and text[a].isalnum())
                or (b < len(text) and text[b].isalnum() and text[b - 1].isalnum()))


def _variants(q: str) -> list[str]:
    """The quote; without quotation marks around it; without a leading or trailing ellipsis."""
    out = [q]
    for cut in (q.strip(" \"'“”‘’„«»"), re.sub(r"^(?:\.\.\.|…|\[…\]|\[\.\.\.\])\s*|\s*(?:\.\.\.|…|\[…\]|\[\.\.\.\])$", "", q)):
        cut = cut.strip()
        if cut and cut not in out:
            out.append(cut)
    return out


def _closest(text: str, quote: str) -> tuple[int, int, float] | None:
    try:
        from rapidfuzz import fuzz
    except ImportError:  # pragma: no cover - rapidfuzz is a core dependency
        return None
    nt, idx = normalise_map(text, fold=True)
    nq = normalise_map(quote.strip(), fold=True)[0]
    if not nq or not nt:
        return None
    al = fuzz.partial_ratio_alignment(nq, nt)
    if al is None or al.score < 60 or al.dest_end <= al.dest_start:
        return None
    a, b = idx[al.dest_start], idx[al.dest_end - 1] + 1
    while a < b and not (text[a].isalnum() or text[a] in "\"'“‘"):  # start on a word, in one paragraph
        a += 1
    cut = text.rfind("\n\n", a, b)
    if cut >= 0 and cut - a < (b - a) // 2:
        a = cut + 2
    while a > 0 and text[a - 1].isalnum():
        a -= 1
    while b < len(text) and text[b].isalnum():
        b += 1
    while b > a and text[b - 1].isspace():
        b -= 1
    return a, b, al.score


def _place(t: Any, a: int, b: int, width: int = 40) -> str:
    turn = t.turn_at(a)
    who = f"turn {turn.index} ({turn.speaker or '?'})" if turn is not None else "outside turns"
    left = " ".join(t.text[max(0, a - width):a].split()) + (" " if t.text[a - 1:a].isspace() else "")
    right = (" " if t.text[b:b + 1].isspace() else "") + " ".join(t.text[b:b + width].split())
    mid = " ".join(t.text[a:b].split())
    if len(mid) > 80:
        mid = mid[:38] + " … " + mid[-38:]
    return f"{who}, offset {a}: …{left}[{mid}]{right}…"


def locate(self, transcript: str, quote: str, occurrence: int | None = None) -> tuple[int, int]:
    """The ``(start, end)`` of ``quote`` in a transcript (E321 not found, E322 found several times).

    Examples
    --------
    >>> import os, tempfile
    >>> import mcqual as mq
    >>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"))
    >>> _ = p.add_transcripts([mq.Transcript.from_turns("a", [("R", "I don’t trust badges.")])])
    >>> p.locate("a", "don't trust")
    (2, 13)
    """
    from . import _convert as cv

    if not isinstance(quote, str) or not quote.strip():
        raise ProjectError("E321", "the quote is empty", path=self.path, hint="Pass quote= the words to code.")
    rows = self._store.transcript_rows([transcript])
    if not rows:
        raise ProjectError("E304", f"no transcript {transcript!r} in the project", path=self.path)
    t = cv.row_to_transcript(rows[0])
    found, _how = find_quote(t.text, quote)
    short = quote if len(quote) <= 60 else quote[:57] + "…"
    if not found:
        near = _closest(t.text, quote)
        where = (f"; closest passage ({near[2]:.0f}% alike): {_place(t, near[0], near[1])}" if near else "")
        raise ProjectError("E321", f"quote {short!r} is not in transcript {transcript!r}{where}", path=self.path)
    if occurrence is not None:
        k = int(occurrence)
        if not 1 <= k <= len(found):
            raise ProjectError("E322", f"occurrence={k}, but quote {short!r} occurs {len(found)} time(s) in "
                               f"{transcript!r}", path=self.path, hint=f"Pass occurrence= 1 to {len(found)}.")
        return found[k - 1]
    if len(found) > 1:
        places = "\n".join(f"  {k}. {_place(t, a, b)}" for k, (a, b) in enumerate(found, 1))
        raise ProjectError("E322", f"quote {short!r} occurs {len(found)} times in {transcript!r}:\n{places}\n",
                           path=self.path, hint=f"Pass occurrence=1 to {len(found)} to pick one, or quote more words.")
    return found[0]


def code(self, transcript: str, start: Any = None, end: Any = None, code: Any = None, *, quote: str | None = None,
         coder: str | None = None, note: str = "", occurrence: int | None = None) -> int:
    """Code a passage by hand; returns the coding id.

    Two forms: ``project.code(tid, start, end, code)`` with character offsets,
    or ``project.code(tid, code, quote="the words")``, which finds the words in
    the transcript (ignoring whitespace, smart quotes, dashes and ellipsis
    characters; see :func:`find_quote`). The code is an id or a label, in any
    case. A quote found more than once is E322 (listing each place) unless
    ``occurrence=`` (1-based) picks one.

    Examples
    --------
    >>> import os, tempfile
    >>> import mcqual as mq
    >>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"), coder="ab")
    >>> _ = p.add_transcripts([mq.Transcript.from_turns("a", [("R", "I trust badges.")])])
    >>> _ = p.set_codebook(mq.Codebook([mq.Code("trust", "Trust in issuers")]))
    >>> p.code("a", 2, 7, "trust")
    1
    >>> cid = p.code("a", "trust in issuers", quote="trust badges")
    >>> p.codings().loc[1, ["start", "end", "snippet"]].astype(str).tolist()
    ['2', '14', 'trust badges']
    """
    from .deciding import decide_many

    if quote is not None:
        if code is None and end is None and isinstance(start, str):
            code = start
        elif start is not None or end is not None:
            raise ProjectError("E312", "give either start and end or quote=, not both", path=self.path,
                               hint="project.code(tid, code, quote='…') or project.code(tid, start, end, code).")
        if code is None:
            raise ProjectError("E312", "project.code(tid, code, quote=…) needs a code", path=self.path, hint="")
        code = resolve_code(self, code)
        start, end = locate(self, transcript, quote, occurrence)
    elif start is None or end is None or code is None:
        raise ProjectError("E312", "project.code needs (transcript, start, end, code) or (transcript, code, quote=…)",
                           path=self.path, hint="")
    return decide_many(self, [("code", transcript, start, end, code)], coder=coder, note=note)[0]
