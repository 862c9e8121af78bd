"""Four processes (four coders' notebooks) write to one project at once, in SQLite and in PostgreSQL:
nothing lost, nothing corrupted."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import mcqual as mq
from mcqual.codebook.model import Codebook
from mcqual.model import Segment, Suggestion, Transcript

CHILD = r"""
import sys, time
from mcqual.project.project import Project

path, coder, go, n_dec = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
p = Project.open(path, coder=coder)
n = len(p.corpus()["t"].text)
sugg = sorted(int(i) for i in p.suggestions()["suggestion_id"])
while time.time() < go:
    time.sleep(0.005)
t0 = time.time()
ids = []
for i in range(n_dec):
    if i % 4 == 0:   # one transaction per decision, interleaved with the other process
        ids += p.accept(sugg[i // 4], note=f"{coder}-{i}")
    elif i % 4 == 1:
        ids += p.reject(sugg[250 + i // 4])
    else:
        a = (i * 7) % (n - 20)
        ids.append(p.code("t", a, a + 12, "trust"))
print(len(ids), len(set(ids)), flush=True)
print(t0, time.time(), file=sys.stderr)
"""


CODERS = ("ab", "cd", "ef", "gh")
N = 300  # decisions per coder: 75 accepts, 75 rejects, 150 hand codings


def test_four_processes_write_300_decisions_each(store_url):
    path = store_url
    text = "badge " * 800
    with mq.Project.create(path) as p:
        p.add_transcripts([Transcript.from_turns("t", [("R", text)])])
        p.set_codebook(Codebook.from_codes(["trust"]))

        class Every:  # 500 suggestions to accept / reject
            def fit(self, segments, codebook, codings=None):
                return self

            def suggest(self, segments):
                return [Suggestion(s.segment_id, "trust", 0.5, "all", "every segment") for s in segments]

        segs = [Segment("t", i * 6, i * 6 + 5, "badge") for i in range(500)]
        assert p.suggest(Every(), segments=segs).new == 500
    go = time.time() + 2.5
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [subprocess.Popen([sys.executable, "-c", CHILD, str(path), coder, str(go), str(N)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env) for coder in CODERS]
    outs = [proc.communicate(timeout=240) for proc in procs]
    for proc, (out, err) in zip(procs, outs):
        assert proc.returncode == 0, err
        assert out.split() == [str(N), str(N)]
    with mq.Project.open(path) as p:
        assert p.integrity_check() == "ok"
        hist = p.history()
        assert len(hist) == len(CODERS) * N and hist["event_id"].is_unique
        assert hist["event_id"].is_monotonic_increasing
        assert hist.groupby("coder").size().to_dict() == {c: N for c in CODERS}
        # the writers really ran at the same time (SQLite's busy handler / PostgreSQL's lock decides who waits)
        spans = [tuple(map(float, err.split()[-2:])) for _, err in outs]
        assert max(s for s, _ in spans) < min(e for _, e in spans)
        codings = p.codings()
        assert codings.groupby("coder").size().to_dict() == {c: 3 * N // 4 for c in CODERS}
        for coder in CODERS:
            s = p.suggestions(None, coder=coder)["status"].value_counts().to_dict()
            assert s == {"accepted": N // 4, "rejected": N // 4, "pending": 500 - N // 2}
