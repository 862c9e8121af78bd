"""The documentation: the README is a short front door whose links work, and the MkDocs site builds
strictly (a broken link, a page missing from the navigation or a bad API reference fails)."""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"


def test_readme_is_a_front_door():
    text = README.read_text(encoding="utf-8")
    lines = text.splitlines()
    assert len(lines) <= 250, f"README.md has {len(lines)} lines; move reference material to docs/"
    first_screen = "\n".join(lines[:40])
    assert "suggests, you decide" in first_screen
    for command in ("make demo", "make test", "pip install torch==2.13.0", 'pip install -e ".[all]"'):
        assert command in text


def test_readme_links_point_at_files_that_exist():
    text = README.read_text(encoding="utf-8")
    targets = re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", text)
    local = [t for t in targets if not re.match(r"[a-z]+://", t)]
    assert local, "the README links into the guide"
    missing = [t for t in local if not (ROOT / t).exists()]
    assert not missing, f"README links to missing files: {missing}"


def test_docs_site_builds_strictly(tmp_path):
    mkdocs = shutil.which("mkdocs", path=str(Path(sys.executable).parent)) or shutil.which("mkdocs")
    if mkdocs is None:
        pytest.skip("mkdocs is not installed (pip install -e '.[docs]')")
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([mkdocs, "build", "--strict", "--site-dir", str(tmp_path / "site")], cwd=ROOT,
                          capture_output=True, text=True, timeout=300, env=env)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "WARNING" not in proc.stderr, proc.stderr[-3000:]
    api = (tmp_path / "site" / "reference" / "api.html").read_text(encoding="utf-8")
    for name in ("read_transcripts", "Project", "code_case_matrix", "to_qdpx"):
        assert name in api
    errors = (tmp_path / "site" / "reference" / "errors.html").read_text(encoding="utf-8")
    assert "E104" in errors
