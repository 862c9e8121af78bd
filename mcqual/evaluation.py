"""Score suggestions (or any coder) against gold codings: precision, recall, F1, support, Cohen's kappa.

Units are segments: a segment counts as gold-coded with code C when a gold
coding of C overlaps it by at least half of the shorter of the two (codings
given by ``segment_id`` map directly). A suggestion set is treated as a coder,
so the same function gives human-human agreement when ``suggestions`` is a
second coder's codings.

Examples
--------
>>> import mcqual as mq
>>> t = mq.Transcript.from_turns("a", [("R", "Fees are high."), ("R", "I trust it."), ("R", "Nothing.")])
>>> segs = mq.segments([t])
>>> pred = [{"segment_id": "a@0-14", "code": "cost"}, {"segment_id": "a@16-27", "code": "cost"}]
>>> gold = [{"transcript_id": "a", "start": 0, "end": 14, "code": "cost"},
...         {"transcript_id": "a", "start": 16, "end": 27, "code": "trust"}]
>>> ev = mq.evaluate(pred, gold, segments=segs)
>>> ev.per_code.loc["cost", ["precision", "recall", "f1", "support"]].tolist()
[0.5, 1.0, 0.6666666666666666, 1.0]
>>> round(ev.macro["f1"], 3), round(ev.micro["f1"], 3)
(0.333, 0.5)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

import numpy as np

from .errors import SuggestError
from .model import Segment


def cohen_kappa(a: np.ndarray, b: np.ndarray) -> float:
    """Cohen's kappa of two binary (or categorical) label vectors; nan when undefined.

    Examples
    --------
    >>> round(cohen_kappa(np.array([1, 1, 0, 0]), np.array([1, 0, 0, 0])), 3)
    0.5
    """
    a, b = np.asarray(a), np.asarray(b)
    if len(a) == 0:
        return float("nan")
    cats = np.union1d(a, b)
    po = float(np.mean(a == b))
    pe = float(sum(np.mean(a == c) * np.mean(b == c) for c in cats))
    if pe >= 1.0:
        return 1.0 if po == 1.0 else float("nan")
    return (po - pe) / (1 - pe)


def _as_codings(obj: Any) -> Any:
    """Suggestions / list of Suggestion -> list of dicts; DataFrames and dict lists pass through."""
    from .model import Suggestion

    if hasattr(obj, "to_frame") and hasattr(obj, "filter") and not hasattr(obj, "columns"):
        return [{"segment_id": s.segment_id, "code": s.code} for s in obj]
    if isinstance(obj, (list, tuple)) and obj and isinstance(obj[0], Suggestion):
        return [{"segment_id": s.segment_id, "code": s.code} for s in obj]
    return obj


def _first_coder(gold: Any) -> str | None:
    if hasattr(gold, "columns") and "coder" in gold.columns and len(gold):
        return str(gold["coder"].dropna().iloc[0]) if gold["coder"].notna().any() else None
    if isinstance(gold, (list, tuple)):
        for r in gold:
            if isinstance(r, dict) and r.get("coder") is not None:
                return str(r["coder"])
    return None


@dataclass
class Evaluation:
    """Per-code and averaged agreement of a predicted coder with a gold coder."""

    per_code: Any
    micro: dict[str, float]
    macro: dict[str, float]
    kappa: float
    n_segments: int
    level: int | None = None
    coder: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_frame(self):
        """Per-code rows plus ``micro avg`` and ``macro avg`` rows."""
        import pandas as pd

        df = self.per_code.copy()
        tail = pd.DataFrame([{**self.micro, "kappa": self.kappa}, {**self.macro}],
                            index=["micro avg", "macro avg"])
        return pd.concat([df, tail[[c for c in tail.columns if c in df.columns]]])

    def to_markdown(self, digits: int = 2) -> str:
        """The table as GitHub Markdown."""
        df = self.to_frame()
        cols = ["precision", "recall", "f1", "kappa", "support", "predicted"]
        lines = ["| code | " + " | ".join(cols) + " |", "|---|" + "---:|" * len(cols)]
        for idx, row in df.iterrows():
            cells = []
            for c in cols:
                v = row.get(c, float("nan"))
                cells.append("" if v != v else (f"{int(v)}" if c in ("support", "predicted") else f"{v:.{digits}f}"))
            lines.append(f"| {idx} | " + " | ".join(cells) + " |")
        return "\n".join(lines)

    def __repr__(self) -> str:
        lvl = f", level={self.level}" if self.level else ""
        return (f"Evaluation({len(self.per_code)} codes, {self.n_segments} segments{lvl}: "
                f"macro F1 {self.macro['f1']:.3f}, micro F1 {self.micro['f1']:.3f}, kappa {self.kappa:.3f})")

    def _repr_html_(self) -> str:
        from ._html import table

        df = self.to_frame()
        rows = [[str(i)] + [("" if row[c] != row[c] else f"{row[c]:.2f}") if c not in ("support", "predicted")
                            else ("" if row[c] != row[c] else str(int(row[c])))
                            for c in ("precision", "recall", "f1", "kappa", "support", "predicted")]
                for i, row in df.iterrows()]
        return table(["code", "precision", "recall", "F1", "kappa", "support", "predicted"], rows, caption=repr(self))


def evaluate(suggestions: Any, gold: Any, unit: str = "segment", *, segments: Sequence[Segment] | None = None,
             codebook: Any = None, level: int | None = None, coder: str | None = None,
             pred_coder: str | None = None, codes: Sequence[str] | None = None) -> Evaluation:
    """Compare suggestions (a coder) with gold codings, per code and averaged.

    Parameters
    ----------
    suggestions : Suggestions, list of Suggestion, DataFrame or list of dicts
        Predicted codes per segment (``segment_id, code``) or coded spans
        (``transcript_id, start, end, code``) of another coder.
    gold : DataFrame or list of dicts
        Gold codings, by ``segment_id`` or by character span; with a ``coder``
        column, ``coder`` selects one (default: the first coder listed).
    unit : {"segment", "transcript"}
        ``segment``: every segment is a unit; ``transcript``: a code counts once
        per transcript where any segment has it.
    segments : Segments, optional
        The units; default ``suggestions.segments``.
    codebook : Codebook, optional
        Needed for ``level``; default ``suggestions.codebook``.
    level : int, optional
        Roll codes up to their ancestor at this level (1 = themes).
    coder, pred_coder : str, optional
        Which coder of ``gold`` (and of ``suggestions``, when it holds codings) to use.
    codes : list of str, optional
        Restrict the evaluation to these codes (default: every code seen in either).

    Returns
    -------
    Evaluation
        ``per_code`` DataFrame (precision, recall, f1, kappa, support, predicted,
        tp, fp, fn), ``micro``/``macro`` dicts, pooled ``kappa``.
    """
    import pandas as pd

    from .suggest.base import coerce_labels

    if unit not in ("segment", "transcript"):
        raise SuggestError("E400", f"unknown evaluation unit {unit!r}", hint="Use unit='segment' or 'transcript'.")
    segments = segments if segments is not None else getattr(suggestions, "segments", None)
    if segments is None:
        raise SuggestError("E402", "evaluate needs the segments the suggestions refer to",
                           hint="Pass segments=mq.segments(corpus) (or suggestions made by suggest(segments)).")
    codebook = codebook if codebook is not None else getattr(suggestions, "codebook", None)
    if level is not None and codebook is None:
        raise SuggestError("E406", "level= needs a codebook", hint="Pass codebook= to roll codes up to themes.")
    gold_coder = coder if coder is not None else _first_coder(gold)
    pred = coerce_labels(segments, _as_codings(suggestions), coder=pred_coder)
    ref = coerce_labels(segments, gold, coder=gold_coder)

    def roll(c: str) -> str:
        if level is None or codebook is None or c not in codebook:
            return c
        return codebook.ancestor(c, level)

    units = [s.segment_id for s in segments] if unit == "segment" else list(dict.fromkeys(
        s.transcript_id for s in segments))
    key = (lambda s: s.segment_id) if unit == "segment" else (lambda s: s.transcript_id)
    P: dict[str, set[str]] = {}
    G: dict[str, set[str]] = {}
    for s in segments:
        P.setdefault(key(s), set()).update(roll(c) for c in pred.positives.get(s.segment_id, ()))
        G.setdefault(key(s), set()).update(roll(c) for c in ref.positives.get(s.segment_id, ()))
    if codes is not None:
        universe = list(dict.fromkeys(roll(c) for c in codes))
    else:
        seen = {c for v in (*P.values(), *G.values()) for c in v}
        order = [roll(c.id) for c in codebook] if codebook is not None else []
        universe = [c for c in dict.fromkeys(order) if c in seen] + sorted(seen - set(order))
    idx = {u: i for i, u in enumerate(units)}
    Yp = np.zeros((len(units), len(universe)), dtype=bool)
    Yg = np.zeros_like(Yp)
    col = {c: j for j, c in enumerate(universe)}
    for u, cs in P.items():
        for c in cs:
            if c in col:
                Yp[idx[u], col[c]] = True
    for u, cs in G.items():
        for c in cs:
            if c in col:
                Yg[idx[u], col[c]] = True
    tp = (Yp & Yg).sum(axis=0)
    fp = (Yp & ~Yg).sum(axis=0)
    fn = (~Yp & Yg).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        prec = np.where(tp + fp > 0, tp / np.maximum(tp + fp, 1), 0.0)
        rec = np.where(tp + fn > 0, tp / np.maximum(tp + fn, 1), 0.0)
        f1 = np.where(prec + rec > 0, 2 * prec * rec / np.where(prec + rec > 0, prec + rec, 1), 0.0)
    kap = [cohen_kappa(Yg[:, j], Yp[:, j]) for j in range(len(universe))]
    per = pd.DataFrame({"precision": prec, "recall": rec, "f1": f1, "kappa": kap,
                        "support": Yg.sum(axis=0).astype(float), "predicted": Yp.sum(axis=0).astype(float),
                        "tp": tp.astype(float), "fp": fp.astype(float), "fn": fn.astype(float)},
                       index=pd.Index(universe, name="code"))
    TP, FP, FN = int(tp.sum()), int(fp.sum()), int(fn.sum())
    mp = TP / (TP + FP) if TP + FP else 0.0
    mr = TP / (TP + FN) if TP + FN else 0.0
    micro = {"precision": mp, "recall": mr, "f1": 2 * mp * mr / (mp + mr) if mp + mr else 0.0,
             "support": float(Yg.sum()), "predicted": float(Yp.sum())}
    n = max(len(universe), 1)
    kv = [k for k in kap if k == k]
    macro = {"precision": float(prec.sum() / n), "recall": float(rec.sum() / n), "f1": float(f1.sum() / n),
             "kappa": float(np.mean(kv)) if kv else float("nan"),
             "support": float(Yg.sum()), "predicted": float(Yp.sum())}
    pooled = cohen_kappa(Yg.ravel(), Yp.ravel()) if Yg.size else float("nan")
    return Evaluation(per, micro, macro, pooled, len(units), level, gold_coder)
