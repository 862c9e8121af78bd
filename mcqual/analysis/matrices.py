"""Theme matrices: code x case, code x group (with tests), co-occurrence, framework table, summary.

Every function takes codings (a Project, a DataFrame with ``transcript_id,
start, end, code, coder``, or a list of codings), optional case attributes
(``corpus=`` or ``attributes=``) and a ``codebook=`` (hierarchy, labels,
order), and returns a :class:`~mcqual.analysis._frame.Matrix`: a real pandas
DataFrame that shows as a heat table in Jupyter. ``long=True`` returns the tidy
long form instead.

Examples
--------
>>> import pandas as pd
>>> import mcqual as mq
>>> codings = pd.DataFrame({"transcript_id": ["a", "a", "b"], "start": [0, 10, 0], "end": [5, 20, 8],
...                         "code": ["trust", "cost", "trust"], "coder": "AB"})
>>> mq.code_case_matrix(codings).loc["trust"].tolist()
[1, 1]
>>> mq.cooccurrence(codings, within="transcript").loc["trust", "cost"]
np.int64(1)
"""
from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ._frame import Matrix
from ._ranges import expand_ranges
from ._inputs import (case_attributes, case_ids, check_option, code_labels, codings_frame,
                      group_of, picked_rows, roll_up, select_codes, turn_units, word_counts)

__all__ = ["code_case_matrix", "code_group_matrix", "cooccurrence", "framework_matrix", "code_summary", "Matrix"]

VALUES = ("count", "presence", "share", "words")
GROUP_VALUES = ("count", "cases", "case_pct", "segment_pct")
WITHIN = ("segment", "turn", "transcript", "overlap")
MEASURES = ("count", "jaccard", "c")


def _index(values: pd.Series, categories: Sequence[str]) -> np.ndarray:
    return pd.Categorical(values, categories=list(categories)).codes.astype(np.int64)


def _tally(r: np.ndarray, c: np.ndarray, nr: int, nc: int, weights: np.ndarray | None = None) -> np.ndarray:
    ok = (r >= 0) & (c >= 0)
    w = None if weights is None else weights[ok]
    out = np.bincount(r[ok] * nc + c[ok], weights=w, minlength=nr * nc).reshape(nr, nc)
    return out if weights is not None else out.astype(np.int64)


def code_case_matrix(codings: Any, value: str = "count", *, corpus: Any = None, attributes: pd.DataFrame | None = None,
                     codebook: Any = None, level: int | None = None, coders: Sequence[str] | str | None = None,
                     codes: str | Sequence[str] | None = None,
                 long: bool = False) -> Matrix | pd.DataFrame:
    """Codes x cases.

    Parameters
    ----------
    codings : Project, DataFrame or list of Coding
    value : "count", "presence", "share" or "words"
        ``count``: codings of the code in the case; ``presence``: 1 if the case
        has the code at all; ``share``: the code's part of the case's codings
        (each column sums to 1); ``words``: words in the coded spans (needs
        ``corpus=`` or a ``text`` column; overlapping codings count twice).
    corpus, attributes :
        Give the full list of cases: cases without codings appear as zero columns.
    codebook : Codebook, optional
        Row order and labels; codes without codings appear as zero rows.
    level : int, optional
        Roll codes up to this level of the hierarchy (1 = themes).
    coders : str or list, optional
        Only these coders' codings.
    codes : str or list of str, optional
        Only these codes (ids or labels, any case; each with its sub-codes), as rows in this order.
        An unknown code is an error naming the closest codes, never an empty row.
    long : bool
        Return the tidy form (code, label, case, value, + case attributes).

    Examples
    --------
    >>> import pandas as pd
    >>> from mcqual.codebook.model import Code, Codebook
    >>> cb = Codebook([Code("trust", codable=False), Code("trust.qa", parent="trust"), Code("cost")])
    >>> df = pd.DataFrame({"transcript_id": ["a", "b"], "start": [0, 0], "end": [4, 4], "code": ["trust.qa", "trust.qa"]})
    >>> code_case_matrix(df, codebook=cb, level=1).to_dict()
    {'a': {'trust': 1, 'cost': 0}, 'b': {'trust': 1, 'cost': 0}}
    """
    check_option("value", value, VALUES)
    df = codings_frame(codings, coders)
    df, picked = select_codes(df, codes, codebook, codings)
    attrs = case_attributes(corpus, attributes)
    df["row"] = roll_up(df["code"], codebook, level)
    rows = picked_rows(df["row"].unique(), picked, codebook, level)
    cases = case_ids(df, corpus, attrs)
    r, c = _index(df["row"], rows), _index(df["transcript_id"], cases)
    if value == "words":
        data: np.ndarray = _tally(r, c, len(rows), len(cases), word_counts(df, corpus).astype(float)).astype(np.int64)
    else:
        data = _tally(r, c, len(rows), len(cases))
        if value == "presence":
            data = (data > 0).astype(np.int64)
        elif value == "share":
            tot = data.sum(0, keepdims=True)
            data = np.divide(data, tot, out=np.zeros(data.shape), where=tot > 0)
    frame = pd.DataFrame(data, index=pd.Index(rows, name="code"), columns=pd.Index(cases, name="case"))
    m = Matrix.build(frame, kind="code x case", value=value, labels=code_labels(rows, codebook), level=level)
    if not long:
        return m
    out = m.to_long()
    if attrs is not None and len(attrs.columns):
        out = out.join(attrs, on="case")
    return out


