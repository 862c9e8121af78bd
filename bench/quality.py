"""Quality of the suggesters on the sample study, against the primary gold coder.

Reads ``transcripts/*.docx`` (``mq.read_transcripts``), ``codebook/microcredentials.yaml`` and
``transcripts/gold_codings.csv`` (``transcript_id, start, end, code, coder``; the primary coder is
the first one listed, the second one gives the human-human agreement). Segments are respondent
turns. Interviews are split in two halves (alternating within each respondent group): the
zero-shot suggesters are scored on the test half without seeing any gold; the calibrated and
learned ones are fitted/calibrated on the training half and scored on the test half.

Prints per-code F1 and macro/micro F1 and Cohen's kappa at code level and at theme level
(``level=1``), and writes the same to ``outputs/quality.md``.

Run: ``.venv/bin/python bench/quality.py [--gold PATH] [--unit turn|window]``.
Targets: ensemble macro-F1 >= 0.6 zero-shot at theme level; learned >= 0.75 and its kappa >= the
human-human kappa.
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


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--gold", default=str(ROOT / "transcripts" / "gold_codings.csv"))
    ap.add_argument("--unit", default="turn", choices=["turn", "window", "paragraph", "sentence"])
    ap.add_argument("--out", default=str(ROOT / "outputs" / "quality.md"))
    args = ap.parse_args(argv)

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
    train_ids, test_ids = split_halves(corpus)
    train, test = segs.filter(transcript_ids=train_ids), segs.filter(transcript_ids=test_ids)
    print(f"corpus: {len(corpus)} interviews ({how}); {len(segs)} {args.unit} segments "
          f"(train {len(train)}, test {len(test)}); gold: {len(g1)} codings by {primary!r}; coders {coders}")

    from mcqual.suggest.embedders import SentenceTransformerEmbedder

    embedder = SentenceTransformerEmbedder()  # one model, one cache, shared by every suggester
    results: dict[str, tuple[object, object, float]] = {}

    def run(name: str, make, *, fit_on, calibrate=False, codings=None):
        t0 = time.perf_counter()
        est = make()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            est.fit(fit_on, cb, codings)
        if calibrate:
            est.calibrate(train, g1)
        sug = est.suggest(test)
        secs = time.perf_counter() - t0
        ev = mq.evaluate(sug, g1, segments=test, codebook=cb, coder=primary)
        ev1 = mq.evaluate(sug, g1, segments=test, codebook=cb, coder=primary, level=1)
        results[name] = (ev, ev1, secs)
        print(f"  {name:<34} code macro-F1 {ev.macro['f1']:.3f}  theme macro-F1 {ev1.macro['f1']:.3f}  "
              f"kappa {ev.kappa:.3f}  ({secs:.1f} s)")

    rules = lambda: mq.RuleSuggester()  # noqa: E731
    emb = lambda: mq.EmbeddingSuggester(embedder=embedder)  # noqa: E731
    run("rules (zero-shot)", rules, fit_on=test)
    run("embedding (zero-shot)", emb, fit_on=test)
    run("ensemble rules+embedding (zero-shot)", lambda: mq.Ensemble([rules(), emb()]), fit_on=test)
    run("embedding (calibrated on train)", emb, fit_on=train, calibrate=True)
    run("ensemble (calibrated on train)", lambda: mq.Ensemble([rules(), emb()]), fit_on=train, calibrate=True)
    run("learned (train half)", lambda: mq.LearnedSuggester(embedder=embedder), fit_on=train, codings=g1)
    run("learned on 3-sentence windows (train half)",
        lambda: mq.Windowed(mq.LearnedSuggester(embedder=embedder), size=3), fit_on=train, codings=g1)
    run("ensemble rules+embedding+learned", lambda: mq.Ensemble(
        [rules(), emb(), mq.LearnedSuggester(embedder=embedder)]), fit_on=train, codings=g1, calibrate=True)
    human = None
    if len(coders) > 1:
        g2 = gold[gold["coder"] == coders[1]]
        ids2 = set(g2["transcript_id"])
        both = test.filter(transcript_ids=[t for t in test_ids if t in ids2])
        if len(both):
            h = mq.evaluate(g2, g1, segments=both, codebook=cb, coder=primary, pred_coder=coders[1])
            h1 = mq.evaluate(g2, g1, segments=both, codebook=cb, coder=primary, pred_coder=coders[1], level=1)
            human = (h, h1)
            results[f"human: {coders[1]} vs {primary}"] = (h, h1, 0.0)
            print(f"  human {coders[1]} vs {primary}: code macro-F1 {h.macro['f1']:.3f}, kappa {h.kappa:.3f}")

    # -- tables ---------------------------------------------------------------------
    lines = ["# Suggestion quality on the sample study", "",
             f"{len(corpus)} interviews ({how}), {args.unit} segments of respondents; train half "
             f"{', '.join(train_ids)}; test half {', '.join(test_ids)}. Gold: primary coder `{primary}`"
             + (f", second coder `{coders[1]}`" if len(coders) > 1 else "") + ". All scores on the test half.", "",
             "| suggester | code macro-F1 | code micro-F1 | code kappa | theme macro-F1 | theme micro-F1 "
             "| theme kappa | time |", "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for name, (ev, ev1, secs) in results.items():
        lines.append(f"| {name} | {ev.macro['f1']:.3f} | {ev.micro['f1']:.3f} | {ev.kappa:.3f} | "
                     f"{ev1.macro['f1']:.3f} | {ev1.micro['f1']:.3f} | {ev1.kappa:.3f} | {secs:.1f} s |")
    ens1 = results["ensemble rules+embedding (zero-shot)"][1].macro["f1"]
    learned = results["learned (train half)"][0]
    lines += ["", "Targets:",
              f"- ensemble zero-shot theme macro-F1 >= 0.60: **{ens1:.3f}** ({'met' if ens1 >= 0.6 else 'not met'})",
              f"- learned code macro-F1 >= 0.75: **{learned.macro['f1']:.3f}** "
              f"({'met' if learned.macro['f1'] >= 0.75 else 'not met'})"]
    if human is not None:
        ok = learned.kappa >= human[0].kappa
        lines.append(f"- learned kappa {learned.kappa:.3f} >= human-human kappa {human[0].kappa:.3f}: "
                     f"{'met' if ok else 'not met'}")
    lines += ["", "## Per-code F1 (code level, test half)", ""]
    names = list(results)
    per = pd.DataFrame({n: results[n][0].per_code["f1"] for n in names})
    support = results[names[0]][0].per_code["support"]
    per.insert(0, "support", support.reindex(per.index).fillna(0).astype(int))
    lines.append("| code | " + " | ".join(per.columns) + " |")
    lines.append("|---|" + "---:|" * len(per.columns))
    for code, row in per.iterrows():
        cells = [str(int(row["support"]))] + ["" if v != v else f"{v:.2f}" for v in row.iloc[1:]]
        lines.append(f"| {code} | " + " | ".join(cells) + " |")
    lines += ["", "## Per-theme F1 (level 1, test half)", ""]
    per1 = pd.DataFrame({n: results[n][1].per_code["f1"] for n in names})
    lines.append("| theme | " + " | ".join(per1.columns) + " |")
    lines.append("|---|" + "---:|" * len(per1.columns))
    for code, row in per1.iterrows():
        lines.append(f"| {code} | " + " | ".join("" if v != v else f"{v:.2f}" for v in row) + " |")
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_suffix(".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, out)
    print(f"written to {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
