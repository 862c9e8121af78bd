"""Learn fast from the coder: cheap per-code heads on cached vectors, and an active review order.

A *head* is one class-balanced logistic regression per code on vectors the embedding cache
already holds (a refit is milliseconds, so it can follow every few decisions). The review order
mixes three kinds of items, per code:

* **uncertain** ones (the head's probability nearest 0.5: a decision there teaches most),
* kept **diverse** (each pick is penalised by its similarity to the items already picked, so
  five near-identical uncertain turns do not take five decisions),
* and every ``confident_every``-th item a **confident** one (the highest probability left), so
  the coder keeps seeing what the suggester is sure of and its precision stays visible.

Examples
--------
>>> import numpy as np
>>> rng = np.random.default_rng(0)
>>> X = rng.normal(size=(40, 8)); y = X[:, 0] > 0
>>> head = fit_head(X[:20], y[:20])
>>> p = head_proba(head, X[20:])
>>> order = active_order(X[20:], p, k=5)
>>> len(order), len(set(order))
(5, 5)
"""
from __future__ import annotations

from typing import Any

import numpy as np


def fit_head(X: np.ndarray, y: np.ndarray, C: float = 1.0, random_state: int = 0) -> Any:
    """A class-balanced logistic regression on ``X`` (rows: item vectors), or None when ``y`` has one class."""
    y = np.asarray(y, dtype=bool)
    if len(y) == 0 or y.all() or not y.any():
        return None
    from sklearn.linear_model import LogisticRegression

    # liblinear: ~20x faster than lbfgs on a few thousand rows of 384 dims (a refit in milliseconds)
    return LogisticRegression(C=C, class_weight="balanced", solver="liblinear", max_iter=1000,
                              random_state=random_state).fit(X, y)


def head_proba(head: Any, X: np.ndarray, default: np.ndarray | float = 0.5) -> np.ndarray:
    """``P(code)`` per row (``default`` when there is no head yet)."""
    if head is None:
        return np.broadcast_to(np.asarray(default, dtype=float), (len(X),)).copy()
    return head.predict_proba(X)[:, 1]


def active_order(X: np.ndarray, p: np.ndarray, k: int | None = None, *, diversity: float = 0.5,
                 confident_every: int = 5) -> list[int]:
    """The order in which to review candidates (rows of ``X``, probabilities ``p``): see the module text.

    Parameters
    ----------
    X : array (n, d)
        Candidate vectors (L2-normalised for the similarity penalty to mean cosine).
    p : array (n,)
        The current head's probability of the code for each candidate.
    k : int, optional
        How many to order (default all).
    diversity : float
        Weight of the similarity penalty (0: pure uncertainty).
    confident_every : int
        Every so many picks, the most confident remaining candidate (0: never).

    Examples
    --------
    >>> X = np.eye(4); p = np.array([0.5, 0.52, 0.99, 0.1])
    >>> active_order(X, p, confident_every=2)
    [0, 2, 1, 3]
    """
    n = len(p)
    k = n if k is None else min(int(k), n)
    if n == 0 or k == 0:
        return []
    X = np.asarray(X, dtype=np.float32)
    p = np.asarray(p, dtype=float)
    unc = 1.0 - np.abs(2 * p - 1)  # 1 at p = 0.5, 0 at 0 or 1
    left = np.ones(n, dtype=bool)
    closest = np.zeros(n)  # max similarity to anything picked so far
    out: list[int] = []
    while len(out) < k:
        if confident_every and len(out) % confident_every == confident_every - 1:
            i = int(np.flatnonzero(left)[np.argmax(p[left])])
        else:
            gain = unc - diversity * np.maximum(closest, 0.0)
            gain[~left] = -np.inf
            i = int(np.argmax(gain))
        out.append(i)
        left[i] = False
        if diversity:
            closest = np.maximum(closest, X @ X[i])
    return out


def f1_score(y: np.ndarray, pred: np.ndarray) -> tuple[float, float, float]:
    """``(precision, recall, F1)`` of boolean predictions (0 where undefined).

    Examples
    --------
    >>> f1_score(np.array([1, 1, 0, 0], bool), np.array([1, 0, 1, 0], bool))
    (0.5, 0.5, 0.5)
    """
    y = np.asarray(y, dtype=bool)
    pred = np.asarray(pred, dtype=bool)
    tp = float((y & pred).sum())
    prec = tp / pred.sum() if pred.sum() else 0.0
    rec = tp / y.sum() if y.sum() else 0.0
    f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
    return float(prec), float(rec), float(f1)


def grouped_cv(X: np.ndarray, y: np.ndarray, groups: np.ndarray, folds: int = 5, C: float = 1.0) -> np.ndarray | None:
    """Out-of-group probabilities of a head (one group, e.g. a transcript, held out at a time).

    Returns None when there are fewer than two groups. Folds whose training part has a single
    class predict that class's share.
    """
    groups = np.asarray(groups)
    ug = np.unique(groups)
    if len(ug) < 2:
        return None
    from sklearn.model_selection import GroupKFold

    p = np.zeros(len(y))
    for a, b in GroupKFold(min(folds, len(ug))).split(X, y, groups):
        head = fit_head(X[a], y[a], C=C)
        p[b] = head_proba(head, X[b], default=float(np.mean(y[a])) if len(a) else 0.5)
    return p
