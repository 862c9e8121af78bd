"""The framework-method table: cases (or groups) x themes, each cell the most representative quotes.

"Representative" is defined so that a researcher can predict it:

1. **agreement first** — quotes that more coders applied the code to (the
   same span) rank higher;
2. **then fit** — a length score, 1 for quotes of ``min_words``..``max_words``
   words, falling off proportionally outside (``w / min_words`` below,
   ``max_words / w`` above), so that a cell shows whole thoughts rather than
   fragments or page-long turns; with ``embeddings=``, the fit is the mean of
   the length score and the quote's cosine similarity to its code's centroid
   (the mean embedding of all quotes of that code, rescaled to [0, 1]), which
   prefers typical over idiosyncratic quotes;
3. ties by transcript and position, so the table is the same on every run.

Transcription or redaction placeholders (``[inaudible]``, ``[redacted]``) and
back-channels are never shown; cells cut long quotes at a sentence boundary
with an ellipsis.

Examples
--------
>>> import pandas as pd
>>> from mcqual.analysis.framework import framework_matrix
>>> df = pd.DataFrame({"transcript_id": ["a", "a"], "start": [0, 0], "end": [4, 4], "code": ["trust", "trust"],
...                    "coder": ["A", "B"], "text": ["Accredited.", "Accredited."]})
>>> row = framework_matrix(df, quotes=1, long=True).iloc[0]
>>> row["case"], row["code"], int(row["n_coders"]), row["text"]
('a', 'trust', 2, 'Accredited.')
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ..model import format_timestamp
from ._frame import Matrix
from ._inputs import (_as_frame, case_attributes, case_ids, code_labels, code_rows, codings_frame, group_of, roll_up,
                      span_context, word_counts)

__all__ = ["framework_matrix"]


def _length_fit(words: np.ndarray, min_words: int, max_words: int) -> np.ndarray:
    w = np.maximum(words.astype(float), 1.0)
    return np.where(w < min_words, w / min_words, np.where(w > max_words, max_words / w, 1.0))


def _centroid_similarity(vectors: np.ndarray, groups: np.ndarray) -> np.ndarray:
    v = np.asarray(vectors, dtype=float)
    norm = np.linalg.norm(v, axis=1, keepdims=True)
    v = v / np.where(norm > 0, norm, 1.0)
    sim = np.zeros(len(v))
    for g in np.unique(groups):
        idx = np.flatnonzero(groups == g)
        centroid = v[idx].mean(0)
        cn = np.linalg.norm(centroid)
        if cn > 0:
            sim[idx] = v[idx] @ (centroid / cn)
    return (sim + 1) / 2


def _shorten(text: str, max_words: int) -> str:
    """At most ``max_words`` words, cut at a sentence boundary with an ellipsis (see :func:`trim_quote`)."""
    from .quotes import trim_quote

    return trim_quote(text, max_words)[0]


def framework_matrix(codings: Any, rows: str | Sequence[str] = "case", cols: str | int = "theme", quotes: int = 3, *,
                     corpus: Any = None, attributes: pd.DataFrame | None = None, codebook: Any = None,
                     coders: Sequence[str] | str | None = None,
                     embeddings: np.ndarray | Callable[[list[str]], Any] | None = None,
                     min_words: int = 8, max_words: int = 60, long: bool = False) -> Matrix | pd.DataFrame:
    """The framework-method matrix: each cell the ``quotes`` most representative quotes.

    Parameters
    ----------
    rows : "case" or a case attribute (or two)
        One row per case (transcript), or per group of cases.
    cols : "theme", "code" or an int level
        Themes (codes rolled up to level 1 of ``codebook``), the codes as coded,
        or any level.
    quotes : int
        Quotes per cell (``k``), ranked as the module docstring describes.
    corpus : Corpus, optional
        Gives the quote text, the speaker and the turn's timestamp; without it,
        codings need a ``text``/``snippet`` column.
    embeddings : array or callable, optional
        One vector per row of ``codings`` (as given), or a function that embeds
        a list of texts (e.g. ``SentenceTransformer(...).encode``); enables
        the centroid criterion.
    min_words, max_words : int
        The preferred quote length; cells show at most ``max_words`` words.
    long : bool
        One row per chosen quote: row, code, rank, transcript_id, start, end,
        time, speaker, n_coders, words, score, text (full).

    Returns
    -------
    Matrix
        Cells are text: ``“quote” — case label 00:14:32 (speaker)``, one per
        paragraph; empty where the case has no coding of the theme. Themes and
        cases without codings still appear (with a codebook / corpus).

    Examples
    --------
    >>> import pandas as pd
    >>> from mcqual.model import Transcript
    >>> from mcqual.corpus import Corpus
    >>> t = Transcript.from_turns("int-01", [("I", "Trust?", 0.0), ("R1", "Only known issuers.", 872.0)])
    >>> df = pd.DataFrame({"transcript_id": ["int-01"], "start": [8], "end": [27], "code": ["trust"]})
    >>> framework_matrix(df, corpus=Corpus([t]), min_words=1).loc["int-01", "trust"]
    '“Only known issuers.” — int-01 00:14:32 (R1)'
    """
    if quotes < 1:
        raise AnalysisError("E503", f"quotes={quotes}; give at least 1")
    df = codings_frame(codings, coders, keep_source=True).rename(columns={"_src": "_pos"})
    if cols == "theme":
        level = 1 if codebook is not None else None
    elif cols == "code":
        level = None
    elif isinstance(cols, int):
        level = cols
    else:
        raise AnalysisError("E503", f"cols={cols!r}; use 'theme', 'code' or a level (1, 2, ...)")
    attrs = case_attributes(corpus, attributes)
    cases = case_ids(df, corpus, attrs)
    df["col"] = roll_up(df["code"], codebook, level)
    col_ids = code_rows(df["col"].unique(), codebook, level)
    if rows == "case":
        row_name = "case"
        df["row"] = df["transcript_id"]
        row_ids = list(cases)
    else:
        key = group_of(cases, attrs, rows)
        row_name = str(key.name)
        df["row"] = df["transcript_id"].map(key)
        row_ids = sorted(key.unique().tolist())
    text_col = next((c for c in ("text", "snippet", "quote") if c in df.columns), None)
    extra = {"text": (text_col, "first")} if text_col else {}
    spans = (df.groupby(["row", "col", "transcript_id", "start", "end"], sort=False)
             .agg(n_coders=("coder", "nunique"), _pos=("_pos", "first"), **extra).reset_index())
    # rank on counts only; fetch quote text and turn context for the chosen quotes
    spans["words"] = word_counts(spans, corpus) if (corpus is not None or extra) else 0
    fit = _length_fit(np.asarray(spans["words"]), min_words, max_words)
    if embeddings is not None and len(spans):
        if callable(embeddings):
            vectors = np.asarray(embeddings(span_context(spans, corpus)["text"].astype(str).tolist()))
        else:
            emb = np.asarray(embeddings)
            n_given = len(_as_frame(codings))
            if emb.ndim != 2 or emb.shape[0] != n_given:
                raise AnalysisError("E503", f"embeddings= has {emb.shape[0] if emb.ndim else 0} rows; give one "
                                            f"vector per coding ({n_given}) or a function that embeds texts")
            vectors = emb[spans["_pos"].to_numpy()]
        fit = 0.5 * fit + 0.5 * _centroid_similarity(vectors, spans["col"].to_numpy())
    spans["score"] = spans["n_coders"] + fit
    spans = spans.sort_values(["row", "col", "n_coders", "score", "transcript_id", "start"],
                              ascending=[True, True, False, False, True, True], kind="stable")
    # a few spare candidates per cell, so that placeholders ("[inaudible]") and back-channels can be left out
    top = spans.groupby(["row", "col"], sort=False).head(quotes + 3).reset_index(drop=True)
    top = pd.concat([top.drop(columns=list(extra)), span_context(top, corpus)], axis=1)
    from .quotes import is_placeholder

    top = top[[not is_placeholder(str(x)) for x in top["text"]]]
    top = top.groupby(["row", "col"], sort=False).head(quotes).reset_index(drop=True)
    top["rank"] = top.groupby(["row", "col"], sort=False).cumcount() + 1
    top["time"] = [format_timestamp(None if np.isnan(x) else float(x)) for x in top["timestamp"].to_numpy()]
    if long:
        out = top.rename(columns={"row": row_name, "col": "code"})[
            [row_name, "code", "rank", "transcript_id", "start", "end", "time", "speaker", "n_coders", "words",
             "score", "text"]].reset_index(drop=True)
        out.insert(2, "label", out["code"].map(code_labels(col_ids, codebook)))
        return out
    from .quotes import case_labels

    short = case_labels(corpus, attrs)
    top["cell"] = [_cell(t, short.get(tid, tid), tm, sp, max_words) for t, tid, tm, sp in
                   zip(top["text"], top["transcript_id"], top["time"], top["speaker"])]
    cells = top.groupby(["row", "col"], sort=False)["cell"].agg("\n\n".join)
    frame = (cells.unstack("col") if len(cells) else pd.DataFrame()).reindex(index=row_ids, columns=col_ids)
    frame = frame.fillna("").astype(object)
    frame.index.name, frame.columns.name = row_name, "code"
    return Matrix.build(frame, kind="framework", value="quotes", labels=code_labels(col_ids, codebook),
                        level=level, label_columns=True, quotes=quotes)


def _cell(text: Any, tid: str, time: str, speaker: Any, max_words: int) -> str:
    where = " ".join(x for x in (tid, time) if x)
    who = f" ({speaker})" if isinstance(speaker, str) and speaker else ""
    return f"“{_shorten(str(text), max_words)}” — {where}{who}"
