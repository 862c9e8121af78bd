"""Benchmark search, code-the-hits and memos on 28 interview-length transcripts.

Run: ``.venv/bin/python bench/search.py`` (prints a Markdown table). The corpus is
the three Teams-style interviews in ``../shared/data/transcripts/docx/teams_style__ibm_qux360``
repeated turn by turn into 28 transcripts of about 7,700 words (``MCQUAL_SHARED``
points elsewhere). Times are the best of three, except the first lemma search,
which includes loading spaCy's lemma lookup tables.
"""
from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import mcqual as mq  # noqa: E402

SHARED = Path(os.environ.get("MCQUAL_SHARED") or ROOT.parent / "shared")


def corpus(n: int = 28, words: int = 8000) -> list:
    files = sorted((SHARED / "data/transcripts/docx/teams_style__ibm_qux360").glob("interview_*.docx"))
    base = list(mq.read_transcripts(files))
    out = []
    while len(out) < n:
        t = base[len(out) % len(base)]
        turns = [(u.speaker, u.text, u.timestamp, u.role) for u in t.turns] * max(1, words // max(1, t.n_words))
        out.append(mq.Transcript.from_turns(f"int-{len(out) + 1:02d}", turns))
    return out


def best(f, n: int = 3):
    t, r = 1e9, None
    for _ in range(n):
        t0 = time.perf_counter()
        r = f()
        t = min(t, time.perf_counter() - t0)
    return t, r


def main() -> int:
    ts = corpus()
    rows = []
    with tempfile.TemporaryDirectory() as d:
        p = mq.Project.create(os.path.join(d, "bench.mcq"), coder="AB")
        p.add_transcripts(ts)
        p.set_codebook(mq.Codebook([mq.Code("trust", "Trust"), mq.Code("ux", "User experience")]))
        head = (f"{len(ts)} transcripts, {sum(t.n_words for t in ts):,} words, "
                f"{sum(len(t.turns) for t in ts):,} turns")
        t, h = best(lambda: p.search("remote"))
        rows.append(("search('remote')", len(h), t))
        t, r = best(lambda: p.search(r"\buse\w*", regex=True))
        rows.append(("search(r'\\buse\\w*', regex=True)", len(r), t))
        t, r = best(lambda: p.search("use", lemma=True), n=1)
        rows.append(("search('use', lemma=True), first call", len(r), t))
        t, r = best(lambda: p.search("use", lemma=True))
        rows.append(("search('use', lemma=True)", len(r), t))
        t0 = time.perf_counter()
        ids = p.code_hits(h, "ux", extend="sentence")
        rows.append(("code_hits(extend='sentence'), one transaction", len(ids), time.perf_counter() - t0))
        t0 = time.perf_counter()
        ids = p.code_hits(h, "User experience", extend="turn")
        rows.append(("code_hits(extend='turn'), one transaction", len(ids), time.perf_counter() - t0))
        text = ts[5].text
        i = text.index(" ", len(text) // 2)
        quote = text[i:i + 40].strip()
        t, r = best(lambda: p.search(quote, transcript="int-06", whole_words=False))
        rows.append(("search a 40-character quote in one transcript", len(r), t))
        t0 = time.perf_counter()
        for k in range(300):
            p.memo(f"memo {k}", transcript="int-01", span=(k, k + 5))
        rows.append(("300 memos, one transaction each", 300, time.perf_counter() - t0))
        t, r = best(lambda: p.memos())
        rows.append(("memos() listing", len(r), t))
        p.close()
    print(f"Corpus: {head}.\n")
    print("| operation | rows | seconds |\n|---|---:|---:|")
    for name, n, t in rows:
        print(f"| {name} | {n:,} | {t:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
