"""Benchmark the analysis stage: every matrix on a synthetic 100-transcript corpus with 50,000 codings.

Prints a Markdown table ``| stage | work | mcqual | raw baseline | ratio | target |`` (best of
``--repeat`` runs; the baseline is the plain pandas groupby/crosstab a researcher would write for
the bare numbers, without labels, zero rows/columns, tests or display), then the same stages at
5,000 and 50,000 codings to show that the cost grows linearly with the number of codings.

Run: ``.venv/bin/python bench/analysis.py`` (about a minute on 2 cores).
"""
from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import mcqual as mq  # noqa: E402
from mcqual.codebook.model import Code, Codebook  # noqa: E402
from mcqual.corpus import Corpus  # noqa: E402
from mcqual.model import Transcript  # noqa: E402

WORDS = ("micro credential badge employer trust issuer quality assurance recognition stacking degree "
         "learner course skills provider portability wallet europass credit ects validation").split()
GROUPS = ("learner", "employer", "provider", "stakeholder")
TARGET_S = 3.0


def make_corpus(n_transcripts: int = 100, turns: int = 40, seed: int = 0) -> Corpus:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(n_transcripts):
        items = []
        for j in range(turns):
            n = int(rng.integers(20, 90))
            text = " ".join(rng.choice(WORDS, size=n)) + "."
            items.append(("Interviewer" if j % 2 == 0 else "R", text, 30.0 * j,
                          "interviewer" if j % 2 == 0 else "respondent"))
        out.append(Transcript.from_turns(f"int-{i:03d}", items))
    attrs = pd.DataFrame({"respondent_group": [GROUPS[i % 4] for i in range(n_transcripts)],
                          "country": [("DE", "FR", "PL", "IT", "ES")[i % 5] for i in range(n_transcripts)]},
                         index=[t.id for t in out])
    return Corpus(out, attributes=attrs)


def make_codebook(themes: int = 6, per_theme: int = 5) -> Codebook:
    codes = []
    for t in range(themes):
        codes.append(Code(f"t{t}", f"Theme {t}", codable=False))
        codes += [Code(f"t{t}.c{c}", f"Theme {t} / code {c}", parent=f"t{t}") for c in range(per_theme)]
    return Codebook(codes)


