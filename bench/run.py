"""mcqual's benchmark harness: every stage against the raw cost of the same work, measured in the same run.

Builds a synthetic study (interviews of about 10,000 words as .docx in the sample study's
real-world formats: Teams, Otter, Word Transcribe, hand-typed with a metadata block or table, a
focus group, dash labels, no labels; and a survey export of 5,000 answers), then prints one table,
also written to ``outputs/bench.md``::

    | stage | work | mcqual | raw baseline | ratio | target |

Stages and their raw baselines:

* **read** — ``mq.read_transcripts`` vs. a bare ``zipfile`` + lxml ``iterparse`` over ``w:t`` of the
  same files, at 10, 100 and 300 interviews (and with ``n_jobs=2``);
* **segment + rules** — ``mq.segments`` + ``RuleSuggester`` vs. ``nlp.pipe`` of the same texts with
  the same blank pipeline, at 10, 100 and 300 interviews;
* **embed** — ``EmbeddingSuggester`` on a cold cache vs. ``SentenceTransformer.encode`` of the same
  segments at the best batch size; a warm cache vs. the cold run;
* **survey** — ``mq.read_survey`` + segments + rules + embeddings on 5,000 answers;
* **project** and **matrices** — ``bench/project.py`` and ``bench/analysis.py`` (10,000 decisions,
  codings from 100,000 events; every matrix for 50,000 codings), run as they are;
* **end to end** — ``mcqual run`` (subprocess) vs. the raw encode of the same turns; its peak RSS;
  ``import mcqual`` time;
* **scaling** — time per word at the largest size over the smallest (linear: ≤ 1.2).

Run: ``make bench`` or ``.venv/bin/python bench/run.py [--sizes 10,100,300] [--embed-size 10]
[--e2e-size 10] [--survey 5000]``. The embedding stages run at ``--embed-size``/``--e2e-size``
interviews (default 10: all-MiniLM-L6-v2 encodes about 4,000 tokens/s on two cores, so 100
interviews of 10,000 words take about five minutes to encode once, and the end-to-end row needs two
such runs); ``--full`` uses 100 for both (about 25 minutes).
"""
from __future__ import annotations

import argparse
import copy
import io
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import warnings
import zipfile
from pathlib import Path
from _report import write_report  # noqa: E402  (bench/ is on sys.path when a script runs)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "transcripts"))

ROWS: list[tuple[str, str, float | None, float | None, str, str]] = []
SENT = re.compile(r"(?<=[.?!])\s+")


def row(stage: str, work: str, ours: float | None, raw: float | None, target: str = "", note: str = "") -> None:
    ratio = f"{ours / raw:.2f}×" if ours is not None and raw else ""
    ROWS.append((stage, work, ours, raw, ratio + (f" {note}" if note else ""), target))
    print(f"  {stage:<16} {work:<52} {_s(ours):>9} {_s(raw):>9} {ratio:>7} {target}", flush=True)


def _s(x: float | None) -> str:
    if x is None:
        return ""
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


def best(fn, repeat: int = 1):
    t, out = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        t = min(t, time.perf_counter() - t0)
    return t, out


def pair(ours, raw, repeat: int = 3):
    """Best-of times of two callables, interleaved (fair on a shared, noisy machine)."""
    to, tr, out = float("inf"), float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        raw()
        tr = min(tr, time.perf_counter() - t0)
        t0 = time.perf_counter()
        out = ours()
        to = min(to, time.perf_counter() - t0)
    return to, tr, out


# --------------------------------------------------------------------------- the synthetic study

def _shuffle_sentences(text: str, rng: random.Random) -> str:
    paras = []
    for para in text.split("\n"):
        s = SENT.split(para)
        if len(s) > 1:
            rng.shuffle(s)
        paras.append(" ".join(s))
    return "\n".join(paras)


