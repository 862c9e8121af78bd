"""Normalise what the analysis functions are given: codings, case attributes, codebook, corpus.

Every public analysis function accepts codings as a Project (anything with a
``.codings()`` method), a DataFrame, or a list of :class:`~mcqual.model.Coding`;
a suggestions table (``segment_id``, ``code``) works too. This module turns
all of them into one DataFrame with ``transcript_id, start, end, code, coder``
and does the shared look-ups (roll-up, labels, words, turns).

Examples
--------
>>> import pandas as pd
>>> from mcqual.analysis._inputs import codings_frame
>>> codings_frame(pd.DataFrame({"segment_id": ["a@0-5"], "code": ["trust"]})).to_dict("records")
[{'segment_id': 'a@0-5', 'code': 'trust', 'transcript_id': 'a', 'start': 0, 'end': 5, 'coder': 'coder'}]
"""
from __future__ import annotations

import re
from typing import Any, Iterable, Sequence

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ._ranges import expand_ranges

REQUIRED = ("transcript_id", "start", "end", "code")
_WORD = re.compile(r"\S+")


# ---------------------------------------------------------------------------
# codings
# ---------------------------------------------------------------------------
def codings_frame(codings: Any, coders: Sequence[str] | str | None = None, default_coder: str = "coder",
                  keep_source: bool = False) -> pd.DataFrame:
    """Codings as a DataFrame with ``transcript_id, start, end, code, coder`` (+ any extra columns).

    Accepts a DataFrame, an object with ``.codings()`` (a Project), a
    ``Suggestions``-like object with ``.to_frame()``, or an iterable of
    ``Coding``/``Suggestion`` objects. A ``segment_id`` column stands in for
    ``transcript_id, start, end``. ``coders=`` keeps only those coders.
    ``keep_source=True`` adds ``_src``, each row's position in the input.
    """
    df = _as_frame(codings)
    if keep_source:
        df = df.assign(_src=np.arange(len(df)))
    if "segment_id" in df.columns and not {"transcript_id", "start", "end"} <= set(df.columns):
        parts = split_segment_ids(df["segment_id"])
        df = df.drop(columns=[c for c in ("transcript_id", "start", "end") if c in df.columns]).assign(
            transcript_id=parts["transcript_id"], start=parts["start"], end=parts["end"])
    missing = [c for c in REQUIRED if c not in df.columns]
    if missing:
        raise AnalysisError("E500", f"codings lack column(s) {', '.join(missing)} (have: {', '.join(map(str, df.columns))})")
    out = df.copy()
    if "coder" not in out.columns:
        out["coder"] = default_coder
    if "status" in out.columns:  # a Project keeps orphaned codings: they have no valid span
        out = out[out["status"].astype(str).isin(["active", "fuzzy"])]
    out["transcript_id"] = out["transcript_id"].astype(str)
    out["code"] = out["code"].astype(str)
    out["coder"] = out["coder"].fillna(default_coder).astype(str)
    try:
        out["start"] = out["start"].astype("int64")
        out["end"] = out["end"].astype("int64")
    except (TypeError, ValueError):
        raise AnalysisError("E500", "codings start/end must be whole numbers (character offsets)") from None
    bad = out["end"] <= out["start"]
    if bad.any():
        row = out[bad].iloc[0]
        raise AnalysisError("E500", f"coding of {row['code']!r} in {row['transcript_id']!r} has an empty or reversed "
                                    f"span [{row['start']}, {row['end']})")
    if coders is not None:
        keep = [coders] if isinstance(coders, str) else list(coders)
        out = out[out["coder"].isin(keep)]
    return out.reset_index(drop=True)


def split_segment_ids(ids: pd.Series) -> pd.DataFrame:
    """``'int-01@10-42'`` -> columns transcript_id, start, end (the inverse of ``make_segment_id``)."""
    parts = ids.astype(str).str.extract(r"^(?P<transcript_id>.*)@(?P<start>\d+)-(?P<end>\d+)$")
    if parts["start"].isna().any():
        bad = ids[parts["start"].isna()].iloc[0]
        raise AnalysisError("E500", f"segment_id {bad!r} is not '<transcript_id>@<start>-<end>'")
    return parts.astype({"start": "int64", "end": "int64"})


