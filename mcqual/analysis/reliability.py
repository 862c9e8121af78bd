"""Intercoder-reliability statistics, vectorised with numpy (``mq.reliability``).

Every statistic takes plain arrays, so it can be checked against published
worked examples (``../shared/reliability/REFERENCE.md``; see the tests):

* two coders: :func:`percent_agreement`, :func:`cohen_kappa` (optionally
  weighted), :func:`scott_pi`, :func:`bennett_s`; give two label sequences
  ``a, b`` (``None``/NaN = not coded, dropped pairwise) or one square
  contingency table (rows = coder 1, columns = coder 2);
* many coders: :func:`fleiss_kappa` on a subjects x categories count table,
  :func:`krippendorff_alpha` on coders x units data with missing values, with a
  bootstrap interval (:func:`krippendorff_alpha_ci`);
* boundaries as well as codes: :func:`unitized_alpha`, Krippendorff's
  unitizing alpha on character spans.

Examples
--------
>>> from mcqual.analysis import reliability as rel
>>> round(rel.krippendorff_alpha([[1, 2, 3, 3], [1, 2, 3, 4]]), 3)
0.696
>>> round(rel.cohen_kappa(["a", "a", "b", "b"], ["a", "b", "b", "b"]), 3)
0.5
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Literal, Sequence

import numpy as np

from ..errors import AnalysisError
from ._ranges import expand_ranges

Level = Literal["nominal", "ordinal", "interval", "ratio"]
LEVELS = ("nominal", "ordinal", "interval", "ratio")

__all__ = ["percent_agreement", "cohen_kappa", "scott_pi", "bennett_s", "fleiss_kappa",
           "krippendorff_alpha", "krippendorff_alpha_ci", "unitized_alpha", "AlphaCI",
           "contingency_table", "coincidence_matrix"]


# ---------------------------------------------------------------------------
# input helpers
# ---------------------------------------------------------------------------
def _is_missing(x: Any) -> bool:
    if x is None:
        return True
    try:
        return bool(x != x)  # NaN, pd.NA raises -> not missing
    except (TypeError, ValueError):
        return False


def _pairs(a: Sequence[Any], b: Sequence[Any]) -> tuple[list[Any], list[Any]]:
    a, b = list(a), list(b)
    if len(a) != len(b):
        raise AnalysisError("E502", f"the two coders rated {len(a)} and {len(b)} units; give one value per unit each")
    keep = [(x, y) for x, y in zip(a, b) if not _is_missing(x) and not _is_missing(y)]
    if not keep:
        raise AnalysisError("E502", "no unit was coded by both coders")
    return [x for x, _ in keep], [y for _, y in keep]


def _sorted_labels(values: Iterable[Any]) -> list[Any]:
    uniq = list(dict.fromkeys(values))
    try:
        return sorted(uniq)
    except TypeError:
        return sorted(uniq, key=str)


def contingency_table(a: Sequence[Any], b: Sequence[Any], labels: Sequence[Any] | None = None) -> tuple[np.ndarray, list[Any]]:
    """Cross-tabulate two coders' labels: ``(table, labels)``, rows = ``a``, columns = ``b``.

    Units that either coder left empty (``None``/NaN) are dropped.

    Examples
    --------
    >>> t, labels = contingency_table(["x", "y", "y"], ["x", "y", "x"])
    >>> t.tolist(), labels
    ([[1, 0], [1, 1]], ['x', 'y'])
    """
    a, b = _pairs(a, b)
    labels = list(labels) if labels is not None else _sorted_labels([*a, *b])
    index = {v: i for i, v in enumerate(labels)}
    try:
        ia = np.fromiter((index[x] for x in a), dtype=np.intp, count=len(a))
        ib = np.fromiter((index[y] for y in b), dtype=np.intp, count=len(b))
    except KeyError as exc:
        raise AnalysisError("E502", f"value {exc.args[0]!r} is not among labels={labels!r}") from None
    k = len(labels)
    table = np.bincount(ia * k + ib, minlength=k * k).reshape(k, k)
    return table, labels


def _table(a: Any, b: Any, labels: Sequence[Any] | None) -> np.ndarray:
    if b is None:
        t = np.asarray(a, dtype=float)
        if t.ndim != 2 or t.shape[0] != t.shape[1]:
            raise AnalysisError("E502", f"a contingency table must be square, got shape {t.shape}")
        if (t < 0).any() or t.sum() <= 0:
            raise AnalysisError("E502", "a contingency table needs non-negative counts and at least one unit")
        return t
    return contingency_table(a, b, labels)[0].astype(float)


def _observed(t: np.ndarray) -> float:
    return float(np.trace(t) / t.sum())


# ---------------------------------------------------------------------------
# two coders
# ---------------------------------------------------------------------------
def percent_agreement(a: Any, b: Any | None = None) -> float:
    """Share of units on which coders agree.

    Two forms: ``percent_agreement(a, b)`` with two label sequences, or
    ``percent_agreement(data)`` with ``data`` coders x units (2-D, missing =
    NaN/None). With more than two coders it is the share of agreeing pairs
    among all pairable values, ``1 - D_o`` of nominal Krippendorff alpha
    (Krippendorff 2011), which for two coders is simply the share of units both
    coded alike. Units coded by fewer than two coders are left out. (For a
    contingency table use ``cohen_kappa(table, details=True)["po"]``.)

    Returns a proportion in [0, 1].

    Examples
    --------
    >>> percent_agreement(["a", "b", "b", None], ["a", "b", "a", "a"])
    0.6666666666666666
    >>> percent_agreement([[1, 1, 2], [1, 2, 2], [1, 1, None]])
    0.75
    """
    if b is None:
        return 1.0 - _alpha_parts(a, "nominal")[0]
    return _observed(_table(a, b, None))


def _weights(k: int, weights: str | None) -> np.ndarray:
    i = np.arange(k)
    diff = np.abs(i[:, None] - i[None, :]).astype(float)
    if weights is None:
        return (diff > 0).astype(float)
    if weights == "linear":
        return diff / max(k - 1, 1)
    if weights == "quadratic":
        return (diff / max(k - 1, 1)) ** 2
    raise AnalysisError("E503", f"weights={weights!r}; use None, 'linear' or 'quadratic'")


def cohen_kappa(a: Any, b: Any | None = None, weights: Literal["linear", "quadratic"] | None = None,
                labels: Sequence[Any] | None = None, details: bool = False) -> float | dict[str, float]:
    """Cohen's (1960) kappa for two coders, optionally weighted (Cohen 1968).

    ``kappa = 1 - sum(w * O) / sum(w * E)`` where ``O`` is the observed and ``E``
    the chance-expected (product of the two coders' marginals) proportion
    table and ``w`` are **disagreement weights** over the ordered categories
    ``i, j = 0..k-1``: unweighted ``w = [i != j]``; ``"linear"``
    ``w = |i - j| / (k - 1)``; ``"quadratic"`` ``w = (i - j)**2 / (k - 1)**2``.
    (The normalisation by ``k - 1`` cancels; the values equal scikit-learn's
    ``cohen_kappa_score`` and Cohen's agreement-weight form ``1 - w``.)
    Categories are ordered by ``labels=`` or else sorted.

    Parameters
    ----------
    a, b : sequences of labels (``None``/NaN = not coded; dropped pairwise),
        or ``a`` a square contingency table and ``b=None``.
    weights : None, "linear" or "quadratic"
    labels : sequence, optional
        The category order (matters for weights).
    details : bool
        Return a dict with ``kappa, po, pe, kappa_max, n`` instead of the float.

    Examples
    --------
    >>> round(cohen_kappa([[88, 14, 18], [10, 40, 10], [2, 6, 12]]), 4)   # Cohen (1960), p. 45
    0.4915
    >>> round(cohen_kappa([1, 2, 3, 3], [1, 2, 2, 3], weights="quadratic"), 3)
    0.8
    """
    t = _table(a, b, labels)
    n = t.sum()
    p = t / n
    rows, cols = p.sum(1), p.sum(0)
    expected = np.outer(rows, cols)
    w = _weights(t.shape[0], weights)
    de = float((w * expected).sum())
    do = float((w * p).sum())
    kappa = 1.0 - do / de if de > 0 else (1.0 if do == 0 else float("nan"))
    if not details:
        return kappa
    po, pe = float(np.trace(p)), float(np.trace(expected))
    pmax = float(np.minimum(rows, cols).sum())
    kmax = (pmax - pe) / (1 - pe) if pe < 1 else float("nan")
    return {"kappa": kappa, "po": po, "pe": pe, "kappa_max": kmax, "n": float(n)}


def scott_pi(a: Any, b: Any | None = None, labels: Sequence[Any] | None = None) -> float:
    """Scott's (1955) pi: chance agreement from the coders' *pooled* marginals.

    ``pi = (po - pe) / (1 - pe)``, ``pe = sum_k ((row_k + col_k) / 2N)**2``.
    Same inputs as :func:`cohen_kappa`.

    Examples
    --------
    >>> round(scott_pi([[88, 14, 18], [10, 40, 10], [2, 6, 12]]), 4)
    0.4872
    """
    t = _table(a, b, labels)
    p = t / t.sum()
    pooled = (p.sum(0) + p.sum(1)) / 2
    po, pe = float(np.trace(p)), float((pooled ** 2).sum())
    return (po - pe) / (1 - pe) if pe < 1 else float("nan")


def bennett_s(a: Any, b: Any | None = None, n_categories: int | None = None,
              labels: Sequence[Any] | None = None) -> float:
    """Bennett, Alpert & Goldstein's (1954) S: chance agreement ``1/k`` for ``k`` categories.

    ``S = (po - 1/k) / (1 - 1/k)``; ``k`` = ``n_categories`` or the number of
    categories in the table (or in ``labels``).

    Examples
    --------
    >>> round(bennett_s([[88, 14, 18], [10, 40, 10], [2, 6, 12]]), 2)
    0.55
    """
    t = _table(a, b, labels)
    k = n_categories or t.shape[0]
    if k < 2:
        raise AnalysisError("E502", "Bennett's S needs at least two categories (pass n_categories=)")
    po = _observed(t)
    return (po - 1 / k) / (1 - 1 / k)


# ---------------------------------------------------------------------------
# many coders
# ---------------------------------------------------------------------------
def fleiss_kappa(table: Any, details: bool = False) -> float | dict[str, Any]:
    """Fleiss' (1971) kappa from a subjects x categories table of rater counts.

    Every subject must have the same number of ratings ``n``:
    ``P_i = (sum_j n_ij**2 - n) / (n (n - 1))``, ``P_bar = mean(P_i)``,
    ``P_e = sum_j p_j**2`` with ``p_j`` the share of all ratings in category j,
    ``kappa = (P_bar - P_e) / (1 - P_e)``.

    Examples
    --------
    >>> round(fleiss_kappa([[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
    ...                     [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
    ...                     [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]), 3)     # Wikipedia worked example
    0.21
    """
    t = np.asarray(table, dtype=float)
    if t.ndim != 2 or t.shape[0] < 1 or (t < 0).any():
        raise AnalysisError("E502", "fleiss_kappa needs a subjects x categories table of non-negative counts")
    n_i = t.sum(1)
    if not np.allclose(n_i, n_i[0]) or n_i[0] < 2:
        raise AnalysisError("E502", "every subject needs the same number (>= 2) of ratings for Fleiss' kappa; "
                                    "use krippendorff_alpha for missing ratings")
    n = n_i[0]
    p_i = ((t ** 2).sum(1) - n) / (n * (n - 1))
    p_bar = float(p_i.mean())
    p_j = t.sum(0) / t.sum()
    p_e = float((p_j ** 2).sum())
    kappa = (p_bar - p_e) / (1 - p_e) if p_e < 1 else float("nan")
    if details:
        return {"kappa": kappa, "P_bar": p_bar, "P_e": p_e, "P_i": p_i, "p_j": p_j}
    return kappa


def _to_codes(data: Any, level: str) -> tuple[np.ndarray, np.ndarray]:
    """coders x units data -> (int codes with -1 = missing, sorted category values)."""
    if level not in LEVELS:
        raise AnalysisError("E503", f"level={level!r}; use one of {', '.join(LEVELS)}")
    if hasattr(data, "to_numpy"):
        data = data.to_numpy(dtype=object)
    arr = np.asarray(data, dtype=object)
    if arr.ndim != 2:
        raise AnalysisError("E502", f"reliability data must be 2-D (coders x units), got {arr.ndim}-D")
    try:  # fast path: numbers with None/NaN for missing
        num = arr.astype(float)
    except (TypeError, ValueError):
        num = None
    if num is not None and not any(isinstance(x, (str, bytes)) for x in arr.ravel()):
        missing = np.isnan(num)
        values, inv = np.unique(num[~missing], return_inverse=True)
        codes = np.full(num.shape, -1, dtype=np.intp)
        codes[~missing] = inv.ravel()
        return codes, (np.arange(len(values), dtype=float) if level == "nominal" else values)
    flat = arr.ravel()
    missing = np.fromiter((_is_missing(x) for x in flat), dtype=bool, count=flat.size)
    present = flat[~missing]
    if level == "nominal":
        cats = _sorted_labels(present.tolist())
        index = {v: i for i, v in enumerate(cats)}
        codes = np.full(flat.size, -1, dtype=np.intp)
        codes[~missing] = [index[v] for v in present.tolist()]
        values = np.arange(len(cats), dtype=float)
    else:
        try:
            num = present.astype(float)
        except (TypeError, ValueError):
            raise AnalysisError("E502", f"level={level!r} needs numeric values") from None
        values, inv = np.unique(num, return_inverse=True)
        codes = np.full(flat.size, -1, dtype=np.intp)
        codes[~missing] = inv
    return codes.reshape(arr.shape), values


def _value_counts(codes: np.ndarray, k: int) -> np.ndarray:
    """units x categories counts n_uc from coders x units codes (-1 = missing)."""
    n_units = codes.shape[1]
    unit = np.broadcast_to(np.arange(n_units), codes.shape)
    ok = codes >= 0
    flat = unit[ok] * k + codes[ok]
    return np.bincount(flat, minlength=n_units * k).reshape(n_units, k).astype(float)


def _delta2(values: np.ndarray, n_c: np.ndarray, level: str) -> np.ndarray:
    """The squared difference function delta^2_ck of Krippendorff (2011)."""
    k = len(values)
    if level == "nominal":
        return 1.0 - np.eye(k)
    if level == "ordinal":
        cum = np.concatenate([[0.0], np.cumsum(n_c)])
        i = np.arange(k)
        lo, hi = np.minimum(i[:, None], i[None, :]), np.maximum(i[:, None], i[None, :])
        return (cum[hi + 1] - cum[lo] - (n_c[:, None] + n_c[None, :]) / 2) ** 2
    v = values.astype(float)
    if level == "interval":
        return (v[:, None] - v[None, :]) ** 2
    s = v[:, None] + v[None, :]
    with np.errstate(divide="ignore", invalid="ignore"):
        d = np.where(s == 0, 0.0, ((v[:, None] - v[None, :]) / np.where(s == 0, 1, s)) ** 2)
    return d


def coincidence_matrix(data: Any, level: Level = "nominal") -> tuple[np.ndarray, np.ndarray]:
    """Krippendorff's coincidence matrix ``o_ck`` and the category values.

    ``o = sum_u (n_u n_u^T - diag(n_u)) / (m_u - 1)`` over units with ``m_u >= 2``
    values (``n_u`` = the unit's value counts).

    Examples
    --------
    >>> o, values = coincidence_matrix([[1, 2], [1, 2]])
    >>> o.tolist()
    [[2.0, 0.0], [0.0, 2.0]]
    """
    codes, values = _to_codes(data, level)
    n_uc = _value_counts(codes, len(values))
    m = n_uc.sum(1)
    keep = m >= 2
    n_uc, m = n_uc[keep], m[keep]
    scale = 1.0 / (m - 1)
    o = (n_uc * scale[:, None]).T @ n_uc - np.diag((n_uc * scale[:, None]).sum(0))
    return o, values


def _alpha_parts(data: Any, level: str) -> tuple[float, float]:
    o, values = coincidence_matrix(data, level)
    n_c = o.sum(1)
    n = n_c.sum()
    if n < 2:
        raise AnalysisError("E502", "no unit has values from two coders: alpha is undefined")
    d2 = _delta2(values, n_c, level)
    do = float((o * d2).sum() / n)
    de = float((np.outer(n_c, n_c) * d2).sum() / (n * (n - 1)))
    return do, de


def krippendorff_alpha(data: Any, level: Level = "nominal", details: bool = False) -> float | dict[str, float]:
    """Krippendorff's alpha for coders x units data with missing values.

    ``alpha = 1 - D_o / D_e`` from the coincidence matrix of pairable values
    (Krippendorff 2011, "Computing Krippendorff's alpha-reliability"); units
    with fewer than two values are dropped. ``level`` picks the difference
    function: nominal, ordinal (rank-based, on the sorted values), interval,
    ratio. Alpha is 1 when all agree and 0 at chance; when every pairable value
    is the same (``D_e = 0``) it is reported as 1.0 if ``D_o = 0``.

    Parameters
    ----------
    data : array-like or DataFrame, coders x units; ``None``/NaN = missing.
    level : "nominal", "ordinal", "interval" or "ratio"
    details : bool
        Return ``{"alpha", "Do", "De"}`` instead of the float.

    Examples
    --------
    >>> data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    ...         [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    ...         [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    ...         [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]]     # Krippendorff (2011)
    >>> round(krippendorff_alpha(data), 3), round(krippendorff_alpha(data, "interval"), 3)
    (0.743, 0.849)
    """
    do, de = _alpha_parts(data, level)
    alpha = 1.0 - do / de if de > 0 else (1.0 if do == 0 else float("nan"))
    if details:
        return {"alpha": alpha, "Do": do, "De": de}
    return alpha


@dataclass(frozen=True)
class AlphaCI:
    """Krippendorff's alpha with a bootstrap confidence interval."""

    alpha: float
    low: float
    high: float
    level: str
    confidence: float
    n_boot: int
    p_below: dict[float, float]

    def __repr__(self) -> str:
        return (f"AlphaCI(alpha={self.alpha:.3f}, {self.confidence:.0%} CI [{self.low:.3f}, {self.high:.3f}], "
                f"{self.level}, n_boot={self.n_boot})")

    def __iter__(self):
        return iter((self.alpha, self.low, self.high))


def krippendorff_alpha_ci(data: Any, level: Level = "nominal", n_boot: int = 2000, seed: int | None = 0,
                          confidence: float = 0.95, thresholds: Sequence[float] = (0.667, 0.8)) -> AlphaCI:
    """Krippendorff's alpha with a percentile bootstrap interval over units.

    Units (columns) are resampled with replacement ``n_boot`` times; each
    resample's alpha is computed from the per-unit coincidences (one matrix
    product per resample block, no Python loop over units), with the
    difference function recomputed for the resample's marginals. ``p_below``
    gives, for each threshold (0.667 and 0.8 are Krippendorff's "tentative"
    and "reliable" cut-offs), the share of resamples below it.

    Examples
    --------
    >>> ci = krippendorff_alpha_ci([[1, 2, 3, 3, 2, 1], [1, 2, 3, 3, 2, 2]], n_boot=200, seed=1)
    >>> ci.low <= ci.alpha <= ci.high
    True
    """
    if n_boot < 1 or not (0 < confidence < 1):
        raise AnalysisError("E503", "n_boot must be >= 1 and confidence in (0, 1)")
    codes, values = _to_codes(data, level)
    k = len(values)
    n_uc = _value_counts(codes, k)
    m = n_uc.sum(1)
    keep = m >= 2
    n_uc, m = n_uc[keep], m[keep]
    if len(m) == 0:
        raise AnalysisError("E502", "no unit has values from two coders: alpha is undefined")
    alpha = krippendorff_alpha(data, level)
    scale = 1.0 / (m - 1)
    # per-unit coincidence matrices, flattened: U x k^2
    per_unit = (n_uc[:, :, None] * n_uc[:, None, :] - n_uc[:, :, None] * np.eye(k)[None]) * scale[:, None, None]
    per_unit = per_unit.reshape(len(m), k * k)
    rng = np.random.default_rng(seed)
    n_units = len(m)
    out = np.empty(n_boot)
    d2_fixed = None if level == "ordinal" else _delta2(values, np.ones(k), level)
    block = max(1, min(n_boot, 2_000_000 // max(n_units, 1)))
    done = 0
    while done < n_boot:
        b = min(block, n_boot - done)
        idx = rng.integers(0, n_units, size=(b, n_units))
        flat = (np.arange(b)[:, None] * n_units + idx).ravel()
        w = np.bincount(flat, minlength=b * n_units).reshape(b, n_units).astype(float)
        o = (w @ per_unit).reshape(b, k, k)
        n_c = o.sum(2)
        n = n_c.sum(1)
        if d2_fixed is not None:
            d2 = np.broadcast_to(d2_fixed, (b, k, k))
        else:  # ordinal distances depend on each resample's marginals
            d2 = np.stack([_delta2(values, n_c[j], level) for j in range(b)])
        do = (o * d2).sum((1, 2)) / n
        de = np.einsum("bi,bij,bj->b", n_c, d2, n_c) / np.maximum(n * (n - 1), 1e-300)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[done:done + b] = np.where(de > 0, 1.0 - do / np.where(de > 0, de, 1.0),
                                          np.where(do == 0, 1.0, np.nan))
        done += b
    tail = (1 - confidence) / 2
    low, high = np.nanquantile(out, [tail, 1 - tail])
    p_below = {float(t): float(np.mean(out < t)) for t in thresholds}
    return AlphaCI(float(alpha), float(low), float(high), level, confidence, n_boot, p_below)


# ---------------------------------------------------------------------------
# unitizing
# ---------------------------------------------------------------------------
def _merge(spans: np.ndarray) -> np.ndarray:
    """Union of [start, end) spans (one coder, one code): sorted, non-overlapping."""
    if len(spans) == 0:
        return spans.reshape(0, 2)
    spans = spans[np.lexsort((spans[:, 1], spans[:, 0]))]
    out = [list(spans[0])]
    for s, e in spans[1:]:
        if s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return np.asarray(out, dtype=np.int64)


def _sections(units: np.ndarray, begin: int, end: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """A coder's continuum as alternating sections: (starts, lengths, is_unit)."""
    starts, lengths, kinds = [], [], []
    pos = begin
    for s, e in units:
        if s > pos:
            starts.append(pos); lengths.append(s - pos); kinds.append(False)
        starts.append(s); lengths.append(e - s); kinds.append(True)
        pos = e
    if pos < end:
        starts.append(pos); lengths.append(end - pos); kinds.append(False)
    return np.asarray(starts, dtype=float), np.asarray(lengths, dtype=float), np.asarray(kinds, dtype=bool)


def _pair_disagreement(a: tuple, b: tuple) -> float:
    """sum over intersecting sections g of coder i, h of coder j of delta^2(g, h)."""
    sa, la, ua = a
    sb, lb, ub = b
    ea, eb = sa + la, sb + lb
    # every pair of sections that intersect: sweep with searchsorted
    # from the first section of b ending after a starts, to the last starting before a ends
    ia, ib = expand_ranges(np.searchsorted(eb, sa, side="right"), np.searchsorted(sb, ea, side="left"))
    if len(ia) == 0:
        return 0.0
    db = sa[ia] - sb[ib]
    de = ea[ia] - eb[ib]
    both = ua[ia] & ub[ib]
    total = float((db[both] ** 2 + de[both] ** 2).sum())
    a_in_gap = ua[ia] & ~ub[ib] & (sa[ia] >= sb[ib]) & (ea[ia] <= eb[ib])
    b_in_gap = ub[ib] & ~ua[ia] & (sb[ib] >= sa[ia]) & (eb[ib] <= ea[ia])
    total += float((la[ia][a_in_gap] ** 2).sum() + (lb[ib][b_in_gap] ** 2).sum())
    return total


def unitized_alpha(spans: Any, length: int | None = None, begin: int = 0, coders: Sequence[str] | None = None,
                   details: bool = False) -> float | dict[str, float]:
    """Krippendorff's unitizing alpha (``_u alpha``) for one code on a character continuum.

    Coders mark spans (units) on a continuum ``[begin, begin + length)``; each
    coder's continuum is then an alternation of units and gaps. Following
    Krippendorff (1995, *Sociological Methodology* 25: 47-76; 2004, *Quality &
    Quantity* 38: 787-800), with ``m`` coders, continuum length ``L``, ``b`` a
    section's start, ``l`` its length:

    * observed disagreement
      ``D_o = 1 / (m (m - 1) L**2) * sum_{i != j} sum_{g, h} delta2(ig, jh)``,
      where for a section ``g`` of coder ``i`` and ``h`` of coder ``j``:
      two overlapping units: ``delta2 = (b_g - b_h)**2 + (e_g - e_h)**2``;
      a unit lying wholly inside the other coder's gap: ``delta2 = l_unit**2``;
      otherwise 0;
    * expected disagreement over all ways to place the observed units and gaps
      ``D_e = 2/L * sum_units [ (N - 1)(2 l**3 - 3 l**2 + l) / 3
      + l**2 * sum_{gaps h: l_h >= l} (l_h - l + 1) ] / [ m L (m L - 1) - sum_units l (l - 1) ]``
      with ``N`` the number of units (all coders) and the gaps those of all coders;
    * ``alpha = 1 - D_o / D_e``.

    A coder's overlapping spans of the same code are merged first.

    Parameters
    ----------
    spans : mapping coder -> list of (start, end), or a DataFrame with columns
        coder, start, end.
    length : int, optional
        Continuum length ``L`` (default: from ``begin`` to the last span end).
    begin : int
        Continuum start.
    coders : list of str, optional
        The coders (a coder without spans has one long gap). Default: the keys.
    details : bool
        Return ``{"alpha", "Do", "De"}``.

    Examples
    --------
    >>> round(unitized_alpha({"A": [(2, 6)], "B": [(3, 6)]}, length=10), 4)
    0.8426
    """
    if hasattr(spans, "groupby"):
        by = {str(c): list(zip(g["start"].astype(int), g["end"].astype(int))) for c, g in spans.groupby("coder")}
    else:
        by = {str(c): list(v) for c, v in dict(spans).items()}
    names = [str(c) for c in coders] if coders is not None else list(by)
    if len(names) < 2:
        raise AnalysisError("E502", "unitized alpha needs at least two coders")
    units = {c: _merge(np.asarray(by.get(c, []), dtype=np.int64).reshape(-1, 2)) for c in names}
    last = max((int(u[:, 1].max()) for u in units.values() if len(u)), default=begin)
    L = int(length) if length is not None else last - begin
    end = begin + L
    for c, u in units.items():
        if len(u) and (u[:, 0].min() < begin or u[:, 1].max() > end or (u[:, 0] >= u[:, 1]).any()):
            raise AnalysisError("E502", f"coder {c!r} has a span outside the continuum [{begin}, {end})")
    if L <= 0:
        raise AnalysisError("E502", "the continuum is empty")
    m = len(names)
    secs = {c: _sections(units[c], begin, end) for c in names}
    do_sum = 0.0
    for i in range(m):
        for j in range(i + 1, m):
            do_sum += _pair_disagreement(secs[names[i]], secs[names[j]])
    do = 2.0 * do_sum / (m * (m - 1) * float(L) ** 2)
    lens = np.concatenate([s[1][s[2]] for s in secs.values()])
    gaps = np.sort(np.concatenate([s[1][~s[2]] for s in secs.values()]))
    n_units = len(lens)
    if n_units == 0:
        de = 0.0
    else:
        # sum over gaps with l_h >= l of (l_h - l + 1), via suffix sums over sorted gaps
        suffix = np.concatenate([np.cumsum(gaps[::-1])[::-1], [0.0]])
        pos = np.searchsorted(gaps, lens, side="left")
        cnt = len(gaps) - pos
        gap_term = suffix[pos] - cnt * (lens - 1)
        num = ((n_units - 1) * (2 * lens ** 3 - 3 * lens ** 2 + lens) / 3 + lens ** 2 * gap_term).sum()
        denom = m * L * (m * L - 1) - (lens * (lens - 1)).sum()
        de = float(2.0 / L * num / denom)
    if de == 0:
        alpha = 1.0 if do == 0 else float("nan")
    else:
        alpha = 1.0 - do / de
    if details:
        return {"alpha": alpha, "Do": do, "De": de}
    return alpha