def code_group_matrix(codings: Any, by: str | Sequence[str] = "respondent_group", value: str = "count", *,
                      corpus: Any = None, attributes: pd.DataFrame | None = None, codebook: Any = None,
                      level: int | None = None, coders: Sequence[str] | str | None = None, test: bool = True,
                      seed: int = 0, long: bool = False,
                      codes: str | Sequence[str] | None = None) -> Matrix | pd.DataFrame:
    """Codes x groups of cases (one case attribute, or two joined as ``'employer / DE'``).

    Parameters
    ----------
    by : str or list of two str
        Case attribute(s) from ``corpus=``/``attributes=``.
    value : "count", "cases", "case_pct" or "segment_pct"
        ``count``: codings in the group's cases; ``cases``: cases in the group
        that mention the code; ``case_pct``: that as % of the group's cases
        (all cases, coded or not); ``segment_pct``: % of the group's distinct
        coded segments (spans) that carry the code.
    test : bool
        Per code, test whether the share of cases mentioning it differs between
        groups (2 x G table of cases mentioning / not mentioning): Fisher's
        exact test for a 2 x 2 table or when an expected count is below 5
        (Monte Carlo p with 9,999 tables, seeded, for more than two groups),
        otherwise Pearson's chi-square; Cramér's V as effect size. In
        ``matrix.tests``.
    codes : str or list of str, optional
        Only these codes (ids or labels, any case; each with its sub-codes), as rows in this order.
        An unknown code is an error naming the closest codes, never an empty row.
    long : bool
        Tidy form with every measure: code, group, n_cases, count, cases,
        case_pct, segments, segment_pct.

    Returns
    -------
    Matrix
        Columns are the raw group values; ``matrix.n`` holds the cases per
        group, shown in the headers as ``employer (n=4)`` (and by
        ``matrix.with_n_labels()``); ``matrix.tests`` the tests.

    Examples
    --------
    >>> import pandas as pd
    >>> attrs = pd.DataFrame({"respondent_group": ["learner", "learner", "employer"]}, index=["a", "b", "c"])
    >>> df = pd.DataFrame({"transcript_id": ["a", "c"], "start": [0, 0], "end": [4, 4], "code": ["trust", "trust"]})
    >>> m = code_group_matrix(df, attributes=attrs, value="case_pct")
    >>> m.loc["trust"].to_dict(), m.n.to_dict()
    ({'employer': 100.0, 'learner': 50.0}, {'employer': 1, 'learner': 2})
    """
    check_option("value", value, GROUP_VALUES)
    df = codings_frame(codings, coders)
    df, picked = select_codes(df, codes, codebook, codings)
    attrs = case_attributes(corpus, attributes)
    cases = case_ids(df, corpus, attrs)
    groups_of_case = group_of(cases, attrs, by)
    groups = sorted(groups_of_case.unique().tolist(), key=lambda g: (g == "(missing)", g))
    n = groups_of_case.value_counts().reindex(groups).astype(np.int64)
    df["row"] = roll_up(df["code"], codebook, level)
    df["group"] = df["transcript_id"].map(groups_of_case)
    rows = picked_rows(df["row"].unique(), picked, codebook, level)
    r, g = _index(df["row"], rows), _index(df["group"], groups)
    counts = _tally(r, g, len(rows), len(groups))
    pres = df[["row", "transcript_id", "group"]].drop_duplicates()
    case_counts = _tally(_index(pres["row"], rows), _index(pres["group"], groups), len(rows), len(groups))
    segs = df[["row", "transcript_id", "start", "end", "group"]].drop_duplicates()
    seg_counts = _tally(_index(segs["row"], rows), _index(segs["group"], groups), len(rows), len(groups))
    all_segs = df[["transcript_id", "start", "end", "group"]].drop_duplicates()
    seg_tot = np.bincount(_index(all_segs["group"], groups), minlength=len(groups)).astype(float)
    nn = n.to_numpy(dtype=float)
    case_pct = np.divide(100 * case_counts, nn, out=np.zeros(case_counts.shape), where=nn > 0)
    seg_pct = np.divide(100 * seg_counts, seg_tot, out=np.zeros(seg_counts.shape), where=seg_tot > 0)
    data = {"count": counts, "cases": case_counts, "case_pct": case_pct, "segment_pct": seg_pct}[value]
    col_name = " / ".join([by] if isinstance(by, str) else list(by))
    idx, cols = pd.Index(rows, name="code"), pd.Index(groups, name=col_name)
    tests = _group_tests(case_counts, nn, idx, seed) if test else None
    m = Matrix.build(pd.DataFrame(data, index=idx, columns=cols), kind="code x group", value=value,
                     labels=code_labels(rows, codebook), level=level, n=n, tests=tests, by=by)
    if not long:
        return m
    parts = {"count": counts, "cases": case_counts, "case_pct": case_pct, "segments": seg_counts,
             "segment_pct": seg_pct}
    out = pd.DataFrame({k: v.ravel() for k, v in parts.items()})
    out.insert(0, "code", np.repeat(rows, len(groups)))
    out.insert(1, "label", out["code"].map(m.labels))
    out.insert(2, col_name, np.tile(groups, len(rows)))
    out.insert(3, "n_cases", np.tile(n.to_numpy(), len(rows)))
    return out


