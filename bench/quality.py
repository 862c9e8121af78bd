"""Quality of the suggesters on the sample study, against the primary gold coder.

Reads ``transcripts/*.docx`` (``mq.read_transcripts``), ``codebook/microcredentials.yaml`` and
``transcripts/gold_codings.csv`` (``transcript_id, start, end, code, coder``; the primary coder is
the first one listed; the others give the human-human agreement on the interviews they coded).
Segments are respondent turns. Interviews are split in two halves (alternating within each
respondent group), and every figure is measured twice, once with each half as the test half
(two-fold): the zero-shot suggesters are scored on the test half without seeing any gold; the
calibrated and learned ones are fitted/calibrated on the other half. The tables give the mean of
the two folds and each fold.

Prints macro/micro F1 and Cohen's kappa (pooled over codes x segments) at code level and at theme
level (``level=1``), per-code F1, and writes the same to ``outputs/quality.md``.

Run: ``.venv/bin/python bench/quality.py [--gold PATH] [--unit turn|window]``.
Goals (issue 21): zero-shot code macro-F1 0.40, learned 0.45; zero-shot at the default cut side by
side with one fixed cut and the hindsight cut (calibrated on the test half's own gold: an upper bound).
"""
from __future__ import annotations

import argparse
import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

import mcqual as mq  # noqa: E402
from suggest import load_codebook, load_corpus  # noqa: E402  (bench/suggest.py helpers)
from _report import write_report  # noqa: E402  (bench/ is on sys.path when a script runs)


def split_halves(corpus) -> tuple[list[str], list[str]]:
    """Alternate interviews into train/test within each respondent group (deterministic)."""
    groups: dict[str, list[str]] = {}
    for t in corpus:
        g = str(t.attributes.get("respondent_group") or t.metadata.get("respondent_group") or "all")
        groups.setdefault(g, []).append(t.id)
    train, test = [], []
    flip = 0
    for g in sorted(groups):
        for tid in sorted(groups[g]):
            (train if flip % 2 == 0 else test).append(tid)
            flip += 1
    return train, test


