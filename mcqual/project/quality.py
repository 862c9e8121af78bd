"""How good the suggestions are on this study, now: ``project.quality(coder=...)``.

Two kinds of figures per code, both from the coder's own decisions:

* **observed**: of the suggestions this coder decided (accept / reject), the share accepted
  over the last ``last`` decisions on the code -- what the suggestions have been worth so far;
* **learned, cross-validated by transcript**: a head (one logistic regression per code on the
  cached vectors of the decided passages; see :mod:`mcqual.suggest.active`) is fitted on the
  other transcripts' decisions and scored on each held-out transcript: precision, recall and F1
  at the head's cut (p = 0.5), and the learning curve (F1 against the number of decisions so far,
  in the order they were made) -- what suggestions learned from you would be worth.

A passage counts as positive for a code when the coder accepted a suggestion of it or coded it
by hand, and negative when the coder rejected a suggestion of it, or accepted/coded the same
passage with another code only. Codes with too few decisions say how many more are needed.

Examples
--------
>>> import os, tempfile
>>> import mcqual as mq
>>> from mcqual.text.embedders import HashingEmbedder
>>> p = mq.Project.create(os.path.join(tempfile.mkdtemp(), "q.mcq"), coder="ab")
>>> _ = p.set_codebook(mq.Codebook.from_codes(["cost", "trust"]))
>>> q = p.quality(embedder=HashingEmbedder())
>>> q.summary_for("cost")
'no decisions on cost yet: accept or reject its suggestions (or code it) to see how good they are'
"""
from __future__ import annotations

from dataclasses import dataclass, field
from html import escape
from typing import Any

import numpy as np

QUALITY_COLUMNS = ["code", "decisions", "accepted", "rejected", "coded", "observed_precision", "observed_n",
                   "precision", "recall", "f1", "positives", "negatives", "transcripts", "needed", "curve"]


@dataclass(eq=False)
class Quality:
    """Per-code quality of suggestions for one coder (build with :meth:`Project.quality`)."""

    coder: str
    table: Any  # DataFrame, QUALITY_COLUMNS
    last: int = 40
    min_positives: int = 5
    min_negatives: int = 5
    notes: list[str] = field(default_factory=list)

    def to_frame(self):
        """The per-code table as a DataFrame (a copy)."""
        return self.table.copy()

    def row(self, code: str):
        t = self.table[self.table["code"] == code]
        return None if t.empty else t.iloc[0]

    def summary_for(self, code: str) -> str:
        """One sentence for the review card: how often suggestions for ``code`` were right lately.

        Examples
        --------
        >>> import pandas as pd
        >>> t = pd.DataFrame([dict(code="privacy", decisions=40, accepted=28, rejected=12, coded=0,
        ...      observed_precision=0.7, observed_n=40, precision=float("nan"), recall=float("nan"),
        ...      f1=float("nan"), positives=28, negatives=12, transcripts=3, needed="", curve=[])])
        >>> Quality("ab", t).summary_for("privacy")
        'suggestions for privacy were right 7 times in 10 on your last 40 decisions'
        """
        r = self.row(code)
        if r is None or (int(r["decisions"]) == 0 and int(r["coded"]) == 0):
            return (f"no decisions on {code} yet: accept or reject its suggestions (or code it) "
                    "to see how good they are")
        n = int(r["observed_n"])
        parts = []
        if n >= 5:
            tens = int(round(10 * float(r["observed_precision"])))
            parts.append(f"suggestions for {code} were right {tens} times in 10 on your last {n} decisions")
        elif n:
            parts.append(f"{int(round(float(r['observed_precision']) * n))} of the {n} suggestions for {code} "
                         "you decided were right")
        else:
            k = int(r["coded"])
            parts.append(f"you coded {code} {k} time{'s' if k != 1 else ''} by hand")
        if r["needed"]:
            parts.append(str(r["needed"]))
        elif r["f1"] == r["f1"]:
            parts.append(f"learned from you: precision {r['precision']:.2f}, recall {r['recall']:.2f} "
                         "on transcripts held out")
        return "; ".join(parts)

    def card_html(self, code: str) -> str:
        """The :meth:`summary_for` sentence as a small HTML line, for the review card and the coding view.

        Examples
        --------
        >>> import pandas as pd
        >>> Quality("ab", pd.DataFrame(columns=QUALITY_COLUMNS)).card_html("cost")[:27]
        '<div class="mcqual-quality"'
        """
        r = self.row(code)
        colour = "#666"
        if r is not None and int(r["observed_n"]) >= 5:
            p = float(r["observed_precision"])
            colour = "#1a7f37" if p >= 0.7 else "#9a6700" if p >= 0.4 else "#cf222e"
        return (f'<div class="mcqual-quality" style="font-size:90%;color:{colour}">'
                f"{escape(self.summary_for(code))}</div>")

    def __repr__(self) -> str:
        ready = int((self.table["needed"] == "").sum()) if len(self.table) else 0
        return f"Quality(coder={self.coder!r}, {len(self.table)} codes, {ready} with enough decisions)"

    def _repr_html_(self) -> str:
        from .._html import table

        rows = []
        for r in self.table.itertuples(index=False):
            obs = f"{r.observed_precision:.2f} ({r.observed_n})" if r.observed_n else "–"
            fig = (lambda v: "–" if v != v else f"{v:.2f}")
            curve = " ".join(f"{n}:{f:.2f}" for n, f in r.curve) if r.curve else "–"
            rows.append([str(r.code), str(r.decisions), str(r.accepted), str(r.rejected), str(r.coded), obs,
                         fig(r.precision), fig(r.recall), fig(r.f1), curve, r.needed or "ok"])
        head = (f"<p><b>Suggestion quality for {escape(self.coder)}</b>: observed = share of suggestions you "
                f"accepted among your last {self.last} decisions on the code; precision / recall / F1 = a model "
                "learned from your decisions, scored on transcripts it did not see; curve = F1 after n of "
                "your decisions.</p>")
        cols = ["code", "decisions", "accepted", "rejected", "coded by hand", "observed (n)", "precision", "recall",
                "F1", "learning curve", "status"]
        return head + table(cols, rows) + "".join(f"<p>{escape(n)}</p>" for n in self.notes)


