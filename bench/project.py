"""Benchmark the coding project: recording decisions and deriving codings from the log.

Run: ``.venv/bin/python bench/project.py`` (prints a Markdown table).

* record: 10,000 hand codings via ``project.decide_many`` (batches of 1,000, one
  transaction each, validation included) vs. a bare ``sqlite3`` ``executemany``
  of the same rows into a copy of the events table (same triggers, indexes and
  WAL/synchronous settings), in the same batches;
* single: 1,000 decisions, one transaction each (a coder clicking in a notebook);
* derive: the current codings (a DataFrame with snippets) from 100,000 events
  (codes, accepts, uncodes, undos, renames) vs. a bare ``SELECT`` of those rows.
"""
from __future__ import annotations

import os
import random
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import pandas  # noqa: E402,F401  (imported up front: the timing is the derivation, not the import)

import mcqual as mq  # noqa: E402
from mcqual.codebook.model import Codebook  # noqa: E402
from mcqual.model import Transcript  # noqa: E402
from mcqual.project.store import MIGRATIONS, _split_sql  # noqa: E402

N_RECORD = 10_000
N_SINGLE = 1_000
N_DERIVE = 100_000
BATCH = 1_000


def new_project(folder: str, name: str) -> mq.Project:
    p = mq.Project.create(os.path.join(folder, name), coder="bench")
    words = "employers trust badges issued by known universities and recognise stacked credits " * 60
    p.add_transcripts([Transcript.from_turns(f"int-{i:02d}", [("R", words)]) for i in range(20)])
    p.set_codebook(Codebook.from_codes([f"code{i}" for i in range(30)]))
    return p


def decisions(n: int, rng: random.Random) -> list[tuple]:
    out = []
    for _ in range(n):
        a = rng.randrange(0, 4000)
        out.append(("code", f"int-{rng.randrange(20):02d}", a, a + rng.randint(5, 200), f"code{rng.randrange(30)}"))
    return out


def raw_baseline(folder: str, rows: list[tuple]) -> float:
    con = sqlite3.connect(os.path.join(folder, "raw.sqlite"), isolation_level=None)
    con.execute("PRAGMA journal_mode = WAL")
    con.execute("PRAGMA synchronous = FULL")
    con.execute("PRAGMA foreign_keys = ON")
    con.execute("BEGIN")
    for stmt in _split_sql(MIGRATIONS[0]):
        con.execute(stmt)
    con.execute("INSERT INTO transcripts VALUES (?,0,?,?,?,?,?,?,1,?,?)",
                ("int-00", "x" * 5000, "h", "[]", "{}", None, None, "t", "t"))
    con.execute("COMMIT")
    params = [("code", "bench", "2026-01-01T00:00:00.000000Z", "int-00", a, b, c, None, None, None, "{}")
              for _, _, a, b, c in rows]
    t0 = time.perf_counter()
    for i in range(0, len(params), BATCH):
        con.execute("BEGIN IMMEDIATE")
        con.executemany("INSERT INTO events (kind, coder, created_at, transcript_id, span_start, span_end, code, "
                        "suggestion_id, coding_id, target_event, payload) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                        params[i:i + BATCH])
        con.execute("COMMIT")
    dt = time.perf_counter() - t0
    con.close()
    return dt


def main() -> None:
    rng = random.Random(42)
    rows_md = []
    with tempfile.TemporaryDirectory() as folder:
        # -- record 10,000 decisions, batched
        p = new_project(folder, "record.mcq")
        rows = decisions(N_RECORD, rng)
        t0 = time.perf_counter()
        for i in range(0, N_RECORD, BATCH):
            p.decide_many(rows[i:i + BATCH])
        t_rec = time.perf_counter() - t0
        t_raw = raw_baseline(folder, rows)
        rows_md.append(("record (batched, 1,000 per transaction)", f"{N_RECORD:,} decisions",
                        f"{t_rec:.3f} s ({N_RECORD / t_rec:,.0f}/s)", f"{t_raw:.3f} s ({N_RECORD / t_raw:,.0f}/s)",
                        f"{t_rec / t_raw:.1f}x", "≥ 5,000 decisions/s"))
        # -- single decisions, one transaction each
        single = decisions(N_SINGLE, rng)
        t0 = time.perf_counter()
        for d in single:
            p.code(*d[1:])
        t_single = time.perf_counter() - t0
        rows_md.append(("record (one transaction each)", f"{N_SINGLE:,} decisions",
                        f"{t_single:.3f} s ({N_SINGLE / t_single:,.0f}/s)", "—", "—", "interactive (< 10 ms each)"))
        p.close()
        # -- derive codings from 100,000 events
        p = new_project(folder, "derive.mcq")
        made = 0
        while made < N_DERIVE:
            ids = p.decide_many(decisions(9_000, rng))
            made += len(ids)
            p.decide_many([("uncode", i) for i in rng.sample(ids, 800)])
            made += 800
            for _ in range(100):
                p.undo()
            made += 100
            p.rename_code(f"code{made % 30}", "renamed")  # and back: codings follow both renames
            p.rename_code("renamed", f"code{made % 30}")
            made += 2
        n_events = p._store.last_event_id()
        p.close()
        p = mq.Project.open(os.path.join(folder, "derive.mcq"))  # a cold cache
        t0 = time.perf_counter()
        df = p.codings()
        t_derive = time.perf_counter() - t0
        con = sqlite3.connect(p.path)
        t0 = time.perf_counter()
        raw = con.execute("SELECT event_id, kind, coder, created_at, transcript_id, span_start, span_end, code, "
                          "suggestion_id, coding_id, target_event, payload FROM events ORDER BY event_id").fetchall()
        t_raw = time.perf_counter() - t0
        con.close()
        assert len(raw) == n_events
        rows_md.append(("derive current codings (DataFrame)", f"{n_events:,} events → {len(df):,} codings",
                        f"{t_derive:.3f} s", f"{t_raw:.3f} s (SELECT only)", f"{t_derive / t_raw:.1f}x", "≤ 1 s"))
        p.close()
    print("| stage | work | mcqual | raw baseline | ratio | target |")
    print("|---|---|---|---|---|---|")
    for r in rows_md:
        print("| " + " | ".join(r) + " |")


if __name__ == "__main__":
    main()
