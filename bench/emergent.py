"""Do the emergent themes find what the codebook lacks? Leave a code out, look for it among the themes.

For every code of the sample study with at least ``--min-turns`` gold turns: the other codes'
gold codings count as done, the turns none of them covers are *uncovered*, and
:class:`mcqual.suggest.themes.ThemeFinder` (sentences clustered, lifted to turns) looks for themes
there. The figure is the F1 of the best theme against the left-out code's turns among the
uncovered ones, next to the same for the same themes shuffled (each theme replaced by as many
uncovered turns drawn at random; mean of 20 draws). Target: best / shuffled >= 2.

Run: ``.venv/bin/python bench/emergent.py``; writes ``outputs/emergent.md``.
"""
from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import numpy as np  # noqa: E402

import mcqual as mq  # noqa: E402
from suggest import primary_study  # noqa: E402
from _report import write_report  # noqa: E402  (bench/ is on sys.path when a script runs)


class Kept:
    """The codebook without the left-out code (only what ThemeFinder reads: ``codable()``)."""

    def __init__(self, codes):
        self.codes = codes

    def codable(self):
        return self.codes


def best_f1(theme_sets: list[set], target: set) -> float:
    best = 0.0
    for s in theme_sets:
        tp = len(s & target)
        if tp:
            best = max(best, 2 * tp / (len(s) + len(target)))
    return best


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--min-turns", type=int, default=10)
    ap.add_argument("--lift", default="any", choices=["most", "any"])
    ap.add_argument("--drop-known", type=float, default=0.3)
    ap.add_argument("--per-theme", type=int, default=25)
    ap.add_argument("--out", default=str(ROOT / "outputs" / "emergent.md"))
    args = ap.parse_args(argv)
    from mcqual.suggest.base import label_matrix
    from mcqual.suggest.themes import ThemeFinder
    from mcqual.text.embedders import SentenceTransformerEmbedder

    t0 = time.process_time()
    corpus, cb, g1, primary = primary_study()
    segs = mq.segments(corpus)
    codes = [c.id for c in cb.codable()]
    Y = label_matrix(segs, g1, codes, coder=primary)
    emb = SentenceTransformerEmbedder()
    rng = np.random.default_rng(0)
    lines = ["# Emergent themes: leave a code out, find it again", "",
             f"Sample study: {len(corpus)} interviews, {len(segs)} respondent turns; codes with >= {args.min_turns} "
             "gold turns. Run: `.venv/bin/python bench/emergent.py`.", "",
             "| left-out code | its uncovered turns | uncovered turns | themes | best theme F1 | shuffled | ratio | "
             "best theme's terms | nearest code of that theme |",
             "|---|---:|---:|---:|---:|---:|---:|---|---|"]
    ratios, bests, chances = [], [], []
    for j, code in enumerate(codes):
        if Y[:, j].sum() < args.min_turns:
            continue
        others = np.delete(Y, j, axis=1).any(axis=1)
        unc = [s for s, o in zip(segs, others) if not o]
        target = {s.segment_id for s, y, o in zip(segs, Y[:, j], others) if y and not o}
        if len(target) < 3:
            continue
        kept = Kept([c for c in cb.codable() if c.id != code])
        tf = ThemeFinder(embedder=emb, lift=args.lift, per_theme=args.per_theme, drop_known=args.drop_known).fit(unc, kept)
        sets = [set(t.segment_ids) for t in tf.themes_]
        best = best_f1(sets, target)
        ids = [s.segment_id for s in unc]
        chance = float(np.mean([best_f1([set(rng.choice(ids, size=len(x), replace=False).tolist()) for x in sets],
                                        target) for _ in range(20)]))
        top = max(tf.themes_, key=lambda t: best_f1([set(t.segment_ids)], target))
        ratio = best / chance if chance else float("inf")
        ratios.append(ratio)
        bests.append(best)
        chances.append(chance)
        lines.append(f"| {code} | {len(target)} | {len(unc)} | {len(tf.themes_)} | {best:.2f} | {chance:.2f} | "
                     f"{ratio:.1f}x | {', '.join(top.terms[:5])} | {top.nearest_code} |")
        print(lines[-1], flush=True)
    lines += ["", f"**Mean best-theme F1 {np.mean(bests):.2f} vs shuffled {np.mean(chances):.2f}: "
                  f"{np.mean(bests) / np.mean(chances):.1f}x chance (median per-code ratio {np.median(ratios):.1f}x; "
                  f"target >= 2x).** CPU {time.process_time() - t0:.0f} s.", ""]
    text = "\n".join(lines) + "\n"
    print(text)
    write_report(args.out, text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