def decided_items(project: Any, coder: str) -> tuple[list[dict], dict[str, str]]:
    """The coder's decisions in order: dicts with transcript, span, code, kind (accept/reject/code), order."""
    with project._store.read():
        state = project._state()
        sugg = {r[0]: r for r in project._store.suggestion_rows()}
    items: list[dict] = []
    for (sid, who), (kind, eid) in state.decisions.items():
        if who != coder or sid not in sugg:
            continue
        r = sugg[sid]
        items.append(dict(order=eid, tid=r[1], start=int(r[2]), end=int(r[3]),
                          code=state.current_code(r[4]), kind=kind, score=float(r[5])))
    for c in state.codings.values():
        if c.coder == coder and c.suggestion_id is None and c.status != "removed":
            items.append(dict(order=c.coding_id, tid=c.transcript_id, start=int(c.start), end=int(c.end),
                              code=state.current_code(c.code), kind="code", score=float("nan")))
    items.sort(key=lambda d: d["order"])
    texts = project._store.transcript_texts({d["tid"] for d in items}) if items else {}
    return items, texts


def labelled_passages(items: list[dict], texts: dict[str, str]):
    """``(keys, passage texts, groups, first decision order, labels {code: {key index: bool}})``."""
    index: dict[tuple, int] = {}
    first: list[int] = []
    pos: dict[int, set] = {}
    neg: dict[int, set] = {}
    for d in items:
        key = (d["tid"], d["start"], d["end"])
        if key not in index:
            index[key] = len(index)
            first.append(d["order"])
        k = index[key]
        (neg if d["kind"] == "reject" else pos).setdefault(k, set()).add(d["code"])
    keys = list(index)
    labels: dict[str, dict[int, bool]] = {}
    for k in range(len(keys)):
        for c in pos.get(k, ()):
            labels.setdefault(c, {})[k] = True
        for c in neg.get(k, ()):
            if c not in pos.get(k, ()):
                labels.setdefault(c, {})[k] = False
    codes_anywhere = {c for d in items for c in [d["code"]]}
    for c in codes_anywhere:  # coded with another code only: a negative for this one
        lab = labels.setdefault(c, {})
        for k, cs in pos.items():
            if c not in cs and k not in lab:
                lab[k] = False
    ptexts = [texts.get(t, "")[a:b] for t, a, b in keys]
    groups = np.asarray([t for t, _, _ in keys])
    return keys, ptexts, groups, np.asarray(first), labels


