"""``mq.agreement_report``: two coders' agreement with the figure to report, its n and unit, and a methods paragraph.

``mq.agreement`` computes many statistics; this report picks, explains and
words them for a report. For two coders, per code and overall:

* **Cohen's κ** (Cohen 1960) at the chosen unit — ``turn``, ``sentence`` or
  ``character``: every unit is yes/no per coder and code. The overall κ is
  *pooled* over all code × unit decisions.
* **Segment agreement** — MAXQDA's segment-level rule (its intercoder
  agreement function, "segment overlap at least …%"): each coded segment of
  each coder is checked; it agrees when the other coder coded the same code on
  a segment that overlaps it by at least ``overlap`` (intersection over union
  of the two spans). Agreement = agreeing segments / all coded segments. No
  units nobody coded enter it, so it is not inflated by absence.
* **Krippendorff's cu-α** (Krippendorff 2004, 2019; Krippendorff, Mathet,
  Bouvry & Widlöcher 2016): agreement on *which code* where both coders coded
  something — a coincidence matrix of codes weighted by the characters where
  one coder's segment of code c overlaps the other's segment of code k
  (``o_ck``), then nominal α = 1 − D_o / D_e; and per code the binary
  unitizing α (ATLAS.ti's α-binary), which also judges boundaries.

Codes one or both coders never used get words, not NaN ("only AK used this
code: κ is 0 by construction"). :attr:`AgreementSummary.recommended` names the
figure to report and why; :meth:`AgreementSummary.methods_text` writes the
paragraph.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"transcript_id": "a", "coder": ["AK", "MB", "AK", "MB"], "code": ["trust"] * 4,
...                    "start": [0, 0, 20, 22], "end": [10, 10, 30, 30]})
>>> rep = agreement_report(df, coders=["AK", "MB"], unit="character", overlap=0.9)
>>> rep.per_code.loc["trust", ["segments", "segments_agree"]].tolist()
[4, 2]
>>> round(rep.overall["segment_agreement"], 2)
0.5
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any, Sequence

import numpy as np
import pandas as pd

from ..errors import AnalysisError
from ._inputs import codings_frame
from ._ranges import expand_ranges
from .agreement import _f, _map_to_units, _units, agreement

__all__ = ["agreement_report", "AgreementSummary", "segment_agreement", "cu_alpha"]

UNITS = ("turn", "sentence", "character")

#: below this many units coded by a coder, a per-code κ is flagged as unstable
MIN_UNITS = 5

REFERENCES = (
    "Cohen, J. (1960). A coefficient of agreement for nominal scales. Educational and Psychological "
    "Measurement, 20(1), 37–46.",
    "Krippendorff, K. (2004). Content Analysis: An Introduction to Its Methodology (2nd ed.). Sage.",
    "Krippendorff, K. (2019). Content Analysis: An Introduction to Its Methodology (4th ed.). Sage.",
    "Krippendorff, K., Mathet, Y., Bouvry, S., & Widlöcher, A. (2016). On the reliability of unitizing "
    "textual continua: Further developments. Quality & Quantity, 50(6), 2347–2364.",
    "O'Connor, C., & Joffe, H. (2020). Intercoder reliability in qualitative research: Debates and practical "
    "guidelines. International Journal of Qualitative Methods, 19, 1–13.",
    "VERBI Software (MAXQDA manual): Intercoder agreement — segment-level agreement with a minimum overlap.",
)


# ---------------------------------------------------------------------------
# the statistics
# ---------------------------------------------------------------------------
def _overlaps(a0: np.ndarray, a1: np.ndarray, b0: np.ndarray, b1: np.ndarray
              ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every pair (i, j) of span a_i and span b_j that overlap, with the overlap length (a sweep, not n x m)."""
    order = np.argsort(b0, kind="stable")
    bs, be = b0[order], b1[order]
    if not len(bs) or not len(a0):
        empty = np.array([], dtype=np.int64)
        return empty, empty, empty
    max_end = np.maximum.accumulate(be)
    ai, k = expand_ranges(np.searchsorted(max_end, a0, "right"), np.searchsorted(bs, a1, "left"))
    inter = np.minimum(a1[ai], be[k]) - np.maximum(a0[ai], bs[k])
    keep = inter > 0
    return ai[keep], order[k[keep]], inter[keep]