def _as_frame(codings: Any) -> pd.DataFrame:
    if isinstance(codings, pd.DataFrame):
        return codings
    if hasattr(codings, "codings") and callable(codings.codings):
        return _as_frame(codings.codings())
    if hasattr(codings, "to_frame") and callable(codings.to_frame):
        return codings.to_frame()
    if isinstance(codings, Iterable) and not isinstance(codings, (str, bytes)):
        rows = []
        for c in codings:
            if hasattr(c, "segment_id") and not hasattr(c, "coder"):
                tid, s, e = _split_segment_id(c.segment_id)
                rows.append({"transcript_id": tid, "start": s, "end": e, "code": c.code,
                             "coder": getattr(c, "source", "machine"), "score": getattr(c, "score", None)})
            elif hasattr(c, "transcript_id"):
                rows.append({"transcript_id": c.transcript_id, "start": c.start, "end": c.end, "code": c.code,
                             "coder": getattr(c, "coder", "coder")})
            elif isinstance(c, dict):
                rows.append(c)
            else:
                raise AnalysisError("E500", f"cannot read a coding from {type(c).__name__}")
        return pd.DataFrame(rows, columns=None if rows else list(REQUIRED) + ["coder"])
    raise AnalysisError("E500", f"codings must be a DataFrame, a Project or a list of codings, not {type(codings).__name__}")


def _split_segment_id(segment_id: str) -> tuple[str, int, int]:
    from ..model import parse_segment_id

    return parse_segment_id(segment_id)


# ---------------------------------------------------------------------------
# cases and attributes
# ---------------------------------------------------------------------------
def case_attributes(corpus: Any = None, attributes: pd.DataFrame | None = None) -> pd.DataFrame | None:
    """Case attributes indexed by case id (str): ``attributes=`` wins, else the corpus's."""
    attrs = attributes if attributes is not None else getattr(corpus, "attributes", None)
    if attrs is None and corpus is not None:
        rows = {t.id: dict(t.attributes) for t in corpus}
        attrs = pd.DataFrame.from_dict(rows, orient="index") if rows else None
        if attrs is not None:
            attrs = attrs.reindex(list(rows))
    if attrs is None:
        return None
    if not isinstance(attrs, pd.DataFrame):
        raise AnalysisError("E501", "attributes= must be a DataFrame indexed by case id")
    attrs = attrs.copy()
    for col in ("case_id", "transcript_id", "case", "id"):
        if col in attrs.columns and attrs.index.dtype.kind in "iu" and attrs.index.equals(pd.RangeIndex(len(attrs))):
            attrs = attrs.set_index(col)
            break
    attrs.index = attrs.index.astype(str)
    return attrs


def case_ids(codings: pd.DataFrame, corpus: Any = None, attrs: pd.DataFrame | None = None) -> list[str]:
    """All cases: the corpus's (in order), else the attribute sheet's, plus any others that have codings."""
    known: list[str] = []
    if corpus is not None:
        known = [t.id for t in corpus]
    elif attrs is not None:
        known = list(attrs.index)
    seen = set(known)
    extra = sorted(set(codings["transcript_id"].unique()) - seen)
    return known + extra


def group_of(cases: Sequence[str], attrs: pd.DataFrame | None, by: str | Sequence[str]) -> pd.Series:
    """The group value of each case for one attribute or two (joined with ' / ')."""
    cols = [by] if isinstance(by, str) else list(by)
    if attrs is None:
        raise AnalysisError("E501", f"grouping by {', '.join(cols)} needs corpus= (with attributes) or attributes=")
    missing = [c for c in cols if c not in attrs.columns]
    if missing:
        raise AnalysisError("E501", f"no case attribute {', '.join(map(repr, missing))}; "
                                    f"available: {', '.join(map(str, attrs.columns))}")
    sub = attrs.reindex(list(cases))[cols]
    key = sub[cols[0]].astype("string").fillna("(missing)")
    for c in cols[1:]:
        key = key + " / " + sub[c].astype("string").fillna("(missing)")
    return key.astype(str).rename(" / ".join(cols))


# ---------------------------------------------------------------------------
# codebook: roll-up, rows, labels
# ---------------------------------------------------------------------------
def roll_up(codes: pd.Series, codebook: Any = None, level: int | None = None) -> pd.Series:
    """Map each code id to its ancestor at ``level`` (1 = theme); unknown codes stay as they are."""
    if level is None or codebook is None:
        if level is not None and codebook is None:
            raise AnalysisError("E503", f"level={level} needs codebook= to know the hierarchy")
        return codes
    if level < 1:
        raise AnalysisError("E503", f"level={level}; use 1 (themes), 2, ... or None")
    mapping = {c: (codebook.ancestor(c, level) if c in codebook else c) for c in codes.unique()}
    return codes.map(mapping)