def _group_tests(mention: np.ndarray, n: np.ndarray, index: pd.Index, seed: int) -> pd.DataFrame:
    from scipy import stats

    keep = n > 0
    rows = []
    for i, code in enumerate(index):
        yes = mention[i, keep]
        table = np.vstack([yes, n[keep] - yes]).astype(np.int64)
        rec = {"code": code, "test": "none", "statistic": np.nan, "dof": np.nan, "p": np.nan,
               "cramers_v": np.nan, "min_expected": np.nan}
        if table.shape[1] >= 2 and table[0].sum() > 0 and table[1].sum() > 0:
            expected = table.sum(1, keepdims=True) * table.sum(0, keepdims=True) / table.sum()
            chi2, _, dof, _ = stats.chi2_contingency(table, correction=False)
            rec.update(statistic=float(chi2), dof=int(dof), min_expected=float(expected.min()),
                       cramers_v=float(np.sqrt(chi2 / table.sum())))
            if table.shape[1] == 2:
                rec.update(test="fisher", p=float(np.ravel(stats.fisher_exact(table).pvalue)[0]))
            elif expected.min() < 5:
                method = stats.MonteCarloMethod(n_resamples=9999, rng=np.random.default_rng(seed))
                rec.update(test="fisher (Monte Carlo)", p=float(np.ravel(stats.fisher_exact(table, method=method).pvalue)[0]))
            else:
                rec.update(test="chi2", p=float(stats.chi2.sf(chi2, dof)))
        rows.append(rec)
    return pd.DataFrame(rows).set_index("code")


def _units(df: pd.DataFrame, within: str, corpus: Any) -> tuple[np.ndarray, np.ndarray]:
    """(unit id per row, row position) for within = segment / turn / transcript."""
    if within == "segment":
        return pd.MultiIndex.from_frame(df[["transcript_id", "start", "end"]]).factorize()[0], np.arange(len(df))
    if within == "transcript":
        return pd.factorize(df["transcript_id"])[0], np.arange(len(df))
    tu = turn_units(df, corpus)
    rows = tu["row"].to_numpy()
    key = pd.MultiIndex.from_arrays([df["transcript_id"].to_numpy()[rows], tu["turn"].to_numpy()])
    return key.factorize()[0], rows


