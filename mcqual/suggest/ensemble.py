"""Combine suggesters: one suggestion per (segment, code) with the combined score and every reason.

Members' scores are on a common scale (each member's decision threshold maps to
0.5), so they combine directly:

* ``"noisy_or"`` (default): ``1 - prod(1 - w_i * s_i)`` over members whose score
  passes 0.5, otherwise the best member score. One confident member suffices;
  agreeing members reinforce each other.
* ``"mean"``: weighted mean; ``"max"``: the best member.

Examples
--------
>>> import mcqual as mq
>>> from mcqual.text.embedders import HashingEmbedder
>>> cb = mq.Codebook([mq.Code("cost", "Cost", definition="Fees of courses.", keywords=("fee",))])
>>> segs = mq.segments([mq.Transcript.from_turns("a", [("R", "The fees of courses are high.")])])
>>> ens = mq.Ensemble({"rules": mq.RuleSuggester(),
...                    "emb": mq.EmbeddingSuggester(embedder=HashingEmbedder(), threshold=0.1)})
>>> s = ens.fit(segs, cb).suggest(segs)
>>> s[0].code, s[0].source
('cost', 'rules+emb')
"""
from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from ..errors import SuggestError
from ..model import Segment
from .base import ScoreTable, Suggester, coerce_labels


