"""Themes the codebook lacks, found at the grain where they live (sentences), lifted to turns.

A theme a researcher has not coded yet often sits in a sentence or two of a handful of turns; a
clustering of whole turns drowns it. :class:`ThemeFinder` clusters the *sentences* of the
uncovered segments (no accepted coding), with a number of clusters that grows with the corpus
(about one per ``per_theme`` sentences), lifts each cluster to the segments it has sentences in,
and ranks the themes by how distinct they are from the existing codes (1 - the best cosine of
the theme's centre to a code's label and definition). Each theme comes with its terms (class
TF-IDF), its most central quotes and its nearest code.

Examples
--------
>>> import mcqual as mq
>>> from mcqual.text.embedders import HashingEmbedder
>>> texts = [f"The exam fee was {i} euro, too expensive for me." for i in range(6)]
>>> texts += [f"My manager never read the badge, case {i}." for i in range(6)]
>>> segs = mq.segments([mq.Transcript.from_turns("a", [("R", t) for t in texts])])
>>> tf = ThemeFinder(embedder=HashingEmbedder(), n_themes=2).fit(segs)
>>> sorted(t.size for t in tf.themes_)
[6, 6]
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import Any, Sequence

import numpy as np

from ..model import Segment
from .base import coerce_labels


@dataclass(frozen=True)
class FoundTheme:
    """A candidate theme: its segments, terms, central quotes, nearest code and distinctness."""

    id: int
    terms: tuple[str, ...]
    size: int
    segment_ids: tuple[str, ...]
    quotes: tuple[str, ...]
    nearest_code: str | None
    similarity: float | None
    distinctness: float

    @property
    def label(self) -> str:
        return " / ".join(self.terms[:3])


class ThemeFinder:
    """Cluster the sentences of uncovered segments into themes (see the module text).

    Parameters
    ----------
    embedder : object, optional
        Anything with ``embed``; default the cached all-MiniLM-L6-v2.
    n_themes : int, optional
        Number of clusters; default ``clip(n_sentences / per_theme, 2, 60)``.
    per_theme : int
        Sentences per theme when ``n_themes`` is not given.
    min_size : int
        Themes in fewer segments are dropped.
    lang : str
        Sentence splitting and stop words.
    lift : {"most", "any"}
        A segment joins the theme holding most of its sentences (``"most"``: themes do not overlap),
        or every theme holding any of its sentences (``"any"``, default).
    drop_known : float
        Leave out this share of sentences, the ones closest to an existing code, before clustering.
    min_words : int
        Shorter sentences ("Yes.", "Absolutely.") are not clustered.
    """

    def __init__(self, embedder: Any = None, *, n_themes: int | None = None, per_theme: int = 25, min_size: int = 2,
                 lang: str = "en", random_state: int = 0, lift: str = "any", drop_known: float = 0.3,
                 min_words: int = 4) -> None:
        self.embedder = embedder
        self.n_themes = n_themes
        self.per_theme = per_theme
        self.min_size = min_size
        self.lang = lang
        self.random_state = random_state
        self.lift = lift
        self.drop_known = drop_known
        self.min_words = min_words

    def fit(self, segments: Sequence[Segment], codebook: Any = None, codings: Any = None) -> "ThemeFinder":
        """Find themes among the segments no coding in ``codings`` covers; returns self (``themes_``)."""
        from sklearn.cluster import KMeans

        from ..text.embedders import resolve_embedder
        from .units import sentence_units, unit_vectors

        segs = list(segments)
        if codings is not None:
            labels = coerce_labels(segs, codings)
            segs = [s for s in segs if not labels.positives.get(s.segment_id)]
        self.embedder_ = resolve_embedder(self.embedder)
        self.uncovered_ = [s.segment_id for s in segs]
        self.themes_: list[FoundTheme] = []
        if len(segs) < 2:
            return self
        units = sentence_units(segs, self.lang)
        E = unit_vectors(segs, units, self.embedder_)[0].astype(np.float64)
        codes, C = self._code_vectors(codebook)
        keep = np.asarray([len(t.split()) >= self.min_words for t in units.texts])
        if C is not None and self.drop_known > 0 and keep.sum() > 10:
            known = (E @ C.T).max(axis=1)
            keep &= known <= np.quantile(known[keep], 1 - self.drop_known)
        if keep.sum() < 2:
            keep[:] = True
        kidx = np.flatnonzero(keep)
        n = len(kidx)
        k = self.n_themes or int(np.clip(round(n / max(self.per_theme, 1)), 2, 60))
        k = max(1, min(k, n))
        km = KMeans(n_clusters=k, n_init=4, random_state=self.random_state).fit(E[kidx])
        lab = np.full(len(units.texts), -1, dtype=np.int64)
        lab[kidx] = km.labels_
        terms = self._terms(units.texts, lab, k)
        member = np.zeros((len(segs), k))
        np.add.at(member, (units.owner[kidx], lab[kidx]), 1.0)
        if self.lift == "most":
            top = member.argmax(axis=1)
            member = np.zeros_like(member)
            member[np.arange(len(segs)), top] = 1.0
            member[~(np.bincount(units.owner[kidx], minlength=len(segs)) > 0)] = 0.0
        for c in range(k):
            idx = np.flatnonzero(lab == c)
            owners = np.flatnonzero(member[:, c] > 0).tolist()
            if len(owners) < self.min_size:
                continue
            centre = E[idx].mean(axis=0)
            centre /= np.linalg.norm(centre) or 1.0
            near = idx[np.argsort(-(E[idx] @ centre))[:3]]
            best, sim = None, None
            if C is not None:
                sims = C @ centre
                j = int(np.argmax(sims))
                best, sim = codes[j], float(sims[j])
            self.themes_.append(FoundTheme(c, terms[c], len(owners), tuple(segs[i].segment_id for i in owners),
                                           tuple(units.texts[u] for u in near), best, sim,
                                           float(1 - sim) if sim is not None else 1.0))
        self.themes_.sort(key=lambda t: (-t.distinctness, -t.size))
        return self

    def _code_vectors(self, codebook: Any):
        if codebook is None or not hasattr(codebook, "codable"):
            return [], None
        codes = list(codebook.codable())
        if not codes:
            return [], None
        texts = [f"{c.label or c.id}: {c.definition}" if c.definition else (c.label or c.id) for c in codes]
        return [c.id for c in codes], np.asarray(self.embedder_.embed(texts), dtype=np.float64)

    def _terms(self, texts: list[str], lab: np.ndarray, k: int, top: int = 6) -> list[tuple[str, ...]]:
        """Class TF-IDF: words frequent in a cluster and rare in the others."""
        from sklearn.feature_extraction.text import CountVectorizer

        docs = [" ".join(texts[i] for i in np.flatnonzero(lab == c)) for c in range(k)]
        try:
            cv = CountVectorizer(stop_words="english" if self.lang == "en" else None, min_df=1,
                                 token_pattern=r"(?u)\b[^\W\d_]{3,}\b")
            X = cv.fit_transform(docs).toarray().astype(float)
        except ValueError:  # no words at all
            return [() for _ in range(k)]
        tf = X / np.maximum(X.sum(axis=1, keepdims=True), 1)
        idf = np.log(1 + X.sum() / np.maximum(X.sum(axis=0), 1) / k)
        W = tf * idf
        vocab = np.asarray(cv.get_feature_names_out())
        return [tuple(vocab[np.argsort(-W[c])[:top]][W[c][np.argsort(-W[c])[:top]] > 0]) for c in range(k)]

    def to_frame(self):
        """One row per theme, most distinct first."""
        import pandas as pd

        return pd.DataFrame([dict(theme=t.id, terms=", ".join(t.terms), size=t.size, nearest_code=t.nearest_code,
                                  similarity=t.similarity, distinctness=t.distinctness, quote=t.quotes[0] if t.quotes
                                  else "") for t in getattr(self, "themes_", [])])

    def __repr__(self) -> str:
        n = len(getattr(self, "themes_", []))
        return f"ThemeFinder({n} themes)"

    def _repr_html_(self) -> str:
        rows = []
        for t in getattr(self, "themes_", []):
            q = "<br>".join(f"“{escape(x[:160])}”" for x in t.quotes)
            near = f"{escape(t.nearest_code)} ({t.similarity:.2f})" if t.nearest_code else "–"
            rows.append(f"<tr><td>{escape(', '.join(t.terms))}</td><td>{t.size}</td><td>{near}</td>"
                        f"<td>{t.distinctness:.2f}</td><td>{q}</td></tr>")
        return ("<table><tr><th>terms</th><th>segments</th><th>nearest code</th><th>distinct</th><th>quotes</th></tr>"
                + "".join(rows) + "</table>")
