"""How fast suggestions learn from the coder: decisions needed to reach F1 0.5 per code, active vs random order.

A simulated coder answers every question with the gold coding. Per code, both orders start from
the same three passages (the ones most similar to the code's label and definition, as the review
queue starts from zero-shot scores), then the coder decides batches of five: in *active* order
(:func:`mcqual.suggest.active.active_order`: uncertain, diverse, a confident one every five) or in
*random* order (mean over five seeds). After each batch a head (class-balanced logistic
regression on the cached segment vectors, :func:`mcqual.suggest.active.fit_head`) is refitted and
its F1 on every passage of the study is recorded. The figure is the number of decisions after
which F1 first reaches 0.5 (``>N`` = not within the budget).

Data: the sample study (respondent turns, primary gold coder) and the human-coded open answers in
``../shared/data/coded/games_as_art_llmcode`` (90 answers, Word-comment coding read with
``mq.read_comment_codings``; codes with at least five coded answers). Also prints the CPU time of
refitting every code's head on a study of 40 interviews.

Run: ``.venv/bin/python bench/learning.py [--budget 150]``; writes ``outputs/learning.md``.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402

import mcqual as mq  # noqa: E402
from mcqual.suggest.active import active_order, f1_score, fit_head, head_proba  # noqa: E402
from suggest import primary_study, shared_dir  # noqa: E402
from _report import write_report  # noqa: E402  (bench/ is on sys.path when a script runs)

TARGET = 0.5


def simulate(X: np.ndarray, y: np.ndarray, zs: np.ndarray, order: str, budget: int, batch: int = 5,
             seed: int = 0) -> tuple[int | None, list[tuple[int, float]]]:
    """Decisions until the head's F1 on all passages reaches TARGET (None: not within ``budget``)."""
    rng = np.random.default_rng(seed)
    n = len(y)
    labelled = list(np.argsort(-zs)[:3])
    curve = []
    while True:
        idx = np.asarray(labelled)
        head = fit_head(X[idx], y[idx])
        f1 = f1_score(y, head_proba(head, X, default=0.0) >= 0.5)[2] if head is not None else 0.0
        curve.append((len(labelled), f1))
        if f1 >= TARGET:
            return len(labelled), curve
        if len(labelled) >= min(budget, n):
            return None, curve
        pool = np.setdiff1d(np.arange(n), idx)
        k = min(batch, len(pool))
        if order == "random":
            pick = rng.choice(pool, size=k, replace=False).tolist()
        else:
            p = head_proba(head, X[pool], default=(zs[pool] - zs.min()) / (np.ptp(zs) or 1))
            pick = [int(pool[i]) for i in active_order(X[pool], p, k=k)]
        labelled += pick


def run(name: str, X: np.ndarray, Y: np.ndarray, codes: list[str], Z: np.ndarray, budget: int,
        min_pos: int = 5) -> list[str]:
    lines = [f"## {name}", "", f"{len(X)} passages; codes with at least {min_pos} coded passages; budget {budget} "
             "decisions; random = mean over 5 seeds (a run that never reaches F1 0.5 counts as the budget).", "",
             "| code | coded passages | decisions to F1 0.5, active | random | F1 after 40 decisions, active | random |",
             "|---|---:|---:|---:|---:|---:|"]
    act_all, rnd_all, reached = [], [], [0, 0]
    f40 = [[], []]
    for j, code in enumerate(codes):
        y = Y[:, j]
        if y.sum() < min_pos:
            continue
        a, ca = simulate(X, y, Z[:, j], "active", budget)
        rs = [simulate(X, y, Z[:, j], "random", budget, seed=s) for s in range(5)]
        r_vals = [r if r is not None else budget for r, _ in rs]
        at40 = lambda c: max([f for n_, f in c if n_ <= 40] or [0.0])  # noqa: E731
        fa, fr = at40(ca), float(np.mean([at40(c) for _, c in rs]))
        f40[0].append(fa)
        f40[1].append(fr)
        reached[0] += a is not None
        reached[1] += sum(r is not None for r, _ in rs) / 5
        act_all.append(a if a is not None else budget)
        rnd_all.append(float(np.mean(r_vals)))
        lines.append(f"| {code} | {int(y.sum())} | {a if a is not None else f'>{budget}'} | {np.mean(r_vals):.0f} | "
                     f"{fa:.2f} | {fr:.2f} |")
    if act_all:
        lines += ["", f"**{name}: median decisions to F1 0.5: active {np.median(act_all):.0f}, random "
                      f"{np.median(rnd_all):.0f}; codes reaching it within the budget: active {reached[0]}, "
                      f"random {reached[1]:.1f} of {len(act_all)}; mean F1 after 40 decisions: active "
                      f"{np.mean(f40[0]):.2f}, random {np.mean(f40[1]):.2f}.**", ""]
    return lines