def segment_agreement(codings: Any, coders: Sequence[str], overlap: float = 0.9) -> pd.DataFrame:
    """MAXQDA-style segment agreement per code: ``segments``, ``segments_agree``, ``segment_agreement``.

    Every coded segment of both coders is one case; it agrees when the other coder coded the same
    code in the same transcript on a segment overlapping it by at least ``overlap`` (intersection
    over union). Duplicate segments (same coder, code, span) count once.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"transcript_id": "a", "coder": ["A", "B", "B"], "code": ["x", "x", "y"],
    ...                    "start": [0, 1, 50], "end": [10, 10, 60]})
    >>> segment_agreement(df, ["A", "B"], overlap=0.9)[["segments", "segments_agree"]].values.tolist()
    [[2, 2], [1, 0]]
    >>> int(segment_agreement(df, ["A", "B"], overlap=0.95).loc["x", "segments_agree"])
    0
    """
    if not 0 < overlap <= 1:
        raise AnalysisError("E511", f"overlap must be a share in (0, 1], not {overlap!r} (0.9 means 90 %)")
    df = codings_frame(codings)
    df = df[df["coder"].isin(coders)].drop_duplicates(["transcript_id", "code", "coder", "start", "end"])
    rows = []
    for code, g in df.groupby("code", sort=True):
        n = agree = 0
        per = {c: [0, 0] for c in coders}
        for tid, h in g.groupby("transcript_id", sort=False):
            spans = {c: h.loc[h["coder"] == c, ["start", "end"]].to_numpy(dtype=np.int64) for c in coders}
            for i, c in enumerate(coders):
                mine, other = spans[c], spans[coders[1 - i]]
                best = np.zeros(len(mine))
                ai, bj, inter = _overlaps(mine[:, 0], mine[:, 1], other[:, 0], other[:, 1])
                if len(ai):
                    union = np.maximum(mine[ai, 1], other[bj, 1]) - np.minimum(mine[ai, 0], other[bj, 0])
                    np.maximum.at(best, ai, inter / union)
                hits = int((best >= overlap - 1e-12).sum())
                n += len(mine)
                agree += hits
                per[c][0] += len(mine)
                per[c][1] += hits
        rows.append({"code": code, "segments": n, "segments_agree": agree,
                     "segment_agreement": agree / n if n else float("nan"),
                     **{f"segments_{c}": per[c][0] for c in coders}})
    out = pd.DataFrame(rows, columns=["code", "segments", "segments_agree", "segment_agreement",
                                      *[f"segments_{c}" for c in coders]])
    return out.set_index("code")


def _coincidences(df: pd.DataFrame, coders: Sequence[str], values: dict[str, str]) -> tuple[np.ndarray, list[str]]:
    """o_ck over both orders of the two coders: characters where a coding valued c meets one valued k."""
    df = df.assign(value=df["code"].map(values))
    df = df.drop_duplicates(["transcript_id", "value", "coder", "start", "end"])
    labels = sorted(df["value"].unique())
    k_of = {c: i for i, c in enumerate(labels)}
    o = np.zeros((len(labels), len(labels)))
    for _, h in df.groupby("transcript_id", sort=False):
        a = h[h["coder"] == coders[0]]
        b = h[h["coder"] == coders[1]]
        if not len(a) or not len(b):
            continue
        a0, a1, ac = a["start"].to_numpy(), a["end"].to_numpy(), a["value"].map(k_of).to_numpy()
        b0, b1, bc = b["start"].to_numpy(), b["end"].to_numpy(), b["value"].map(k_of).to_numpy()
        ii, jj, inter = _overlaps(a0, a1, b0, b1)
        np.add.at(o, (ac[ii], bc[jj]), inter)
        np.add.at(o, (bc[jj], ac[ii]), inter)
    return o, labels


def _alpha_from(o: np.ndarray) -> tuple[float, float, float]:
    """Nominal (alpha, D_o, D_e) from a coincidence matrix."""
    n_c = o.sum(1)
    n = float(n_c.sum())
    off = float(o.sum() - np.trace(o))
    if n <= 1:
        return float("nan"), float("nan"), float("nan")
    do = off / n
    de = float((n ** 2 - (n_c ** 2).sum()) / (n * (n - 1)))
    if de == 0:
        return (1.0 if off == 0 else float("nan")), do, de
    return 1.0 - do / de, do, de


def domain_of(code: str, codebook: Any = None) -> str:
    """A code's semantic domain: its top-level theme in the codebook, else the id before the first ``.``.

    Examples
    --------
    >>> domain_of("trust.issuer_reputation"), domain_of("cost")
    ('trust', 'cost')
    """
    if codebook is not None and code in codebook:
        return codebook.ancestor(code, 1)
    return code.split(".", 1)[0]


