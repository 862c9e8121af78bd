"""Benchmark a team coding one project: 4 coders × 2,000 decisions against SQLite and PostgreSQL.

Each coder is its own process (a notebook) that records one decision per
transaction — a hand coding, or accepting / rejecting a suggestion — as fast as
it can, all four at once on one project. Reported per store: decisions per
second over the whole team (all decisions / wall time from the common start to
the last coder's end), per-decision latency p50 and p99, and the ratio
PostgreSQL / SQLite. Both stores run durable (SQLite ``synchronous=FULL``,
PostgreSQL ``synchronous_commit=on``; the server's ``fsync`` setting is printed).

A second table is the SQLite journal choice behind "one file holds everything":
one process, one decision per transaction, for WAL without checkpoints (before
issue 19), WAL with a PASSIVE checkpoint after each commit (the default now),
WAL with a FULL checkpoint, and the rollback journals DELETE and TRUNCATE; with
whether the main file alone held every decision (copied while the project was
open) and whether a coder can commit while another connection holds a read
snapshot (an export).

Run: ``.venv/bin/python bench/team.py [--coders 4] [--decisions 2000] [--journal 300]
[--stores sqlite,postgresql] [--out outputs/team.md]``; PostgreSQL from
``MCQUAL_TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``), in a
schema made for the run and dropped after it. About a minute on two idle cores (``--decisions 500``
for a quick look).
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from _report import write_report  # noqa: E402  (bench/ is on sys.path when a script runs)

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PG_URL = os.environ.get("MCQUAL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
TEXT = "employers trust badges issued by known universities and recognise stacked credits " * 40
N_SUGG = 400


def child(target: str, coder: str, go: float, n: int, out: str) -> None:
    """One coder: ``n`` decisions, one transaction each; latencies (s) written to ``out`` as JSON."""
    from mcqual.project.project import Project

    p = Project.open(target, coder=coder)
    sugg = sorted(int(i) for i in p.suggestions()["suggestion_id"])
    length = len(TEXT)
    while time.time() < go:
        time.sleep(0.002)
    t0 = time.time()
    lat = []
    for i in range(n):
        s = time.perf_counter()
        k = i % 10
        if k == 0 and i // 10 < len(sugg) // 2:
            p.accept(sugg[i // 10])
        elif k == 5 and i // 10 < len(sugg) // 2:
            p.reject(sugg[len(sugg) // 2 + i // 10])
        else:
            a = (i * 37 + hash(coder) % 97) % (length - 40)
            p.code("t", a, a + 25, f"code{i % 8}")
        lat.append(time.perf_counter() - s)
    t1 = time.time()
    p.close()
    Path(out).write_text(json.dumps({"start": t0, "end": t1, "lat": lat}))


def setup(target: str) -> None:
    import mcqual as mq
    from mcqual.model import Segment, Suggestion

    class Every:
        def fit(self, segments, codebook, codings=None):
            return self

        def suggest(self, segments):
            return [Suggestion(s.segment_id, "code0", 0.5, "all", "bench") for s in segments]

    with mq.Project.create(target, coder="setup") as p:
        p.add_transcripts([mq.Transcript.from_turns("t", [("R", TEXT)])])
        p.set_codebook(mq.Codebook.from_codes([f"code{i}" for i in range(8)]))
        p.suggest(Every(), segments=[Segment("t", i * 8, i * 8 + 7, TEXT[i * 8:i * 8 + 7]) for i in range(N_SUGG)])


def pct(values: list[float], q: float) -> float:
    v = sorted(values)
    return v[min(len(v) - 1, int(round(q / 100 * (len(v) - 1))))]


def team(store: str, target: str, coders: int, n: int, work: Path) -> dict:
    setup(target)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), *sys.path])}
    go = time.time() + 3.0  # every coder has imported mcqual and opened the project by then
    outs = [work / f"{store}-{c}.json" for c in range(coders)]
    procs = [subprocess.Popen([sys.executable, __file__, "--child", target, f"c{c}", str(go), str(n), str(o)],
                              env=env, stderr=subprocess.PIPE, text=True) for c, o in enumerate(outs)]
    for proc in procs:
        _, err = proc.communicate(timeout=1800)
        if proc.returncode:
            raise SystemExit(f"a coder failed on {store}:\n{err[-3000:]}")
    runs = [json.loads(o.read_text()) for o in outs]
    lat = [x for r in runs for x in r["lat"]]
    wall = max(r["end"] for r in runs) - min(r["start"] for r in runs)
    import mcqual as mq

    with mq.Project.open(target) as p:
        n_events = p.summary()["events"]
        ok = p.integrity_check()
    assert n_events == coders * n, (n_events, coders * n)
    return {"store": store, "decisions": coders * n, "wall_s": wall, "per_s": coders * n / wall,
            "p50_ms": 1000 * pct(lat, 50), "p99_ms": 1000 * pct(lat, 99), "max_ms": 1000 * max(lat),
            "integrity": ok}


def journal(mode: str, n: int, work: Path) -> dict:
    """One process, ``n`` decisions one transaction each, in one SQLite journal configuration."""
    import mcqual as mq
    from mcqual.project.store import SQLiteStore

    path = work / f"journal-{mode}.mcqual"
    setup(str(path))
    store = SQLiteStore.open(path, checkpoint=mode == "wal+passive")
    if mode in ("delete", "truncate"):
        store._con.execute(f"PRAGMA journal_mode = {mode.upper()}")
    if mode == "wal+full":
        store.checkpoint = False
    p = mq.Project(store, coder="j")
    lat = []
    t0 = time.perf_counter()
    for i in range(n):
        s = time.perf_counter()
        p.code("t", i % 2000, i % 2000 + 25, f"code{i % 8}")
        if mode == "wal+full":
            store._con.execute("PRAGMA wal_checkpoint(FULL)")
        lat.append(time.perf_counter() - s)
    wall = time.perf_counter() - t0
    copy = work / f"copy-{mode}.mcqual"
    shutil.copyfile(path, copy)  # the main file only, the project still open
    con = sqlite3.connect(copy)
    try:
        in_main = con.execute("SELECT count(*) FROM events").fetchone()[0]
    except sqlite3.DatabaseError:
        in_main = 0
    con.close()
    # can a coder commit while another holds a read snapshot (an export, a notebook's p.snapshot())?
    other = sqlite3.connect(path, timeout=0.2, isolation_level=None)
    other.execute("BEGIN")
    other.execute("SELECT count(*) FROM events").fetchone()
    store.timeout = 0.2
    store._con.execute("PRAGMA busy_timeout = 200")
    try:
        p.code("t", 0, 25, "code0")
        readers = "yes"
    except Exception:  # noqa: BLE001 - E309: the reader's lock blocks the commit
        readers = "no: the writer waits for the reader"
    other.execute("COMMIT")
    other.close()
    p.close()
    return {"mode": mode, "decisions": n, "per_s": n / wall, "p50_ms": 1000 * pct(lat, 50),
            "p99_ms": 1000 * pct(lat, 99), "main_file": f"{in_main}/{n}", "readers": readers}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--coders", type=int, default=4)
    ap.add_argument("--decisions", type=int, default=2000, help="per coder")
    ap.add_argument("--journal", type=int, default=300, help="decisions per journal mode (0 skips)")
    ap.add_argument("--stores", default="sqlite,postgresql")
    ap.add_argument("--out", default=str(ROOT / "outputs" / "team.md"))
    ap.add_argument("--child", nargs=5, metavar=("TARGET", "CODER", "GO", "N", "OUT"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        target, coder, go, n, out = args.child
        child(target, coder, float(go), int(n), out)
        return 0
    work = Path(tempfile.mkdtemp(prefix="mcqual-team-"))
    stores = [s.strip() for s in args.stores.split(",") if s.strip()]
    rows, notes = [], []
    t_all = time.perf_counter()
    for store in stores:
        if store == "sqlite":
            target = str(work / "team.mcqual")
        else:
            target = f"{PG_URL}{'&' if '?' in PG_URL else '?'}schema=bench_team_{uuid.uuid4().hex[:8]}"
            try:
                import psycopg

                with psycopg.connect(PG_URL, connect_timeout=3) as con:
                    settings = {k: con.execute(f"SHOW {k}").fetchone()[0]
                                for k in ("server_version", "fsync", "synchronous_commit")}
                notes.append("PostgreSQL " + ", ".join(f"{k}={v}" for k, v in settings.items()))
            except Exception as exc:  # noqa: BLE001
                print(f"skipping PostgreSQL: {exc}")
                continue
        print(f"{store}: {args.coders} coders × {args.decisions} decisions …", flush=True)
        try:
            r = team(store, target, args.coders, args.decisions, work)
        finally:
            if store != "sqlite":
                from mcqual.project.pgstore import PostgresStore

                s = PostgresStore(target)
                s.drop()
                s.close()
        rows.append(r)
        print(f"  {r['per_s']:.0f} decisions/s, p50 {r['p50_ms']:.1f} ms, p99 {r['p99_ms']:.1f} ms", flush=True)
    jrows = []
    if args.journal:
        for mode in ("wal", "wal+passive", "wal+full", "delete", "truncate"):
            print(f"journal {mode}: {args.journal} decisions …", flush=True)
            jrows.append(journal(mode, args.journal, work))
    shutil.rmtree(work, ignore_errors=True)
    import platform

    lines = [f"# Team benchmark ({time.strftime('%Y-%m-%d %H:%M')} UTC, {os.cpu_count()} CPUs, "
             f"Python {platform.python_version()}, SQLite {sqlite3.sqlite_version})", ""]
    lines += [f"{args.coders} coders (processes) at once, {args.decisions} decisions each, one transaction per "
              "decision; durable commits." + (" " + "; ".join(notes) + "." if notes else ""), ""]
    lines += ["| store | decisions | wall s | decisions/s | p50 ms | p99 ms | max ms | integrity |",
              "|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in rows:
        lines.append(f"| {r['store']} | {r['decisions']} | {r['wall_s']:.1f} | {r['per_s']:.0f} | {r['p50_ms']:.1f} | "
                     f"{r['p99_ms']:.1f} | {r['max_ms']:.0f} | {r['integrity']} |")
    by = {r["store"]: r for r in rows}
    if "sqlite" in by and "postgresql" in by:
        lines += ["", f"PostgreSQL / SQLite: decisions/s × {by['postgresql']['per_s'] / by['sqlite']['per_s']:.2f}, "
                      f"p99 latency × {by['postgresql']['p99_ms'] / by['sqlite']['p99_ms']:.2f}."]
    if jrows:
        lines += ["", f"SQLite journal choice: one process, {args.journal} decisions, one transaction each.", "",
                  "| journal | decisions/s | p50 ms | p99 ms | main file alone holds | commit during a read snapshot |",
                  "|---|---:|---:|---:|---|---|"]
        for r in jrows:
            lines.append(f"| {r['mode']} | {r['per_s']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
                         f"{r['main_file']} | {r['readers']} |")
    text = "\n".join(lines) + "\n"
    print()
    print(text)
    out = write_report(args.out, text)
    print(f"written to {out} ({time.perf_counter() - t_all:.0f} s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
