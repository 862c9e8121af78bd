"""Sentence units inside segments, and the features the suggesters read from them.

Coders code a sentence or two inside a long answer, and the topic of a short answer often sits
in the question it answers. So the learned and zero-shot suggesters look at each segment as a
run of *units* (its sentences; a sentence over ``max_words`` words, as in unpunctuated
transcripts, is cut into word windows) and read, for every unit:

* its own embedding,
* a *neighbourhood* embedding (the mean of the unit and the units just before and after it in the
  same segment), so "It was. Fifteen ECTS, in the end." is read together,
* the embedding of the segment's ``context`` (the interviewer's question, or a survey question),
  shared by every unit of the segment (a zero vector when there is none).

A segment's score for a code is the best score of its units, and that unit is the evidence.

Examples
--------
>>> from mcqual.model import Segment
>>> segs = [Segment("a", 0, 23, "One thing. Another one."), Segment("a", 30, 34, "Yes.")]
>>> u = sentence_units(segs)
>>> u.texts, u.owner.tolist(), u.spans
(['One thing.', 'Another one.', 'Yes.'], [0, 0, 1], [(0, 10), (11, 23), (0, 4)])
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Sequence

import numpy as np

from ..model import Segment


@dataclass(frozen=True)
class Units:
    """Units of a list of segments: ``texts[u]`` is ``segments[owner[u]].text[spans[u][0]:spans[u][1]]``."""

    texts: list[str]
    owner: np.ndarray
    spans: list[tuple[int, int]]
    n_segments: int

    def as_segments(self, segments: Sequence[Segment]) -> list[Segment]:
        """The units as :class:`Segment` views (transcript offsets), e.g. to map span codings onto them."""
        out = []
        for u, (i, (a, b)) in enumerate(zip(self.owner.tolist(), self.spans)):
            s = segments[i]
            out.append(Segment(s.transcript_id, s.start + a, s.start + b, self.texts[u], s.speaker, s.role,
                               "sentence", u, s.turn, s.timestamp, s.context))
        return out


def _split_long(text: str, a: int, b: int, max_words: int) -> list[tuple[int, int]]:
    words = [(m.start() + a, m.end() + a) for m in re.finditer(r"\S+", text[a:b])]
    if len(words) <= max_words:
        return [(a, b)]
    n = -(-len(words) // max_words)  # as many windows as needed, of equal length
    size = -(-len(words) // n)
    return [(words[k][0], words[min(k + size, len(words)) - 1][1]) for k in range(0, len(words), size)]


def sentence_units(segments: Sequence[Segment], lang: str = "en", max_words: int = 60,
                   min_chars: int = 1) -> Units:
    """Cut each segment into sentence units (every segment keeps at least one unit).

    Examples
    --------
    >>> from mcqual.model import Segment
    >>> long = " ".join(["word"] * 130)
    >>> [len(t.split()) for t in sentence_units([Segment("a", 0, len(long), long)], max_words=60).texts]
    [44, 44, 42]
    """
    from ..text.nlp import split_sentences

    segs = list(segments)
    texts, owner, spans = [], [], []
    if not segs:
        return Units([], np.zeros(0, dtype=np.int64), [], 0)
    multi = [i for i, s in enumerate(segs) if len(s.text) > 40 or any(ch in s.text[:-1] for ch in ".!?;\n")]
    split = dict(zip(multi, split_sentences([segs[i].text for i in multi], lang, trained=False)))
    for i, s in enumerate(segs):
        sents = split.get(i) or [(0, len(s.text))]
        pieces = [p for a, b in sents for p in _split_long(s.text, a, b, max_words)]
        pieces = [(a, b) for a, b in pieces if b - a >= min_chars] or [(0, len(s.text))]
        for a, b in pieces:
            texts.append(s.text[a:b])
            owner.append(i)
            spans.append((a, b))
    return Units(texts, np.asarray(owner, dtype=np.int64), spans, len(segs))


def unit_vectors(segments: Sequence[Segment], units: Units, embedder: Any, *, one_pass: bool = True,
                 progress: Any = None, extra: Sequence[str] = ()):
    """``(E, P)``: one vector per unit and one per segment.

    With ``one_pass`` (default) each segment is read by the model once and its units are the
    means of the token vectors inside them (:func:`mcqual.text.embedders.span_vectors`), so the
    cost is one bare ``encode`` of the segments; ``P`` is then the model's own segment vector.
    Otherwise every unit is embedded on its own and ``P`` is the normalised mean of a segment's units.
    With ``extra`` texts (the questions, say), returns ``(E, P, X)``, ``X`` their vectors, embedded
    in the same batches as the segments.

    Examples
    --------
    >>> from mcqual.model import Segment
    >>> from mcqual.text.embedders import HashingEmbedder
    >>> segs = [Segment("a", 0, 23, "One thing. Another one.")]
    >>> E, P = unit_vectors(segs, sentence_units(segs), HashingEmbedder(dim=16))
    >>> E.shape, P.shape
    ((2, 16), (1, 16))
    """
    from ..text.embedders import span_vectors

    n = len(segments)
    extra = list(extra)
    if not units.texts:
        E0, P0 = np.zeros((0, 1), dtype=np.float32), np.zeros((n, 1), dtype=np.float32)
        if not extra:
            return E0, P0
        X = np.asarray(embedder.embed(extra), dtype=np.float32)
        return np.zeros((0, X.shape[1]), dtype=np.float32), np.zeros((n, X.shape[1]), dtype=np.float32), X
    if not one_pass:  # each unit through the model on its own (batched by length when the embedder can)
        texts = units.texts + extra
        V = np.vstack([v[-1:] for v in span_vectors(embedder, texts, [[]] * len(texts))]).astype(np.float32)
        E, X = V[: len(units.texts)], V[len(units.texts):]
        P = np.zeros((n, E.shape[1]), dtype=np.float32)
        np.add.at(P, units.owner, E)
        norms = np.linalg.norm(P, axis=1, keepdims=True)
        if progress is not None:
            progress(n)
        P = P / np.where(norms == 0, 1, norms)
        return (E, P, X) if extra else (E, P)
    spans: list[list[tuple[int, int]]] = [[] for _ in range(n + len(extra))]
    for i, sp in zip(units.owner.tolist(), units.spans):
        spans[i].append(sp)
    V = span_vectors(embedder, [s.text for s in segments] + extra, spans, progress=progress)
    E = np.vstack([v[:-1] for v in V[:n]]).astype(np.float32, copy=False)  # units are ordered by segment
    P = np.vstack([v[-1:] for v in V[:n]]).astype(np.float32, copy=False)
    if not extra:
        return E, P
    return E, P, np.vstack([v[-1:] for v in V[n:]]).astype(np.float32, copy=False)


def neighbourhood(E: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Mean of each unit's vector with its neighbours in the same segment, re-normalised.

    Examples
    --------
    >>> E = np.array([[1.0, 0], [0, 1.0], [1.0, 0]])
    >>> neighbourhood(E, np.array([0, 0, 1])).astype(float).round(3).tolist()
    [[0.707, 0.707], [0.707, 0.707], [1.0, 0.0]]
    """
    E = np.asarray(E, dtype=np.float32)
    if len(E) == 0:
        return E
    acc = E.copy()
    same_prev = np.r_[False, owner[1:] == owner[:-1]]
    same_next = np.r_[owner[:-1] == owner[1:], False]
    acc[same_prev] += E[np.flatnonzero(same_prev) - 1]
    acc[same_next] += E[np.flatnonzero(same_next) + 1]
    norms = np.linalg.norm(acc, axis=1, keepdims=True)
    return acc / np.where(norms == 0, 1, norms)


