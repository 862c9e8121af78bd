"""A process killed (SIGKILL) in the middle of writing decisions leaves a sound project with every commit
(in SQLite and in PostgreSQL)."""
from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

import mcqual as mq
from mcqual.codebook.model import Codebook
from mcqual.model import Transcript

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

CHILD = r"""
import random, sys
from mcqual.project.project import Project

path, coder, seed = sys.argv[1], sys.argv[2], int(sys.argv[3])
rng = random.Random(seed)
p = Project.open(path, coder=coder)
n = len(p.corpus()["t"].text)
print("ready", flush=True)
while True:
    size = rng.randint(1, 40)
    batch = []
    for _ in range(size):
        a = rng.randrange(0, n - 10)
        batch.append(("code", "t", a, a + rng.randint(1, 10), rng.choice(["trust", "stacking"])))
    ids = p.decide_many(batch)
    print(" ".join(map(str, ids)), flush=True)
"""


def batch_sizes(seed: int, k: int, n: int) -> list[int]:
    """The child's batch sizes, replayed from its seed (same draws, same order)."""
    rng = random.Random(seed)
    out = []
    for _ in range(k):
        size = rng.randint(1, 40)
        out.append(size)
        for _ in range(size):
            rng.randrange(0, n - 10)
            rng.randint(1, 10)
            rng.choice(["trust", "stacking"])
    return out


def test_kill_during_batches_loses_no_commit(store_url):
    """SQLite: the WAL keeps every commit; PostgreSQL: the server rolls back the killed client's open one."""
    path = store_url
    with mq.Project.create(path) as p:
        p.add_transcripts([Transcript.from_turns("t", [("R", "word " * 400)])])
        p.set_codebook(Codebook.from_codes(["trust", "stacking"]))
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    rng = random.Random(7)
    total_reported = 0
    deadline = time.monotonic() + 18
    kills = 0
    committed_before: set[int] = set()
    while kills < 12 and time.monotonic() < deadline:
        seed = rng.randrange(10**6)
        child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), f"c{kills}", str(seed)],
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        assert child.stdout.readline().strip() == "ready", child.stderr.read()
        time.sleep(rng.uniform(0.02, 0.35))
        os.kill(child.pid, signal.SIGKILL)
        out, _ = child.communicate()
        assert child.returncode == -signal.SIGKILL
        reported = [[int(x) for x in line.split()] for line in out.splitlines() if line.strip()]
        with mq.Project.open(path) as p:
            assert p.integrity_check() == "ok"
            events = p.history(coder=f"c{kills}")
            present = set(events["event_id"])
            for ids in reported:  # every reported commit is there
                assert set(ids) <= present
            # batches are all-or-nothing: the child's events are a whole number of its batches
            sizes = batch_sizes(seed, len(reported) + 2, len("word " * 400))
            prefix = [sum(sizes[:i]) for i in range(len(sizes) + 1)]
            assert len(present) in prefix[len(reported):len(reported) + 2]
            assert len(present) >= sum(len(x) for x in reported)
            codings = p.codings()
            assert set(codings["coding_id"]) >= present | committed_before
            committed_before |= present
        total_reported += len(reported)
        kills += 1
    assert kills >= 5
    assert total_reported > 0, "the child never committed before being killed; the test proved nothing"