def quality(self, coder: str | None = None, *, embedder: Any = None, last: int = 40, min_positives: int = 5,
            min_negatives: int = 5, folds: int = 5, curve_points: int = 6) -> Quality:
    """How good suggestions are on this study, now, from ``coder``'s decisions (see :mod:`mcqual.project.quality`).

    Parameters
    ----------
    coder : str, optional
        Whose decisions (default ``project.coder``).
    embedder : object, optional
        Vectors for the passages (default the cached all-MiniLM-L6-v2); anything with ``embed``.
    last : int
        Observed precision over this many latest decisions per code.
    min_positives, min_negatives : int
        Fewer than these (or decisions in fewer than two transcripts): no learned figures, and
        ``needed`` says how many more decisions it takes.
    folds : int
        Transcript folds of the cross-validation.
    curve_points : int
        Points of the learning curve (numbers of decisions, doubling up to all of them).

    Returns
    -------
    Quality
        ``to_frame()``, ``summary_for(code)``, and an HTML table in Jupyter.
    """
    import pandas as pd

    from ..suggest.active import f1_score, grouped_cv

    who = self._coder(coder)
    cb = self._codebook_or_none()
    codes = [c.id for c in cb.codable()] if cb is not None else []
    items, texts = decided_items(self, who)
    keys, ptexts, groups, first, labels = labelled_passages(items, texts)
    codes += sorted(set(labels) - set(codes))
    X = None
    if any(sum(v.values()) >= min_positives and len(v) - sum(v.values()) >= min_negatives for v in labels.values()):
        from ..text.embedders import resolve_embedder

        X = np.asarray(resolve_embedder(embedder).embed(ptexts), dtype=np.float64)
    rows = []
    for code in codes:
        mine = [d for d in items if d["code"] == code]
        dec = [d for d in mine if d["kind"] in ("accept", "reject")]
        recent = dec[-last:]
        acc = sum(d["kind"] == "accept" for d in recent)
        lab = labels.get(code, {})
        idx = np.asarray(sorted(lab, key=lambda k: first[k]), dtype=np.int64)
        y = np.asarray([lab[k] for k in idx], dtype=bool)
        n_pos, n_neg = int(y.sum()), int((~y).sum())
        n_tr = len(set(groups[idx].tolist())) if len(idx) else 0
        need = []
        if n_pos < min_positives:
            need.append(f"{min_positives - n_pos} more accepted or hand-coded passages")
        if n_neg < min_negatives:
            need.append(f"{min_negatives - n_neg} more rejections (or passages coded otherwise)")
        if not need and n_tr < 2:
            need.append("decisions in a second transcript")
        needed = ("needs " + " and ".join(need) + " before its precision can be estimated") if need else ""
        prec = rec = f1 = float("nan")
        curve: list[tuple[int, float]] = []
        if not need and X is not None:
            p = grouped_cv(X[idx], y, groups[idx], folds=folds)
            if p is not None:
                prec, rec, f1 = f1_score(y, p >= 0.5)
                sizes = sorted({min(len(idx), s) for s in
                                [int(len(idx) / 2 ** i) for i in range(curve_points - 1, -1, -1)] if s >= 4})
                for s in sizes:
                    ys = y[:s]
                    if ys.all() or not ys.any() or len(set(groups[idx[:s]].tolist())) < 2:
                        continue
                    ps = grouped_cv(X[idx[:s]], ys, groups[idx[:s]], folds=folds)
                    if ps is not None:
                        curve.append((int(s), f1_score(ys, ps >= 0.5)[2]))
        rows.append([code, len(dec), sum(d["kind"] == "accept" for d in dec), sum(d["kind"] == "reject" for d in dec),
                     sum(d["kind"] == "code" for d in mine), acc / len(recent) if recent else float("nan"),
                     len(recent), prec, rec, f1, n_pos, n_neg, n_tr, needed, curve])
    df = pd.DataFrame(rows, columns=QUALITY_COLUMNS)
    notes = [] if items else [f"{who} has made no decisions yet."]
    return Quality(who, df, last=last, min_positives=min_positives, min_negatives=min_negatives, notes=notes)