def code_rows(used: Iterable[str], codebook: Any = None, level: int | None = None) -> list[str]:
    """Row order: the codebook's codes (rolled up to ``level``) in codebook order, then unknown used codes."""
    rows: list[str] = []
    if codebook is not None:
        for c in codebook:
            if level is None:
                if c.codable or c.id in used:
                    rows.append(c.id)
            else:
                anc = codebook.ancestor(c.id, level)
                if anc not in rows:
                    rows.append(anc)
    seen = set(rows)
    rows += sorted(set(used) - seen)
    return rows


def select_codes(df: pd.DataFrame, codes: str | Iterable[str] | None, codebook: Any = None,
                 source: Any = None) -> tuple[pd.DataFrame, list[str] | None]:
    """Keep the codings of ``codes`` (ids or labels, any case; with their sub-codes); also returns their ids.

    With a codebook (``codebook=``, or the project's when the codings come from
    a Project) a name is looked up by :meth:`Codebook.lookup` (E208 names the
    closest codes); without one it must be a code used in the codings (any
    case; E503 names the closest). An unknown code is never an empty result.

    Examples
    --------
    >>> df = pd.DataFrame({"transcript_id": ["a", "a"], "start": [0, 5], "end": [4, 9], "code": ["Trust", "cost"]})
    >>> kept, ids = select_codes(df, ["trust"])
    >>> ids, kept["code"].tolist()
    (['Trust'], ['Trust'])
    """
    if codes is None:
        return df, None
    if codebook is None and hasattr(source, "_codebook_or_none"):
        codebook = source._codebook_or_none()
    names = [codes] if isinstance(codes, str) else list(codes)
    used = [str(c) for c in dict.fromkeys(df["code"])]
    ids: list[str] = []
    for name in names:
        if codebook is not None:
            ids.append(codebook.lookup(name))
            continue
        key = " ".join(str(name).split()).casefold()
        hit = [u for u in used if u == name] or [u for u in used if u.casefold() == key]
        if not hit:
            import difflib

            close = difflib.get_close_matches(str(name), used, n=3, cutoff=0.5)
            raise AnalysisError("E503", f"no code {name!r} in the codings"
                                + (f"; closest: {', '.join(map(repr, close))}" if close else
                                   f"; codes used: {', '.join(used[:8])}"),
                                hint="Name a code as the codings do (or pass codebook= to use labels).")
        ids.append(hit[0])
    keep = set(ids)
    if codebook is not None:
        for i in ids:
            keep |= {d.id for d in codebook.descendants(i)}
    return df[df["code"].isin(keep)].reset_index(drop=True), list(dict.fromkeys(ids))


def picked_rows(used: Iterable[str], ids: list[str] | None, codebook: Any = None, level: int | None = None) -> list[str]:
    """The rows: those of the ``used`` codes (:func:`code_rows`), or, for codes picked with ``codes=``
    (``ids`` from :func:`select_codes`), those in the order given, rolled up to ``level``."""
    if ids is None:
        return code_rows(used, codebook, level)
    if level is None or codebook is None:
        return ids
    return list(dict.fromkeys(codebook.ancestor(i, level) if i in codebook else i for i in ids))


def code_labels(ids: Iterable[str], codebook: Any = None) -> dict[str, str]:
    """id -> label (the codebook's label when known)."""
    out = {}
    for i in ids:
        code = codebook.get(i) if codebook is not None else None
        out[i] = code.label if code is not None else str(i)
    return out


# ---------------------------------------------------------------------------
# text look-ups through the corpus
# ---------------------------------------------------------------------------
def _by_transcript(corpus: Any) -> dict[str, Any]:
    return {t.id: t for t in corpus} if corpus is not None else {}