def make_codings(corpus: Corpus, codebook: Codebook, n: int, seed: int = 1) -> pd.DataFrame:
    """n codings on respondent turns (whole turns or a part), 2 coders who mostly agree."""
    rng = np.random.default_rng(seed)
    turns = [(t.id, u.start, u.end) for t in corpus for u in t.turns if u.role == "respondent"]
    leaf = [c.id for c in codebook.codable()]
    pick = rng.integers(0, len(turns), size=n)
    tid = np.array([turns[i][0] for i in pick], dtype=object)
    s = np.array([turns[i][1] for i in pick])
    e = np.array([turns[i][2] for i in pick])
    part = rng.random(n) < 0.3  # 30 % code only the first half of the turn
    e = np.where(part, s + np.maximum((e - s) // 2, 1), e)
    code = np.array(leaf, dtype=object)[rng.integers(0, len(leaf), size=n)]
    coder = np.where(rng.random(n) < 0.5, "AB", "CD")
    return pd.DataFrame({"transcript_id": tid, "start": s, "end": e, "code": code, "coder": coder})


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def stages(corpus: Corpus, cb: Codebook, df: pd.DataFrame):
    attrs = corpus.attributes
    group = df["transcript_id"].map(attrs["respondent_group"])
    texts = {t.id: t.text for t in corpus}
    seg_key = df["transcript_id"] + "@" + df["start"].astype(str) + "-" + df["end"].astype(str)

    def raw_words():
        txt = [texts[t][a:b] for t, a, b in zip(df["transcript_id"], df["start"], df["end"])]
        w = pd.Series(txt).str.split().str.len()
        return w.groupby([df["code"], df["transcript_id"]]).sum().unstack(fill_value=0)

    def raw_cooc():
        pres = pd.crosstab(seg_key, df["code"]).clip(upper=1)
        return pres.T @ pres

    turn_table = corpus.to_frame()[["transcript_id", "turn", "start"]].sort_values("start")

    def raw_turn_cooc():
        d = pd.merge_asof(df.sort_values("start"), turn_table, on="start", by="transcript_id")
        pres = pd.crosstab(d["transcript_id"] + "#" + d["turn"].astype(str), d["code"]).clip(upper=1)
        return pres.T @ pres

    def raw_framework():
        d = df.assign(n=df.groupby(["transcript_id", "start", "end", "code"])["coder"].transform("nunique"))
        d = d.sort_values(["transcript_id", "code", "n"], ascending=[True, True, False])
        return d.groupby(["transcript_id", "code"]).head(3)

    def raw_summary():
        return df.assign(chars=df["end"] - df["start"]).groupby("code").agg(
            codings=("code", "size"), cases=("transcript_id", "nunique"), chars=("chars", "mean"))

    def raw_agreement():
        pres = pd.crosstab([seg_key, df["code"]], df["coder"]).clip(upper=1)
        return (pres["AB"] == pres["CD"]).groupby(level=1).mean()

    return [
        ("code_case_matrix", "count, roll-up to themes", lambda: mq.code_case_matrix(df, codebook=cb, corpus=corpus,
                                                                                      level=1),
         lambda: pd.crosstab(df["code"], df["transcript_id"])),
        ("code_case_matrix", "words (from the corpus text)", lambda: mq.code_case_matrix(df, "words", corpus=corpus),
         raw_words),
        ("code_group_matrix", "case % by group + tests", lambda: mq.code_group_matrix(df, "respondent_group",
                                                                                       "case_pct", corpus=corpus),
         lambda: pd.crosstab(df["code"], group)),
        ("cooccurrence", "within segment, count", lambda: mq.cooccurrence(df, codebook=cb), raw_cooc),
        ("cooccurrence", "within turn, c-coefficient", lambda: mq.cooccurrence(df, "turn", "c", corpus=corpus),
         raw_turn_cooc),
        ("cooccurrence", "overlapping spans", lambda: mq.cooccurrence(df, "overlap"), None),
        ("framework_matrix", "cases x themes, 3 quotes", lambda: mq.framework_matrix(df, codebook=cb, corpus=corpus),
         raw_framework),
        ("code_summary", "by coder and group", lambda: mq.code_summary(df, corpus=corpus, by="respondent_group"),
         raw_summary),
        ("agreement", "2 coders, segments, + u-alpha", lambda: mq.agreement(df, corpus=corpus), raw_agreement),
    ]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--codings", type=int, default=50_000)
    ap.add_argument("--small", type=int, default=5_000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args(argv)
    corpus, cb = make_corpus(), make_codebook()
    big = make_codings(corpus, cb, args.codings)
    small = make_codings(corpus, cb, args.small)
    n_chars = sum(len(t.text) for t in corpus)
    print(f"corpus: {len(corpus)} transcripts, {n_chars:,} characters; codebook: {len(cb)} codes; "
          f"codings: {len(big):,}\n")
    print("| stage | work | mcqual | raw baseline | ratio | target |")
    print("|---|---|---|---|---|---|")
    big_times = {}
    for name, work, ours, raw in stages(corpus, cb, big):
        t = best(ours, args.repeat)
        big_times[(name, work)] = t
        r = best(raw, args.repeat) if raw is not None else None
        raw_s = f"{r:.3f} s" if r is not None else "—"
        ratio = f"{t / r:.1f}x" if r else "—"
        print(f"| {name} | {work} | {t:.3f} s | {raw_s} | {ratio} | < {TARGET_S:.0f} s |")
    print(f"\n| stage | work | {len(small):,} codings | {len(big):,} codings | growth (x{len(big) / len(small):.0f} "
          f"codings) |")
    print("|---|---|---|---|---|")
    for name, work, ours, _ in stages(corpus, cb, small):
        t = best(ours, args.repeat)
        T = big_times[(name, work)]
        print(f"| {name} | {work} | {t:.3f} s | {T:.3f} s | {T / t:.1f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
