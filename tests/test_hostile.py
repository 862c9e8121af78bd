"""The hostile-input corpus (tests/hostile.py): every case handled within its limits (5 s and 500 MB unless the
case says otherwise), the batch continues."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import hostile  # noqa: E402

pytestmark = pytest.mark.skipif(not hasattr(__import__("os"), "fork"), reason="needs POSIX fork and rlimits")


@pytest.fixture(scope="module")
def corpus_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile")
    hostile.write_all(out)
    return out


@pytest.fixture(scope="module")
def results(corpus_dir):
    """Each case read in a forked child under RLIMIT_AS=500 MiB and a 5 s kill timer (in a fresh interpreter)."""
    proc = subprocess.run([sys.executable, str(HERE / "hostile.py"), "--check", str(corpus_dir)],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return {r["name"]: r for r in map(json.loads, proc.stdout.splitlines())}


def test_every_case_was_run(results):
    assert set(results) == {c.name for c in hostile.CASES}
    assert len(results) >= 45


@pytest.mark.parametrize("case", hostile.CASES, ids=lambda c: c.name)
def test_case_answer_time_and_memory(results, case):
    r = results[case.name]
    assert r["got"] == case.expected, f"{case.name}: expected {case.expected}, got {r['got']}: {r['message']}"
    assert r["seconds"] <= case.max_seconds, r
    assert r["max_rss_mb"] is not None and r["max_rss_mb"] <= case.max_mb, r
    if case.expected != "ok":
        assert r["message"].startswith(f"[{case.expected}]")
        assert case.filename in r["message"], "the error must name the file"
        assert " — " in r["message"], "the error must say what to do"


def test_no_entity_is_ever_resolved(results):
    for r in results.values():
        blob = r.get("message", "") + r.get("metadata", "")
        assert "root:" not in blob and "lollol" not in blob


def test_xxe_in_optional_part_is_skipped_not_resolved(results):
    r = results["xxe_in_core_props"]
    assert r["got"] == "ok" and "title" not in r["metadata"]


def test_issue_20_cases_read_right(results):
    assert results["nul_in_ascii_txt"]["size"] == len("hello there\n\nfine")
    assert "\ufffdAna" in results["qdpx_surrogate_export"]["speakers"]
    assert "U+FFFD" in results["qdpx_surrogate_export"]["warnings"]  # and it says so
    assert "E213" in results["qdc_doctype_utf16"]["message"]
    assert "10,000,000" in results["text_node_10m"]["message"]
    assert "would inflate to" in results["qdpx_bomb"]["message"]
    assert "would inflate to" in results["xlsx_bomb_survey"]["message"]


def test_large_valid_files_are_read_whole(results):
    assert results["many_paragraphs"]["turns"] == 10_000
    assert results["huge_paragraph"]["size"] > 5_000_000
    assert results["huge_line_txt"]["size"] > 7_900_000


def test_batch_continues_past_every_bad_file(corpus_dir):
    import mcqual as mq

    corpus = mq.read_transcripts(corpus_dir, attributes=False)
    transcript_cases = {c.filename: c for c in hostile.CASES if c.reader == "transcript"}
    ok = {Path(c.filename).stem for c in transcript_cases.values() if c.expected == "ok"}
    assert set(corpus.ids) == ok
    failed = {Path(f.path).name: f.error.code for f in corpus.errors}
    for name, case in transcript_cases.items():
        if case.expected != "ok":
            assert failed[name] == case.expected, name


def test_generator_command_line(tmp_path):
    cases = [c for c in hostile.CASES if c.name in ("good_docx", "xxe_file", "zero_bytes_txt")]
    hostile.write_all(tmp_path, cases)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["good.docx", "xxe.docx", "zero.txt"]
    assert hostile.main([]) == 2


def test_every_error_code_raised_is_in_the_catalog():
    import re

    from mcqual.errors import CATALOG, catalog_markdown

    pkg = HERE.parent / "mcqual"
    used = {m.group(1) for p in pkg.rglob("*.py") if p.name != "errors.py"
            for m in re.finditer(r'"(E\d{3})"', p.read_text(encoding="utf-8"))}
    assert used and used <= set(CATALOG), sorted(used - set(CATALOG))
    table = catalog_markdown()
    for code, (title, todo) in CATALOG.items():
        assert f"| {code} |" in table and todo, code