def neighbour_max(M: np.ndarray, owner: np.ndarray) -> np.ndarray:
    """Element-wise max of each unit's row with its neighbours' rows in the same segment."""
    M = np.asarray(M)
    if len(M) == 0:
        return M
    out = M.copy()
    same_prev = np.flatnonzero(np.r_[False, owner[1:] == owner[:-1]])
    same_next = np.flatnonzero(np.r_[owner[:-1] == owner[1:], False])
    out[same_prev] = np.maximum(out[same_prev], M[same_prev - 1])
    out[same_next] = np.maximum(out[same_next], M[same_next + 1])
    return out


def question_of(contexts: Sequence[str], lang: str = "en") -> list[str]:
    """The question itself in each context: from its last sentence with a question mark to the end.

    Interviewers wrap questions in thanks and preambles ("Thanks, that helps. To start, what is
    your role?"); the question carries the topic, the preamble mostly costs model time.

    Examples
    --------
    >>> question_of(["Thanks for joining today, Alex. To start, can you tell me about your role?", "Go on"])
    ['To start, can you tell me about your role?', 'Go on']
    """
    from ..text.nlp import split_sentences

    out = list(contexts)
    long = [i for i, c in enumerate(out) if len(c) > 60]
    if not long:
        return out
    for i, sp in zip(long, split_sentences([out[i] for i in long], lang, trained=False)):
        c = out[i]
        q = [a for a, b in sp if "?" in c[a:b]]
        if q and q[-1] > 0:
            out[i] = c[q[-1]:].strip()
    return out