def _overlap_pairs(df: pd.DataFrame, r: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
    """Overlaps between spans of different codes (distinct spans per code).

    Returns ``(pairs, touched)``: k x k counts of overlapping span pairs, and
    ``touched[a, b]`` = spans of code a that overlap at least one span of code b.
    """
    pairs = np.zeros((k, k), dtype=np.int64)
    hit_span, hit_code, own = [], [], []
    offset = 0
    for _, idx in df.groupby("transcript_id", sort=False).indices.items():
        s, e, c = df["start"].to_numpy()[idx], df["end"].to_numpy()[idx], r[idx]
        order = np.argsort(s, kind="stable")
        s, e, c = s[order], e[order], c[order]
        # spans j > i (sorted by start) with start_j < end_i overlap span i
        i, j = expand_ranges(np.arange(1, len(s) + 1), np.searchsorted(s, e, "left"))
        diff = c[i] != c[j]
        i, j = i[diff], j[diff]
        pairs += np.bincount(c[i] * k + c[j], minlength=k * k).reshape(k, k)
        hit_span += [offset + i, offset + j]
        hit_code += [c[j], c[i]]
        own.append(c)
        offset += len(s)
    touched = np.zeros((k, k), dtype=np.int64)
    if hit_span:
        hit = np.zeros((offset, k), dtype=bool)           # span x other code it overlaps
        hit[np.concatenate(hit_span), np.concatenate(hit_code)] = True
        owner = np.concatenate(own)
        for a in range(k):
            touched[a] = hit[owner == a].sum(0)
    return pairs + pairs.T, touched


def cooccurrence(codings: Any, within: str = "segment", measure: str = "count", *, corpus: Any = None,
                 codebook: Any = None, level: int | None = None, coders: Sequence[str] | str | None = None,
                 codes: str | Sequence[str] | None = None,
                 long: bool = False) -> Matrix | pd.DataFrame:
    """Code x code co-occurrence.

    Parameters
    ----------
    within : "segment", "turn", "transcript" or "overlap"
        The unit in which two codes co-occur: the same span (segment), the same
        speaker turn (needs ``corpus=``; a span over several turns counts in
        each), the same transcript, or (``overlap``) two coded spans that
        overlap by at least one character.
    measure : "count", "jaccard" or "c"
        ``count``: ``n12``, units with both codes (``overlap``: pairs of
        overlapping spans); the diagonal holds ``n1``, units with the code
        (``overlap``: its distinct spans). ``jaccard``: ``n12 / (n1 + n2 - n12)``
        over units. ``c``: ATLAS.ti's c-coefficient
        ``c = n12 / (n1 + n2 - n12)`` with ``n1, n2`` the codes' frequencies
        (distinct coded spans) and ``n12`` their co-occurrence frequency; it
        equals ``jaccard`` for ``within="segment"``. Under ``overlap`` both use
        ``n12 = (m12 + m21) / 2``, ``m12`` the spans of code 1 that overlap a
        span of code 2: the number of overlapping pairs when spans pair one to
        one, and never more than ``(n1 + n2) / 2``, so the coefficient stays in
        [0, 1] (ATLAS.ti's raw pair count can push it above 1). Diagonals of
        ``jaccard``/``c`` are 1 for used codes.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"transcript_id": "a", "start": [0, 0, 10, 10], "end": [5, 5, 20, 20],
    ...                    "code": ["trust", "cost", "trust", "stack"]})
    >>> cooccurrence(df, measure="jaccard").loc["trust", "cost"]
    np.float64(0.5)
    """
    check_option("within", within, WITHIN)
    check_option("measure", measure, MEASURES)
    df = codings_frame(codings, coders)
    df, picked = select_codes(df, codes, codebook, codings)
    df["row"] = roll_up(df["code"], codebook, level)
    rows = picked_rows(df["row"].unique(), picked, codebook, level)
    k = len(rows)
    spans = df.drop_duplicates(["transcript_id", "start", "end", "row"]).reset_index(drop=True)
    r = _index(spans["row"], rows)
    freq = np.bincount(r, minlength=k).astype(np.int64)
    if within == "overlap":
        co, touched = _overlap_pairs(spans, r, k)
        units_n = freq
        shared = (touched + touched.T) / 2   # = pairs when spans pair one to one; keeps c in [0, 1]
    else:
        unit, pos = _units(spans, within, corpus)
        pairs = np.unique(unit.astype(np.int64) * k + r[pos])
        from scipy import sparse

        n_units = int(unit.max()) + 1 if len(unit) else 0
        x = sparse.csr_matrix((np.ones(len(pairs)), (pairs // k, pairs % k)), shape=(n_units, k))
        co = np.asarray((x.T @ x).todense(), dtype=np.int64)
        units_n = np.diag(co).copy()
    np.fill_diagonal(co, units_n)
    if measure == "count":
        data: np.ndarray = co
    else:
        n = units_n if measure == "jaccard" else freq
        n12 = shared if within == "overlap" else co
        denom = n[:, None] + n[None, :] - n12
        data = np.divide(n12, denom, out=np.zeros((k, k)), where=denom > 0)
        np.fill_diagonal(data, np.where(n > 0, 1.0, 0.0))
    idx = pd.Index(rows, name="code")
    frame = pd.DataFrame(data, index=idx, columns=pd.Index(rows, name="code_2"))
    m = Matrix.build(frame, kind="code x code", value=measure, labels=code_labels(rows, codebook), level=level,
                     within=within)
    return m.to_long() if long else m


def code_summary(codings: Any, *, by: str | Sequence[str] | None = None, corpus: Any = None,
                 attributes: pd.DataFrame | None = None, codebook: Any = None, level: int | None = None,
                 coders: Sequence[str] | str | None = None, codes: str | Sequence[str] | None = None,
                 long: bool = False) -> Matrix | pd.DataFrame:
    """One row per code: frequency, segments, cases, groups, mean segment length, codings by coder.

    Columns: ``label, codings, segments`` (distinct spans), ``cases``,
    ``cases_pct`` (of all cases), ``coders`` (how many coded it),
    ``mean_chars``, ``mean_words`` (with ``corpus=`` or a text column), then
    ``coder: <id>`` codings per coder (when there are several coders) and,
    with ``by=``, ``<group> (n=..)`` cases per group mentioning the code.
    ``long=True``: one row per code and coder (codings, cases, mean_chars).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"transcript_id": ["a", "a", "b"], "start": [0, 0, 3], "end": [10, 10, 5],
    ...                    "code": ["trust", "trust", "trust"], "coder": ["A", "B", "A"]})
    >>> code_summary(df).loc["trust", ["codings", "segments", "cases", "coder: A", "coder: B"]].tolist()
    [3, 2, 2, 2, 1]
    """
    df = codings_frame(codings, coders)
    df, picked = select_codes(df, codes, codebook, codings)
    attrs = case_attributes(corpus, attributes)
    df["row"] = roll_up(df["code"], codebook, level)
    rows = picked_rows(df["row"].unique(), picked, codebook, level)
    cases = case_ids(df, corpus, attrs)
    df["chars"] = df["end"] - df["start"]
    try:
        df["words"] = word_counts(df, corpus)
    except AnalysisError:
        pass
    if long:
        g = df.groupby(["row", "coder"], sort=False)
        out = g.agg(codings=("code", "size"), cases=("transcript_id", "nunique"), mean_chars=("chars", "mean"))
        if "words" in df.columns:
            out["mean_words"] = g["words"].mean()
        out = out.reset_index().rename(columns={"row": "code"})
        out.insert(1, "label", out["code"].map(code_labels(rows, codebook)))
        order = {c: i for i, c in enumerate(rows)}
        return out.sort_values(["code", "coder"], key=lambda s: s.map(order) if s.name == "code" else s,
                               ignore_index=True)
    g = df.groupby("row", sort=False)
    out = pd.DataFrame(index=pd.Index(rows, name="code"))
    out["label"] = [code_labels(rows, codebook)[c] for c in rows]
    out["codings"] = g.size().reindex(rows, fill_value=0).astype(np.int64)
    out["segments"] = (df.drop_duplicates(["row", "transcript_id", "start", "end"]).groupby("row").size()
                       .reindex(rows, fill_value=0).astype(np.int64))
    out["cases"] = g["transcript_id"].nunique().reindex(rows, fill_value=0).astype(np.int64)
    out["cases_pct"] = 100 * out["cases"] / max(len(cases), 1)
    out["coders"] = g["coder"].nunique().reindex(rows, fill_value=0).astype(np.int64)
    out["mean_chars"] = g["chars"].mean().reindex(rows)
    if "words" in df.columns:
        out["mean_words"] = g["words"].mean().reindex(rows)
    coder_ids = sorted(df["coder"].unique())
    if len(coder_ids) > 1:
        by_coder = df.groupby(["row", "coder"]).size().unstack(fill_value=0).reindex(index=rows, columns=coder_ids,
                                                                                        fill_value=0)
        for c in coder_ids:
            out[f"coder: {c}"] = by_coder[c].astype(np.int64)
    n = None
    if by is not None:
        gm = code_group_matrix(df.assign(code=df["row"]), by, "cases", corpus=corpus, attributes=attrs,
                               test=False)
        n = gm.n
        for grp in gm.columns:
            out[f"{grp} (n={int(gm.n[grp])})"] = gm[grp].reindex(rows, fill_value=0).astype(np.int64)
    return Matrix.build(out, kind="code summary", value="summary", labels=code_labels(rows, codebook), level=level,
                        groups=n, gradient_axis=0)


# framework_matrix lives in its own module (quotes, ranking); re-exported here for the flat API
from .framework import framework_matrix  # noqa: E402
