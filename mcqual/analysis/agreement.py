"""Intercoder agreement on a coding project: per code, overall, and the units to discuss.

``mq.agreement`` compares two or more coders (people, or a suggester whose
suggestions table is one more coder) on the same transcripts. For each code
every unit gets a yes/no per coder; agreement is then measured per code with
percent agreement, Cohen's kappa (the mean over coder pairs when there are
more than two: Light's kappa) and Krippendorff's alpha (nominal), and across
codes as *pooled* statistics over all code x unit decisions. Because coders
also disagree on where a quote starts and ends, Krippendorff's unitizing alpha
(``u_alpha``, see :func:`mcqual.analysis.reliability.unitized_alpha`) is
computed on the raw character spans of each code.

Examples
--------
>>> import pandas as pd
>>> import mcqual as mq
>>> df = pd.DataFrame({"transcript_id": "a", "start": [0, 0, 10, 20], "end": [9, 9, 19, 29],
...                    "code": ["trust", "trust", "trust", "cost"], "coder": ["A", "B", "A", "B"]})
>>> rep = mq.agreement(df)
>>> row = rep.per_code.loc["trust"]
>>> round(float(row["percent_agreement"]), 3), int(row["n_units"]), int(row["n_disagree"])
(0.667, 3, 1)
>>> rep.disagreements[["start", "code", "A", "B"]].values.tolist()
[[10, 'trust', True, False], [20, 'cost', False, True]]
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from itertools import combinations
from typing import Any, Mapping, Sequence

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ._inputs import check_option, code_labels, code_rows, codings_frame, roll_up, split_segment_ids
from ._ranges import expand_ranges
from .reliability import unitized_alpha

__all__ = ["agreement", "AgreementReport"]

UNITS = ("segment", "turn", "character")


@dataclass(frozen=True)
class AgreementReport:
    """What :func:`agreement` returns.

    Attributes
    ----------
    per_code : DataFrame
        One row per code: label, percent_agreement, kappa, alpha, u_alpha,
        n_units, n_disagree, and the units each coder coded (``n_<coder>``).
    overall : dict
        Pooled percent agreement, kappa and alpha over all code x unit
        decisions, the mean of the per-code values, u_alpha, the units, coders.
    disagreements : DataFrame
        The units the coders disagree on (transcript_id, start, end, code,
        one True/False column per coder, text, speaker, time) to discuss.
    """

    per_code: pd.DataFrame
    overall: dict[str, Any]
    disagreements: pd.DataFrame
    unit: str
    coders: tuple[str, ...] = field(default=())

    def __repr__(self) -> str:
        o = self.overall
        return (f"AgreementReport({' vs '.join(self.coders)}, unit={self.unit!r}, {o['n_units']} units, "
                f"{len(self.per_code)} codes: kappa={_f(o['kappa'])}, alpha={_f(o['alpha'])}, "
                f"u_alpha={_f(o['u_alpha'])}, {len(self.disagreements)} disagreements)")

    def _repr_html_(self) -> str:
        o = self.overall
        head = (f"<div style='font-family:sans-serif'><b>Agreement</b> {escape(' vs '.join(self.coders))} — "
                f"unit: {escape(self.unit)}, {o['n_units']:,} units, {len(self.per_code)} codes<br>"
                f"pooled: agreement {_f(o['percent_agreement'])}, kappa {_f(o['kappa'])}, alpha {_f(o['alpha'])}; "
                f"mean per code: kappa {_f(o['mean_kappa'])}, alpha {_f(o['mean_alpha'])}; "
                f"unitizing alpha {_f(o['u_alpha'])}</div>")
        stats = ["percent_agreement", "kappa", "alpha", "u_alpha"]
        view = self.per_code.copy()
        styler = view.style.format({c: "{:.3f}" for c in stats}, na_rep="–")
        try:
            styler = styler.background_gradient(cmap="RdYlGn", vmin=0, vmax=1, subset=stats)
        except ImportError:  # pragma: no cover - matplotlib missing
            pass
        dis = self.disagreements.head(30)
        dis_html = ""
        if len(dis):
            dis_html = (f"<div style='font-family:sans-serif;margin-top:6px'><b>Disagreements</b> "
                        f"({len(self.disagreements)}, first {len(dis)})</div>" + dis.to_html(index=False))
        return head + styler.to_html() + dis_html


def _f(x: Any, digits: int = 3) -> str:
    return "–" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{x:.{digits}f}"


# ---------------------------------------------------------------------------
# binary agreement statistics, vectorised over units
# ---------------------------------------------------------------------------
def _binary_stats(x: np.ndarray, weights: np.ndarray | None = None) -> tuple[float, float, float]:
    """(percent agreement, kappa, alpha) for an m coders x N units 0/1 matrix, no missing values.

    ``weights`` counts each unit that many times (used for characters: one
    column per run of identical characters). Alpha from the coincidence
    matrix: ``alpha = 1 - (n - 1) o01 / (n0 n1)``; kappa is Cohen's for two
    coders, else the mean over pairs (Light's kappa).
    """
    m, n_units = x.shape
    w = np.ones(n_units) if weights is None else weights.astype(float)
    h = x.sum(0).astype(float)
    o01 = float((w * h * (m - h)).sum() / (m - 1))
    o11 = float((w * h * (h - 1)).sum() / (m - 1))
    o00 = float((w * (m - h) * (m - h - 1)).sum() / (m - 1))
    n1, n0 = o11 + o01, o00 + o01
    n = n1 + n0
    pa = 1.0 - 2 * o01 / n if n > 0 else float("nan")
    alpha = 1.0 - (n - 1) * o01 / (n0 * n1) if n0 > 0 and n1 > 0 else float("nan")
    kappas = []
    for a, b in combinations(range(m), 2):
        both = float((w * (x[a] & x[b])).sum())
        pa_, pb_ = float((w * x[a]).sum()), float((w * x[b]).sum())
        tot = float(w.sum())
        po = (tot - pa_ - pb_ + 2 * both) / tot
        pe = (pa_ * pb_ + (tot - pa_) * (tot - pb_)) / tot ** 2
        kappas.append((po - pe) / (1 - pe) if pe < 1 else float("nan"))
    kappa = float(np.nanmean(kappas)) if kappas and not all(np.isnan(kappas)) else float("nan")
    return pa, kappa, alpha


# ---------------------------------------------------------------------------
# inputs
# ---------------------------------------------------------------------------
def _gather(codings: Any, coders: Sequence[str] | None, min_score: float | None) -> pd.DataFrame:
    if isinstance(codings, Mapping):
        if not codings:
            raise AnalysisError("E502", "agreement needs at least two coders; the dict of codings is empty")
        df = pd.concat([codings_frame(v).assign(coder=str(k)) for k, v in codings.items()], ignore_index=True)
    else:
        df = codings_frame(codings)
    if min_score is not None and "score" in df.columns:  # human codings have no score: kept
        score = pd.to_numeric(df["score"], errors="coerce")
        df = df[score.isna() | (score >= min_score)]
    if coders is not None:
        df = df[df["coder"].isin([str(c) for c in coders])]
    return df.reset_index(drop=True)


def _segments_frame(segments: Any) -> pd.DataFrame:
    if isinstance(segments, pd.DataFrame):
        df = segments
    elif hasattr(segments, "to_frame") and callable(segments.to_frame):
        df = segments.to_frame()
    else:
        df = pd.DataFrame([{"transcript_id": s.transcript_id, "start": s.start, "end": s.end} for s in segments])
    if not {"transcript_id", "start", "end"} <= set(df.columns):
        if "segment_id" not in df.columns:
            raise AnalysisError("E500", "segments= needs transcript_id, start, end (or segment_id)")
        df = split_segment_ids(df["segment_id"])
    out = pd.DataFrame({"transcript_id": df["transcript_id"].astype(str), "start": df["start"].astype("int64"),
                        "end": df["end"].astype("int64")})
    return out.drop_duplicates().sort_values(["transcript_id", "start", "end"], ignore_index=True)


def _map_to_units(df: pd.DataFrame, units: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """(coding row, unit row) pairs: a coding belongs to a unit when their overlap is at least
    half of the unit or half of the coding."""
    rows, unit_rows = [], []
    ugroups = units.groupby("transcript_id", sort=False).indices
    for tid, idx in df.groupby("transcript_id", sort=False).indices.items():
        uidx = ugroups.get(tid)
        if uidx is None:
            continue
        us, ue = units["start"].to_numpy()[uidx], units["end"].to_numpy()[uidx]
        order = np.argsort(us, kind="stable")
        us, ue, uidx = us[order], ue[order], uidx[order]
        s, e = df["start"].to_numpy()[idx], df["end"].to_numpy()[idx]
        # candidate units: start before the coding ends; units may nest, so scan from the first
        # unit whose running max end passes the coding start
        max_end = np.maximum.accumulate(ue)
        ci, uj = expand_ranges(np.searchsorted(max_end, s, "right"), np.searchsorted(us, e, "left"))
        ov = np.minimum(e[ci], ue[uj]) - np.maximum(s[ci], us[uj])
        ok = (ov > 0) & ((2 * ov >= ue[uj] - us[uj]) | (2 * ov >= e[ci] - s[ci]))
        rows.append(idx[ci[ok]])
        unit_rows.append(uidx[uj[ok]])
    if not rows:
        return np.array([], dtype=np.int64), np.array([], dtype=np.int64)
    return np.concatenate(rows), np.concatenate(unit_rows)


def _lengths(tids: Sequence[str], df: pd.DataFrame, corpus: Any) -> dict[str, int]:
    if corpus is not None:
        out = {}
        for tid in tids:
            if tid not in corpus:
                raise AnalysisError("E503", f"codings refer to transcript {tid!r}, which is not in the corpus")
            out[tid] = len(corpus[tid].text)
        return out
    ends = df.groupby("transcript_id")["end"].max()
    return {tid: int(ends.get(tid, 0)) for tid in tids}


# ---------------------------------------------------------------------------
# the report
# ---------------------------------------------------------------------------
def agreement(codings: Any, coders: Sequence[str] | None = None, unit: str = "segment", *, corpus: Any = None,
              segments: Any = None, codebook: Any = None, level: int | None = None,
              transcripts: Sequence[str] | None = None, min_score: float | None = None) -> AgreementReport:
    """Agreement between coders, per code and overall, with the disagreements listed.

    Parameters
    ----------
    codings : Project, DataFrame, or a dict ``{coder name: codings}``
        Codings with a ``coder`` column; in the dict form each value is one
        coder's codings or suggestions (``segment_id, code[, score]``), e.g.
        ``{"AB": project.codings(coder="AB"), "model": suggestions.to_frame()}``.
    coders : list of str, optional
        The coders to compare (at least two); default all.
    unit : "segment", "turn" or "character"
        What a coder says yes/no to. ``segment``: the ``segments=`` given (a
        coding counts for a segment when their overlap is at least half of
        either), or else the distinct coded spans themselves (for coding on
        fixed segments); ``turn``: the corpus's speaker turns (same rule);
        ``character``: every character of the transcripts.
    corpus : Corpus, optional
        Needed for ``unit="turn"``; gives text lengths (``character``,
        ``u_alpha``) and the quotes in ``disagreements``.
    segments : Segments, list of Segment or DataFrame, optional
    codebook, level :
        Codes to report (codes nobody used show with NaN statistics) and
        roll-up (``level=1`` compares themes).
    transcripts : list of str, optional
        The transcripts to compare; default: those every coder coded at least once.
    min_score : float, optional
        Keep only suggestions with ``score >= min_score`` (tables with a score column).

    Returns
    -------
    AgreementReport
        ``.per_code``, ``.overall``, ``.disagreements``.

    Notes
    -----
    ``u_alpha`` treats each transcript as one continuum (laid end to end) and
    measures boundaries as well as codes; the overall ``u_alpha`` is
    ``1 - sum(D_o) / sum(D_e)`` over codes.
    """
    check_option("unit", unit, UNITS)
    df = _gather(codings, coders, min_score)
    names = [str(c) for c in coders] if coders is not None else list(dict.fromkeys(df["coder"]))
    if len(names) < 2:
        raise AnalysisError("E502", f"agreement needs at least two coders; found {names or 'none'}")
    absent = [c for c in names if not (df["coder"] == c).any()]
    if absent:
        raise AnalysisError("E502", f"no codings by {', '.join(absent)} (coders present: "
                                    f"{', '.join(map(str, dict.fromkeys(df['coder'])))})")
    if transcripts is None:
        sets = [set(df.loc[df["coder"] == c, "transcript_id"]) for c in names]
        tids = sorted(set.intersection(*sets))
    else:
        tids = [str(t) for t in transcripts]
    df = df[df["transcript_id"].isin(tids)].reset_index(drop=True)
    if not len(df):
        raise AnalysisError("E502", f"coders {', '.join(names)} have no transcript in common to compare")
    df["row"] = roll_up(df["code"], codebook, level)
    codes = code_rows(df["row"].unique(), codebook, level)
    labels = code_labels(codes, codebook)
    ci = {c: i for i, c in enumerate(names)}
    lengths = _lengths(tids, df, corpus)
    if unit == "character":
        per, dis, pooled = _character(df, names, codes, tids, lengths)
    else:
        units = _units(df, unit, corpus, segments, tids)
        per, dis, pooled = _units_stats(df, names, codes, units, ci)
    # unitizing alpha: transcripts laid end to end on one continuum
    offset, pos = {}, 0
    for tid in tids:
        offset[tid] = pos
        pos += lengths[tid]
    shifted = df.assign(start=df["start"] + df["transcript_id"].map(offset),
                        end=df["end"] + df["transcript_id"].map(offset))
    do_sum = de_sum = 0.0
    u = []
    for code in codes:
        sub = shifted[shifted["row"] == code]
        res = unitized_alpha({c: list(zip(g["start"], g["end"])) for c, g in sub.groupby("coder")},
                             length=pos, coders=names, details=True)
        do_sum, de_sum = do_sum + res["Do"], de_sum + res["De"]
        u.append(res["alpha"] if res["De"] > 0 else float("nan"))
    per.insert(3, "u_alpha", u)
    per.insert(0, "label", [labels[c] for c in codes])
    per.index = pd.Index(codes, name="code")
    pa, kappa, alpha, n_units = pooled
    overall = {"percent_agreement": pa, "kappa": kappa, "alpha": alpha,
               "u_alpha": 1 - do_sum / de_sum if de_sum > 0 else float("nan"),
               "mean_kappa": float(np.nanmean(per["kappa"])) if per["kappa"].notna().any() else float("nan"),
               "mean_alpha": float(np.nanmean(per["alpha"])) if per["alpha"].notna().any() else float("nan"),
               "n_units": int(n_units), "n_codes": len(codes), "n_transcripts": len(tids),
               "coders": tuple(names), "unit": unit}
    if len(dis):
        dis.insert(4, "label", dis["code"].map(labels))
        dis = _with_context(dis, corpus)
    return AgreementReport(per, overall, dis, unit, tuple(names))


def _units(df: pd.DataFrame, unit: str, corpus: Any, segments: Any, tids: Sequence[str]) -> pd.DataFrame:
    if unit == "turn":
        if corpus is None:
            raise AnalysisError("E503", "unit='turn' needs corpus= to know the speaker turns")
        rows = [(t.id, u.start, u.end) for tid in tids for t in [corpus[tid]] for u in t.turns]
        return pd.DataFrame(rows, columns=["transcript_id", "start", "end"])
    if segments is not None:
        seg = _segments_frame(segments)
        return seg[seg["transcript_id"].isin(tids)].reset_index(drop=True)
    return df[["transcript_id", "start", "end"]].drop_duplicates().sort_values(
        ["transcript_id", "start", "end"], ignore_index=True)


def _units_stats(df: pd.DataFrame, names: list[str], codes: list[str], units: pd.DataFrame,
                 ci: dict[str, int]) -> tuple[pd.DataFrame, pd.DataFrame, tuple]:
    crow, urow = _map_to_units(df, units)
    k_of = {c: i for i, c in enumerate(codes)}
    m, n_units, k = len(names), len(units), len(codes)
    x = np.zeros((k, m, n_units), dtype=bool)
    x[df["row"].map(k_of).to_numpy()[crow], df["coder"].map(ci).to_numpy()[crow], urow] = True
    records = []
    for j in range(k):
        pa, kappa, alpha = _binary_stats(x[j])
        h = x[j].sum(0)
        rec = {"percent_agreement": pa, "kappa": kappa, "alpha": alpha, "n_units": n_units,
               "n_disagree": int(((h > 0) & (h < m)).sum())}
        rec.update({f"n_{c}": int(x[j, i].sum()) for c, i in ci.items()})
        records.append(rec)
    per = pd.DataFrame(records, columns=["percent_agreement", "kappa", "alpha", "n_units", "n_disagree",
                                         *[f"n_{c}" for c in names]])
    pooled = (*_binary_stats(x.transpose(1, 0, 2).reshape(m, k * n_units)), n_units)
    h = x.sum(1)
    kk, uu = np.nonzero((h > 0) & (h < m))
    dis = pd.DataFrame({"transcript_id": units["transcript_id"].to_numpy()[uu],
                        "start": units["start"].to_numpy()[uu], "end": units["end"].to_numpy()[uu],
                        "code": np.asarray(codes, dtype=object)[kk]})
    for c, i in ci.items():
        dis[c] = x[kk, i, uu]
    dis = dis.sort_values(["transcript_id", "start", "code"], ignore_index=True)
    return per, dis, pooled


def _character(df: pd.DataFrame, names: list[str], codes: list[str], tids: Sequence[str],
               lengths: dict[str, int]) -> tuple[pd.DataFrame, pd.DataFrame, tuple]:
    """Every character a unit: runs of characters with the same coder pattern are weighted columns."""
    m, k = len(names), len(codes)
    total = sum(lengths[t] for t in tids)
    cols: list[list[np.ndarray]] = [[] for _ in range(k)]
    wts: list[list[np.ndarray]] = [[] for _ in range(k)]
    dis_rows = []
    k_of = {c: i for i, c in enumerate(codes)}
    grouped = df.groupby(["row", "transcript_id"], sort=False).indices
    for (code, tid), idx in grouped.items():
        L = lengths[tid]
        bounds = {0, L}
        sub = df.iloc[idx]
        bounds.update(np.clip(sub["start"].to_numpy(), 0, L).tolist())
        bounds.update(np.clip(sub["end"].to_numpy(), 0, L).tolist())
        cuts = np.array(sorted(bounds), dtype=np.int64)
        pat = np.zeros((m, len(cuts) - 1), dtype=bool)
        for i, c in enumerate(names):
            s = sub.loc[sub["coder"] == c]
            for a, b in zip(s["start"].to_numpy(), s["end"].to_numpy()):
                pat[i, np.searchsorted(cuts, a):np.searchsorted(cuts, min(b, L))] = True
        w = np.diff(cuts)
        j = k_of[code]
        cols[j].append(pat)
        wts[j].append(w)
        h = pat.sum(0)
        bad = np.flatnonzero((h > 0) & (h < m) & (w > 0))
        for r in bad:
            dis_rows.append({"transcript_id": tid, "start": int(cuts[r]), "end": int(cuts[r + 1]), "code": code,
                             **{c: bool(pat[i, r]) for i, c in enumerate(names)}})
    records, all_x, all_w = [], [], []
    for j in range(k):
        covered = int(sum(w.sum() for w in wts[j]))
        # characters of the compared transcripts no one coded with this code: all-agree zeros
        x = np.concatenate(cols[j] + [np.zeros((m, 1), dtype=bool)], axis=1)
        w = np.concatenate(wts[j] + [np.array([total - covered])])
        pa, kappa, alpha = _binary_stats(x, w)
        h = x.sum(0)
        rec = {"percent_agreement": pa, "kappa": kappa, "alpha": alpha, "n_units": total,
               "n_disagree": int(w[(h > 0) & (h < m)].sum())}
        rec.update({f"n_{c}": int(w[x[i]].sum()) for i, c in enumerate(names)})
        records.append(rec)
        all_x.append(x)
        all_w.append(w)
    per = pd.DataFrame(records, columns=["percent_agreement", "kappa", "alpha", "n_units", "n_disagree",
                                         *[f"n_{c}" for c in names]])
    pooled = (*_binary_stats(np.concatenate(all_x, axis=1), np.concatenate(all_w)), total)
    dis = pd.DataFrame(dis_rows, columns=["transcript_id", "start", "end", "code", *names])
    # merge adjacent runs with the same pattern
    if len(dis):
        dis = dis.sort_values(["code", "transcript_id", "start"], ignore_index=True)
        key = dis[["code", "transcript_id", *names]].astype(str).agg("|".join, axis=1)
        new = (key != key.shift()) | (dis["start"] != dis["end"].shift())
        grp = new.cumsum()
        dis = dis.groupby(grp, sort=False).agg({"transcript_id": "first", "start": "min", "end": "max", "code": "first",
                                                **{c: "first" for c in names}}).reset_index(drop=True)
        dis = dis.sort_values(["transcript_id", "start", "code"], ignore_index=True)
    return per, dis, pooled


def _with_context(dis: pd.DataFrame, corpus: Any) -> pd.DataFrame:
    if corpus is None:
        return dis
    from ._inputs import span_context

    ctx = span_context(dis, corpus)
    from ..model import format_timestamp

    dis["speaker"] = ctx["speaker"]
    dis["time"] = [format_timestamp(None if np.isnan(t) else float(t)) for t in ctx["timestamp"]]
    dis["text"] = ctx["text"]
    return dis
