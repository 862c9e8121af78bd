"""Text search over a project's transcripts, and coding the hits in one transaction.

``project.search("trust")`` finds every occurrence, turn by turn (a hit never
spans two turns), with the speaker, role and a keyword-in-context view;
``project.code_hits(hits, "Trust", extend="sentence")`` codes them.

A plain pattern (``regex=False``) matches whole words (``whole_words=True``),
ignoring case (``case=False``); a space in it matches any run of whitespace
(line breaks too), and straight quotes and hyphens match their typographic
variants (``don't`` finds ``don’t``, ``e-learning`` finds ``e–learning``).
``regex=True`` takes a Python regular expression as it is (``whole_words`` is
not applied: write ``\\b`` yourself). ``lemma=True`` matches by lemma with the
spaCy lookup lemmatizer (``trust`` finds ``trusted``, ``trusts``; ``badge``
finds ``badges``). It is off by default, as in NVivo's and MAXQDA's text
search, so that counts are exact and reproducible; turn it on explicitly.

Examples
--------
>>> import os, tempfile
>>> import mcqual as mq
>>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"), coder="ab")
>>> _ = p.add_transcripts([mq.Transcript.from_turns("a", [("I", "Do you trust it?"), ("R", "I trust badges.")])])
>>> _ = p.set_codebook(mq.Codebook.from_codes(["trust"]))
>>> hits = p.search("trust", speaker="R")
>>> hits[["turn", "speaker", "start", "end", "match"]].values.tolist()
[[1, 'R', 20, 25, 'trust']]
>>> p.code_hits(hits, "trust", extend="turn")
[1]
>>> p.codings()["snippet"].tolist()
['I trust badges.']
"""
from __future__ import annotations

import functools
import re
from typing import Any, Iterable

from ..errors import ProjectError

HIT_COLUMNS = ["transcript_id", "turn", "speaker", "role", "start", "end", "match", "left", "right"]
_VARIANTS = {"'": "['‘’`´]", '"': '["“”„«»]', "-": "[-‐‑‒–—―−]"}


def plain_regex(pattern: str, *, whole_words: bool = True) -> str:
    """The regular expression for a plain search pattern (see the module doc).

    Examples
    --------
    >>> bool(re.search(plain_regex("don't know"), "I don’t\\nknow"))
    True
    >>> bool(re.search(plain_regex("trust"), "trusted"))
    False
    """
    parts = []
    for ch in pattern.strip():
        if ch.isspace():
            if not parts or parts[-1] != r"\s+":
                parts.append(r"\s+")
        else:
            parts.append(_VARIANTS.get(ch, re.escape(ch)))
    body = "".join(parts)
    if whole_words and body:
        p = pattern.strip()
        body = (r"(?<!\w)" if re.match(r"\w", p[0]) else "") + body + (r"(?!\w)" if re.match(r"\w", p[-1]) else "")
    return body


def _as_set(value: str | Iterable[str] | None) -> set[str] | None:
    if value is None:
        return None
    return {value} if isinstance(value, str) else set(value)


def _units(t: Any) -> list[tuple[int | None, str | None, str | None, int, int]]:
    """``(turn, speaker, role, start, end)`` per turn; the whole text for a transcript without turns."""
    if t.turns:
        return [(u.index, u.speaker, u.role, u.start, u.end) for u in t.turns]
    return [(None, None, None, 0, len(t.text))]


def _context(text: str, a: int, b: int, width: int, first: int = 0, last: int | None = None) -> tuple[str, str]:
    """About ``width`` characters either side within ``text[first:last]`` (the turn), cut between words.

    Whitespace is collapsed, and ``…`` marks where the context was cut.

    Examples
    --------
    >>> _context("one two three four five", 8, 13, 8)
    ('one two ', ' four…')
    """
    last = len(text) if last is None else last
    lo, hi = max(first, a - width * 2), min(last, b + width * 2)
    full = " ".join(text[lo:a].split())
    k = max(0, len(full) - width)
    partial = (full[k - 1] != " ") if k > 0 else (lo > first and not text[lo - 1].isspace())
    left = full[k:]
    if partial and left:
        cut = left.find(" ")
        left = left[cut + 1:] if cut >= 0 else ""
    if (k > 0 or lo > first) and left:
        left = "…" + left
    full = " ".join(text[b:hi].split())
    right = full[:width]
    partial = (full[width] != " ") if len(full) > width else (hi < last and not text[hi].isspace())
    if partial and right:
        cut = right.rfind(" ")
        right = right[:cut] if cut >= 0 else ""
    if (len(full) > width or hi < last) and right:
        right += "…"
    if text[max(0, a - 1):a].isspace():
        left += " "
    if text[b:b + 1].isspace():
        right = " " + right
    return left, right


