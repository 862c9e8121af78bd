"""The package's layers read top to bottom: no module imports from a layer above its own.

Every ``import`` and ``from … import`` in every module counts, including the ones
inside functions (imports deferred for speed are still dependencies).
"""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "mcqual"

#: lowest first; a module belongs to the first prefix that matches its dotted name
LAYERS: list[tuple[str, tuple[str, ...]]] = [
    ("core", ("_version", "errors", "_atomic", "_html", "_xml", "_guids", "_progress", "model", "corpus")),
    ("readers and text models", ("codebook", "guide", "io", "text")),
    ("segments", ("segment", "align")),
    ("suggesters", ("suggest",)),
    ("project", ("project",)),
    ("analysis", ("analysis", "evaluation", "privacy")),
    ("export", ("export", "exchange")),
    ("pipeline and CLI", ("pipeline", "cli", "")),
]


def layer_of(module: str) -> int:
    """Index in :data:`LAYERS` of a module named relative to the package (``'suggest.rules'``)."""
    for i, (_, prefixes) in enumerate(LAYERS):
        for p in prefixes:
            if p and (module == p or module.startswith(p + ".")):
                return i
    return len(LAYERS) - 1  # the package face itself


def _imports(path: Path) -> list[tuple[str, int]]:
    package = list(path.relative_to(ROOT.parent).with_suffix("").parts)[:-1]  # what `from .` means here
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            names = [target] if node.module else [f"{target}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        out += [(n, node.lineno) for n in names if n == "mcqual" or n.startswith("mcqual.")]
    return out


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        rel = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        yield (rel[: -len(".__init__")] if rel.endswith(".__init__") else ("" if rel == "__init__" else rel)), path


def test_layer_table_knows_every_top_level_module():
    tops = {m.split(".")[0] for m, _ in _modules()}
    known = {p for _, prefixes in LAYERS for p in prefixes}
    assert tops <= known, f"add these to LAYERS: {sorted(tops - known)}"


@pytest.mark.parametrize("module,path", list(_modules()), ids=lambda v: str(v) if isinstance(v, str) else "")
def test_no_import_from_a_higher_layer(module, path):
    own = layer_of(module)
    bad = []
    for target, line in _imports(path):
        rel = target[len("mcqual."):] if target.startswith("mcqual.") else ""
        if layer_of(rel) > own:
            bad.append(f"{path.name}:{line} imports {target} ({LAYERS[layer_of(rel)][0]}) "
                       f"from layer {LAYERS[own][0]!r}")
    assert not bad, "\n".join(bad)


def test_layer_of_examples():
    assert layer_of("text.nlp") < layer_of("segment") < layer_of("suggest.rules") < layer_of("project.store")
    assert layer_of("") == len(LAYERS) - 1
