"""Turn the coders' quote-based gold coding into character offsets.

The gold coding is kept as reviewable text: ``transcripts/gold/<coder>.csv`` (or ``<coder>__<part>.csv`` when one coder's
work is kept in several files) with
columns ``transcript_id, code, quote`` (the quote copied verbatim from the
interview, optionally ``occurrence`` = which occurrence, 1-based, when the same
words appear twice). This script reads the sample transcripts with mcqual, finds
each quote in ``Transcript.text`` (whitespace-insensitive), and writes
``transcripts/gold_codings.csv`` with ``transcript_id, start, end, code, coder``.

Run: ``.venv/bin/python transcripts/build_gold.py`` (after ``transcripts/build.py``);
``build_gold.py --check transcripts/gold/coder2__a.csv`` checks one coder's file and writes nothing.
A quote that cannot be found is an error listed at the end (exit code 1).
"""
from __future__ import annotations

import csv
import re
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def _pattern(quote: str) -> re.Pattern[str]:
    words = quote.split()
    return re.compile(r"\s+".join(re.escape(w) for w in words))


def _norm_quotes(s: str) -> str:
    return (s.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
            .replace("\u2013", "-").replace("\u2014", "-").replace("\u00a0", " "))


def resolve(corpus, rows, coder):
    out, problems = [], []
    for i, row in enumerate(rows, start=2):
        tid, code, quote = row["transcript_id"].strip(), row["code"].strip(), row["quote"].strip()
        occurrence = int(row.get("occurrence") or 1)
        if tid not in corpus:
            problems.append(f"{coder}.csv:{i}: unknown transcript {tid!r}")
            continue
        text = corpus[tid].text
        # same length after normalisation, so offsets carry over
        hay = _norm_quotes(text)
        matches = list(_pattern(_norm_quotes(quote)).finditer(hay))
        if len(matches) < occurrence:
            problems.append(f"{coder}.csv:{i}: quote not found in {tid}: {quote[:60]!r}")
            continue
        m = matches[occurrence - 1]
        out.append({"transcript_id": tid, "start": m.start(), "end": m.end(), "code": code, "coder": coder})
    return out, problems


def main() -> int:
    sys.path.insert(0, str(HERE.parent))
    import mcqual as mq

    corpus = mq.read_transcripts(HERE)
    codebook = mq.load_codebook(HERE.parent / "codebook" / "microcredentials.yaml")
    rows_out, problems = [], []
    check_only = sys.argv[1:2] == ["--check"]
    coder_files = ([Path(a).resolve() for a in sys.argv[2:]] if check_only
                   else sorted((HERE / "gold").glob("*.csv")))
    for path in coder_files:
        with open(path, newline="", encoding="utf-8") as f:
            rows = list(csv.DictReader(f))
        for r in rows:
            if r["code"].strip() not in codebook:
                problems.append(f"{path.name}: unknown code {r['code']!r}")
        got, bad = resolve(corpus, rows, path.stem.split("__")[0])
        rows_out += got
        problems += bad
    if check_only:
        print(f"{len(rows_out)} quotes resolved in {len(coder_files)} file(s); nothing written")
        for p in problems:
            print("  problem:", p)
        return 1 if problems else 0
    rows_out.sort(key=lambda r: (r["coder"] != "coder1", r["coder"], r["transcript_id"], r["start"], r["code"]))
    tmp = HERE / "gold_codings.csv.tmp"
    with open(tmp, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=["transcript_id", "start", "end", "code", "coder"])
        w.writeheader()
        w.writerows(rows_out)
    tmp.replace(HERE / "gold_codings.csv")
    n_coders = len({r["coder"] for r in rows_out})
    print(f"{len(rows_out)} codings by {n_coders} coder(s) from {len(coder_files)} files written to transcripts/gold_codings.csv")
    for p in problems:
        print("  problem:", p)
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