def search(self, pattern: str, *, regex: bool = False, whole_words: bool = True, case: bool = False,
           lemma: bool = False, transcript: str | Iterable[str] | None = None,
           speaker: str | Iterable[str] | None = None, role: str | Iterable[str] | None = None,
           code: str | None = None, context: int = 40):
    """Find ``pattern`` in the transcripts; one row per hit, shown keyword-in-context in Jupyter.

    Parameters
    ----------
    pattern : str
        Words (a phrase), or a regular expression with ``regex=True``.
    regex : bool
        Read ``pattern`` as a Python regular expression.
    whole_words : bool
        A plain pattern matches whole words only (``trust`` not in ``trustworthy``).
    case : bool
        Match case exactly (default: ignore case).
    lemma : bool
        Match by lemma (``trust`` finds ``trusted``); needs spacy-lookups-data (E902 otherwise).
    transcript, speaker, role : str or list of str, optional
        Only these transcripts / speakers (as the transcript labels them, any case) / roles
        (``"interviewer"``, ``"respondent"``...).
    code : str, optional
        Only hits inside a passage coded with this code (id or label; any coder).
    context : int
        Characters of context left and right.

    Returns
    -------
    HitFrame
        A DataFrame with columns ``transcript_id, turn, speaker, role, start,
        end, match, left, right`` (``turn`` is missing for text outside turns).

    Examples
    --------
    >>> import os, tempfile
    >>> import mcqual as mq
    >>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"))
    >>> _ = p.add_transcripts([mq.Transcript.from_turns("a", [("R", "Trusted, trusting, trust.")])])
    >>> p.search("trust")["match"].tolist(), p.search("trust", lemma=True)["match"].tolist()
    (['trust'], ['Trusted', 'trusting', 'trust'])
    """
    import pandas as pd

    from . import _convert as cv
    from ._frames import HitFrame

    if not isinstance(pattern, str) or not pattern.strip():
        raise ProjectError("E324", "the search pattern is empty", path=self.path, hint="Pass the words to find.")
    if lemma and regex:
        raise ProjectError("E324", "lemma=True matches words, not regular expressions", path=self.path,
                           hint="Use lemma=True with plain words, or regex=True alone.")
    matcher = None
    if not lemma:
        try:
            matcher = re.compile(pattern if regex else plain_regex(pattern, whole_words=whole_words),
                                 0 if case else re.IGNORECASE)
        except re.error as exc:
            raise ProjectError("E324", f"{pattern!r} is not a valid regular expression ({exc})", path=self.path,
                               hint="Fix the expression, or search plain words with regex=False.") from None
    tids = _as_set(transcript)
    speakers = {s.casefold() for s in _as_set(speaker) or ()} or None
    roles = {s.casefold() for s in _as_set(role) or ()} or None
    coded: dict[str, list[tuple[int, int]]] | None = None
    with self._store.read():
        if code is not None:
            code = self.resolve_code(code)
            coded = {}
            for c in self._state().codings.values():
                if c.code == code:
                    coded.setdefault(c.transcript_id, []).append((c.start, c.end))
        rows = self._store.transcript_rows(sorted(tids) if tids is not None else None)
    if tids is not None:
        missing = tids - {r["transcript_id"] for r in rows}
        if missing:
            raise ProjectError("E304", f"no transcript {', '.join(map(repr, sorted(missing)))} in the project",
                               path=self.path)
    out: list[list[Any]] = []
    seen_speakers: set[str] = set()
    seen_roles: set[str] = set()
    for row in rows:
        t = cv.row_to_transcript(row)
        all_units = _units(t)
        seen_speakers.update(str(u[1]) for u in all_units if u[1])
        seen_roles.update(str(u[2]) for u in all_units if u[2])
        if coded is not None and t.id not in coded:
            continue
        units = [u for u in all_units
                 if (speakers is None or (u[1] or "").casefold() in speakers)
                 and (roles is None or (u[2] or "").casefold() in roles)]
        if lemma:
            spans = _lemma_spans(t, units, pattern)
        else:
            spans = [(u, m.start(), m.end()) for u in units
                     for m in matcher.finditer(t.text, u[3], u[4]) if m.end() > m.start()]
        for u, a, b in spans:
            if coded is not None and not any(s < b and a < e for s, e in coded[t.id]):
                continue
            left, right = _context(t.text, a, b, context, u[3], u[4])
            out.append([t.id, u[0], u[1], u[2], a, b, t.text[a:b], left, right])
    for what, asked, seen in (("speaker", speakers, seen_speakers), ("role", roles, seen_roles)):
        if asked is not None and not asked & {x.casefold() for x in seen}:  # a typo, not "no hits"
            import difflib

            wanted = sorted(_as_set(speaker if what == "speaker" else role) or ())
            close = difflib.get_close_matches(wanted[0], sorted(seen), n=3, cutoff=0.4) if wanted else []
            raise ProjectError("E325", f"no {what} {', '.join(map(repr, wanted))} in these transcripts"
                               + (f"; closest: {', '.join(map(repr, close))}" if close else "")
                               + f" ({what}s: {', '.join(sorted(seen)[:12]) or 'none'})", path=self.path)
    df = pd.DataFrame(out, columns=HIT_COLUMNS)
    df["turn"] = df["turn"].astype("Int64")
    for k in ("start", "end"):
        df[k] = df[k].astype("int64")
    hits = HitFrame(df)
    hits.attrs["pattern"] = pattern
    return hits


