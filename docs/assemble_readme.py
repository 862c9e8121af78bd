"""Assemble README.md from docs/readme_head.md, docs/sections/*.md and the error catalog.

Run: .venv/bin/python docs/assemble_readme.py
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ORDER = ["reading", "survey", "codebook", "guide", "sample_study", "suggesting", "project", "analysis", "exchange", "cli", "notebooks",
         "performance"]


def _slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    keep = "".join(ch for ch in heading.lower() if ch.isalnum() or ch in " -_")
    return keep.replace(" ", "-")


def _with_contents(text: str) -> str:
    """Insert a list of the ``## `` sections before the first one."""
    lines = text.split("\n")
    heads, fence = [], False
    for line in lines:
        if line.startswith("```"):
            fence = not fence
        elif not fence and line.startswith("## "):
            heads.append(line[3:].strip())
    toc = "**Contents:** " + " · ".join(f"[{h.split(':')[0]}](#{_slug(h)})" for h in heads)
    first = text.index("\n## ")
    return text[:first].rstrip("\n") + "\n\n" + toc + "\n" + text[first:]


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
    text = "\n\n".join(parts) + "\n"
    (ROOT / "README.md").write_text(_with_contents(text), encoding="utf-8")
    print("README.md written")


if __name__ == "__main__":
    main()