class Ensemble(Suggester):
    """Several suggesters as one.

    Parameters
    ----------
    suggesters : list or dict of suggesters, optional
        Default: ``[RuleSuggester(), EmbeddingSuggester()]`` (plus a
        :class:`LearnedSuggester` fitted only when codings are given).
    weights : list or dict of float, optional
        Per member (default 1).
    combine : {"noisy_or", "mean", "max"}
    threshold : float
        Cut on the combined score (0.5 = members' own thresholds).
    top_k : int, optional
        At most this many codes per segment.
    """

    source = "ensemble"

    def __init__(self, suggesters: Sequence[Suggester] | Mapping[str, Suggester] | None = None, *,
                 weights: Sequence[float] | Mapping[str, float] | None = None, combine: str = "noisy_or",
                 threshold: float = 0.5, top_k: int | None = 3) -> None:
        self.suggesters = suggesters
        self.weights = weights
        self.combine = combine
        self.threshold = threshold
        self.top_k = top_k

    def _members(self) -> list[tuple[str, Suggester]]:
        from .embedding import EmbeddingSuggester
        from .learned import LearnedSuggester
        from .rules import RuleSuggester

        sug = self.suggesters
        if sug is None:
            sug = [RuleSuggester(), EmbeddingSuggester(), LearnedSuggester()]
        if isinstance(sug, Mapping):
            items = [(str(k), v) for k, v in sug.items()]
        else:
            items, seen = [], {}
            for s in sug:
                name = getattr(s, "source", type(s).__name__.lower())
                seen[name] = seen.get(name, 0) + 1
                items.append((name if seen[name] == 1 else f"{name}{seen[name]}", s))
        if not items:
            raise SuggestError("E406", "Ensemble needs at least one suggester",
                               hint="Pass a list or dict of suggesters.")
        return items

    def _fit(self, segments, codebook, codings) -> None:
        from .learned import LearnedSuggester

        if self.combine not in ("noisy_or", "mean", "max"):
            raise SuggestError("E406", f"combine must be 'noisy_or', 'mean' or 'max', not {self.combine!r}",
                               hint="Use combine='noisy_or' (default), 'mean' or 'max'.")
        self.members_: list[tuple[str, Suggester]] = []
        for name, s in self._members():
            if isinstance(s, LearnedSuggester) and codings is None and self.suggesters is None:
                continue  # the default learned member waits for decisions
            s.fit(segments, codebook, codings)
            self.members_.append((name, s))
        w = self.weights
        if w is None:
            self.weights_ = {n: 1.0 for n, _ in self.members_}
        elif isinstance(w, Mapping):
            self.weights_ = {n: float(w.get(n, 1.0)) for n, _ in self.members_}
        else:
            self.weights_ = {n: float(x) for (n, _), x in zip(self._members(), w)}
        self.threshold_ = float(self.threshold)

    def member_scores(self, segments: Sequence[Segment]) -> dict[str, ScoreTable]:
        """Each member's score table (threshold -> 0.5), aligned to the ensemble's codes."""
        self._check_fitted()
        out = {}
        for name, s in self.members_:
            t = s.scores(segments)
            col = {c: j for j, c in enumerate(t.codes)}
            M = np.zeros((len(segments), len(self.codes_)))
            for j, c in enumerate(self.codes_):
                if c in col:
                    M[:, j] = t.scores[:, col[c]]
            out[name] = ScoreTable(list(self.codes_), M, _reindex(t, self.codes_), name)
        return out

    def _raw(self, segments: Sequence[Segment]) -> ScoreTable:
        tables = self.member_scores(segments)
        names = list(tables)
        n, k = len(segments), len(self.codes_)
        stack = np.stack([tables[m].scores for m in names]) if names else np.zeros((0, n, k))
        w = np.array([self.weights_.get(m, 1.0) for m in names]).reshape(-1, 1, 1)
        if self.combine == "mean":
            comb = (stack * w).sum(axis=0) / max(w.sum(), 1e-9)
        else:
            # a weight scales a member's score (and so how easily it passes 0.5 on its own)
            ws = np.clip(stack * w, 0.0, 1.0)
            best = ws.max(axis=0) if len(names) else np.zeros((n, k))
            if self.combine == "max":
                comb = best
            else:
                passing = np.where(ws >= 0.5, ws, 0.0)
                noisy = 1 - np.prod(1 - passing, axis=0)
                comb = np.where(passing.max(axis=0) > 0, np.maximum(noisy, best), best)
        comb = np.clip(comb, 0, 1)

        def explain(i: int, j: int):
            reasons, ev, flags = [], [], []
            for m in names:
                sc = tables[m].scores[i, j]
                if sc >= 0.5 or (self.combine != "noisy_or" and sc > 0):
                    r, e, f = tables[m].explain(i, j)
                    reasons.append(f"[{m} {sc:.2f}] {r}")
                    ev.extend(e)
                    flags.extend(x for x in f if x not in flags)
            return "; ".join(reasons), tuple(ev), tuple(flags)

        return ScoreTable(list(self.codes_), comb, explain, self.source)

    def suggest(self, segments: Sequence[Segment]):
        from .base import Suggestions

        table = self.scores(segments)
        sug = Suggestions.from_table(table, segments, top_k=self.top_k, codebook=self.codebook_)
        # name the members that support each suggestion in ``source``
        tables = self.member_scores(segments)
        idx = {s.segment_id: i for i, s in enumerate(segments)}
        col = {c: j for j, c in enumerate(self.codes_)}
        from dataclasses import replace

        out = []
        for s in sug:
            i, j = idx[s.segment_id], col[s.code]
            names = [m for m, t in tables.items() if t.scores[i, j] * self.weights_.get(m, 1.0) >= 0.5] \
                or [self.source]
            out.append(replace(s, source="+".join(names)))
        return Suggestions(out, segments, self.codebook_)

    def calibrate(self, segments: Sequence[Segment], gold: Any, shrinkage: float = 15.0) -> "Ensemble":
        """Calibrate every member that can, then the combined per-code thresholds (see ``Suggester.calibrate``)."""
        labels = coerce_labels(segments, gold)
        for _, s in self.members_:
            if hasattr(s, "calibrate") and not getattr(s, "models_", None):
                s.calibrate(segments, labels, shrinkage=shrinkage)
        return super().calibrate(segments, labels, shrinkage=shrinkage)


def _reindex(table: ScoreTable, codes: list[str]):
    col = {c: j for j, c in enumerate(table.codes)}

    def explain(i: int, j: int):
        c = codes[j]
        if c not in col:
            return "", (), ()
        return table.explain(i, col[c])

    return explain