def _lemma_spans(t: Any, units: list, pattern: str) -> list[tuple[Any, int, int]]:
    from ..text.nlp import rule_pipeline

    nlp = rule_pipeline((t.language or "en")[:2].lower())
    want = [tok.norm_ for tok in nlp(pattern.strip()) if not tok.is_space]
    if not want:
        return []
    n = len(want)
    out = []
    forms = _forms(nlp.lang, want[0])  # only turns holding a form of the first word go through spaCy
    rx = re.compile("|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True)), re.IGNORECASE)
    units = [u for u in units if rx.search(t.text, u[3], u[4])]
    texts = [t.text[u[3]:u[4]] for u in units]
    for u, doc in zip(units, nlp.pipe(texts)):
        toks = [tok for tok in doc if not tok.is_space]
        norms = [tok.norm_ for tok in toks]
        for i in range(len(toks) - n + 1):
            if norms[i:i + n] == want:
                out.append((u, u[3] + toks[i].idx, u[3] + toks[i + n - 1].idx + len(toks[i + n - 1].text)))
    return out


@functools.lru_cache(maxsize=64)
def _forms(lang: str, lemma: str) -> frozenset[str]:
    """Every lower-case form the lookup table maps to ``lemma`` (and the lemma itself)."""
    return frozenset({lemma} | {f for f, x in _lemma_index(lang).get(lemma, ())})


@functools.lru_cache(maxsize=8)
def _lemma_index(lang: str) -> dict[str, list[tuple[str, str]]]:
    from ..text.nlp import _norm_map

    out: dict[str, list[tuple[str, str]]] = {}
    for form, lemma in _norm_map(lang).items():
        out.setdefault(lemma, []).append((form, lemma))
    return out


def code_hits(self, hits: Any, code: str, *, coder: str | None = None, extend: str = "match",
              note: str = "") -> list[int]:
    """Code search hits with ``code``, all in one transaction; returns the coding ids.

    Parameters
    ----------
    hits : DataFrame
        From :meth:`search` (or any table with ``transcript_id, start, end``);
        filter it first to code only some hits.
    code : str
        A code id or label (any case).
    coder : str, optional
    extend : {"match", "sentence", "turn"}
        Code the matched words, the sentence(s) holding them, or the whole turn.
        Hits that extend to the same passage make one coding; a passage this
        coder already coded with this code is not coded twice (its existing
        coding id is returned).

    Examples
    --------
    >>> import os, tempfile
    >>> import mcqual as mq
    >>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "p.mcq"), coder="ab")
    >>> _ = p.add_transcripts([mq.Transcript.from_turns("a", [("R", "Badges? I trust them. Not much else.")])])
    >>> _ = p.set_codebook(mq.Codebook.from_codes(["trust"]))
    >>> ids = p.code_hits(p.search("trust"), "trust", extend="sentence")
    >>> p.codings()["snippet"].tolist()
    ['I trust them.']
    """
    from . import _convert as cv
    from .deciding import decide_many

    if extend not in ("match", "sentence", "turn"):
        raise ProjectError("E503", f"extend must be 'match', 'sentence' or 'turn', not {extend!r}", path=self.path,
                           hint="")
    cols = getattr(hits, "columns", None)
    if cols is None or not {"transcript_id", "start", "end"} <= set(cols):
        raise ProjectError("E326", "code_hits needs a table with transcript_id, start and end (from project.search)",
                           path=self.path)
    if not len(hits):
        return []
    who = self._coder(coder)
    code = self.resolve_code(code)
    wanted = [(str(t), int(a), int(b)) for t, a, b in zip(hits["transcript_id"], hits["start"], hits["end"])]
    spans: list[tuple[str, int, int]] = []
    if extend == "match":
        spans = wanted
    else:
        rows = {r["transcript_id"]: r for r in self._store.transcript_rows(sorted({w[0] for w in wanted}))}
        cache: dict[tuple[str, int], list[tuple[int, int]]] = {}
        built: dict[str, Any] = {}
        pending: list[tuple[int, tuple[str, int], int, str]] = []
        for tid, a, b in wanted:
            if tid not in rows:
                raise ProjectError("E304", f"no transcript {tid!r} in the project", path=self.path)
            t = built.get(tid)
            if t is None:
                t = built[tid] = cv.row_to_transcript(rows[tid])
            turn = t.turn_at(a) if t.turns else None
            if turn is not None:
                unit = (turn.index, turn.speaker, turn.role, turn.start, turn.end)
            elif not t.turns:
                unit = (None, None, None, 0, len(t.text))
            else:  # text outside turns (a preamble): the hit itself
                spans.append((tid, a, b))
                continue
            if extend == "turn":
                spans.append((tid, unit[3], max(unit[4], b)))
                continue
            spans.append((tid, a, b))
            pending.append((len(spans) - 1, (tid, unit[3]), unit[4], (t.language or "en")[:2].lower()))
        if pending:  # the sentences of every turn concerned, split in one batch per language
            from ..text.nlp import split_sentences

            todo: dict[str, dict[tuple[str, int], int]] = {}
            for _, key, end, lang in pending:
                todo.setdefault(lang, {})[key] = end
            for lang, keys in todo.items():
                ks = list(keys)
                split = split_sentences([built[k[0]].text[k[1]:keys[k]] for k in ks], lang, trained=False)
                for k, sents in zip(ks, split):
                    cache[k] = [(k[1] + s0, k[1] + s1) for s0, s1 in sents]
            for i, key, _, _ in pending:
                tid, a, b = spans[i]
                sents = [x for x in cache[key] if x[0] < b and a < x[1]] or [(a, b)]
                spans[i] = (tid, min(min(x[0] for x in sents), a), max(max(x[1] for x in sents), b))
    existing = {(c.transcript_id, c.start, c.end): c.coding_id for c in self._state().codings.values()
                if c.coder == who and c.code == code}
    order: list[tuple[str, int, int]] = []
    for s in spans:
        if s not in order:
            order.append(s)
    new = [s for s in order if s not in existing]
    ids = dict(zip(new, decide_many(self, [("code", t, a, b, code) for t, a, b in new], coder=who, note=note)))
    return [ids.get(s, existing.get(s)) for s in order]
