"""The command line: exit codes 0 ok, 1 some files failed, 2 bad arguments."""
from __future__ import annotations

import pandas as pd

from mcqual.cli import main


def test_bad_arguments_exit_2(capsys):
    assert main(["no-such-command"]) == 2
    assert main(["read", "--no-such-option", "x"]) == 2


def test_codebook_check(root, tmp_path, capsys):
    assert main(["codebook", "check", str(root / "codebook" / "microcredentials.yaml")]) == 0
    assert "OK" in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ncodes:\n  - id: a\n    colr: '#ff0000'\n  - id: a\n", encoding="utf-8")
    assert main(["codebook", "check", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "[E202]" in out and "[colr]" in out and "E203" in out


def test_read_reports_failed_files_with_exit_1(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("Interviewer: Do you trust it?\nR1: Yes, mostly.\n", encoding="utf-8")
    (tmp_path / "broken.docx").write_bytes(b"PK\x03\x04 truncated")
    out = tmp_path / "turns.csv"
    assert main(["read", str(tmp_path), "--out", str(out)]) == 1
    text = capsys.readouterr().out
    assert "broken.docx" in text and "1 transcripts" in text
    df = pd.read_csv(out)
    assert list(df["speaker"]) == ["Interviewer", "R1"]


def test_read_ok_exit_0(tmp_path, capsys):
    (tmp_path / "a.txt").write_text("Interviewer: Do you trust it?\nR1: Yes.\n", encoding="utf-8")
    assert main(["read", str(tmp_path)]) == 0
