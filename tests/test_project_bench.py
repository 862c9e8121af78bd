"""bench/team.py runs and writes its tables (a smoke test with tiny sizes: no timing is asserted)."""
from __future__ import annotations

import subprocess
import sys


def test_team_bench_smoke(root, tmp_path):
    out = tmp_path / "team.md"
    res = subprocess.run([sys.executable, str(root / "bench" / "team.py"), "--coders", "2", "--decisions", "20",
                          "--journal", "10", "--stores", "sqlite", "--out", str(out)],
                         capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    text = out.read_text(encoding="utf-8")
    assert "| sqlite | 40 |" in text and "| ok |" in text
    rows = [line for line in text.splitlines() if line.startswith("| wal")]
    assert len(rows) == 3 and "| 10/10 |" in rows[1]  # wal+passive: the main file alone holds every decision