def human_agreement(gold, coders, segs, cb):
    """Every other coder against the primary one, on the interviews both coded (all of them)."""
    out = {}
    primary = coders[0]
    for other in coders[1:]:
        g2 = gold[gold["coder"] == other]
        ids = sorted(set(g2["transcript_id"]) & set(gold.loc[gold["coder"] == primary, "transcript_id"]))
        both = segs.filter(transcript_ids=ids)
        if not len(both):
            continue
        h = mq.evaluate(g2, gold, segments=both, codebook=cb, coder=primary, pred_coder=other)
        h1 = mq.evaluate(g2, gold, segments=both, codebook=cb, coder=primary, pred_coder=other, level=1)
        out[f"human: {other} vs {primary} ({len(ids)} interviews)"] = (h, h1)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", default=str(ROOT / "transcripts" / "gold_codings.csv"))
    ap.add_argument("--unit", default="turn", choices=["turn", "window", "paragraph", "sentence"])
    ap.add_argument("--out", default=str(ROOT / "outputs" / "quality.md"))
    ap.add_argument("--folds", type=int, default=2, choices=[1, 2], help="1: only the first split")
    args = ap.parse_args(argv)

    import numpy as np
    import pandas as pd

    gold_path = Path(args.gold)
    if not gold_path.exists():
        print(f"{gold_path} does not exist yet: run transcripts/build_gold.py first.")
        return 2
    corpus, how = load_corpus()
    cb = load_codebook()
    gold = pd.read_csv(gold_path, dtype={"transcript_id": "string", "code": "string", "coder": "string"})
    coders = list(dict.fromkeys(gold["coder"].dropna().tolist())) if "coder" in gold.columns else [None]
    primary = coders[0]
    unknown = sorted(set(gold["code"].dropna()) - set(cb.ids))
    if unknown:
        print(f"warning: gold uses codes not in the codebook (ignored): {', '.join(unknown)}")
        gold = gold[~gold["code"].isin(unknown)]
    g1 = gold[gold["coder"] == primary] if primary is not None else gold
    coded = set(g1["transcript_id"])
    skipped = [t.id for t in corpus if t.id not in coded]
    if skipped:  # an interview the gold coder has not coded is not evidence of "no code"
        print(f"not coded by {primary!r} yet (left out): {', '.join(skipped)}")
        corpus = corpus.filter(ids=[t.id for t in corpus if t.id in coded])
    segs = mq.segments(corpus, unit=args.unit)
    half_a, half_b = split_halves(corpus)
    print(f"corpus: {len(corpus)} interviews ({how}); {len(segs)} {args.unit} segments; "
          f"gold: {len(g1)} codings by {primary!r}; coders {coders}")

    from mcqual.text.embedders import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()  # one model, one cache, shared by every suggester
    rules = lambda: mq.RuleSuggester()  # noqa: E731
    emb = lambda: mq.EmbeddingSuggester(embedder=embedder)  # noqa: E731
    learned = lambda **kw: mq.LearnedSuggester(embedder=embedder, **kw)  # noqa: E731
    plan = [  # name, factory, trained on the other half, calibrated on it, zero-shot
        ("rules (zero-shot)", rules, False, False),
        ("embedding (zero-shot)", emb, False, False),
        ("ensemble rules+embedding (zero-shot)", lambda: mq.Ensemble([rules(), emb()]), False, False),
        ("embedding (zero-shot, one fixed cut for every code)",
         lambda: mq.EmbeddingSuggester(embedder=embedder, cut="fixed"), False, False),
        ("ensemble rules+embedding (zero-shot, one fixed embedding cut)",
         lambda: mq.Ensemble([rules(), mq.EmbeddingSuggester(embedder=embedder, cut="fixed")]), False, False),
        ("embedding (zero-shot, hindsight cut: calibrated on the test half's own gold)", emb, False, "hindsight"),
        ("ensemble rules+embedding (zero-shot, hindsight cut)", lambda: mq.Ensemble([rules(), emb()]), False,
         "hindsight"),
        ("embedding (zero-shot), each sentence embedded on its own (before: 2.2x the CPU)",
         lambda: mq.EmbeddingSuggester(embedder=embedder, one_pass=False), False, False),
        ("embedding (zero-shot), without the question (context_weight=0)",
         lambda: mq.EmbeddingSuggester(embedder=embedder, context_weight=0), False, False),
        ("embedding (calibrated on train)", emb, False, True),
        ("ensemble (calibrated on train)", lambda: mq.Ensemble([rules(), emb()]), False, True),
        ("learned (train half)", learned, True, False),
        ("learned on whole turns (unit='segment', cv=3)", lambda: learned(unit="segment", cv=3), True, False),
        ("learned on 3-sentence windows (Windowed, unit='segment')",
         lambda: mq.Windowed(learned(unit="segment", cv=3), size=3), True, False),
        ("ensemble rules+embedding+learned", lambda: mq.Ensemble([rules(), emb(), learned()]), True, True),
    ]
    folds = [(half_a, half_b), (half_b, half_a)][: args.folds]
    results: dict[str, list[tuple[object, object, float]]] = {name: [] for name, *_ in plan}
    for f, (train_ids, test_ids) in enumerate(folds, start=1):
        train, test = segs.filter(transcript_ids=train_ids), segs.filter(transcript_ids=test_ids)
        print(f"fold {f}: train {', '.join(train_ids)} ({len(train)} turns); test {', '.join(test_ids)} "
              f"({len(test)} turns)")
        for name, make, learns, calibrate in plan:
            t0 = time.perf_counter()
            est = make()
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", UserWarning)
                # zero-shot suggesters see only the segments they code; learners the other half's gold
                est.fit(train if learns or calibrate is True else test, cb, g1 if learns else None)
                if calibrate == "hindsight":  # the best cuts in hindsight: an upper bound, not a result
                    est.calibrate(test, g1, shrinkage=0.0)
                elif calibrate:
                    est.calibrate(train, g1)
                sug = est.suggest(test)
            secs = time.perf_counter() - t0
            ev = mq.evaluate(sug, g1, segments=test, codebook=cb, coder=primary)
            ev1 = mq.evaluate(sug, g1, segments=test, codebook=cb, coder=primary, level=1)
            results[name].append((ev, ev1, secs))
            print(f"  {name:<58} code macro-F1 {ev.macro['f1']:.3f}  theme macro-F1 {ev1.macro['f1']:.3f}  "
                  f"kappa {ev.kappa:.3f}  ({secs:.1f} s)")
    humans = human_agreement(gold, coders, segs, cb) if len(coders) > 1 else {}
    for name, (h, h1) in humans.items():
        print(f"  {name}: code macro-F1 {h.macro['f1']:.3f}, theme macro-F1 {h1.macro['f1']:.3f}, "
              f"kappa {h.kappa:.3f}")

    def mean(name, i, key):
        vals = [(r[i].macro["f1"] if key == "macro" else r[i].micro["f1"] if key == "micro" else r[i].kappa)
                for r in results[name]]
        return float(np.mean(vals)), vals

    # -- tables ---------------------------------------------------------------------
    lines = ["# Suggestion quality on the sample study", "",
             f"{len(corpus)} interviews ({how}), {args.unit} segments of respondents, {len(folds)}-fold: halves "
             f"A = {', '.join(half_a)}; B = {', '.join(half_b)}. Gold: primary coder `{primary}`"
             + (f"; other coders {', '.join(f'`{c}`' for c in coders[1:])}" if len(coders) > 1 else "")
             + ". Each figure is the mean over the folds (test on B, then on A); per fold in brackets.", "",
             "Run: `.venv/bin/python bench/quality.py`.", "",
             "| suggester | code macro-F1 | code micro-F1 | code kappa | theme macro-F1 | theme micro-F1 "
             "| theme kappa | time |", "|---|---:|---:|---:|---:|---:|---:|---:|"]

    def cell(name, i, key):
        m, vals = mean(name, i, key)
        return f"{m:.3f}" + (f" ({' / '.join(f'{v:.2f}' for v in vals)})" if len(vals) > 1 else "")

    for name in results:
        secs = np.mean([r[2] for r in results[name]])
        lines.append(f"| {name} | {cell(name, 0, 'macro')} | {cell(name, 0, 'micro')} | {cell(name, 0, 'kappa')} | "
                     f"{cell(name, 1, 'macro')} | {cell(name, 1, 'micro')} | {cell(name, 1, 'kappa')} | {secs:.1f} s |")
    for name, (h, h1) in humans.items():
        lines.append(f"| {name} | {h.macro['f1']:.3f} | {h.micro['f1']:.3f} | {h.kappa:.3f} | {h1.macro['f1']:.3f} | "
                     f"{h1.micro['f1']:.3f} | {h1.kappa:.3f} | |")
    ens1 = mean("ensemble rules+embedding (zero-shot)", 1, "macro")[0]
    l0, l1, lk = (mean("learned (train half)", 0, "macro")[0], mean("learned (train half)", 1, "macro")[0],
                  mean("learned (train half)", 0, "kappa")[0])
    ens0 = mean("ensemble rules+embedding (zero-shot)", 0, "macro")[0]
    e_def = mean("embedding (zero-shot)", 0, "macro")[0]
    e_fix = mean("embedding (zero-shot, one fixed cut for every code)", 0, "macro")[0]
    e_hind = mean("embedding (zero-shot, hindsight cut: calibrated on the test half's own gold)", 0, "macro")[0]
    lines += ["", "Goals (issue 21; the earlier 0.6 / 0.75 targets are withdrawn):",
              f"- zero-shot code macro-F1 0.40: ensemble **{ens0:.3f}** (theme level {ens1:.3f}) "
              f"({'met' if ens0 >= 0.4 else 'not met'})",
              f"- zero-shot cuts without gold: embedding at the default per-code cut **{e_def:.3f}**, one fixed cut "
              f"{e_fix:.3f}, hindsight cut {e_hind:.3f}",
              f"- learned from half of the interviews, code macro-F1 0.45: **{l0:.3f}** (theme {l1:.3f}) "
              f"({'met' if l0 >= 0.45 else 'not met'})"]
    if humans:
        hk = float(np.mean([h.kappa for h, _ in humans.values()]))
        lines.append(f"- learned kappa {lk:.3f} >= human-human kappa {hk:.3f} (mean over the other coders): "
                     f"{'met' if lk >= hk else 'not met'}")
    names = list(results)
    for level, title in ((0, "Per-code F1 (code level, mean over folds)"), (1, "Per-theme F1 (level 1, mean over folds)")):
        lines += ["", f"## {title}", ""]
        per = pd.DataFrame({n: pd.concat([r[level].per_code["f1"] for r in results[n]], axis=1).mean(axis=1)
                            for n in names})
        support = pd.concat([r[level].per_code["support"] for r in results[names[0]]], axis=1).sum(axis=1)
        per.insert(0, "support", support.reindex(per.index).fillna(0).astype(int))
        lines.append("| code | " + " | ".join(per.columns) + " |")
        lines.append("|---|" + "---:|" * len(per.columns))
        for code, row in per.iterrows():
            cells = [str(int(row["support"]))] + ["" if v != v else f"{v:.2f}" for v in row.iloc[1:]]
            lines.append(f"| {code} | " + " | ".join(cells) + " |")
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    out = write_report(args.out, text)
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
