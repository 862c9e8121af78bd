"""Pseudonymisation: stable placeholders for names, organisations, places, e-mails, phones, URLs.

Detectors, each reported in the result so a researcher knows what ran:

- ``speakers``: speaker labels that look like personal names;
- ``metadata``: the ``interviewer``/``respondent`` (and ``participants``) metadata fields;
- ``list``: a user-supplied list (``names=`` a mapping ``{"Anna Kowalska": "PERSON", "Siemens": "ORG"}`` or
  a list of person names);
- ``patterns``: e-mail addresses, phone numbers and URLs by regular expression;
- ``ner``: spaCy named entities (PERSON, ORG, GPE/LOC) when a trained pipeline is installed.

A full name also removes its parts ("Anna Kowalska" → "Anna", "Kowalska" also replaced with the
same placeholder), since people are referred to by first or last name in conversation.

Placeholders are consistent across the corpus (``[PERSON-3]`` is the same person everywhere) and
the mapping is returned (and can be saved to a CSV the researcher keeps apart from the data).
Offsets of existing codings are re-mapped with :meth:`PseudonymResult.map_codings`.

Examples
--------
>>> from mcqual.model import Transcript
>>> from mcqual.corpus import Corpus
>>> t = Transcript.from_turns("i1", [("Anna Kowalska", "Hello Marek, mail me at a.k@uni.pl"),
...                                   ("Marek Nowak", "Sure, Anna.")],
...                           metadata={"interviewer": "Anna Kowalska"})
>>> res = pseudonymise(Corpus([t]), detectors=("speakers", "metadata", "patterns"))
>>> res.corpus["i1"].text
'Hello [PERSON-2], mail me at [EMAIL-1]\\n\\nSure, [PERSON-1].'
>>> res.corpus["i1"].turns[0].speaker
'[PERSON-1]'
"""
from __future__ import annotations

import bisect
import csv
import os
import re
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from .corpus import Corpus
from .errors import PrivacyError
from .model import Comment, Paragraph, Transcript, Turn

DETECTORS = ("speakers", "metadata", "list", "patterns", "ner")

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]+", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w])(?:\+|00)?\d[\d ()/.-]{6,}\d(?![\w])")
_GENERIC_SPEAKER = re.compile(
    r"^(?:interviewer|interviewee|moderator|facilitator|respondent|participant|speaker|int|resp|"
    r"[A-Z]{1,3}\d*|[IQARPC]\d*|P\d+|R\d+|id\d+|\[?id\d+\]?|unknown)(?:\s*\d+)?$", re.IGNORECASE)
_NAME_WORD = re.compile(r"^[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’.-]+$")
_STOP_PARTS = {"van", "von", "de", "der", "den", "da", "di", "del", "la", "le", "dr", "mr", "mrs", "ms", "prof"}


@dataclass(frozen=True)
class Replacement:
    """One replaced span: where it was in the original text and what replaced it."""

    transcript_id: str
    start: int
    end: int
    original: str
    placeholder: str
    kind: str
    detector: str