def make_sources(n: int, words: int = 10_000, seed: int = 7) -> list[dict]:
    """``n`` interview sources of about ``words`` words: each a sample interview played several times
    with its sentences reordered (so no two turns repeat), in the sample's formats."""
    import build  # transcripts/build.py

    base = build.load_sources()
    rng = random.Random(seed)
    out = []
    for i in range(n):
        src = copy.deepcopy(base[i % len(base)])
        src["id"] = f"syn-{i + 1:03d}"
        turns = list(src["turns"])
        dur = turns[-1]["timestamp"] + 20
        rep = 0
        while sum(len(t["text"].split()) for t in src["turns"]) < words:
            rep += 1
            for t in turns:
                t2 = dict(t, timestamp=t["timestamp"] + rep * dur, text=_shuffle_sentences(t["text"], rng))
                src["turns"].append(t2)
        if i >= len(base):
            src["turns"] = [dict(t, text=_shuffle_sentences(t["text"], rng)) for t in src["turns"]]
        src["words"] = sum(len(t["text"].split()) for t in src["turns"])
        out.append(src)
    return out


def write_study(folder: Path, sources: list[dict], n: int) -> list[Path]:
    """``n`` files in ``folder``: the unique sources, then copies under new names."""
    import build

    folder.mkdir(parents=True, exist_ok=True)
    uniq = []
    for src in sources:
        p = folder.parent / "unique" / f"{src['id']}.docx"
        if not p.exists():
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(build.render_docx(src))
        uniq.append(p)
    paths = []
    for i in range(n):
        p = folder / f"int-{i + 1:04d}.docx"
        if not p.exists():
            os.link(uniq[i % len(uniq)], p)
        paths.append(p)
    return paths


W_T = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}t"


def raw_read(paths: list[Path]) -> int:
    """The raw cost: open each package, find the main part, iterparse its w:t text."""
    from lxml import etree

    n = 0
    for p in paths:
        with zipfile.ZipFile(p) as z:
            name = next(x for x in z.namelist() if x.startswith("word/document") and x.endswith(".xml"))
            data = z.read(name)
        for _, el in etree.iterparse(io.BytesIO(data), tag=W_T):
            n += len(el.text or "")
            el.clear()
    return n


def make_survey(path: Path, n_answers: int, seed: int = 3) -> None:
    """A survey export of ``n_answers`` answers (4 questions), answers drawn from the sample's
    respondent turns (sentences recombined)."""
    import csv

    import build

    rng = random.Random(seed)
    sents = [s for src in build.load_sources() for t in src["turns"] for s in SENT.split(t["text"])
             if len(s.split()) >= 4]
    n_resp = n_answers // 4
    with open(path, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["respondent_id", "country", "respondent_group", "Q1. What makes you trust it?",
                    "Q2. What changed for you?", "Q3. What would help recognition?", "Q4. Anything else?"])
        for r in range(n_resp):
            w.writerow([f"R{r + 1:05d}", rng.choice(["DE", "FR", "PL", "IT", "ES", "NL"]),
                        rng.choice(["learner", "employer", "provider", "stakeholder"])]
                       + [" ".join(rng.sample(sents, rng.randint(1, 3))) for _ in range(4)])


# --------------------------------------------------------------------------- stages

def stage_read(study: Path, sources, sizes) -> dict[int, tuple[float, int]]:
    import mcqual as mq

    per = {}
    for n in sizes:
        paths = write_study(study / f"n{n}", sources, n)
        folder = study / f"n{n}"
        rep = 3 if n <= 10 else 1
        to, tr, corpus = pair(lambda: mq.read_transcripts(folder, attributes=False), lambda: raw_read(paths), rep)
        words = sum(len(t.text.split()) for t in corpus)
        row("read", f"{n} interviews, {words:,} words", to, tr, "≤ 2×")
        per[n] = (to, words)
        if n == max(sizes):
            t2, _ = best(lambda: mq.read_transcripts(folder, attributes=False, n_jobs=2))
            row("read (n_jobs=2)", f"{n} interviews, 2 processes", t2, tr, "")
    return per


