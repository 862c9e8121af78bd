"""The learned suggester on short survey answers: train on one half of the hand-coded answers, test on the other.

Reads ``transcripts/survey/microcredentials_survey.csv`` (``mq.read_survey``) and its hand coding
``transcripts/survey/coded_answers.csv``. Units are answers (``mq.segments(survey, unit="answer")``).
The hand-coded respondents are split in two halves (alternating, by respondent id); a
``LearnedSuggester`` is fitted on the first half's codings (multi-label: one classifier per code)
and applied to the second half's answers, and its suggestions are compared with the coder's
codes there: per code precision, recall, F1 and Cohen's kappa, macro and micro averages, at
code and at theme level. The zero-shot ensemble (rules + embeddings) is scored on the same
held-back answers for comparison. Printed and written to ``outputs/survey_learned.md``.

Run: ``.venv/bin/python bench/survey.py``.
"""
from __future__ import annotations

import os
import sys
import time
import warnings
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import mcqual as mq  # noqa: E402
from _report import write_report  # noqa: E402  (bench/ is on sys.path when a script runs)


def _table(ev, title: str) -> list[str]:
    df = ev.per_code
    df = df[(df["support"] > 0) | (df["predicted"] > 0)]  # a code absent from both says nothing
    lines = [f"### {title}", "", "| code | support | predicted | precision | recall | F1 | kappa |",
             "|---|---:|---:|---:|---:|---:|---:|"]
    for code, r in df.sort_values("support", ascending=False).iterrows():
        lines.append(f"| {code} | {int(r.support)} | {int(r.predicted)} | {r.precision:.2f} | {r.recall:.2f} | "
                     f"{r.f1:.2f} | {r.kappa:.2f} |")
    lines += ["", f"macro F1 {df['f1'].mean():.3f}, micro F1 {ev.micro['f1']:.3f}, "
                  f"pooled kappa {ev.kappa:.3f}, mean kappa per code {df['kappa'].mean():.3f}", ""]
    return lines


def main() -> int:
    import pandas as pd

    folder = ROOT / "transcripts" / "survey"
    survey = mq.read_survey(folder / "microcredentials_survey.csv")
    codebook = mq.load_codebook(ROOT / "codebook" / "microcredentials.yaml")
    coded = pd.read_csv(folder / "coded_answers.csv", dtype=str, keep_default_na=False)
    gold = mq.survey_codings(survey, coded, coder="coder1")
    coded_ids = sorted(set(coded["respondent_id"]))
    train_r, test_r = coded_ids[0::2], coded_ids[1::2]
    tid = {t.metadata["respondent_id"]: t.id for t in survey}
    train_t = {tid[r] for r in train_r if r in tid}
    test_t = {tid[r] for r in test_r if r in tid}
    segs = mq.segments(survey, unit="answer")
    train = segs.filter(transcript_ids=sorted(train_t))
    test = segs.filter(transcript_ids=sorted(test_t))
    g_train = gold[gold.transcript_id.isin(train_t)]
    g_test = gold[gold.transcript_id.isin(test_t)]
    print(f"{len(survey)} respondents, {len(segs)} answers; hand-coded: {len(train)} answers for training "
          f"({len(g_train)} codings), {len(test)} held back ({len(g_test)} codings)")
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        learned = mq.LearnedSuggester().fit(train, codebook, codings=g_train)
        sugg = learned.suggest(test)
    t_learn = time.perf_counter() - t0
    t0 = time.perf_counter()
    zero = mq.Ensemble([mq.RuleSuggester(), mq.EmbeddingSuggester()]).fit(test, codebook).suggest(test)
    t_zero = time.perf_counter() - t0
    codes = sorted(set(gold["code"]))
    lines = ["## Survey answers: learned suggester vs. the hand coding (held-back half)", "",
             f"{len(survey)} respondents, {len(segs)} non-empty answers; {len(coded_ids)} respondents hand-coded, "
             f"split alternately: {len(train)} answers to train on ({len(g_train)} codings), {len(test)} held "
             f"back ({len(g_test)} codings). Learned: fit + suggest {t_learn:.2f} s; zero-shot ensemble "
             f"{t_zero:.2f} s (embeddings cached by then). Command: `.venv/bin/python bench/survey.py`.", ""]
    ev = mq.evaluate(sugg, g_test, segments=test, codebook=codebook, codes=codes)
    lines += _table(ev, "LearnedSuggester, codes")
    ev1 = mq.evaluate(sugg, g_test, segments=test, codebook=codebook, level=1)
    lines += _table(ev1, "LearnedSuggester, themes (level 1)")
    ez = mq.evaluate(zero, g_test, segments=test, codebook=codebook, codes=codes)
    ez1 = mq.evaluate(zero, g_test, segments=test, codebook=codebook, level=1)
    lines += ["### Zero-shot ensemble (rules + embeddings) on the same answers", "",
              f"codes: macro F1 {ez.macro['f1']:.3f}, pooled kappa {ez.kappa:.3f}; "
              f"themes: macro F1 {ez1.macro['f1']:.3f}, pooled kappa {ez1.kappa:.3f}", ""]
    text = "\n".join(lines)
    print(text)
    write_report(ROOT / "outputs" / "survey_learned.md", text + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
