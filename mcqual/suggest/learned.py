"""Learn from coders' decisions: one class-balanced logistic regression per code, plus active learning.

Features per segment are its embedding (chunks pooled), the rule scores of every
code, and the zero-shot similarity of every code (so codes with no definition
work: their anchor is the label alone). Each code's decision threshold is
chosen by cross-validation on the training decisions. :meth:`uncertain` lists
the unreviewed segments nearest to a decision boundary, the ones whose review
teaches the model most.

Examples
--------
>>> import mcqual as mq
>>> from mcqual.suggest.embedders import HashingEmbedder
>>> t = mq.Transcript.from_turns("a", [("R", f"The fees are too high, case {i}.") for i in range(4)]
...                               + [("R", f"Employers trust the issuer, case {i}.") for i in range(4)])
>>> segs = mq.segments([t])
>>> codings = [{"segment_id": s.segment_id, "code": "cost" if "fees" in s.text else "trust"} for s in segs]
>>> cb = mq.Codebook.from_codes(["cost", "trust"])
>>> ls = mq.LearnedSuggester(embedder=HashingEmbedder()).fit(segs, cb, codings)
>>> new = mq.segments([mq.Transcript.from_turns("b", [("R", "The fees are high.")])])
>>> [s.code for s in ls.suggest(new)]
['cost']
"""
from __future__ import annotations

import os
import warnings
from typing import Any, Sequence

import numpy as np

from ..errors import SuggestError
from ..model import Segment
from .base import ScoreTable, Suggester, best_threshold, coerce_labels