def stage_rules(study: Path, codebook, sizes) -> dict[int, tuple[float, int]]:
    import mcqual as mq
    from mcqual.text.nlp import rule_pipeline

    nlp = rule_pipeline("en")
    per = {}
    for n in sizes:
        corpus = mq.read_transcripts(study / f"n{n}", attributes=False)
        texts = [s.text for s in mq.segments(corpus)]
        words = sum(len(t.split()) for t in texts)

        def ours():
            segs = mq.segments(corpus)
            return mq.RuleSuggester().fit(segs, codebook).suggest(segs)

        to, tr, _ = pair(ours, lambda: list(nlp.pipe(texts)), 2 if n <= 10 else 1)
        row("segment + rules", f"{n} interviews, {len(texts):,} turns", to, tr, "≤ 1.3×")
        per[n] = (to, words)
        if n == max(sizes):
            def par():
                segs = mq.segments(corpus)
                return mq.RuleSuggester(n_process=2).fit(segs, codebook).suggest(segs)

            t2, tr2, _ = pair(par, lambda: list(nlp.pipe(texts)), 1)
            row("segment + rules", f"{n} interviews, n_process=2 (2 cores)", t2, tr2, "≤ 1.3×")
    return per


def stage_embed(study: Path, codebook, n: int, cache: Path) -> None:
    import mcqual as mq
    from mcqual.text.embedders import SentenceTransformerEmbedder, load_model

    corpus = mq.read_transcripts(study / f"n{n}", attributes=False)
    segs = mq.segments(corpus)
    texts = segs.texts if hasattr(segs, "texts") else [s.text for s in segs]
    model = load_model(None)
    model.encode(texts[:64], batch_size=32)  # warm the threads
    raws = {}
    for bs in (32, 64):
        raws[bs], _ = best(lambda: model.encode(texts, batch_size=bs, show_progress_bar=False))
    bs = min(raws, key=raws.get)
    cold, _ = best(lambda: mq.EmbeddingSuggester(embedder=SentenceTransformerEmbedder(cache_dir=cache))
                   .fit(segs, codebook).suggest(segs))
    row("embed (cold)", f"{n} interviews, {len(texts):,} turns; raw batch {bs}", cold, raws[bs], "≤ 1.1×")
    warm, _ = best(lambda: mq.EmbeddingSuggester(embedder=SentenceTransformerEmbedder(cache_dir=cache))
                   .fit(segs, codebook).suggest(segs))
    row("embed (warm)", "same again, same cache (baseline: the cold run)", warm, cold, "≤ 0.05×")


def stage_survey(study: Path, codebook, n_answers: int, cache: Path) -> None:
    import pandas as pd

    import mcqual as mq
    from mcqual.text.embedders import SentenceTransformerEmbedder, load_model
    from mcqual.text.nlp import rule_pipeline

    path = study / "survey.csv"
    if not path.exists():
        make_survey(path, n_answers)
    t_read, tr, s = pair(lambda: mq.read_survey(path, text_columns=[3, 4, 5, 6]),
                         lambda: pd.read_csv(path, sep=";", dtype=str), 2)
    row("survey read", f"{n_answers:,} answers (read_survey vs. pandas.read_csv)", t_read, tr, "")
    segs = mq.segments(s, unit="answer")
    texts = [x.text for x in segs]
    nlp = rule_pipeline("en")
    to, tr, _ = pair(lambda: mq.RuleSuggester().fit(segs, codebook).suggest(segs), lambda: list(nlp.pipe(texts)), 1)
    row("survey rules", f"{len(segs):,} answers", to, tr, "≤ 1.3×")
    model = load_model(None)
    raw, _ = best(lambda: model.encode(texts, batch_size=64, show_progress_bar=False))
    cold, _ = best(lambda: mq.EmbeddingSuggester(embedder=SentenceTransformerEmbedder(cache_dir=cache / "survey"))
                   .fit(segs, codebook).suggest(segs))
    row("survey embed", f"{len(segs):,} answers, cold cache", cold, raw, "≤ 1.1×")