@dataclass
class PseudonymResult:
    """The pseudonymised corpus, the mapping, and what ran."""

    corpus: Corpus
    mapping: dict[str, str]  # original -> placeholder
    kinds: dict[str, str]  # original -> kind
    replacements: list[Replacement]
    detectors: tuple[str, ...]
    skipped_detectors: dict[str, str] = field(default_factory=dict)
    _offset_maps: dict[str, tuple[list[int], list[int], list[int]]] = field(default_factory=dict, repr=False)

    def map_offset(self, transcript_id: str, offset: int) -> int:
        """An offset in the original text mapped into the pseudonymised text.

        An offset inside a replaced span maps to the start of its placeholder.
        """
        starts, ends, shifts = self._offset_maps.get(transcript_id, ([], [], []))
        i = bisect.bisect_right(starts, offset) - 1
        if i < 0:
            return offset
        if offset < ends[i]:  # inside the replaced span
            return starts[i] + (shifts[i - 1] if i > 0 else 0)
        return offset + shifts[i]

    def map_codings(self, codings):
        """Re-map the ``start``/``end`` of a codings DataFrame (or list of dicts) into the new texts."""
        import pandas as pd

        df = pd.DataFrame(codings).copy()
        if df.empty:
            return df
        df["start"] = [self.map_offset(t, int(s)) for t, s in zip(df["transcript_id"], df["start"])]
        new_end = []
        for t, e in zip(df["transcript_id"], df["end"]):
            e = int(e)
            starts, ends, _ = self._offset_maps.get(t, ([], [], []))
            i = bisect.bisect_right(starts, e - 1) - 1
            if i >= 0 and e - 1 < ends[i]:  # the span ends inside a replaced name: end after its placeholder
                new_end.append(self.map_offset(t, ends[i]))
            else:
                new_end.append(self.map_offset(t, e))
        df["end"] = new_end
        if "snippet" in df.columns:
            df["snippet"] = [self.corpus[t].text[s:e] for t, s, e in zip(df["transcript_id"], df["start"], df["end"])]
        return df

    def save_mapping(self, path: str | Path) -> Path:
        """Write the mapping (original, placeholder, kind) as CSV, atomically. Keep it apart from the data."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as f:
            w = csv.writer(f)
            w.writerow(["original", "placeholder", "kind"])
            for orig, ph in sorted(self.mapping.items(), key=lambda kv: kv[1]):
                w.writerow([orig, ph, self.kinds.get(orig, "")])
        os.replace(tmp, path)
        return path

    def __repr__(self) -> str:
        return (f"PseudonymResult({len(self.corpus)} transcripts, {len(self.replacements)} replacements, "
                f"{len(self.mapping)} distinct, detectors={list(self.detectors)})")

    def _repr_html_(self) -> str:
        from ._html import table

        counts: dict[str, int] = {}
        for r in self.replacements:
            counts[r.kind] = counts.get(r.kind, 0) + 1
        skipped = "; ".join(f"{k}: {v}" for k, v in self.skipped_detectors.items())
        return table(["kind", "replacements"], sorted(counts.items()),
                     caption=f"Pseudonymised {len(self.corpus)} transcripts with {', '.join(self.detectors)}"
                             + (f" (not run: {skipped})" if skipped else ""))


def load_mapping(path: str | Path) -> dict[str, tuple[str, str]]:
    """Read a mapping CSV written by :meth:`PseudonymResult.save_mapping`: original -> (placeholder, kind)."""
    try:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        return {r["original"]: (r["placeholder"], r.get("kind") or "PERSON") for r in rows}
    except (OSError, KeyError) as exc:
        raise PrivacyError("E800", f"cannot read the mapping ({exc})", path=path) from exc


def _looks_like_name(label: str | None) -> bool:
    if not label or _GENERIC_SPEAKER.match(label.strip()):
        return False
    words = label.split()
    return 1 <= len(words) <= 4 and all(_NAME_WORD.match(w) or w.lower() in _STOP_PARTS for w in words)


def _name_parts(name: str) -> list[str]:
    parts = [p for p in re.split(r"\s+", name.strip()) if len(p) > 2 and p.lower() not in _STOP_PARTS]
    return parts if len(parts) > 1 else []


def _split_meta(value) -> list[str]:
    if value is None:
        return []
    text = re.sub(r"\(.*?\)", "", str(value))
    return [p.strip() for p in re.split(r"[,;/]| and ", text) if p.strip()]


def pseudonymise(corpus: Corpus, names: Mapping[str, str] | Sequence[str] | None = None, *,
                 detectors: Iterable[str] = ("speakers", "metadata", "list", "patterns", "ner"),
                 mapping: str | Path | Mapping[str, tuple[str, str]] | None = None,
                 keep: Iterable[str] = ()) -> PseudonymResult:
    """Replace personal data with stable placeholders across a corpus.

    Parameters
    ----------
    corpus : Corpus
    names : mapping or sequence, optional
        Extra names: ``{"Siemens": "ORG", "Linz": "PLACE"}`` or a list of person names.
    detectors : iterable of str
        Any of ``speakers, metadata, list, patterns, ner``; ``ner`` runs only when a trained spaCy
        pipeline (``en_core_web_sm``) is installed — the result says which ran and why not.
    mapping : path or mapping, optional
        A previous mapping, so placeholders stay the same across runs.
    keep : iterable of str
        Words never replaced (e.g. the study's own organisation names that are not personal data).

    Returns
    -------
    PseudonymResult

    Examples
    --------
    >>> from mcqual.model import Transcript
    >>> c = Corpus([Transcript.from_turns("x", [(None, "Call +49 30 1234567 or see www.example.org")])])
    >>> pseudonymise(c, detectors=["patterns"]).corpus["x"].text
    'Call [PHONE-1] or see [URL-1]'
    """
    detectors = tuple(detectors)
    unknown = set(detectors) - set(DETECTORS)
    if unknown:
        raise PrivacyError("E800", f"unknown detectors {sorted(unknown)}", hint=f"Use any of {DETECTORS}.")
    keep_set = {k.lower() for k in keep}
    prior = load_mapping(mapping) if isinstance(mapping, (str, Path)) else dict(mapping or {})
    mapping_out: dict[str, str] = {k: v[0] for k, v in prior.items()}
    kinds: dict[str, str] = {k: v[1] for k, v in prior.items()}
    counters: dict[str, int] = {}
    for ph in mapping_out.values():
        m = re.match(r"\[(\w+)-(\d+)\]", ph)
        if m:
            counters[m.group(1)] = max(counters.get(m.group(1), 0), int(m.group(2)))

    def placeholder(original: str, kind: str) -> str:
        if original not in mapping_out:
            counters[kind] = counters.get(kind, 0) + 1
            mapping_out[original] = f"[{kind}-{counters[kind]}]"
            kinds[original] = kind
        return mapping_out[original]

    # 1. corpus-wide terms: (term, kind, detector); full names give their parts the same placeholder
    terms: dict[str, tuple[str, str]] = {}

    def add(term: str, kind: str, detector: str) -> None:
        term = term.strip()
        if len(term) < 2 or term.lower() in keep_set or term in terms:
            return
        terms[term] = (kind, detector)

    if "list" in detectors and names:
        items = names.items() if isinstance(names, Mapping) else ((n, "PERSON") for n in names)
        for n, kind in items:
            add(n, kind.upper(), "list")
    for t in corpus:
        if "speakers" in detectors:
            for s in t.speakers:
                if _looks_like_name(s):
                    add(s, "PERSON", "speakers")
        if "metadata" in detectors:
            for key in ("interviewer", "respondent", "participants", "author", "creator"):
                for n in _split_meta(t.metadata.get(key)):
                    if _looks_like_name(n):
                        add(n, "PERSON", "metadata")
    # stable numbering: full names first in order of appearance
    for term, (kind, det) in list(terms.items()):
        base = placeholder(term, kind)
        if kind == "PERSON":
            for part in _name_parts(term):
                if part not in terms and part.lower() not in keep_set:
                    terms[part] = (kind, det)
                    mapping_out.setdefault(part, base)
                    kinds.setdefault(part, kind)

    skipped: dict[str, str] = {}
    nlp = None
    if "ner" in detectors:
        try:
            import spacy

            nlp = spacy.load("en_core_web_sm", exclude=["parser", "lemmatizer"])
        except Exception as exc:  # noqa: BLE001 - any failure means: not available
            skipped["ner"] = f"no trained spaCy pipeline installed ({type(exc).__name__})"
    ran = tuple(d for d in detectors if d not in skipped)

    term_re = None
    if terms:
        alts = sorted(terms, key=len, reverse=True)
        term_re = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(a) for a in alts) + r")(?![\w])")

    replacements: list[Replacement] = []
    out: list[Transcript] = []
    offset_maps: dict[str, tuple[list[int], list[int], list[int]]] = {}
    for t in corpus:
        spans: list[tuple[int, int, str, str, str]] = []  # start, end, original, kind, detector
        if term_re is not None:
            for m in term_re.finditer(t.text):
                kind, det = terms[m.group(0)]
                spans.append((m.start(), m.end(), m.group(0), kind, det))
        if "patterns" in detectors:
            for rx, kind in ((_EMAIL, "EMAIL"), (_URL, "URL"), (_PHONE, "PHONE")):
                for m in rx.finditer(t.text):
                    if kind == "PHONE" and sum(ch.isdigit() for ch in m.group(0)) < 7:
                        continue
                    spans.append((m.start(), m.end(), m.group(0), kind, "patterns"))
        if nlp is not None:
            labels = {"PERSON": "PERSON", "ORG": "ORG", "GPE": "PLACE", "LOC": "PLACE"}
            for ent in nlp(t.text).ents:
                if ent.label_ in labels and ent.text.lower() not in keep_set:
                    spans.append((ent.start_char, ent.end_char, ent.text, labels[ent.label_], "ner"))
        chosen = _non_overlapping(spans)
        new_text, spans_new = _apply(t.text, chosen, placeholder)
        starts = [s[0] for s in chosen]
        ends = [s[1] for s in chosen]
        shifts, acc = [], 0
        for (a, b, orig, kind, _), ph in zip(chosen, spans_new):
            acc += len(ph) - (b - a)
            shifts.append(acc)
        offset_maps[t.id] = (starts, ends, shifts)
        for (a, b, orig, kind, det), ph in zip(chosen, spans_new):
            replacements.append(Replacement(t.id, a, b, orig, ph, kind, det))
        out.append(_rebuild(t, new_text, mapping_out, offset_maps[t.id]))
    result = PseudonymResult(Corpus(out, corpus.errors, None), mapping_out, kinds, replacements, ran, skipped,
                             offset_maps)
    result.corpus.attributes = corpus.attributes
    return result


def _non_overlapping(spans):
    spans = sorted(spans, key=lambda s: (s[0], -(s[1] - s[0])))
    out, end = [], -1
    for s in spans:
        if s[0] >= end:
            out.append(s)
            end = s[1]
    return out


def _apply(text: str, chosen, placeholder) -> tuple[str, list[str]]:
    parts, phs, pos = [], [], 0
    for a, b, orig, kind, _ in chosen:
        ph = placeholder(orig, kind)
        parts.append(text[pos:a])
        parts.append(ph)
        phs.append(ph)
        pos = b
    parts.append(text[pos:])
    return "".join(parts), phs


def _rebuild(t: Transcript, new_text: str, mapping: Mapping[str, str], omap) -> Transcript:
    starts, ends, shifts = omap

    def m(off: int) -> int:
        i = bisect.bisect_right(starts, off) - 1
        if i < 0:
            return off
        if off < ends[i]:
            return starts[i] + (shifts[i - 1] if i > 0 else 0)
        return off + shifts[i]

    def m_end(off: int) -> int:
        i = bisect.bisect_right(starts, off - 1) - 1
        if i >= 0 and off - 1 < ends[i]:
            return m(ends[i])
        return m(off)

    def sub(value):
        if isinstance(value, str):
            for orig in sorted(mapping, key=len, reverse=True):
                if orig in value:
                    value = re.sub(r"(?<![\w])" + re.escape(orig) + r"(?![\w])", mapping[orig], value)
        return value

    turns = []
    for turn in t.turns:
        a, b = m(turn.start), m_end(turn.end)
        speaker = mapping.get(turn.speaker, sub(turn.speaker)) if turn.speaker else turn.speaker
        turns.append(Turn(turn.index, speaker, a, b, new_text[a:b], turn.timestamp, turn.role, turn.paragraphs))
    paragraphs = [replace(p, start=m(p.start), end=m_end(p.end), source_text="") if p.start >= 0
                  else replace(p, source_text="") for p in t.paragraphs]
    comments = [Comment(c.id, sub(c.author), c.date, sub(c.text), m(c.start), m_end(c.end),
                        new_text[m(c.start):m_end(c.end)] if c.start >= 0 else sub(c.quote))
                for c in t.comments]
    meta = {k: sub(v) for k, v in t.metadata.items()}
    return Transcript(t.id, new_text, tuple(turns), meta, t.language, t.source, tuple(paragraphs), tuple(comments),
                      t.attributes, t.warnings)