def cu_alpha(codings: Any, coders: Sequence[str], *, domains: Any = None,
             details: bool = False) -> float | dict[str, Any]:
    """Krippendorff's cu-α: agreement on the codes of overlapping coded segments (nominal).

    Coincidences ``o_ck`` sum, over both orders of the two coders, the characters where a segment
    of code ``c`` of one coder overlaps a segment of code ``k`` of the other (Krippendorff et al.
    2016). With ``n_c`` the row sums and ``n`` the total:
    ``D_o = sum_{c != k} o_ck / n``, ``D_e = sum_{c != k} n_c n_k / (n (n - 1))``, ``α = 1 - D_o / D_e``.
    Uncoded text and boundaries do not enter (those are the unitizing α's business).

    cu-α assumes the codes compared are mutually exclusive — one *semantic domain*. ``domains``
    (a mapping code -> domain, or a Codebook: its top-level themes) computes it per domain, comparing
    only codes of one domain with each other; the returned figure then pools the domains'
    coincidences (``details=True`` has each domain's α).
    A domain with a single code cannot disagree on the code and is left out of the pooled figure.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"transcript_id": "a", "coder": ["A", "A", "B", "B"], "code": ["x", "y", "x", "x"],
    ...                    "start": [0, 10, 0, 10], "end": [10, 20, 10, 20]})
    >>> round(cu_alpha(df, ["A", "B"]), 4)   # o_xx = 20, o_xy = o_yx = 10: 1 - (20/40) / (600/1560)
    -0.3
    """
    df = codings_frame(codings)
    df = df[df["coder"].isin(coders)]
    codes = sorted(df["code"].unique())
    if domains is None:
        dom = {c: "all" for c in codes}
    elif isinstance(domains, dict):
        dom = {c: str(domains.get(c, domain_of(c))) for c in codes}
    else:
        dom = {c: domain_of(c, domains) for c in codes}
    per: dict[str, dict[str, float]] = {}
    labels_all: list[str] = []
    blocks = []
    for d in sorted(set(dom.values())):
        sub = df[df["code"].map(dom) == d]
        o, labels = _coincidences(sub, coders, {c: c for c in sub["code"].unique()})
        a, do, de = _alpha_from(o)
        if len(labels) < 2:  # a domain of one code cannot disagree on which code: left out of the pool
            a = float("nan")
        per[d] = {"alpha": a, "n_chars": float(o.sum()) / 2, "codes": len(labels)}
        if len(labels) >= 2:
            blocks.append((o, labels))
            labels_all += labels
    # pooled: the domains' coincidence matrices side by side (codes of different domains never meet)
    k = len(labels_all)
    total = np.zeros((k, k))
    pos = 0
    for o, labels in blocks:
        total[pos:pos + len(labels), pos:pos + len(labels)] = o
        pos += len(labels)
    alpha, do, de = _alpha_from(total)
    if not details:
        return alpha
    out: dict[str, Any] = {"alpha": alpha, "Do": do, "De": de, "n_chars": float(total.sum()) / 2,
                           "coincidences": pd.DataFrame(total, labels_all, labels_all),
                           "domains": pd.DataFrame.from_dict(per, orient="index")}
    return out


def _pooled(n: np.ndarray, a: np.ndarray, b: np.ndarray, ab: np.ndarray, k: int) -> np.ndarray:
    """Pooled Cohen's κ from summed units, coded-by-A, coded-by-B and coded-by-both decisions (k codes)."""
    tot = n * k
    po = (tot - a - b + 2 * ab) / tot
    pe = (a * b + (tot - a) * (tot - b)) / tot ** 2
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(pe < 1, (po - pe) / (1 - pe), np.nan)


