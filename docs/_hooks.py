"""MkDocs hooks: pages generated from the code, so the site never drifts from it.

- ``reference/api.md``: ``<!-- api -->`` becomes one mkdocstrings block per public name of
  ``import mcqual as mq`` (read from ``mcqual._LAZY``), grouped by the module that defines it.
- ``reference/errors.md``: ``<!-- errors -->`` becomes the error catalogue
  (``mcqual.errors.catalog_markdown``).
"""
from __future__ import annotations

import ast
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: section title per top-level module group, in the order of the layers
GROUPS = [
    ("Model and corpus", ("model", "corpus")),
    ("Reading", ("io",)),
    ("Codebook and interview guide", ("codebook", "guide", "align")),
    ("Segments and suggestions", ("segment", "suggest", "evaluation")),
    ("The coding project", ("project",)),
    ("Analysis", ("analysis",)),
    ("Exchange, export and privacy", ("exchange", "export", "privacy")),
    ("Errors", ("errors",)),
]


def _lazy_names() -> dict[str, str]:
    """``mcqual._LAZY`` read statically (no import of the package)."""
    tree = ast.parse((ROOT / "mcqual" / "__init__.py").read_text(encoding="utf-8"))
    for node in tree.body:
        target = getattr(node, "target", None) or (node.targets[0] if isinstance(node, ast.Assign) else None)
        if getattr(target, "id", None) == "_LAZY":
            return ast.literal_eval(node.value)
    raise RuntimeError("mcqual/__init__.py has no _LAZY table")


def api_markdown() -> str:
    names = _lazy_names()
    out = []
    for title, prefixes in GROUPS:
        members = [(n, m) for n, m in names.items() if m.split(".")[0] in prefixes]
        if not members:
            continue
        out.append(f"## {title}\n")
        for name, module in members:
            out.append(f"::: mcqual.{module}.{name}\n")
    missing = [n for n, m in names.items() if not any(m.split(".")[0] in p for _, p in GROUPS)]
    if missing:
        raise RuntimeError(f"public names without an API section: {missing}")
    return "\n".join(out)


def errors_markdown() -> str:
    sys.path.insert(0, str(ROOT))
    try:
        from mcqual.errors import catalog_markdown
    finally:
        sys.path.pop(0)
    return catalog_markdown()


def on_page_markdown(markdown: str, page, config, files) -> str:  # noqa: ARG001 - MkDocs hook signature
    if "<!-- api -->" in markdown:
        markdown = markdown.replace("<!-- api -->", api_markdown())
    if "<!-- errors -->" in markdown:
        markdown = markdown.replace("<!-- errors -->", errors_markdown())
    return markdown
