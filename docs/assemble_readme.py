"""Assemble README.md from docs/readme_head.md, docs/sections/*.md and the error catalog.

Run: .venv/bin/python docs/assemble_readme.py
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["reading", "survey", "codebook", "guide", "sample_study", "suggesting", "project", "analysis", "exchange", "cli", "notebooks",
         "performance"]


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from mcqual.errors import catalog_markdown

    parts = [(ROOT / "docs" / "readme_head.md").read_text(encoding="utf-8").rstrip()]
    sections = {p.stem: p for p in (ROOT / "docs" / "sections").glob("*.md")}
    for name in ORDER + sorted(set(sections) - set(ORDER)):
        if name in sections:
            parts.append(sections[name].read_text(encoding="utf-8").strip())
    parts.append("## Errors\n\nEvery error mcqual raises is an `McqualError` subclass whose message starts with "
                 "its code and the file concerned, and ends with what to do.\n\n" + catalog_markdown())
    (ROOT / "README.md").write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    print("README.md written")


if __name__ == "__main__":
    main()