class LearnedSuggester(Suggester):
    """A per-code classifier over embeddings (+ rule and zero-shot features) trained on codings/decisions.

    Parameters
    ----------
    model : str, optional
        Sentence-transformers model (default all-MiniLM-L6-v2, offline).
    embedder : object, optional
        Anything with ``embed(texts)``; overrides ``model``.
    cache_dir : path, optional
        Embedding cache folder.
    rules : bool
        Add each code's rule score as a feature.
    zero_shot : bool
        Add each code's similarity to its definition/examples as a feature.
    C : float
        Inverse regularisation strength of the logistic regressions (features are standardised).
    negatives : {"transcripts", "segments"}
        ``transcripts``: every segment of a transcript that has codings counts as
        reviewed (uncoded = negative for all codes); ``segments``: only segments
        with a coding or a decision count.
    min_positives : int
        Codes with fewer positive segments are skipped (listed in ``skipped_``).
    threshold : float
        Probability cut used when cross-validation is impossible.
    top_k : int, optional
        At most this many codes per segment.
    cv : int
        Folds for choosing each code's threshold (0: use ``threshold``).
    fallback : bool
        Codes with too few decisions get the zero-shot embedding score (and its
        threshold) instead of never being suggested.
    """

    source = "learned"

    def __init__(self, model: str | None = None, *, embedder: Any = None, cache_dir: str | os.PathLike | None = None,
                 rules: bool = True, zero_shot: bool = True, C: float = 0.1, negatives: str = "transcripts",
                 min_positives: int = 2, threshold: float = 0.5, top_k: int | None = 3, cv: int = 3,
                 fallback: bool = True, lang: str = "en", random_state: int = 0) -> None:
        self.model = model
        self.embedder = embedder
        self.cache_dir = cache_dir
        self.rules = rules
        self.zero_shot = zero_shot
        self.C = C
        self.negatives = negatives
        self.min_positives = min_positives
        self.threshold = threshold
        self.top_k = top_k
        self.cv = cv
        self.fallback = fallback
        self.lang = lang
        self.random_state = random_state

    # -- features ------------------------------------------------------------
    def _features(self, segments: Sequence[Segment]) -> tuple[np.ndarray, np.ndarray]:
        emb = self.zs_.embed_segments(segments)
        parts = [emb]
        if self.zero_shot:
            parts.append(self.zs_._raw(segments).scores)
        if self.rules_ is not None:
            parts.append(self.rules_._raw(segments).scores)
        return np.hstack(parts).astype(np.float64), emb

    def _fit(self, segments, codebook, codings) -> None:
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold, cross_val_predict
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

        from .embedders import resolve_embedder
        from .embedding import EmbeddingSuggester
        from .rules import RuleSuggester

        if codings is None:
            raise SuggestError("E403", "LearnedSuggester needs codings (accepted/rejected suggestions or hand codings)")
        labels = coerce_labels(segments, codings)
        unknown = sorted({c for v in (*labels.positives.values(), *labels.negatives.values()) for c in v}
                         - set(self.codes_))
        if unknown:
            raise SuggestError("E404", f"codings use codes not in the codebook: {', '.join(unknown[:8])}")
        if self.negatives not in ("transcripts", "segments"):
            raise SuggestError("E406", f"negatives must be 'transcripts' or 'segments', not {self.negatives!r}",
                               hint="Use negatives='transcripts' (fully coded interviews) or 'segments'.")
        if self.negatives == "transcripts":
            tids = {s.transcript_id for s in segments if s.segment_id in labels.reviewed}
            train = [s for s in segments if s.transcript_id in tids]
        else:
            train = [s for s in segments if s.segment_id in labels.reviewed]
        if not train:
            raise SuggestError("E403", "no segment is covered by the codings")
        self.embedder_ = resolve_embedder(self.embedder, self.model, self.cache_dir)
        self.zs_ = EmbeddingSuggester(embedder=self.embedder_, lang=self.lang).fit(train, codebook)
        self.rules_ = RuleSuggester(lang=self.lang).fit(train, codebook) if self.rules else None
        X, emb = self._features(train)
        self.models_: dict[str, Any] = {}
        self.skipped_: dict[str, str] = {}
        self.examples_: dict[str, tuple[np.ndarray, list[str]]] = {}
        self.n_train_ = len(train)
        self.train_ids_ = {s.segment_id for s in train}
        for code in self.codes_:
            y = np.array([code in labels.positives.get(s.segment_id, ()) and
                          code not in labels.negatives.get(s.segment_id, ()) for s in train])
            n_pos, n_neg = int(y.sum()), int((~y).sum())
            if n_pos < self.min_positives or n_neg < 1:
                self.skipped_[code] = f"{n_pos} positive and {n_neg} negative segments"
                continue

            def make():
                return make_pipeline(StandardScaler(), LogisticRegression(
                    C=self.C, class_weight="balanced", max_iter=2000, random_state=self.random_state))

            t = self.threshold
            folds = min(self.cv, n_pos, n_neg)
            if self.cv and folds >= 2:
                skf = StratifiedKFold(folds, shuffle=True, random_state=self.random_state)
                p = cross_val_predict(make(), X, y, cv=skf, method="predict_proba")[:, 1]
                t = best_threshold(p, y, self.threshold, min_pos=5)
            clf = make().fit(X, y)
            self.models_[code] = clf
            self.thresholds_[code] = t
            self.examples_[code] = (emb[y], [s.text for s, yy in zip(train, y) if yy])
        if self.fallback:
            for code in self.skipped_:
                self.thresholds_[code] = self.zs_.thresholds_[code]
        if not self.models_:
            raise SuggestError("E403", "no code has enough decisions to learn from: "
                               + "; ".join(f"{c}: {v}" for c, v in list(self.skipped_.items())[:5]))
        if self.skipped_:
            warnings.warn(f"LearnedSuggester skipped {len(self.skipped_)} code(s) with too few decisions: "
                          + ", ".join(list(self.skipped_)[:8]), stacklevel=3)

    def _raw(self, segments: Sequence[Segment]) -> ScoreTable:
        n, k = len(segments), len(self.codes_)
        S = np.zeros((n, k))
        if n == 0:
            return ScoreTable(list(self.codes_), S, lambda i, j: ("", (), ()), self.source)
        X, emb = self._features(segments)
        zs = self.zs_._raw(segments) if self.fallback and self.skipped_ else None
        for j, code in enumerate(self.codes_):
            clf = self.models_.get(code)
            if clf is not None:
                S[:, j] = clf.predict_proba(X)[:, 1]
            elif zs is not None:
                S[:, j] = zs.scores[:, j]

        def explain(i: int, j: int):
            code = self.codes_[j]
            if code not in self.models_ and zs is not None:
                r, ev, fl = zs.explain(i, j)
                return f"zero-shot (too few decisions to learn this code): {r}", ev, fl
            E, texts = self.examples_.get(code, (None, []))
            reason = f"classifier trained on {self.n_train_} reviewed segments (p={S[i, j]:.2f})"
            if E is not None and len(texts):
                sims = E @ emb[i]
                b = int(np.argmax(sims))
                q = texts[b] if len(texts[b]) <= 100 else texts[b][:97] + "…"
                reason += f'; most similar coded segment: "{q}" (similarity {float(sims[b]):.2f})'
            return reason, (), ()

        return ScoreTable(list(self.codes_), S, explain, self.source)

    def uncertain(self, segments: Sequence[Segment], n: int = 10, *, exclude_reviewed: bool = True):
        """The ``n`` segments whose review would teach the model most (closest to a code's decision boundary).

        Returns :class:`~mcqual.segment.Segments`, most uncertain first.
        """
        from ..segment import Segments

        self._check_fitted()
        pool = [s for s in segments if not (exclude_reviewed and s.segment_id in self.train_ids_)]
        if not pool:
            return Segments([], getattr(segments, "unit", "turn"))
        S = self._raw(pool).scores
        th = np.array([self.thresholds_.get(c, self.threshold) for c in self.codes_])
        eps = 1e-6
        logit = lambda p: np.log(np.clip(p, eps, 1 - eps) / np.clip(1 - p, eps, 1 - eps))  # noqa: E731
        active = np.array([c in self.models_ for c in self.codes_])
        dist = np.abs(logit(S) - logit(th)[None, :])
        dist[:, ~active] = np.inf
        margin = dist.min(axis=1)
        order = np.argsort(margin, kind="stable")[:n]
        return Segments([pool[i] for i in order], getattr(segments, "unit", "turn"))