def _tables(output: str) -> list[tuple[list[str], list[list[str]]]]:
    """The Markdown tables in a script's output: (header cells, rows)."""
    tables: list[tuple[list[str], list[list[str]]]] = []
    for line in output.splitlines():
        if not line.startswith("|"):
            continue
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells[0] == "stage":
            tables.append((cells, []))
        elif tables and not set("".join(cells)) <= set("-: "):
            tables[-1][1].append(cells)
    return tables


def stage_script(name: str, label: str, args: list[str] = ()) -> None:
    """Run bench/<name>.py as it is and take over the rows of its tables (a second table of a
    script is its scaling table: the larger size's time, the smaller's, the growth)."""
    t0 = time.perf_counter()
    res = subprocess.run([sys.executable, str(ROOT / "bench" / f"{name}.py"), *args], capture_output=True,
                         text=True, timeout=900, cwd=ROOT)
    if res.returncode != 0:
        ROWS.append((label, f"bench/{name}.py failed: {res.stderr.strip().splitlines()[-1:]}", None, None, "", ""))
        return
    for k, (head, rows) in enumerate(_tables(res.stdout)):
        for cells in rows:
            cells = (cells + [""] * 6)[:6]
            if k == 0:
                ROWS.append((label, f"{cells[0]}: {cells[1]}", cells[2], cells[3], cells[4], cells[5]))
            else:  # | stage | work | small | large | growth |
                ROWS.append(("scaling", f"{cells[0]}: {cells[1]} ({head[2]} → {head[3]})", cells[3], cells[2],
                             cells[4], "linear"))
            print(f"  {label:<16} {cells[0] + ': ' + cells[1]:<52} {cells[2]:>9} {cells[3]:>9} {cells[4]:>7}")
    print(f"  ({name}: {time.perf_counter() - t0:.0f} s)")


