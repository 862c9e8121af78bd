"""Learn from coders' decisions: one class-balanced logistic regression per code, plus active learning.

By default (``unit="sentence"``) the classifiers learn and predict on the sentences inside each
segment (:mod:`mcqual.suggest.units`): coders code a sentence or two inside a long answer, so a
span coding labels the sentences it covers, and a segment is as likely to have a code as its most
likely sentence. Features per sentence are its embedding, its neighbourhood's embedding, the
embedding of the question it answers (``Segment.context``), the zero-shot similarity of every code
to the sentence and to the question (so codes with no definition work: their anchor is the label
alone), and the rule scores of every code in the sentence and its neighbours. ``unit="segment"``
learns on whole segments instead (pooled chunk embeddings, rule and zero-shot scores).

Class-balanced weights put the decision point at p = 0.5; ``cv`` can choose each code's threshold
by cross-validation instead. :meth:`uncertain` lists the unreviewed segments nearest to a decision
boundary, the ones whose review teaches the model most.

Examples
--------
>>> import mcqual as mq
>>> from mcqual.text.embedders import HashingEmbedder
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
        Codes with too few decisions get the zero-shot embedding score instead of never being
        suggested, with a cut raised so that on the reviewed segments it would fire about as
        often as the code was coded there (plus one).
    unit : {"sentence", "segment"}
        Learn on the sentences inside segments (default) or on whole segments.
    context : bool
        Use the segment's ``context`` (the question it answers) and each sentence's neighbours.
    refine : bool
        For codings that cover a whole segment of several sentences (an accepted turn, say), learn
        from the sentence that carries the code: after a first fit, only each such segment's
        best-scoring sentence stays positive, the others are left out, and the model is fitted again.
    codebook_examples : bool
        Also learn from the codebook: each code's examples are extra positives and its
        counter-examples extra negatives, for that code only (``unit="sentence"``).
    one_pass : bool
        Sentence vectors from one model pass over each segment (see :class:`EmbeddingSuggester`).
    progress : bool or callable, optional
        A progress bar with an ETA while segments are embedded (see :class:`EmbeddingSuggester`).
    """

    source = "learned"

    def __init__(self, model: str | None = None, *, embedder: Any = None, cache_dir: str | os.PathLike | None = None,
                 rules: bool = True, zero_shot: bool = True, C: float | None = None, negatives: str = "transcripts",
                 min_positives: int = 2, threshold: float = 0.5, top_k: int | None = 3, cv: int = 0,
                 fallback: bool = True, lang: str = "en", random_state: int = 0, unit: str = "sentence",
                 context: bool = True, refine: bool = True, codebook_examples: bool = True,
                 one_pass: bool = True, progress: Any = None) -> None:
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
        self.unit = unit
        self.context = context
        self.refine = refine
        self.codebook_examples = codebook_examples
        self.one_pass = one_pass
        self.progress = progress

    # -- features ------------------------------------------------------------
    def _C(self) -> float:
        # sentence features are many and positives few: regularise harder than on whole segments
        return float(self.C) if self.C is not None else (0.002 if self.unit == "sentence" else 0.1)

    def _features(self, segments: Sequence[Segment]) -> tuple[np.ndarray, np.ndarray]:
        """Segment-level features (``unit="segment"``): pooled embedding, zero-shot and rule scores."""
        emb = self.zs_.embed_segments(segments)
        parts = [emb]
        if self.zero_shot:
            parts.append(self.zs_._raw(segments).scores)
        if self.rules_ is not None:
            parts.append(self.rules_._raw(segments).scores)
        return np.hstack(parts).astype(np.float64), emb

    def _unit_features(self, segments: Sequence[Segment]):
        """Sentence-level features (``unit="sentence"``): ``(X, E, units)``."""
        from .units import context_vectors, neighbour_max, neighbourhood, sentence_units, unit_vectors

        from .._progress import progress_bar

        units = sentence_units(segments, getattr(self, "lang_", "en" if self.lang == "auto" else self.lang))
        with progress_bar(len(segments), "embedding segments", enable=getattr(self, "progress", None),
                          unit="segment") as bar:
            E = unit_vectors(segments, units, self.embedder_, one_pass=getattr(self, "one_pass", True),
                             progress=bar)[0]  # no units: a (0, 1) array
        parts = [E]
        if self.context:
            parts.append(neighbourhood(E, units.owner))
            Q, has = context_vectors(segments, self.embedder_)
            if Q.shape[1] == 0:  # no context anywhere: keep the feature layout of training
                Q = np.zeros((len(segments), E.shape[1]), dtype=np.float32)
            parts.append(Q[units.owner])
        if self.zero_shot:
            zs, _ = self.zs_._chunk_scores(E)
            parts.append(zs)
            if self.context:
                zq = self.zs_._chunk_scores(Q)[0] if len(Q) else np.zeros((0, len(self.codes_)))
                zq[~has] = 0.0
                parts.append(zq[units.owner])
        if self.rules_ is not None:
            R = _unit_rule_scores(self.rules_, segments, units, self.codes_)
            parts.append(R)
            if self.context:
                parts.append(neighbour_max(R, units.owner))
        return np.hstack(parts).astype(np.float64), E, units

    def _fit(self, segments, codebook, codings) -> None:
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler

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
        if self.unit not in ("sentence", "segment"):
            raise SuggestError("E406", f"unit must be 'sentence' or 'segment', not {self.unit!r}",
                               hint="Use unit='sentence' (learn on sentences inside segments) or 'segment'.")
        if self.negatives == "transcripts":
            tids = {s.transcript_id for s in segments if s.segment_id in labels.reviewed}
            train = [s for s in segments if s.transcript_id in tids]
        else:
            train = [s for s in segments if s.segment_id in labels.reviewed]
        if not train:
            raise SuggestError("E403", "no segment is covered by the codings")
        from ..text.multilingual import embedder_for, resolve_language

        self.lang_ = resolve_language(self.lang, [s.text for s in train])
        self.embedder_ = embedder_for(self.lang_, self.embedder, self.model, cache_dir=self.cache_dir)
        self.zs_ = EmbeddingSuggester(embedder=self.embedder_, lang=self.lang_, one_pass=getattr(self, "one_pass", True),
                                      progress=getattr(self, "progress", None)).fit(train, codebook)
        self.rules_ = RuleSuggester(lang=self.lang_).fit(train, codebook) if self.rules else None
        if self.unit == "sentence":
            X, emb, units = self._unit_features(train)
            usegs = units.as_segments(train)
            ulabels = coerce_labels(usegs, codings)
            seg_of = units.owner
            # a rejection of a whole segment (segment_id) says no sentence of it has the code
            rejected = {i: labels.negatives.get(s.segment_id, set()) for i, s in enumerate(train)}
            texts = units.texts
            groups = np.asarray([s.transcript_id for s in usegs])
        else:
            X, emb = self._features(train)
            usegs, ulabels, seg_of = train, labels, np.arange(len(train))
            rejected = {}
            texts = [s.text for s in train]
            groups = np.asarray([s.transcript_id for s in train])
        aug = self._codebook_rows(codebook) if self.unit == "sentence" and self.codebook_examples else {}
        self.models_: dict[str, Any] = {}
        self.skipped_: dict[str, str] = {}
        self.examples_: dict[str, tuple[np.ndarray, list[str]]] = {}
        self.n_train_ = len(train)
        self.n_units_ = len(usegs)
        self.train_ids_ = {s.segment_id for s in train}
        for code in self.codes_:
            y = np.array([code in ulabels.positives.get(u.segment_id, ()) and
                          code not in ulabels.negatives.get(u.segment_id, ()) and
                          code not in rejected.get(int(seg_of[k]), ()) for k, u in enumerate(usegs)], dtype=bool)
            n_pos = int(len({int(seg_of[k]) for k in np.flatnonzero(y)}))  # positive segments
            n_neg = int((~y).sum())
            if n_pos < self.min_positives or n_neg < 1:
                self.skipped_[code] = f"{n_pos} positive and {n_neg} negative segments"
                continue

            def make():
                return make_pipeline(StandardScaler(), LogisticRegression(
                    C=self._C(), class_weight="balanced", max_iter=3000, random_state=self.random_state))

            XA, yA = aug.get(code, (None, None))

            def fit(Xt, yt, XA=XA, yA=yA):
                if XA is not None and len(XA):
                    Xt, yt = np.vstack([Xt, XA]), np.r_[yt, yA]
                return make().fit(Xt, yt)

            t = self.threshold
            folds = min(self.cv, n_pos, len(set(groups.tolist())))
            if self.cv and folds >= 2:
                from sklearn.model_selection import GroupKFold

                p = np.zeros(len(y))
                for a, b in GroupKFold(folds).split(X, y, groups):
                    if y[a].any() and not y[a].all():
                        p[b] = fit(X[a], y[a]).predict_proba(X[b])[:, 1]
                # the threshold is chosen where it is used: on segments, scored by their best unit
                sp = np.zeros(len(train))
                np.maximum.at(sp, seg_of, p)
                sy = np.zeros(len(train), dtype=bool)
                sy[seg_of[y]] = True
                t = best_threshold(sp, sy, self.threshold, min_pos=5)
            clf = fit(X, y)
            if self.unit == "sentence" and self.refine:
                clf, y = self._refine(clf, fit, X, y, seg_of)
            self.models_[code] = clf
            self.thresholds_[code] = t
            self.examples_[code] = (emb[y], [tx for tx, yy in zip(texts, y) if yy])
        if self.fallback and self.skipped_:
            # a code with (almost) no positives in reviewed material is rare there: its zero-shot cut
            # is raised so that on the training segments it would fire about as often as it was coded
            zs_train = self.zs_._raw(train).scores
            col = {c: j for j, c in enumerate(self.codes_)}
            for code in self.skipped_:
                n_pos = sum(1 for s in train if code in labels.positives.get(s.segment_id, ()))
                rate = (n_pos + 1) / max(len(train), 1)
                cut = float(np.quantile(zs_train[:, col[code]], 1 - min(rate, 1.0)))
                self.thresholds_[code] = float(min(max(self.zs_.thresholds_[code], cut + 1e-9), 1 - 1e-6))
        if not self.models_:
            raise SuggestError("E403", "no code has enough decisions to learn from: "
                               + "; ".join(f"{c}: {v}" for c, v in list(self.skipped_.items())[:5]))
        if self.skipped_:
            warnings.warn(f"LearnedSuggester skipped {len(self.skipped_)} code(s) with too few decisions: "
                          + ", ".join(list(self.skipped_)[:8]), stacklevel=3)

    def _codebook_rows(self, codebook: Any) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Feature rows from the codebook: each code's examples as positives, its counter-examples as negatives.

        Examples are read as answers with no question around them. A code's rows are used only
        for that code (an example of one code says nothing about the others).
        """
        rows: list[tuple[str, str, bool]] = []
        for code in self.codes_:
            c = codebook.get(code) if hasattr(codebook, "get") else None
            if c is None:
                continue
            rows += [(code, e, True) for e in c.examples if e.strip()]
            rows += [(code, e, False) for e in c.counter_examples if e.strip()]
        if not rows:
            return {}
        segs = [Segment("__codebook__", 0, len(t), t, unit="sentence") for _, t, _ in rows]
        XA, _, units = self._unit_features(segs)
        out: dict[str, tuple[list, list]] = {}
        for u, i in enumerate(units.owner.tolist()):
            code, _, positive = rows[i]
            xs, ys = out.setdefault(code, ([], []))
            xs.append(XA[u])
            ys.append(positive)
        return {c: (np.vstack(xs), np.asarray(ys, dtype=bool)) for c, (xs, ys) in out.items()}

    @staticmethod
    def _refine(clf: Any, fit: Any, X: np.ndarray, y: np.ndarray, seg_of: np.ndarray, keep_above: float = 1.0):
        """Multiple-instance step for codings that cover a whole segment (e.g. an accepted turn).

        Every sentence of such a segment was labelled positive, though the code usually rests on one
        or two of them. For each segment of two or more sentences that are all positive, only the
        sentence the first model scores highest (and any scoring at least ``keep_above``) stays
        positive; the others are left out of training (neither positive nor negative), and the
        model is fitted again. Span codings of a sentence or two inside a segment are not touched.
        """
        p = clf.predict_proba(X)[:, 1]
        use = np.ones(len(y), dtype=bool)
        counts = np.bincount(seg_of)
        pos_counts = np.bincount(seg_of[y], minlength=len(counts))
        for seg in np.flatnonzero((pos_counts == counts) & (counts >= 2)):
            idx = np.flatnonzero(seg_of == seg)
            top = float(p[idx].max())
            use[idx[(p[idx] < top) & (p[idx] < keep_above)]] = False
        if use.all():
            return clf, y
        return fit(X[use], y[use]), y & use

    def _raw(self, segments: Sequence[Segment]) -> ScoreTable:
        from ..model import Evidence
        from .units import segment_max

        n, k = len(segments), len(self.codes_)
        S = np.zeros((n, k))
        if n == 0:
            return ScoreTable(list(self.codes_), S, lambda i, j: ("", (), ()), self.source)
        if self.unit == "sentence":
            X, emb, units = self._unit_features(segments)
        else:
            X, emb = self._features(segments)
            units = None
        P = np.zeros((len(X), k))
        for j, code in enumerate(self.codes_):
            clf = self.models_.get(code)
            if clf is not None:
                P[:, j] = clf.predict_proba(X)[:, 1]
        if units is not None:
            S, best_unit = segment_max(P, units.owner, n)
        else:
            S, best_unit = P, np.tile(np.arange(n)[:, None], (1, k))
        zs = self.zs_._raw(segments) if self.fallback and self.skipped_ else None
        if zs is not None:
            for j, code in enumerate(self.codes_):
                if code not in self.models_:
                    S[:, j] = zs.scores[:, j]

        def explain(i: int, j: int):
            code = self.codes_[j]
            if code not in self.models_ and zs is not None:
                r, ev, fl = zs.explain(i, j)
                return f"zero-shot (too few decisions to learn this code): {r}", ev, fl
            u = int(best_unit[i, j])
            E, texts = self.examples_.get(code, (None, []))
            what = "sentences" if units is not None else "segments"
            reason = (f"classifier trained on {self.n_units_} sentences of {self.n_train_} reviewed segments"
                      if units is not None else f"classifier trained on {self.n_train_} reviewed segments")
            reason += f" (p={S[i, j]:.2f})"
            ev: tuple = ()
            if units is not None and units.spans:
                a, b = units.spans[u]
                seg = segments[i]
                if (a, b) != (0, len(seg.text)):
                    ev = (Evidence(seg.start + a, seg.start + b, "best sentence"),)
                    q = units.texts[u]
                    reason += f'; strongest sentence: "{q if len(q) <= 100 else q[:97] + "…"}"'
            if E is not None and len(texts):
                sims = E @ emb[u]
                b_ = int(np.argmax(sims))
                q = texts[b_] if len(texts[b_]) <= 100 else texts[b_][:97] + "…"
                reason += f'; most similar coded {what[:-1]}: "{q}" (similarity {float(sims[b_]):.2f})'
            return reason, ev, ()

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


def _unit_rule_scores(rules: Any, segments: Sequence[Segment], units: Any, codes: Sequence[str]) -> np.ndarray:
    """Rule scores per unit: the segments are matched once, each match is given to the unit it starts in."""
    import bisect

    from .rules import match_score

    col = {c: j for j, c in enumerate(codes)}
    R = np.zeros((len(units.texts), len(codes)))
    first = np.searchsorted(units.owner, np.arange(len(segments)))
    starts_of: dict[int, list[int]] = {}
    for i, (a, _) in zip(units.owner.tolist(), units.spans):
        starts_of.setdefault(i, []).append(a)
    for i, m in enumerate(rules.match([s.text for s in segments])):
        st = starts_of.get(i, [0])
        for code, spans in m.items():
            if code not in col:
                continue
            by_unit: dict[int, list] = {}
            for x in spans:
                by_unit.setdefault(int(first[i]) + max(0, bisect.bisect_right(st, x[0]) - 1), []).append(x)
            for u, xs in by_unit.items():
                R[u, col[code]] = match_score(xs)
    return R
