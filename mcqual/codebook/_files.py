"""Atomic file writes shared by the codebook writers (temp file in the same folder + ``os.replace``)."""
from __future__ import annotations

from pathlib import Path

from .._atomic import atomic_write

__all__ = ["atomic_write", "atomic_write_text"]


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8, ``\\n`` newlines) to ``path`` atomically."""
    def _write(tmp: str) -> None:
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)

    return atomic_write(path, _write)