def word_counts(df: pd.DataFrame, corpus: Any = None) -> np.ndarray:
    """Words in each coding's span (tokens of non-space characters that intersect it)."""
    if corpus is None:
        for col in ("text", "snippet", "quote"):
            if col in df.columns:
                return df[col].fillna("").astype(str).str.split().str.len().to_numpy(dtype=np.int64)
        raise AnalysisError("E503", "value='words' needs corpus= (the transcripts) or a 'text'/'snippet' column")
    out = np.zeros(len(df), dtype=np.int64)
    texts = _by_transcript(corpus)
    for tid, idx in df.groupby("transcript_id", sort=False).indices.items():
        t = texts.get(tid)
        if t is None:
            raise AnalysisError("E503", f"codings refer to transcript {tid!r}, which is not in the corpus")
        spans = [(m.start(), m.end()) for m in _WORD.finditer(t.text)]
        ws = np.fromiter((a for a, _ in spans), dtype=np.int64, count=len(spans))
        we = np.fromiter((b for _, b in spans), dtype=np.int64, count=len(spans))
        s = df["start"].to_numpy()[idx]
        e = df["end"].to_numpy()[idx]
        out[idx] = np.searchsorted(ws, e, "left") - np.searchsorted(we, s, "right")
    return out


def turn_units(df: pd.DataFrame, corpus: Any) -> pd.DataFrame:
    """One row per (coding, turn it overlaps): columns ``row`` (coding position) and ``turn``."""
    if corpus is None:
        raise AnalysisError("E503", "within='turn' needs corpus= to map spans to speaker turns")
    texts = _by_transcript(corpus)
    rows, turns = [], []
    for tid, idx in df.groupby("transcript_id", sort=False).indices.items():
        t = texts.get(tid)
        if t is None:
            raise AnalysisError("E503", f"codings refer to transcript {tid!r}, which is not in the corpus")
        starts = np.fromiter((u.start for u in t.turns), dtype=np.int64, count=len(t.turns))
        if len(starts) == 0:
            first = last = np.zeros(len(idx), dtype=np.int64)
        else:
            s = df["start"].to_numpy()[idx]
            e = df["end"].to_numpy()[idx]
            first = np.maximum(np.searchsorted(starts, s, "right") - 1, 0)
            last = np.maximum(np.searchsorted(starts, e, "left") - 1, first)
        owner, turn = expand_ranges(first, last + 1)
        rows.append(idx[owner])
        turns.append(turn)
    if not rows:
        return pd.DataFrame({"row": np.array([], dtype=np.int64), "turn": np.array([], dtype=np.int64)})
    return pd.DataFrame({"row": np.concatenate(rows), "turn": np.concatenate(turns)})


def span_context(df: pd.DataFrame, corpus: Any) -> pd.DataFrame:
    """Quote text, speaker and timestamp of each coding's span (from the corpus, else from a text column)."""
    n = len(df)
    text = np.empty(n, dtype=object)
    speaker = np.empty(n, dtype=object)
    ts = np.full(n, np.nan)
    if corpus is None:
        col = next((c for c in ("text", "snippet", "quote") if c in df.columns), None)
        text[:] = df[col].fillna("").astype(str).to_numpy() if col else ""
        return pd.DataFrame({"text": text, "speaker": speaker, "timestamp": ts}, index=df.index)
    texts = _by_transcript(corpus)
    all_s, all_e = df["start"].to_numpy(), df["end"].to_numpy()
    for tid, idx in df.groupby("transcript_id", sort=False).indices.items():
        t = texts.get(tid)
        if t is None:
            raise AnalysisError("E503", f"codings refer to transcript {tid!r}, which is not in the corpus")
        s, e = all_s[idx].tolist(), all_e[idx].tolist()
        text[idx] = [t.text[a:b] for a, b in zip(s, e)]
        if t.turns:
            starts = np.fromiter((u.start for u in t.turns), dtype=np.int64, count=len(t.turns))
            k = np.maximum(np.searchsorted(starts, all_s[idx], "right") - 1, 0)
            spk = np.array([u.speaker for u in t.turns], dtype=object)
            tts = np.array([np.nan if u.timestamp is None else u.timestamp for u in t.turns], dtype=float)
            speaker[idx] = spk[k]
            ts[idx] = tts[k]
    return pd.DataFrame({"text": text, "speaker": speaker, "timestamp": ts}, index=df.index)


def check_option(name: str, value: Any, allowed: Sequence[Any]) -> None:
    if value not in allowed:
        raise AnalysisError("E503", f"{name}={value!r}; use one of {', '.join(map(repr, allowed))}")