def kappa_ci(df: pd.DataFrame, coders: Sequence[str], units: pd.DataFrame, codes: Sequence[str], *,
             n_boot: int = 2000, confidence: float = 0.95, seed: int = 0) -> dict[str, Any]:
    """A bootstrap interval for the pooled κ: transcripts resampled with replacement (units within a
    transcript are not independent), or units when there are fewer than 5 transcripts.

    Returns ``{"kappa", "low", "high", "by", "n_boot"}``; ``kappa`` equals the report's pooled κ.
    """
    k_of = {c: i for i, c in enumerate(codes)}
    df = df[df["code"].isin(k_of)].reset_index(drop=True)
    crow, urow = _map_to_units(df, units)
    n_units = len(units)
    marks = np.zeros((2, len(codes), n_units), dtype=bool)
    ci = {c: i for i, c in enumerate(coders)}
    marks[df["coder"].map(ci).to_numpy()[crow], df["code"].map(k_of).to_numpy()[crow], urow] = True
    per_unit = np.stack([np.ones(n_units), marks[0].sum(0), marks[1].sum(0), (marks[0] & marks[1]).sum(0)])
    tids = units["transcript_id"].to_numpy()
    groups = pd.unique(tids)
    by = "transcript" if len(groups) >= 5 else "unit"
    if by == "transcript":
        idx = pd.Index(groups).get_indexer(tids)
        sums = np.zeros((4, len(groups)))
        np.add.at(sums.T, idx, per_unit.T)
    else:
        sums = per_unit
    k = len(codes)
    point = float(_pooled(*sums.sum(1), k))
    rng = np.random.default_rng(seed)
    m = sums.shape[1]
    out = np.empty(n_boot)
    step = max(1, 2_000_000 // max(m, 1))
    for i in range(0, n_boot, step):
        w = rng.multinomial(m, np.full(m, 1 / m), size=min(step, n_boot - i)).astype(float)
        tot = w @ sums.T
        out[i:i + len(w)] = _pooled(tot[:, 0], tot[:, 1], tot[:, 2], tot[:, 3], k)
    tail = (1 - confidence) / 2
    low, high = np.nanquantile(out, [tail, 1 - tail])
    return {"kappa": point, "low": float(low), "high": float(high), "by": by, "n_boot": n_boot,
            "confidence": confidence}


# ---------------------------------------------------------------------------
# the report
# ---------------------------------------------------------------------------
@dataclass(frozen=True)
class AgreementSummary:
    """What :func:`agreement_report` returns.

    Attributes
    ----------
    per_code : DataFrame
        One row per code: label, kappa, n_units, units coded by each coder, percent_agreement,
        segments, segments_agree, segment_agreement, alpha_binary (unitizing α), and ``note`` — in
        words, why a figure is missing or shaky.
    overall : dict
        kappa (pooled) with a 95 % bootstrap interval (``kappa_low``, ``kappa_high``; resampling
        transcripts, or units when there are fewer than 5; none for the character unit), median/min/max
        per-code κ over codes both coders used, percent agreement, segment agreement (with n), cu-α
        (with the characters it rests on), the unit and n_units.
    recommended : dict
        ``figure``, ``value``, ``n``, ``unit`` and ``why``: what to put in the report.
    per_domain : DataFrame
        cu-α per semantic domain (the codebook's themes): alpha, n_chars (overlapping coded
        characters, counted once per pair of codings), codes.
    """

    per_code: pd.DataFrame
    overall: dict[str, Any]
    coders: tuple[str, str]
    unit: str
    overlap: float
    recommended: dict[str, Any] = field(default_factory=dict)
    n_transcripts: int = 0
    per_domain: Any = None

    def methods_text(self, *, study: str = "interviews", resolved: bool = False) -> str:
        """A paragraph for the methods section (edit names and context before use).

        ``resolved=True`` adds that disagreements were resolved by consensus: say so only when
        they were (``project.disagreements(...)`` shows how many are still open).
        """
        o = self.overall
        a, b = self.coders
        used = o["n_codes_both"]
        k_range = (f"per code median κ = {_f(o['median_kappa'], 2)} (range {_f(o['min_kappa'], 2)}–"
                   f"{_f(o['max_kappa'], 2)}, {used} codes both coders used)" if used else "")
        per = self.per_code
        one = int(((per[f"n_{a}"] > 0) ^ (per[f"n_{b}"] > 0)).sum())
        none = int(((per[f"n_{a}"] == 0) & (per[f"n_{b}"] == 0)).sum())
        excl = ""
        if one:
            excl += (f" {one} code{'s were' if one != 1 else ' was'} used by one coder only (κ = 0 by "
                     f"construction; see the table).")
        if none:
            here = f"this {study[:-1] if study.endswith('s') else study}" if self.n_transcripts == 1 else f"these {study}"
            excl += f" {none} code{'s were' if none != 1 else ' was'} used by neither coder in {here}."
        unit_word = {"turn": "speaker turn", "sentence": "sentence", "character": "character"}[self.unit]
        what = study[:-1] if self.n_transcripts == 1 and study.endswith("s") else study
        text = (f"Two coders ({a} and {b}) independently coded {self.n_transcripts} {what} with a codebook of "
                f"{o['n_codes']} codes. Intercoder agreement was assessed with the {unit_word} as the unit of "
                f"analysis (n = {o['n_units']:,} {unit_word}s; each {unit_word} coded yes/no for each code): "
                f"Cohen's κ pooled over codes = {_f(o['kappa'], 2)}{self._ci_text()}"
                + (f"; {k_range}" if k_range else "") + "." + excl +
                f" Of the {o['segments']:,} segments the two coders coded, {_pct(o['segment_agreement'])} were "
                f"coded with the same code by the other coder with an overlap of at least {self.overlap:.0%} "
                f"(segment agreement as computed by MAXQDA). Krippendorff's cu-α for the choice of code where "
                f"both coders coded the same text was {_f(o['cu_alpha'], 2)}"
                + f" (n = {int(o['cu_alpha_chars']):,} overlapping coded characters"
                + (f"; pooled over {o['n_domains']} semantic domains, the codebook's themes" if o["n_domains"] > 1
                   else "") + ").")
        if resolved:
            text += (" Disagreements were discussed passage by passage and resolved by consensus; the agreed "
                     "coding was recorded as a separate consensus coding.")
        text += (" (Cohen, 1960; Krippendorff, 2004, 2019; Krippendorff et al., 2016; O'Connor & Joffe, 2020.)")
        return text

    def _ci_text(self, digits: int = 2) -> str:
        o = self.overall
        if np.isnan(o.get("kappa_low", float("nan"))):
            return ""
        by = "transcripts" if o["kappa_ci_by"] == "transcript" else f"{self.unit}s"
        return f" (95 % CI {_f(o['kappa_low'], digits)}–{_f(o['kappa_high'], digits)}, bootstrap over {by})"

    def __repr__(self) -> str:
        o = self.overall
        r = self.recommended
        return (f"AgreementSummary({self.coders[0]} vs {self.coders[1]}, unit={self.unit!r}, n={o['n_units']}: "
                f"report {r['figure']} = {_f(r['value'])}; segment agreement {_f(o['segment_agreement'])} "
                f"(n={o['segments']} segments, overlap >= {self.overlap:.0%}); cu-alpha {_f(o['cu_alpha'])})")

    def _repr_html_(self) -> str:
        o, r = self.overall, self.recommended
        a, b = self.coders
        head = (f"<div style='font-family:sans-serif'><b>Agreement</b> {escape(a)} vs {escape(b)} — unit: "
                f"{escape(self.unit)}, n = {o['n_units']:,} units in {self.n_transcripts} transcript(s), "
                f"{o['n_codes']} codes"
                f"<div style='margin:6px 0;padding:6px;background:#e6f4ea;border-left:4px solid #137333'>"
                f"<b>Report:</b> {escape(r['figure'])} = <b>{_f(r['value'])}</b>{escape(self._ci_text())} "
                f"({escape(r['n'])}). "
                f"{escape(r['why'])}</div></div>")
        rows = [["Cohen's κ, pooled over codes", _f(o["kappa"]) + self._ci_text(3).replace(" (", "<br>(", 1),
                 f"{o['n_units']:,} {self.unit}s × {o['n_codes']} codes"],
                ["Cohen's κ per code: median (min–max)",
                 f"{_f(o['median_kappa'])} ({_f(o['min_kappa'])}–{_f(o['max_kappa'])})",
                 f"{o['n_codes_both']} codes both coders used"],
                ["Segment agreement (MAXQDA rule)", _f(o["segment_agreement"]),
                 f"{o['segments_agree']:,} of {o['segments']:,} coded segments, overlap ≥ {self.overlap:.0%}"],
                ["Krippendorff's cu-α (which code, where both coded)", _f(o["cu_alpha"]),
                 f"{int(o['cu_alpha_chars']):,} overlapping coded characters"
                 + (f", pooled over {o['n_domains']} domains" if o["n_domains"] > 1 else "")],
                ["Percent agreement (do not report alone)", _f(o["percent_agreement"], 4),
                 "mostly units neither coder coded"]]
        from .._html import table

        rows = [[escape(str(c)) if j != 1 else str(c) for j, c in enumerate(r)] for r in rows]
        html = head + table(["figure", "value", "n and unit"], rows, raw=True)
        view = self.per_code.copy()
        shown = ["label", "kappa", "n_units", f"n_{a}", f"n_{b}", "segment_agreement", "segments", "alpha_binary",
                 "note"]
        cells = []
        for code, r in view[shown].iterrows():
            cells.append([escape(str(code)), escape(str(r["label"])), _f(r["kappa"]), f"{r['n_units']:,}",
                          str(r[f"n_{a}"]), str(r[f"n_{b}"]), _f(r["segment_agreement"]), str(r["segments"]),
                          _f(r["alpha_binary"]), escape(r["note"])])
        html += table(["code", "label", "κ", "units", f"coded by {a}", f"coded by {b}", "segment agr.", "segments",
                       "α-binary", "note"], cells, raw=True, caption="Per code")
        if self.per_domain is not None and len(self.per_domain) > 1:
            html += table(["domain", "cu-α", "overlapping coded characters", "codes"],
                          [[d, _f(r["alpha"]) if r["codes"] >= 2 else "– (one code)", f"{int(r['n_chars']):,}",
                            int(r["codes"])] for d, r in self.per_domain.iterrows()],
                          caption="cu-α per semantic domain (theme)")
        return html + (f"<details><summary>Methods paragraph</summary><p style='font-family:sans-serif'>"
                       f"{escape(self.methods_text())}</p></details>")

    def to_frame(self) -> pd.DataFrame:
        """The per-code table."""
        return self.per_code.copy()

    def summary_frame(self) -> pd.DataFrame:
        """The overall figures, one row each: figure, value, n and unit."""
        o = self.overall
        rows = [("Cohen's kappa, pooled over codes", o["kappa"], f"{o['n_units']} {self.unit}s x {o['n_codes']} codes"),
                ("Cohen's kappa pooled, 95 % CI low", o.get("kappa_low", float("nan")),
                 f"bootstrap over {o.get('kappa_ci_by') or '-'}s"),
                ("Cohen's kappa pooled, 95 % CI high", o.get("kappa_high", float("nan")), ""),
                ("Cohen's kappa per code, median", o["median_kappa"], f"{o['n_codes_both']} codes both coders used"),
                ("Cohen's kappa per code, min", o["min_kappa"], ""),
                ("Cohen's kappa per code, max", o["max_kappa"], ""),
                ("Segment agreement (MAXQDA rule)", o["segment_agreement"],
                 f"{o['segments_agree']} of {o['segments']} coded segments, overlap >= {self.overlap:.0%}"),
                ("Krippendorff's cu-alpha", o["cu_alpha"], f"{int(o['cu_alpha_chars'])} overlapping coded characters"),
                ("Percent agreement (not alone)", o["percent_agreement"], f"{o['n_units']} {self.unit}s")]
        return pd.DataFrame(rows, columns=["figure", "value", "n and unit"])

    def to_excel(self, path: Any) -> Any:
        """A workbook for the project file: ``summary`` (figures, what to report and why, the methods
        paragraph, references) and ``per code``."""
        from pathlib import Path

        from .._atomic import atomic_write

        a, b = self.coders
        summary = self.summary_frame()
        notes = pd.DataFrame({"": ["Report", "Why", "Methods paragraph", *["Reference"] * len(REFERENCES)],
                              " ": "",
                              "text": [f"{self.recommended['figure']} = {_f(self.recommended['value'])} "
                                       f"({self.recommended['n']})", self.recommended["why"], self.methods_text(),
                                       *REFERENCES]})

        def write(tmp: str) -> None:
            from openpyxl.styles import Alignment, Font

            with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
                summary.to_excel(xw, sheet_name="summary", index=False)
                notes.to_excel(xw, sheet_name="summary", index=False, startrow=len(summary) + 2)
                self.per_code.reset_index().to_excel(xw, sheet_name="per code", index=False)
                ws = xw.sheets["summary"]
                widths = {"A": 36, "B": 10, "C": 100}
                for col, width in widths.items():
                    ws.column_dimensions[col].width = width
                for row in ws.iter_rows():
                    lines = 1
                    for cell in row:
                        cell.alignment = Alignment(wrap_text=True, vertical="top")
                        if isinstance(cell.value, float):
                            cell.number_format = "0.000"
                        elif isinstance(cell.value, str):
                            lines = max(lines, -(-len(cell.value) // widths[cell.column_letter]))
                    ws.row_dimensions[row[0].row].height = 15 * lines
                ws.cell(row=len(summary) + 3, column=1).font = Font(bold=True)
                for cell in ws[1]:
                    cell.font = Font(bold=True)
                pc = xw.sheets["per code"]
                for j, col in enumerate(self.per_code.reset_index().columns, start=1):
                    pc.cell(row=1, column=j).font = Font(bold=True)
                    pc.column_dimensions[pc.cell(row=1, column=j).column_letter].width = 60 if col == "note" else 14
                pc.freeze_panes = "B2"
                for sheet in (ws, pc):  # print landscape, one page wide
                    sheet.page_setup.orientation = "landscape"
                    sheet.page_setup.fitToWidth = 1
                    sheet.page_setup.fitToHeight = 0
                    sheet.sheet_properties.pageSetUpPr.fitToPage = True

        atomic_write(path, write, suffix=".xlsx")
        return Path(path)


def _pct(x: Any) -> str:
    return "–" if x is None or (isinstance(x, float) and np.isnan(x)) else f"{100 * x:.0f} %"


def _note(r: Any, a: str, b: str) -> str:
    na, nb = int(r[f"n_{a}"]), int(r[f"n_{b}"])
    if na == 0 and nb == 0:
        return "neither coder used this code here: there is no agreement to measure (no κ)"
    if na == 0 or nb == 0:
        who, other, n = (b, a, nb) if na == 0 else (a, b, na)
        return (f"only {who} used this code ({n} unit{'s' if n != 1 else ''}); {other} never did: κ is 0 by "
                f"construction, which signals a codebook or training issue rather than chance — discuss the "
                f"definition")
    if np.isnan(r["kappa"]):
        return "both coders coded every unit with this code: κ is undefined (no variation)"
    if min(na, nb) < MIN_UNITS:
        return f"used on fewer than {MIN_UNITS} units by a coder: κ rests on very few cases, read with care"
    if r["kappa"] < 0.6:
        return "κ below 0.6: discuss the definition and the disagreements"
    return ""


def agreement_report(codings: Any, coders: Sequence[str] | None = None, unit: str = "sentence", *,
                     corpus: Any = None, overlap: float = 0.9, codebook: Any = None,
                     transcripts: Sequence[str] | None = None) -> AgreementSummary:
    """Two coders' agreement, per code and overall, with the figure to report and a methods paragraph.

    Parameters
    ----------
    codings : Project or DataFrame
        Codings with ``transcript_id, start, end, code, coder`` (a Project gives its codings, corpus
        and codebook).
    coders : two coder ids, optional
        Default: the two coders with the most codings.
    unit : "sentence", "turn" or "character"
        The unit κ is computed on (a coding counts for a turn or sentence when it covers at least half
        of it, or the unit covers at least half of the coding).
    corpus : Corpus, optional
        Needed for ``turn`` and ``sentence``; for ``character`` it gives each transcript's length (without
        it, text after the last coding is not counted). A Project supplies its own.
    overlap : float
        Least overlap (intersection over union) for two segments to agree (MAXQDA's "at least 90 %": 0.9).
    codebook : Codebook, optional
        Codes to list (codes nobody used are explained) and their labels.
    transcripts : list of str, optional
        Default: the transcripts both coders coded.

    Returns
    -------
    AgreementSummary
    """
    if unit not in UNITS:
        raise AnalysisError("E511", f"unit must be one of {UNITS}, not {unit!r}")
    if not 0 < overlap <= 1:
        raise AnalysisError("E511", f"overlap must be a share in (0, 1], not {overlap!r} (0.9 means 90 %)")
    if hasattr(codings, "codings") and hasattr(codings, "corpus") and callable(codings.corpus):
        if corpus is None:  # turns, sentences, and the true length of each transcript for characters
            corpus = codings.corpus()
        if codebook is None and hasattr(codings, "_codebook_or_none"):
            codebook = codings._codebook_or_none()
    df = codings_frame(codings)
    if coders is None:
        counts = df[~df["coder"].isin(["consensus", "mcqual"])]["coder"].value_counts()
        coders = [str(c) for c in counts.index[:2]]
    coders = [str(c) for c in coders]
    if len(coders) != 2 or coders[0] == coders[1]:
        raise AnalysisError("E510", f"the agreement report compares two coders, got {coders!r}")
    df = df[df["coder"].isin(coders)]
    if transcripts is None:
        both = set(df.loc[df["coder"] == coders[0], "transcript_id"]) & set(df.loc[df["coder"] == coders[1],
                                                                                    "transcript_id"])
        transcripts = sorted(both)
    df = df[df["transcript_id"].isin(list(transcripts))].reset_index(drop=True)
    if unit == "sentence":
        if corpus is None:
            raise AnalysisError("E511", "unit='sentence' needs corpus= (or a Project) to split sentences")
        from ..segment import segments

        sub = [corpus[t] for t in transcripts if t in corpus]
        units = segments(sub, unit="sentence", skip_interviewer=False, skip_backchannel=False)
        base = agreement(df, coders, unit="segment", segments=units, corpus=corpus, codebook=codebook,
                         transcripts=transcripts)
    else:
        base = agreement(df, coders, unit=unit, corpus=corpus, codebook=codebook, transcripts=transcripts)
    a, b = coders
    ci = None
    if unit != "character":  # the units the κ was computed on, for a bootstrap interval
        unit_frame = _units(df, "segment" if unit == "sentence" else unit, corpus,
                            units if unit == "sentence" else None, transcripts)
        ci = kappa_ci(df, coders, unit_frame, list(base.per_code.index))
    per = base.per_code[["label", "kappa", "percent_agreement", "n_units", f"n_{a}", f"n_{b}"]].copy()
    per["alpha_binary"] = base.per_code["u_alpha"]
    seg = segment_agreement(df, coders, overlap)
    per = per.join(seg, how="left")
    for c in ("segments", "segments_agree", f"segments_{a}", f"segments_{b}"):
        per[c] = per[c].fillna(0).astype("int64")
    per["note"] = [_note(r, a, b) for _, r in per.iterrows()]
    both_used = (per[f"n_{a}"] > 0) & (per[f"n_{b}"] > 0) & per["kappa"].notna()
    ks = per.loc[both_used, "kappa"]
    if codebook is not None and any(c.parent for c in codebook):
        domains: Any = codebook  # the codebook's themes are the semantic domains
    elif df["code"].str.contains(".", regex=False).any():
        domains = {c: domain_of(c) for c in df["code"].unique()}
    else:
        domains = None  # a flat codebook: one domain
    cu = cu_alpha(df, coders, domains=domains, details=True)
    n_seg, n_agree = int(per["segments"].sum()), int(per["segments_agree"].sum())
    o = base.overall
    overall = {"kappa": o["kappa"], "percent_agreement": o["percent_agreement"], "n_units": o["n_units"],
               "n_codes": len(per), "n_codes_both": int(both_used.sum()),
               "median_kappa": float(ks.median()) if len(ks) else float("nan"),
               "min_kappa": float(ks.min()) if len(ks) else float("nan"),
               "max_kappa": float(ks.max()) if len(ks) else float("nan"),
               "mean_kappa": o["mean_kappa"],
               "segment_agreement": n_agree / n_seg if n_seg else float("nan"), "segments": n_seg,
               "segments_agree": n_agree, "cu_alpha": cu["alpha"], "cu_alpha_chars": cu["n_chars"],
               "n_domains": int(cu["domains"]["alpha"].notna().sum()),
               "kappa_low": ci["low"] if ci else float("nan"), "kappa_high": ci["high"] if ci else float("nan"),
               "kappa_ci_by": ci["by"] if ci else "",
               "u_alpha": o["u_alpha"], "unit": unit, "coders": tuple(coders)}
    one_sided = int(((per[f"n_{a}"] > 0) ^ (per[f"n_{b}"] > 0)).sum())
    why = (f"Pooled κ weighs each code by how often it was used, so rarely used codes cannot swing it; give it with "
           f"its unit and n, and the per-code κ table (median {_f(overall['median_kappa'], 2)} over "
           f"{overall['n_codes_both']} codes both used) because a pooled figure hides weak codes. "
           f"Percent agreement ({_f(o['percent_agreement'], 4)}) is not a reliability figure here: most "
           f"{unit}s were coded by neither coder for most codes, so it is near 1 whatever the coders did. "
           f"The mean of per-code κ ({_f(o['mean_kappa'], 2)}) mixes well-used codes with codes used a handful "
           f"of times"
           + (f" and {one_sided} code(s) only one coder used (κ = 0 by construction)" if one_sided else "")
           + ". Add segment agreement if readers know MAXQDA, and cu-α when coders chose their own boundaries.")
    recommended = {"figure": f"Cohen's κ (pooled over codes, unit: {unit})", "value": o["kappa"],
                   "ci": (overall["kappa_low"], overall["kappa_high"]),
                   "n": f"n = {o['n_units']:,} {unit}s × {len(per)} codes", "unit": unit, "why": why}
    return AgreementSummary(per, overall, (a, b), unit, overlap, recommended, len(transcripts), cu["domains"])