def stage_end_to_end(study: Path, n: int, cache: Path) -> None:
    import mcqual as mq
    from mcqual.text.embedders import load_model

    folder = study / f"n{n}"
    out = study / f"out{n}"
    shutil.rmtree(out, ignore_errors=True)
    env = dict(os.environ, MCQUAL_CACHE_DIR=str(cache / "e2e"), HF_HUB_OFFLINE="1")
    shutil.rmtree(cache / "e2e", ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    t0 = time.perf_counter()
    res = subprocess.run([str(Path(sys.executable).with_name("mcqual")), "run", str(folder), "--codebook",
                          str(ROOT / "codebook" / "microcredentials.yaml"), "--out", str(out)],
                         capture_output=True, text=True, env=env, timeout=3600)
    t_run = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    corpus = mq.read_transcripts(folder, attributes=False)
    texts = [s.text for s in mq.segments(corpus)]
    model = load_model(None)
    raw, _ = best(lambda: model.encode(texts, batch_size=32, show_progress_bar=False))
    ok = "" if res.returncode in (0, 1) else f"(exit {res.returncode})"
    row("end to end", f"mcqual run, {n} interviews {ok}(vs. raw encode of the turns)", t_run, raw, "≤ 1.25×")
    peak = max(rss, before) / 1024 / 1024  # ru_maxrss is KiB on Linux
    ROWS.append(("end to end", f"peak RSS of mcqual run, {n} interviews", f"{peak:.2f} GiB", "", "", "≤ 2 GiB (100)"))
    print(f"  end to end       peak RSS {peak:.2f} GiB")
    cmd = [sys.executable, "-c", "import mcqual"]
    t_imp, _ = best(lambda: subprocess.run(cmd, check=True), 5)
    t_py, _ = best(lambda: subprocess.run([sys.executable, "-c", "pass"], check=True), 5)
    row("import", "import mcqual (python -c; interpreter start excluded)", max(t_imp - t_py, 0.0), None, "≤ 0.3 s")


def scaling(name: str, per: dict[int, tuple[float, int]]) -> None:
    if len(per) < 2:
        return
    lo, hi = min(per), max(per)
    a = per[lo][0] / per[lo][1]
    b = per[hi][0] / per[hi][1]
    steps = " → ".join(f"{n}: {_s(t)}" for n, (t, _) in sorted(per.items()))
    ROWS.append(("scaling", f"{name} ({steps}); time per word {hi} vs {lo}", "", "", f"{b / a:.2f}", "≤ 1.2"))
    print(f"  scaling          {name}: per-word ratio {b / a:.2f} ({steps})")


def write_table(path: Path, header: str) -> str:
    lines = [header, "", "| stage | work | mcqual | raw baseline | ratio | target |", "|---|---|---:|---:|---:|---|"]
    for stage, work, ours, raw, ratio, target in ROWS:
        o = ours if isinstance(ours, str) else _s(ours)
        r = raw if isinstance(raw, str) else _s(raw)
        lines.append(f"| {stage} | {work} | {o} | {r} | {ratio} | {target} |")
    text = "\n".join(lines) + "\n"
    write_report(path, text)
    return text


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="10,100,300")
    ap.add_argument("--embed-size", type=int, default=10)
    ap.add_argument("--e2e-size", type=int, default=10)
    ap.add_argument("--survey", type=int, default=5000)
    ap.add_argument("--full", action="store_true", help="embedding stages and end to end at 100 interviews")
    ap.add_argument("--skip", default="", help="comma-separated stages to skip (read,rules,embed,survey,project,"
                                               "matrices,e2e)")
    ap.add_argument("--out", default=str(ROOT / "outputs" / "bench.md"))
    ap.add_argument("--workdir", default=None, help="keep the synthetic study here (default: a temp folder)")
    args = ap.parse_args(argv)
    sizes = sorted(int(x) for x in args.sizes.split(","))
    if args.full:
        args.embed_size = args.e2e_size = 100
    skip = set(filter(None, args.skip.split(",")))
    warnings.simplefilter("ignore")
    t_all = time.perf_counter()
    work = Path(args.workdir) if args.workdir else Path(tempfile.mkdtemp(prefix="mcqual-bench-"))
    study, cache = work / "study", work / "cache"
    os.environ["MCQUAL_CACHE_DIR"] = str(cache / "default")
    import mcqual as mq

    codebook = mq.load_codebook(ROOT / "codebook" / "microcredentials.yaml")
    print(f"building the synthetic study in {work} …", flush=True)
    t0 = time.perf_counter()
    sources = make_sources(min(50, max(sizes)))
    write_study(study / f"n{max(sizes)}", sources, max(sizes))
    print(f"  {len(sources)} distinct interviews of ~{sources[0]['words']:,} words "
          f"({time.perf_counter() - t0:.0f} s)")
    print(f"  {'stage':<16} {'work':<52} {'mcqual':>9} {'raw':>9} {'ratio':>7} target")
    try:
        if "read" not in skip:
            scaling("read", stage_read(study, sources, sizes))
        if "rules" not in skip:
            scaling("segment + rules", stage_rules(study, codebook, sizes))
        if "embed" not in skip:
            write_study(study / f"n{args.embed_size}", sources, args.embed_size)
            stage_embed(study, codebook, args.embed_size, cache / "embed")
        if "survey" not in skip:
            stage_survey(study, codebook, args.survey, cache)
        if "project" not in skip:
            stage_script("project", "project")
        if "matrices" not in skip:
            stage_script("analysis", "matrices", ["--repeat", "1"])
        if "e2e" not in skip:
            write_study(study / f"n{args.e2e_size}", sources, args.e2e_size)
            stage_end_to_end(study, args.e2e_size, cache)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    import platform

    header = (f"## mcqual benchmark ({time.strftime('%Y-%m-%d')}, {os.cpu_count()} cores, Python "
              f"{platform.python_version()}; {time.perf_counter() - t_all:.0f} s in all)\n\n"
              f"Command: `make bench` (`.venv/bin/python bench/run.py {' '.join(argv or sys.argv[1:])}`). "
              f"Times are the best of interleaved runs; ratios are mcqual / raw baseline.")
    text = write_table(Path(args.out), header)
    print()
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
