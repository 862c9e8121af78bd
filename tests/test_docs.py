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


def _python_blocks(path: Path) -> str:
    return "\n".join(re.findall(r"```python\n(.*?)```", path.read_text(encoding="utf-8"), flags=re.S))


@pytest.mark.slow
@pytest.mark.parametrize("page", ["README.md", "docs/tutorial.md"])
def test_page_examples_run(tmp_path, page):
    """Every python block of the page runs, in order, on the sample study (rules instead of the
    embedding model, to keep the test short; the calls are otherwise as printed)."""
    code = _python_blocks(ROOT / page)
    assert code.strip()
    code = code.replace("mq.Ensemble([mq.RuleSuggester(), mq.EmbeddingSuggester()])", "mq.RuleSuggester()")
    code = code.replace('coders=["AK", "MB"]', 'coders=["coder1", "coder2"]')
    if "gold_codings.csv" not in code:  # two coders to compare: the sample study's gold coders
        code = code.replace("mq.agreement_report(", "project.code_many(__import__('pandas').read_csv("
                                                    "'transcripts/gold_codings.csv'))\nmq.agreement_report(", 1)
    for name in ("transcripts", "codebook"):
        (tmp_path / name).symlink_to(ROOT / name)
    script = tmp_path / "page.py"
    script.write_text(code, encoding="utf-8")
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, str(script)], cwd=tmp_path, capture_output=True, text=True,
                          timeout=600, env=env)
    assert proc.returncode == 0, proc.stderr[-4000:]
