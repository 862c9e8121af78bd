"""Emergent themes: BERTopic over the segments no accepted coding covers.

Embeddings come from the same (cached) embedder as the suggesters and are
always passed to BERTopic together with a wrapper of that embedder, so BERTopic
never tries to reach the hub. ``reducer="umap"`` + ``clusterer="hdbscan"`` is the
classic setting (seconds for thousands of segments); ``reducer="pca"`` with
``clusterer="kmeans"`` or ``"hdbscan"`` is light and suits small corpora and tests.
Everything is seeded. (The example is skipped in doctests: importing BERTopic takes seconds.)

Examples
--------
>>> import mcqual as mq
>>> from mcqual.text.embedders import HashingEmbedder
>>> texts = [f"The exam fee was {i} euro, too expensive for me" for i in range(6)]
>>> texts += [f"My manager never read the badge, case {i}" for i in range(6)]
>>> segs = mq.segments([mq.Transcript.from_turns("a", [("R", t) for t in texts])])
>>> em = mq.EmergentThemes(embedder=HashingEmbedder(), reducer="pca", clusterer="kmeans", n_clusters=2)
>>> themes = em.fit(segs).themes_  # doctest: +SKIP
>>> sorted(t.size for t in themes)  # doctest: +SKIP
[6, 6]
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ..errors import SuggestError
from ..model import Segment
from .base import coerce_labels


@dataclass(frozen=True)
class Theme:
    """A candidate theme: top terms, representative quotes, and the nearest existing code."""

    id: int
    label: str
    terms: tuple[str, ...]
    size: int
    segment_ids: tuple[str, ...]
    quotes: tuple[str, ...]
    nearest_code: str | None = None
    similarity: float | None = None

    def __repr__(self) -> str:
        return f"Theme({self.id}, {self.label!r}, size={self.size}, nearest={self.nearest_code!r})"


def _bertopic_embedder(embedder: Any):
    from bertopic.backend import BaseEmbedder

    class _Wrapped(BaseEmbedder):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def embed(self, documents, verbose=False):  # noqa: D401 - BERTopic's signature
            return self.inner.embed(list(documents))

    return _Wrapped(embedder)


class EmergentThemes:
    """Candidate new themes among uncoded segments (BERTopic, offline, seeded).

    Parameters
    ----------
    model : str, optional
        Sentence-transformers model (default all-MiniLM-L6-v2, offline).
    embedder : object, optional
        Anything with ``embed(texts)``; overrides ``model``.
    reducer : {"umap", "pca"}
    clusterer : {"hdbscan", "kmeans"}
    min_topic_size : int, optional
        Smallest theme (default: about 1/30 of the segments, between 3 and 15).
    n_clusters : int, optional
        For ``kmeans`` (default: segments / 15, between 2 and 20).
    n_terms, n_quotes : int
        Terms and representative quotes kept per theme.
    stop_words : str or list, optional
        For the term vectorizer (default ``"english"`` when ``lang="en"``).
    seed : int
        Random state of UMAP / PCA / KMeans.
    """

    def __init__(self, model: str | None = None, *, embedder: Any = None, cache_dir: str | os.PathLike | None = None,
                 reducer: str = "umap", clusterer: str = "hdbscan", min_topic_size: int | None = None,
                 n_clusters: int | None = None, n_terms: int = 8, n_quotes: int = 3, stop_words: Any = "auto",
                 lang: str = "en", seed: int = 42) -> None:
        self.model = model
        self.embedder = embedder
        self.cache_dir = cache_dir
        self.reducer = reducer
        self.clusterer = clusterer
        self.min_topic_size = min_topic_size
        self.n_clusters = n_clusters
        self.n_terms = n_terms
        self.n_quotes = n_quotes
        self.stop_words = stop_words
        self.lang = lang
        self.seed = seed

    def _parts(self, n: int):
        size = self.min_topic_size or int(min(15, max(3, n // 30)))
        dims = int(min(5, max(2, n - 2)))
        if self.reducer == "umap":
            from umap import UMAP

            red = UMAP(n_neighbors=int(min(15, max(2, n - 1))), n_components=dims, min_dist=0.0, metric="cosine",
                       random_state=self.seed)
        elif self.reducer == "pca":
            from sklearn.decomposition import PCA

            red = PCA(n_components=dims, random_state=self.seed)
        else:
            raise SuggestError("E406", f"unknown reducer {self.reducer!r}", hint="Use reducer='umap' or 'pca'.")
        if self.clusterer == "hdbscan":
            from hdbscan import HDBSCAN

            clu = HDBSCAN(min_cluster_size=size, metric="euclidean", cluster_selection_method="eom")
        elif self.clusterer == "kmeans":
            from sklearn.cluster import KMeans

            k = self.n_clusters or int(min(20, max(2, n // 15)))
            clu = KMeans(n_clusters=min(k, n), random_state=self.seed, n_init=10)
        else:
            raise SuggestError("E406", f"unknown clusterer {self.clusterer!r}",
                               hint="Use clusterer='hdbscan' or 'kmeans'.")
        return red, clu, size

    def fit(self, segments: Sequence[Segment], codebook: Any = None, codings: Any = None) -> "EmergentThemes":
        """Find themes among the segments that no coding in ``codings`` covers."""
        from bertopic import BERTopic
        from sklearn.feature_extraction.text import CountVectorizer

        from ..text.embedders import resolve_embedder
        from .embedding import EmbeddingSuggester, pool_chunks  # noqa: F401
        from ..text.embedders import chunk_texts

        covered = set(coerce_labels(segments, codings).positives) if codings is not None else set()
        pool = [s for s in segments if s.segment_id not in covered]
        self.n_uncovered_ = len(pool)
        if len(pool) < 4:
            raise SuggestError("E405", f"only {len(pool)} uncovered segments")
        self.embedder_ = resolve_embedder(self.embedder, self.model, self.cache_dir)
        chunks, owner, _ = chunk_texts([s.text for s in pool], self.embedder_, self.lang)
        X = pool_chunks(self.embedder_.embed(chunks), owner, len(pool))
        red, clu, size = self._parts(len(pool))
        stop = ("english" if self.lang == "en" else None) if self.stop_words == "auto" else self.stop_words
        vec = CountVectorizer(stop_words=stop, ngram_range=(1, 2), min_df=1)
        tm = BERTopic(embedding_model=_bertopic_embedder(self.embedder_), umap_model=red, hdbscan_model=clu,
                      vectorizer_model=vec, min_topic_size=size, top_n_words=self.n_terms,
                      calculate_probabilities=False, verbose=False)
        try:
            topics, _ = tm.fit_transform([s.text for s in pool], embeddings=X)
        except (ValueError, TypeError) as exc:
            raise SuggestError("E405", f"BERTopic could not cluster {len(pool)} segments ({exc})") from exc
        self.topic_model_ = tm
        topics = np.asarray(topics)
        self.topics_ = topics
        self.segments_ = pool
        code_ids, code_vecs = [], None
        if codebook is not None and len(codebook.codable()):
            zs = EmbeddingSuggester(embedder=self.embedder_).fit(pool[:1], codebook)
            code_ids, code_vecs = zs.codes_, zs.prototypes_
        themes = []
        for t in sorted(set(topics.tolist()) - {-1}):
            idx = np.flatnonzero(topics == t)
            centroid = X[idx].mean(axis=0)
            centroid /= np.linalg.norm(centroid) or 1
            near = idx[np.argsort(-(X[idx] @ centroid), kind="stable")[: self.n_quotes]]
            words = tuple(w for w, _ in (tm.get_topic(int(t)) or [])[: self.n_terms] if w)
            nearest, sim = None, None
            if code_vecs is not None:
                sims = code_vecs @ centroid
                b = int(np.argmax(sims))
                nearest, sim = code_ids[b], float(sims[b])
            themes.append(Theme(int(t), " / ".join(words[:3]) or f"theme {t}", words, len(idx),
                                tuple(pool[i].segment_id for i in idx), tuple(pool[i].text for i in near),
                                nearest, sim))
        if not themes:
            raise SuggestError("E405", f"no theme among {len(pool)} uncovered segments (min_topic_size={size})")
        themes.sort(key=lambda th: -th.size)
        self.themes_ = themes
        return self

    def to_frame(self):
        """One row per theme: theme, label, size, terms, nearest_code, similarity, quotes."""
        import pandas as pd

        self._check()
        return pd.DataFrame([{"theme": t.id, "label": t.label, "size": t.size, "terms": ", ".join(t.terms),
                              "nearest_code": t.nearest_code, "similarity": t.similarity,
                              "quotes": " | ".join(q[:200] for q in t.quotes)} for t in self.themes_])

    def _check(self) -> None:
        if not hasattr(self, "themes_"):
            raise SuggestError("E401", "EmergentThemes is not fitted",
                               hint="Call .fit(segments, codebook, codings) first.")

    def theme(self, theme_id: int) -> Theme:
        self._check()
        for t in self.themes_:
            if t.id == theme_id:
                return t
        raise SuggestError("E406", f"no theme {theme_id}", hint=f"Themes: {[t.id for t in self.themes_]}")

    def to_codebook(self, codebook: Any, theme: int | Theme, *, code_id: str | None = None, label: str | None = None,
                    parent: str | None = None, definition: str = "", by: str | None = None):
        """A new codebook with one theme added as a code (its quotes become examples).

        Examples
        --------
        >>> import mcqual as mq
        >>> th = Theme(0, "fee / exam", ("fee", "exam"), 6, ("a@0-5",), ("The exam fee was high",))
        >>> em = EmergentThemes(); em.themes_ = [th]
        >>> cb = em.to_codebook(mq.Codebook.from_codes(["trust"]), 0)
        >>> cb.ids, cb["fee_exam"].examples
        (['trust', 'fee_exam'], ('The exam fee was high',))
        """
        from ..codebook.model import Code, slugify

        th = theme if isinstance(theme, Theme) else self.theme(theme)
        cid = code_id or slugify("_".join(th.terms[:2]) or th.label)
        if parent:
            cid = code_id or f"{parent}.{cid}"
        base, k = cid, 2
        while cid in codebook:
            cid, k = f"{base}_{k}", k + 1
        code = Code(cid, label or th.label, parent=parent,
                    definition=definition or f"Emergent theme (terms: {', '.join(th.terms)}).",
                    examples=th.quotes, memo=f"Found by EmergentThemes among {th.size} uncoded segments.")
        if hasattr(codebook, "add_code"):  # records the change in the codebook's history
            return codebook.add_code(code, by=by or "EmergentThemes")
        return codebook.replace_codes(list(codebook) + [code], {"op": "add", "code": cid, "by": by or "EmergentThemes"})

    def __repr__(self) -> str:
        n = len(self.themes_) if hasattr(self, "themes_") else "unfitted"
        return f"EmergentThemes(reducer={self.reducer!r}, clusterer={self.clusterer!r}, themes={n})"

    def _repr_html_(self) -> str:
        from html import escape

        from .._html import table

        self._check()
        rows = [[str(t.id), escape(t.label), str(t.size), escape(", ".join(t.terms)),
                 escape(f"{t.nearest_code} ({t.similarity:.2f})" if t.nearest_code else "—"),
                 "<br>".join(f"“{escape(q[:200])}”" for q in t.quotes)] for t in self.themes_]
        return table(["theme", "label", "size", "terms", "nearest code", "quotes"], rows, caption=repr(self), raw=True)
