"""An ordered collection of transcripts, the files that failed, and case attributes.

Examples
--------
>>> from mcqual.model import Transcript
>>> from mcqual.corpus import Corpus
>>> c = Corpus([Transcript.from_turns("a", [("I", "Hi?"), ("R", "Hello.")])])
>>> len(c), c["a"].id
(1, 'a')
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator, Mapping, Sequence

from .errors import McqualError, Problem, TranscriptError
from .model import Transcript


@dataclass(frozen=True)
class ReadFailure:
    """A file that could not be read, and why."""

    path: str
    error: McqualError

    @property
    def code(self) -> str:
        return self.error.code

    def __str__(self) -> str:
        return str(self.error)


class Corpus(Sequence[Transcript]):
    """Ordered transcripts (by id), plus ``errors`` and case ``attributes``.

    Parameters
    ----------
    transcripts : iterable of Transcript
    errors : iterable of ReadFailure
        Files that could not be read; the rest of the batch still is.
    attributes : pandas.DataFrame, optional
        Case attributes indexed by case id (= transcript id); joined into each
        transcript's ``attributes``.
    problems : iterable of Problem
        Things a reader noticed and handled without refusing the file (a survey
        respondent listed twice, read with a unique id); each a numbered
        :class:`~mcqual.errors.Problem` with what to do.
    """

    def __init__(self, transcripts: Iterable[Transcript] = (), errors: Iterable[ReadFailure] = (),
                 attributes: Any = None, problems: Iterable[Problem] = ()) -> None:
        items = list(transcripts)
        ids = [t.id for t in items]
        if len(set(ids)) != len(ids):
            dup = sorted({i for i in ids if ids.count(i) > 1})
            raise TranscriptError("E114", f"duplicate transcript ids: {', '.join(dup)}")
        self._items = items
        self._by_id = {t.id: t for t in items}
        self.errors: list[ReadFailure] = list(errors)
        self.problems: list[Problem] = list(problems)
        self.attributes = attributes
        if attributes is not None:
            self._items = [t.with_attributes(_row(attributes, t.id)) for t in items]
            self._by_id = {t.id: t for t in self._items}

    # -- sequence ------------------------------------------------------------
    def __len__(self) -> int:
        return len(self._items)

    def __iter__(self) -> Iterator[Transcript]:
        return iter(self._items)

    def __getitem__(self, key):  # type: ignore[override]
        if isinstance(key, str):
            try:
                return self._by_id[key]
            except KeyError:
                raise KeyError(f"no transcript {key!r} in corpus (ids: {', '.join(list(self._by_id)[:5])}…)") from None
        if isinstance(key, slice):
            return Corpus(self._items[key], self.errors, None, self.problems)
        return self._items[key]

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            return key in self._by_id
        return key in self._items

    @property
    def ids(self) -> list[str]:
        return [t.id for t in self._items]

    @property
    def labels(self) -> dict[str, str]:
        """Short case labels for display, by transcript id (ids themselves never change).

        A case's ``label`` attribute (the ``label`` column of ``cases.csv``) wins; otherwise
        the id with what every id shares removed (:func:`short_labels`:
        ``XX01_transcript_deidentified`` -> ``XX01``). Labels are unique; where they would not
        be, the ids are used.

        Examples
        --------
        >>> from mcqual.model import Transcript
        >>> c = Corpus([Transcript.from_turns(f"XX0{i}_transcript_deidentified", [("R", "Hi.")]) for i in (1, 2)])
        >>> c.labels
        {'XX01_transcript_deidentified': 'XX01', 'XX02_transcript_deidentified': 'XX02'}
        """
        ids = self.ids
        auto = short_labels(ids)
        out = {}
        for t in self._items:
            given = t.attributes.get("label")
            given = str(given).strip() if given is not None and given == given and str(given).strip() else None
            out[t.id] = given or auto[t.id]
        if len(set(out.values())) != len(out):
            counts: dict[str, int] = {}
            for v in out.values():
                counts[v] = counts.get(v, 0) + 1
            out = {k: (v if counts[v] == 1 else k) for k, v in out.items()}
        return out

    def filter(self, predicate: Callable[[Transcript], bool] | None = None, *, ids: Iterable[str] | None = None,
               **attributes: Any) -> "Corpus":
        """Transcripts matching a predicate, a set of ids and/or attribute values.

        Examples
        --------
        >>> from mcqual.model import Transcript
        >>> c = Corpus([Transcript.from_turns("a", [("I", "Hi")]), Transcript.from_turns("b", [("I", "Yo")])])
        >>> c.filter(ids=["b"]).ids
        ['b']
        """
        keep = set(ids) if ids is not None else None
        out = []
        for t in self._items:
            if keep is not None and t.id not in keep:
                continue
            if predicate is not None and not predicate(t):
                continue
            if any(t.attributes.get(k) != v for k, v in attributes.items()):
                continue
            out.append(t)
        c = Corpus(out, self.errors, None, self.problems)
        c.attributes = self.attributes
        return c

    def with_attributes(self, attributes: Any) -> "Corpus":
        """A copy with case attributes (a DataFrame indexed by case id) joined.

        To join a file (``cases.csv`` or ``.xlsx``), read it first with
        :func:`mcqual.read_attributes`: the core never reads files.
        """
        if isinstance(attributes, (str, Path)):
            raise TypeError("Corpus.with_attributes takes a DataFrame; read the file with "
                            "mq.read_attributes(path) first")
        return Corpus(self._items, self.errors, attributes, self.problems)

    def __add__(self, other: "Corpus") -> "Corpus":
        import pandas as pd

        attrs = None
        frames = [a for a in (self.attributes, other.attributes) if a is not None]
        if frames:
            attrs = pd.concat(frames)
            attrs = attrs[~attrs.index.duplicated(keep="first")]
        return Corpus(list(self) + list(other), self.errors + other.errors, attrs,
                      list(self.problems) + list(getattr(other, "problems", [])))

    # -- tables --------------------------------------------------------------
    def to_frame(self):
        """One row per turn across all transcripts, with case attributes as columns."""
        import pandas as pd

        frames = [t.to_frame() for t in self._items]
        df = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["transcript_id", "turn", "speaker", "role", "timestamp", "start", "end", "words", "text"])
        if self.attributes is not None and len(df):
            attrs = self.attributes.copy()
            attrs.index = attrs.index.astype(str)
            attrs = attrs[[c for c in attrs.columns if c not in df.columns]]  # turn columns win
            df = df.join(attrs, on="transcript_id")
        return df

    def cases_frame(self):
        """One row per transcript: id, short label, source, turns, words, speakers, language, attributes."""
        import pandas as pd

        labels = self.labels
        rows = []
        for t in self._items:
            row = {"transcript_id": t.id, "label": labels[t.id], "source": t.source, "turns": len(t.turns),
                   "words": t.n_words, "speakers": len(t.speakers), "language": t.language}
            row.update({k: v for k, v in t.attributes.items() if k not in row})
            rows.append(row)
        return pd.DataFrame(rows)

    def summary(self) -> str:
        """A short text summary: transcripts, turns, words, failures, cases by group."""
        n_turns = sum(len(t.turns) for t in self._items)
        n_words = sum(t.n_words for t in self._items)
        lines = [f"{len(self)} transcripts, {n_turns} turns, {n_words:,} words; {len(self.errors)} failed"]
        groups: dict[str, int] = {}
        for t in self._items:
            g = t.attributes.get("respondent_group")
            if g is not None:
                groups[str(g)] = groups.get(str(g), 0) + 1
        if groups:
            lines.append("cases by group: " + ", ".join(f"{k} {v}" for k, v in sorted(groups.items())))
        for f in self.errors:
            lines.append(f"  failed: {f}")
        for pr in self.problems:
            lines.append(f"  warning: {pr}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"Corpus({len(self)} transcripts, {len(self.errors)} errors)"

    def _repr_html_(self) -> str:
        from . import _html

        return _html.corpus_html(self)


#: file-name words that say how a transcript was made, not which case it is
NOISE_WORDS = ("transcript", "transcription", "transcribed", "deidentified", "de-identified", "deid", "anonymised",
               "anonymized", "anon", "pseudonymised", "pseudonymized", "redacted", "final", "clean", "cleaned",
               "edited", "corrected", "verbatim")
_SEP = re.compile(r"([\s_.:/\-]+)")


def _strip_noise(tokens: list[str]) -> list[str]:
    """Drop noise words (and version tags like ``v2``) and their separators at both ends."""
    def noise(tok: str) -> bool:
        t = tok.casefold()
        return t in NOISE_WORDS or bool(re.fullmatch(r"v\d+", t)) or not tok.strip(" _.-")

    while len(tokens) > 1 and noise(tokens[-1]):
        tokens = tokens[:-1]
    while len(tokens) > 1 and noise(tokens[0]):
        tokens = tokens[1:]
    return tokens


def short_labels(ids: Sequence[str]) -> dict[str, str]:
    """Readable labels for file-stem ids: common leading/trailing words and noise words removed.

    What every id shares at its start or end (``_transcript_deidentified``) is removed, and
    so are words like *transcript*, *deidentified*, *final* or ``v2`` at either end, as long as
    every label keeps a letter and the labels stay unique; otherwise the id is its label.

    Examples
    --------
    >>> short_labels(["XX01_transcript_deidentified", "XX02_transcript_deidentified"])
    {'XX01_transcript_deidentified': 'XX01', 'XX02_transcript_deidentified': 'XX02'}
    >>> short_labels(["int-01", "int-02"])  # '01' alone would say less than 'int-01'
    {'int-01': 'int-01', 'int-02': 'int-02'}
    >>> short_labels(["Interview Maria final", "Interview Jonas final"])
    {'Interview Maria final': 'Maria', 'Interview Jonas final': 'Jonas'}
    """
    ids = [str(i) for i in ids]
    toks = {i: _SEP.split(i) for i in ids}  # words at even positions, separators at odd ones
    if len(ids) >= 2:
        words = [toks[i][0::2] for i in ids]
        pre = 0
        while all(len(w) > pre + 1 for w in words) and len({w[pre].casefold() for w in words}) == 1:
            pre += 1
        suf = 0
        while all(len(w) > pre + suf + 1 for w in words) and len({w[-1 - suf].casefold() for w in words}) == 1:
            suf += 1
        cut = {i: toks[i][2 * pre: len(toks[i]) - 2 * suf] for i in ids}
        if all(any(ch.isalpha() for ch in "".join(c)) for c in cut.values()):
            toks = cut
    out = {i: "".join(_strip_noise(toks[i])).strip(" _.-") or i for i in ids}
    lost_letters = any(any(ch.isalpha() for ch in k) and not any(ch.isalpha() for ch in v) for k, v in out.items())
    if lost_letters or len(set(out.values())) != len(out):
        return {i: i for i in ids}
    return out


def _row(attributes: Any, case_id: str) -> Mapping[str, Any]:
    try:
        row = attributes.loc[case_id]
    except KeyError:
        return {}
    if hasattr(row, "to_dict"):
        return {k: v for k, v in row.to_dict().items() if v is not None and v == v}
    return {}
