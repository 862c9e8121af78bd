"""What every bench script does last: write its report atomically (mcqual's one atomic write)."""
from __future__ import annotations

from pathlib import Path

from mcqual._atomic import atomic_write


def write_report(path: str | Path, text: str) -> Path:
    """Write ``text`` to ``path`` (folders created) in one step; returns the path."""
    return atomic_write(Path(path), lambda tmp: Path(tmp).write_text(text, encoding="utf-8"), parents=True)
