"""The benchmark harness runs and writes its table (a smoke test: no timing is asserted here)."""
from __future__ import annotations

import subprocess
import sys


def test_bench_harness_smoke(root, tmp_path):
    out = tmp_path / "bench.md"
    res = subprocess.run([sys.executable, str(root / "bench" / "run.py"), "--sizes", "2,4", "--skip",
                          "embed,survey,project,matrices,e2e", "--workdir", str(tmp_path / "w"), "--out", str(out)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    table = out.read_text(encoding="utf-8")
    assert "| stage | work | mcqual | raw baseline | ratio | target |" in table
    rows = [line for line in table.splitlines() if line.startswith("| read |") or line.startswith("| segment + rules |")]
    assert len(rows) == 5 and all("×" in r for r in rows)
    assert "| scaling | read" in table
