"""Pseudonymisation: stable placeholders for names, organisations, places, e-mails, phones, URLs.

Detectors, each reported in the result so a researcher knows what ran:

- ``speakers``: speaker labels that look like personal names;
- ``metadata``: the ``interviewer``/``respondent`` (and ``participants``) metadata fields;
- ``list``: a user-supplied list (``names=`` a mapping ``{"Anna Kowalska": "PERSON", "Siemens": "ORG"}`` or
  a list of person names);
- ``patterns``: e-mail addresses, phone numbers and URLs by regular expression;
- ``ner``: spaCy named entities (PERSON, ORG, GPE/LOC) when a trained pipeline is installed;
- ``ids``: personal names in transcript ids, which come from file names (``Interview_Anna_Kowalska``):
  two or more capitalised words that are not study words (interview, transcript, group…).

Transcript ids are pseudonymised like names: every name found (by any detector) inside an id is
replaced by its placeholder (``Interview_Anna_Kowalska`` → ``Interview_[PERSON-1]``), the alias is
kept in the mapping (kind ``ID``) so it stays the same across runs, and the pseudonymised corpus
carries the aliases everywhere — ``Transcript.id``, ``source``, case attributes, codings re-mapped
by :meth:`PseudonymResult.map_codings` — so every export built from it (Excel, Word, ``.qdpx``
source/case/file names, heatmap labels) is clean. Word comment authors are people too: they are
found by the ``metadata`` detector and replaced, so ``read_comment_codings`` on a pseudonymised
corpus records the alias as coder.

A full name also removes its parts ("Anna Kowalska" → "Anna", "Kowalska" also replaced with the
same placeholder), since people are referred to by first or last name in conversation.

Placeholders are consistent across the corpus (``[PERSON-3]`` is the same person everywhere) and
the mapping is returned (and can be saved to a CSV the researcher keeps apart from the data).
Offsets of existing codings are re-mapped with :meth:`PseudonymResult.map_codings`; text whose
offsets are unknown (quotes, table cells, memos) goes through :meth:`PseudonymResult.apply_text` /
:meth:`~PseudonymResult.apply_frame`. Exports (``to_excel``, ``to_docx``, ``to_qdpx``) take
``pseudonymise=True`` and use :func:`for_export` / :func:`pseudonymised_bundle`.

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
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from .corpus import Corpus
from .errors import PrivacyError
from .model import Comment, Transcript, Turn

DETECTORS = ("speakers", "metadata", "list", "patterns", "ner", "ids")

#: words in file names that are not names of people
_ID_WORDS = frozenset("""
interview interviews int transcript transcripts transcription focus group groups session sessions final draft clean
cleaned edited version copy part round wave pilot test case respondent participant learner employer provider
expert stakeholder teacher student trainer manager team meeting notes audio video recording recorded otter teams
zoom word docx txt de en fr it es pl nl pt el fi sv da cs hu ro sk sl bg hr lt lv et ga mt anon anonymised
anonymized pseudonymised pseudonymized redacted english german french italian spanish polish english_version
survey answers answer open fg kii qual study project eu cedefop microcredentials micro credentials credential
badge badges final_version new old
""".split())

_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+(?:\.[\w-]+)+\b")
_URL = re.compile(r"\b(?:https?://|www\.)[^\s<>\"')\]]+", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w(+])(?:\+|00|\()?\d[\d ()/.-]{6,}\d(?![\w])")
_GENERIC_SPEAKER = re.compile(
    r"^(?:interviewer|interviewee|moderator|facilitator|respondent|participant|speaker|int|resp|"
    r"[A-Z]{1,3}\d*|[IQARPC]\d*|P\d+|R\d+|id\d+|\[?id\d+\]?|unknown)(?:\s*\d+)?$", re.IGNORECASE)
_NAME_WORD = re.compile(r"^[A-ZÀ-ÖØ-ÞĀ-Ž][\w'’.-]+$")
#: metadata fields / case attributes (cases.csv columns) that hold names of people
_META_KEYS = ("interviewer", "interviewers", "respondent", "respondents", "participants", "moderator", "author",
              "creator", "last_modified_by", "lastModifiedBy", "transcriber", "coder")
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
    #: original transcript id -> its alias (only the ids that held a name)
    ids: dict[str, str] = field(default_factory=dict)

    def _orig(self, transcript_id: str) -> str:
        if transcript_id in self._offset_maps:
            return transcript_id
        back = {v: k for k, v in self.ids.items()}
        return back.get(transcript_id, transcript_id)

    def new_id(self, transcript_id: str) -> str:
        """The pseudonymised id of a transcript (its alias, or the id itself when it held no name)."""
        return self.ids.get(transcript_id, transcript_id)

    def map_offset(self, transcript_id: str, offset: int) -> int:
        """An offset in the original text mapped into the pseudonymised text.

        An offset inside a replaced span maps to the start of its placeholder.
        """
        starts, ends, shifts = self._offset_maps.get(self._orig(transcript_id), ([], [], []))
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
            starts, ends, _ = self._offset_maps.get(self._orig(t), ([], [], []))
            i = bisect.bisect_right(starts, e - 1) - 1
            if i >= 0 and e - 1 < ends[i]:  # the span ends inside a replaced name: end after its placeholder
                new_end.append(self.map_offset(t, ends[i]))
            else:
                new_end.append(self.map_offset(t, e))
        df["end"] = new_end
        df["transcript_id"] = [self.new_id(self._orig(t)) if isinstance(t, str) else t for t in df["transcript_id"]]
        if "snippet" in df.columns:
            df["snippet"] = [self.corpus[t].text[s:e] for t, s, e in zip(df["transcript_id"], df["start"], df["end"])]
        return df

    def apply_text(self, value):
        """Replace every mapped original (names, e-mails, phones…) in free text, dicts or lists.

        For text whose offsets are unknown (quotes, notes, memo text, table cells).

        Examples
        --------
        >>> from mcqual.model import Transcript
        >>> res = pseudonymise(Corpus([Transcript.from_turns("x", [("Eva Lind", "Hi.")])]))
        >>> res.apply_text("As Eva said: trust.")
        'As [PERSON-1] said: trust.'
        """
        return _substituter(self.mapping)(value)

    def apply_frame(self, df):
        """A copy of a DataFrame with :meth:`apply_text` applied to every text cell, column name and index label."""
        import pandas as pd

        if df is None:
            return None
        out = _pseudonymise_frame(pd.DataFrame(df), self.mapping)
        sub = _substituter(self.mapping)
        out.index = out.index.map(sub)
        out.columns = out.columns.map(sub)
        return out

    def save_mapping(self, path: str | Path) -> Path:
        """Write the mapping (original, placeholder, kind) as CSV, atomically, readable by its owner only
        (mode 0600: it holds the real names). Keep it apart from the data."""
        from ._atomic import atomic_write

        def _write(tmp: str) -> None:
            with open(tmp, "w", newline="", encoding="utf-8") as f:
                w = csv.writer(f)
                w.writerow(["original", "placeholder", "kind"])
                for orig, ph in sorted(self.mapping.items(), key=lambda kv: kv[1]):
                    w.writerow([orig, ph, self.kinds.get(orig, "")])

        return atomic_write(path, _write, parents=True, mode=0o600)  # real names: owner-only on purpose

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


def _fold(text: str) -> str:
    """``text`` without accents (Siobhán -> Siobhan, Dvořáková -> Dvorakova)."""
    import unicodedata

    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def _split_meta(value) -> list[str]:
    if value is None:
        return []
    text = re.sub(r"\(.*?\)", "", str(value))
    return [p.strip() for p in re.split(r"[,;/]| and ", text) if p.strip()]


def pseudonymise(corpus: Corpus, names: Mapping[str, str] | Sequence[str] | None = None, *,
                 detectors: Iterable[str] = ("speakers", "metadata", "list", "patterns", "ner", "ids"),
                 mapping: str | Path | Mapping[str, tuple[str, str]] | None = None,
                 keep: Iterable[str] = (), ner_model: str = "en_core_web_sm") -> PseudonymResult:
    """Replace personal data with stable placeholders across a corpus.

    Parameters
    ----------
    corpus : Corpus
    names : mapping or sequence, optional
        Extra names: ``{"Siemens": "ORG", "Linz": "PLACE"}`` or a list of person names.
    detectors : iterable of str
        Any of ``speakers, metadata, list, patterns, ner, ids``; ``ner`` runs only when a trained spaCy
        pipeline (``en_core_web_sm``) is installed — the result says which ran and why not.
    mapping : path or mapping, optional
        A previous mapping, so placeholders stay the same across runs; its names are also
        searched for in this corpus (reported as detector ``mapping``).
    keep : iterable of str
        Words never replaced (e.g. the study's own organisation names that are not personal data).
    ner_model : str
        The installed spaCy pipeline (package name or path) used by the ``ner`` detector; it is
        never downloaded: when it is missing, ``ner`` is listed in ``skipped_detectors``.

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

    for orig, (_, kind) in prior.items():  # what a previous run replaced is replaced again, everywhere
        if kind not in ("EMAIL", "URL", "PHONE", "ID"):
            add(orig, kind, "mapping")
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
            for source in (t.metadata, t.metadata.get("properties") or {}, t.attributes):
                if not isinstance(source, Mapping):
                    continue
                for key in _META_KEYS:
                    for n in _split_meta(source.get(key)):
                        if _looks_like_name(n):
                            add(n, "PERSON", "metadata")
            for c in t.comments:  # Word comment authors are coders: people
                for n in _split_meta(c.author):
                    if _looks_like_name(n):
                        add(n, "PERSON", "metadata")
        if "ids" in detectors:
            for n in _names_in_id(t.id):
                add(n, "PERSON", "ids")
    # stable numbering: full names first in order of appearance
    for term, (kind, det) in list(terms.items()):
        base = placeholder(term, kind)
        variants = _name_parts(term) if kind == "PERSON" else []
        variants = [term, *variants]
        variants += [_fold(v) for v in variants]  # "Siobhán" is often typed "Siobhan"
        for part in variants:
            if part not in terms and len(part) > 2 and part.lower() not in keep_set:
                terms[part] = (kind, det)
                mapping_out.setdefault(part, base)
                kinds.setdefault(part, kind)

    skipped: dict[str, str] = {}
    nlp = None
    if "ner" in detectors:
        import importlib.util

        if not Path(ner_model).exists() and importlib.util.find_spec(ner_model.replace("-", "_")) is None:
            skipped["ner"] = (f"no trained spaCy pipeline {ner_model!r} installed "
                              f"(pip install {ner_model}, or pass ner_model= a local path)")
        else:
            try:
                import spacy

                nlp = spacy.load(ner_model, exclude=["parser", "lemmatizer"])
            except Exception as exc:  # noqa: BLE001 - any failure means: not available
                skipped["ner"] = f"spaCy pipeline {ner_model!r} could not be loaded ({type(exc).__name__}: {exc})"
    ran = tuple(d for d in detectors if d not in skipped) + (("mapping",) if prior else ())

    term_re = None
    if terms:
        alts = sorted(terms, key=len, reverse=True)
        term_re = re.compile(r"(?<![\w])(?:" + "|".join(re.escape(a) for a in alts) + r")(?![\w])")

    id_map = _alias_ids(corpus.ids, terms, prior, placeholder)
    for orig, alias in id_map.items():
        if alias != orig:
            mapping_out[orig] = alias
            kinds[orig] = "ID"

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
        out.append(_rebuild(t, new_text, mapping_out, offset_maps[t.id], id_map.get(t.id, t.id)))
    sub = _substituter(mapping_out, in_names=True)
    errors = [_pseudo_failure(f, sub) for f in corpus.errors]  # a failed file's name is a name too
    problems = [replace(pr, message=sub(pr.message), path=sub(pr.path)) for pr in getattr(corpus, "problems", ())]
    result = PseudonymResult(Corpus(out, errors, None, problems), mapping_out, kinds,
                             replacements, ran, skipped, offset_maps, {k: v for k, v in id_map.items() if k != v})
    attrs = _pseudonymise_frame(corpus.attributes, mapping_out)
    if attrs is not None:
        attrs.index = attrs.index.map(lambda v: id_map.get(v, v) if isinstance(v, str) else v)
    result.corpus.attributes = attrs
    return result


def _pseudo_failure(failure, sub):
    """A :class:`~mcqual.corpus.ReadFailure` whose path and message carry placeholders."""
    from .corpus import ReadFailure

    err = failure.error
    try:
        new = type(err)(err.code, sub(err.message), path=sub(err.path), hint=err.hint, line=err.line)
    except Exception:  # noqa: BLE001 - an error class with another signature: keep the code only
        return ReadFailure(sub(failure.path), type(err)(err.code, "(message withheld: pseudonymised)"))
    return ReadFailure(sub(failure.path), new)


def _id_tokens(tid: str) -> list[str]:
    return [x for x in re.split(r"[_\-\s.,;+()\[\]]+", tid) if x]


_CAP_WORD = re.compile(r"^[A-ZÀ-ÖØ-ÞĀ-Ž][a-zß-öø-ÿā-ž'’]+$")


def _names_in_id(tid: str) -> list[str]:
    """Personal names in a transcript id made from a file name: ``'Interview_Anna_Kowalska_v2'`` -> ``['Anna Kowalska']``.

    Two to four consecutive capitalised words that are not study words (interview, transcript,
    focus, group, final…); one capitalised word only when the id has nothing else but study
    words and numbers (``'Interview_Kowalska_03'``).

    Examples
    --------
    >>> _names_in_id("Interview_Anna_Kowalska_v2"), _names_in_id("int-01"), _names_in_id("FocusGroup_Final")
    (['Anna Kowalska'], [], [])
    >>> _names_in_id("interview-Dvořák-03")
    ['Dvořák']
    """
    tokens = _id_tokens(tid)
    out, run = [], []
    for tok in tokens + [""]:
        if tok and _CAP_WORD.match(tok) and tok.casefold() not in _ID_WORDS and tok.casefold() not in _STOP_PARTS:
            run.append(tok)
            continue
        if len(run) >= 2:
            out.append(" ".join(run[:4]))
        elif len(run) == 1 and len(run[0]) >= 3 and all(
                t.casefold() in _ID_WORDS or not any(ch.isalpha() for ch in t) or re.fullmatch(r"[a-z]{1,3}\d*", t)
                or t == run[0] for t in tokens):
            out.append(run[0])
        run = []
    return out


def _alias_ids(ids: Sequence[str], terms: Mapping[str, tuple[str, str]],
               prior: Mapping[str, tuple[str, str]], placeholder) -> dict[str, str]:
    """Each transcript id with every name in it replaced by the name's placeholder (unique, stable)."""
    lookup: dict[str, tuple[str, str]] = {}
    for term, (kind, _) in terms.items():
        if kind in ("EMAIL", "URL", "PHONE"):
            continue
        lookup[" ".join(_id_tokens(term)).casefold()] = (term, kind)
        lookup[" ".join(_id_tokens(_fold(term))).casefold()] = (term, kind)
    out: dict[str, str] = {}
    taken = set(ids)
    for tid in ids:
        if tid in prior and prior[tid][1] == "ID":
            out[tid] = prior[tid][0]
            continue
        pieces = re.split(r"([_\-\s.,;+()\[\]]+)", tid)  # words at even positions, separators between
        words = pieces[0::2]
        new = list(pieces)
        k, changed = 0, False
        while k < len(words):
            for n in range(min(4, len(words) - k), 0, -1):
                key = " ".join(w for w in words[k:k + n]).casefold()
                hit = lookup.get(key) or lookup.get(_fold(key))
                if hit and all(words[k:k + n]):
                    new[2 * k] = placeholder(*hit)
                    for j in range(2 * k + 1, 2 * (k + n) - 1):
                        new[j] = ""
                    k += n
                    changed = True
                    break
            else:
                k += 1
        if not changed:
            out[tid] = tid
            continue
        alias = "".join(new)
        base, n = alias, 2
        while alias in taken and alias != tid:
            alias = f"{base}#{n}"
            n += 1
        taken.add(alias)
        out[tid] = alias
    return out


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


def _rebuild(t: Transcript, new_text: str, mapping: Mapping[str, str], omap, new_id: str | None = None) -> Transcript:
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

    sub = _substituter(mapping)

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
    attrs = {k: sub(v) for k, v in t.attributes.items()}
    source = t.source
    if source and new_id and new_id != t.id:
        source = source.replace(t.id, new_id)
    source = _substituter(mapping, in_names=True)(source) if source else source
    return Transcript(new_id or t.id, new_text, tuple(turns), meta, t.language, source, tuple(paragraphs),
                      tuple(comments), attrs, tuple(sub(w) for w in t.warnings))


def _substituter(mapping: Mapping[str, str], *, in_names: bool = False):
    """A function replacing every mapped original (word-bounded) in strings, recursively in dicts/lists.

    ``in_names=True`` also replaces inside file names, where ``_`` separates words
    (``Interview_Anna_Kowalska_notes.txt``).
    """
    if not mapping:
        return lambda value: value
    left, right = (r"(?<![^\W_])", r"(?![^\W_])") if in_names else (r"(?<![\w])", r"(?![\w])")
    rx = re.compile(left + "(?:" + "|".join(re.escape(o) for o in sorted(mapping, key=len, reverse=True))
                    + ")" + right)

    def sub(value):
        if isinstance(value, str):
            return rx.sub(lambda m: mapping[m.group(0)], value)
        if isinstance(value, Mapping):
            return {k: sub(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return type(value)(sub(v) for v in value)
        return value

    return sub


def _pseudonymise_frame(df, mapping: Mapping[str, str]):
    """Case attributes with names replaced in every text cell (index too)."""
    if df is None or not mapping:
        return df
    sub = _substituter(mapping)
    out = df.copy()
    for col in out.columns:
        if out[col].dtype == object or str(out[col].dtype).startswith("str"):
            out[col] = [sub(v) if isinstance(v, str) else v for v in out[col]]
    return out


def for_export(pseudonymise_arg, corpus=None, codings=None, **kwargs):
    """What an export writes when asked to pseudonymise: ``(result, corpus, codings)``.

    ``pseudonymise_arg`` is ``False`` (nothing changes: ``(None, corpus, codings)``), ``True``
    (run :func:`pseudonymise` on ``corpus`` with ``kwargs``), a :class:`PseudonymResult`
    (reuse it, so placeholders match the mapping the researcher keeps) or a dict of
    :func:`pseudonymise` keyword arguments. Codings are re-mapped with :meth:`~PseudonymResult.map_codings`
    and their ``snippet`` re-quoted from the pseudonymised text.

    Examples
    --------
    >>> from mcqual.model import Transcript
    >>> c = Corpus([Transcript.from_turns("x", [("Eva Lind", "Ask Eva.")])])
    >>> res, c2, _ = for_export(True, c)
    >>> c2["x"].text
    'Ask [PERSON-1].'
    """
    if pseudonymise_arg is False or pseudonymise_arg is None:
        return None, corpus, codings
    if isinstance(pseudonymise_arg, PseudonymResult):
        res = pseudonymise_arg
    else:
        if corpus is None:
            raise PrivacyError("E801", "pseudonymise=True needs the transcripts to find the names",
                               hint="Pass corpus=..., or pseudonymise=mq.pseudonymise(corpus, ...) (a result).")
        opts = dict(kwargs)
        if isinstance(pseudonymise_arg, Mapping):
            opts.update(pseudonymise_arg)
        elif pseudonymise_arg is not True:
            raise PrivacyError("E801", f"pseudonymise must be True/False, a PseudonymResult or a dict of options, "
                               f"not {type(pseudonymise_arg).__name__}")
        res = pseudonymise(corpus, **opts)
    new_codings = codings
    if codings is not None:
        import pandas as pd

        df = pd.DataFrame(codings)
        if not df.empty and {"transcript_id", "start", "end"} <= set(df.columns):
            known = set(res.corpus.ids) | set(res.ids)
            if not set(map(str, df["transcript_id"])) <= known:
                missing = sorted(set(map(str, df["transcript_id"])) - known)[:5]
                raise PrivacyError("E801", f"codings refer to transcripts not in the pseudonymised corpus: {missing}",
                                   hint="Pseudonymise the corpus the codings were made on.")
            new_codings = res.map_codings(df)
            other = [c for c in new_codings.columns if c not in ("transcript_id", "start", "end", "snippet", "code")]
            for col in other:
                if new_codings[col].dtype == object or str(new_codings[col].dtype).startswith("str"):
                    new_codings[col] = [res.apply_text(v) if isinstance(v, str) else v for v in new_codings[col]]
        else:
            new_codings = res.apply_frame(df)
    return res, res.corpus, new_codings


def pseudonymised_bundle(bundle, pseudonymise_arg=True):
    """A REFI-QDA bundle (:class:`~mcqual.exchange.bundle.QdpxProject`) with pseudonymised texts and anchors."""
    import dataclasses

    import pandas as pd

    res, corpus, codings = for_export(pseudonymise_arg, bundle.corpus, bundle.codings)
    attrs = res.apply_frame(bundle.attributes) if bundle.attributes is not None else None
    if attrs is not None:
        corpus.attributes = attrs
    memos = bundle.memos
    if memos is not None and len(memos):
        memos = res.apply_frame(memos)
        if {"transcript_id", "start", "end"} <= set(memos.columns):
            starts, ends = [], []
            for t, a, b in zip(memos["transcript_id"], memos["start"], memos["end"]):
                if isinstance(t, str) and res.new_id(t) in res.corpus and pd.notna(a) and pd.notna(b):
                    m = res.map_codings([{"transcript_id": t, "start": int(a), "end": int(b)}])
                    a, b = int(m["start"][0]), int(m["end"][0])
                starts.append(a)
                ends.append(b)
            memos["start"], memos["end"] = starts, ends
    return dataclasses.replace(bundle, corpus=corpus, codings=codings, attributes=attrs, memos=memos)
