"""The order of the review queue: ``"score"``, ``"document"`` or ``"active"`` (learn fastest per code).

``"active"`` refits, for every code, a head on the coder's decisions so far (one logistic
regression on the cached vectors of the decided passages; milliseconds) and orders that code's
pending suggestions by :func:`mcqual.suggest.active.active_order`: uncertain first, kept diverse,
with a confident one every few items so precision stays visible. Codes take turns (round robin,
the code with the fewest decisions first), so every code gets decisions early. Before a code has
both an accepted and a rejected passage, its suggestions' own scores stand in for the head.

Examples
--------
>>> import pandas as pd
>>> df = pd.DataFrame({"suggestion_id": [1, 2, 3], "transcript_id": ["b", "a", "a"], "start": [0, 9, 2],
...                    "code": ["x", "x", "y"], "score": [0.9, 0.6, 0.7]})
>>> order_queue(None, df, "ab", "document")["suggestion_id"].tolist()
[3, 2, 1]
>>> order_queue(None, df, "ab", "score")["suggestion_id"].tolist()
[1, 3, 2]
"""
from __future__ import annotations

from typing import Any

import numpy as np

ORDERS = ("score", "document", "active")


def order_queue(project: Any, df: Any, coder: str, order: str = "score", *, embedder: Any = None):
    """``df`` (pending suggestions: ``suggestion_id, transcript_id, start, code, score``) in review order."""
    if order not in ORDERS:
        from ..errors import SuggestError

        raise SuggestError("E420", f"order must be one of {', '.join(ORDERS)}, not {order!r}",
                           hint="Use order='active' (learn fastest), 'score' or 'document'.")
    if order == "document" or len(df) == 0:
        return df.sort_values(["transcript_id", "start", "code", "suggestion_id"], kind="stable", ignore_index=True)
    by_score = df.sort_values(["score", "suggestion_id"], ascending=[False, True], kind="stable", ignore_index=True)
    if order == "score":
        return by_score
    return by_score.iloc[active_positions(project, by_score, coder, embedder=embedder)].reset_index(drop=True)


def active_positions(project: Any, df: Any, coder: str, *, embedder: Any = None) -> list[int]:
    """Row positions of ``df`` in active-learning order (see the module text)."""
    from ..suggest.active import active_order, fit_head, head_proba
    from ..text.embedders import resolve_embedder
    from .quality import decided_items, labelled_passages

    items, texts = decided_items(project, coder)
    keys, ptexts, _, _, labels = labelled_passages(items, texts)
    emb = resolve_embedder(embedder)
    tids = set(df["transcript_id"]) | {k[0] for k in keys}
    all_texts = project._store.transcript_texts(tids)
    cand = [all_texts.get(t, "")[int(a):int(b)] for t, a, b in zip(df["transcript_id"], df["start"], df["end"])]
    V = np.asarray(emb.embed(list(ptexts) + cand), dtype=np.float64) if (cand or ptexts) else np.zeros((0, 1))
    XL, XC = V[: len(ptexts)], V[len(ptexts):]
    per_code: dict[str, list[int]] = {}
    codes = df["code"].tolist()
    scores = df["score"].to_numpy(dtype=float)
    for code in dict.fromkeys(codes):
        rows = np.flatnonzero(np.asarray([c == code for c in codes]))
        lab = labels.get(code, {})
        head = None
        if lab:
            idx = np.asarray(sorted(lab), dtype=np.int64)
            head = fit_head(XL[idx], np.asarray([lab[k] for k in idx], dtype=bool))
        p = head_proba(head, XC[rows], default=scores[rows])
        per_code[code] = [int(rows[i]) for i in active_order(XC[rows], p)]
    decided = {c: len(v) for c, v in labels.items()}
    turn = sorted(per_code, key=lambda c: (decided.get(c, 0), -len(per_code[c]), c))
    out: list[int] = []
    while any(per_code[c] for c in turn):
        for c in turn:
            if per_code[c]:
                out.append(per_code[c].pop(0))
    return out