def context_vectors(segments: Sequence[Segment], embedder: Any, *, question_only: bool = False,
                    lang: str = "en") -> tuple[np.ndarray, np.ndarray]:
    """One vector per segment for its ``context`` (zeros when it has none), and a has-context mask.

    Each distinct context is embedded once (and cached by the embedder); ``question_only`` embeds
    only the question in it (:func:`question_of`).
    """
    ctx, distinct = segment_questions(segments, question_only=question_only, lang=lang)
    if not distinct:
        return np.zeros((len(segments), 0), dtype=np.float32), np.zeros(len(segments), dtype=bool)
    return spread_contexts(ctx, distinct, np.asarray(embedder.embed(distinct), dtype=np.float32))


def segment_questions(segments: Sequence[Segment], *, question_only: bool = False,
                      lang: str = "en") -> tuple[list[str], list[str]]:
    """Each segment's context text (``""`` when none) and the distinct ones, sorted."""
    ctx = [(s.context or "").strip() for s in segments]
    if question_only:
        distinct0 = sorted({c for c in ctx if c})
        tail = dict(zip(distinct0, question_of(distinct0, lang)))
        ctx = [tail.get(c, c) for c in ctx]
    return ctx, sorted({c for c in ctx if c})


def spread_contexts(ctx: Sequence[str], distinct: Sequence[str], V: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(Q, has)``: row ``i`` of ``Q`` is the vector of ``ctx[i]`` (from ``V``, rows of ``distinct``)."""
    row = {c: k for k, c in enumerate(distinct)}
    Q = np.zeros((len(ctx), V.shape[1]), dtype=np.float32)
    has = np.zeros(len(ctx), dtype=bool)
    for i, c in enumerate(ctx):
        if c:
            Q[i] = V[row[c]]
            has[i] = True
    return Q, has


def segment_max(M: np.ndarray, owner: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Per segment and column: the best unit's value and that unit's index.

    Examples
    --------
    >>> S, arg = segment_max(np.array([[0.1, 0.9], [0.5, 0.2], [0.3, 0.3]]), np.array([0, 0, 1]), 2)
    >>> S.tolist(), arg.tolist()
    ([[0.5, 0.9], [0.3, 0.3]], [[1, 0], [2, 2]])
    """
    k = M.shape[1] if M.ndim == 2 else 0
    S = np.zeros((n, k), dtype=np.float64)
    arg = np.zeros((n, k), dtype=np.int64)
    if len(M) == 0:
        return S, arg
    order = np.lexsort((np.arange(len(owner)), owner))
    bounds = np.searchsorted(owner[order], np.arange(n + 1))
    for i in range(n):
        a, b = bounds[i], bounds[i + 1]
        if a == b:
            continue
        idx = order[a:b]
        j = M[idx].argmax(axis=0)
        S[i] = M[idx[j], np.arange(k)]
        arg[i] = idx[j]
    return S, arg