def code_texts(cb) -> list[str]:
    return [f"{c.label or c.id}: {c.definition}" if c.definition else (c.label or c.id) for c in cb.codable()]


def vectors(segs, emb) -> np.ndarray:
    from mcqual.suggest.units import sentence_units, unit_vectors

    return unit_vectors(segs, sentence_units(segs), emb)[1].astype(np.float64)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--budget", type=int, default=150)
    ap.add_argument("--out", default=str(ROOT / "outputs" / "learning.md"))
    args = ap.parse_args(argv)
    import pandas as pd

    from mcqual.suggest.base import label_matrix
    from mcqual.text.embedders import SentenceTransformerEmbedder

    emb = SentenceTransformerEmbedder()
    lines = ["# How fast suggestions learn from the coder", "", "Run: `.venv/bin/python bench/learning.py`.", ""]
    t0 = time.process_time()

    # -- the sample study ------------------------------------------------------------------
    corpus, cb, g1, primary = primary_study()
    segs = mq.segments(corpus)
    codes = [c.id for c in cb.codable()]
    X = vectors(segs, emb)
    Y = label_matrix(segs, g1, codes, coder=primary)
    A = np.asarray(emb.embed(code_texts(cb)), dtype=np.float64)
    lines += run(f"Sample study ({len(corpus)} interviews, respondent turns)", X, Y, codes, X @ A.T, args.budget)

    # refit cost on a study of 40 interviews (the sample's turns, repeated with noise)
    reps = int(np.ceil(40 / max(len(corpus), 1)))
    rng = np.random.default_rng(0)
    XB = np.vstack([X + 0.01 * rng.normal(size=X.shape) for _ in range(reps)])
    YB = np.vstack([Y] * reps)
    c0 = time.process_time()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        heads = [fit_head(XB, YB[:, j]) for j in range(len(codes)) if YB[:, j].any()]
    refit = time.process_time() - c0
    lines += [f"Refit of every code's head ({len(heads)} codes) on {len(XB)} turns (~{reps * len(corpus)} interviews): "
              f"**{refit:.2f} s CPU** ({refit / max(len(heads), 1) * 1000:.0f} ms per code).", ""]

    # -- the human-coded open answers --------------------------------------------------------
    folder = shared_dir() / "data" / "coded" / "games_as_art_llmcode"
    if (folder / "bopp_test_input.docx").exists():
        t = mq.read_docx(folder / "bopp_test_input.docx")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            g = mq.read_comment_codings(t)
        segs_b = mq.segments([t])
        desc = pd.read_csv(folder / "bopp_test_code_descriptions.csv")
        dmap = dict(zip(desc["code"], desc["description"]))
        codes_b = sorted(set(g["code"]))
        Xb = vectors(segs_b, emb)
        Yb = label_matrix(segs_b, g, codes_b)
        Ab = np.asarray(emb.embed([f"{c}: {dmap[c]}" if c in dmap else c for c in codes_b]), dtype=np.float64)
        lines += run(f"Open answers ({len(segs_b)} answers, {len(codes_b)} codes in the comments)", Xb, Yb, codes_b,
                     Xb @ Ab.T, args.budget)
    else:
        lines += [f"(no {folder}: open answers skipped)", ""]
    lines += [f"Total CPU {time.process_time() - t0:.1f} s."]
    text = "\n".join(lines) + "\n"
    print(text)
    write_report(args.out, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
