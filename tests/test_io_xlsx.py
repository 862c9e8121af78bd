"""mcqual.io.xlsx: sheets read within limits (part sizes before inflating, cells, cell size, time)."""
from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd
import pytest

import mcqual as mq
from mcqual.errors import CodebookError, TranscriptError
from mcqual.io import xlsx as X

sys.path.insert(0, str(Path(__file__).resolve().parent))
import hostile  # noqa: E402


def test_rows_are_trimmed_and_padded(tmp_path):
    f = tmp_path / "s.xlsx"
    hostile.xlsx(f, '<row r="1">' + hostile._cell("A1", "id") + hostile._cell("C1", "Q1") + "</row>"
                 '<row r="2">' + hostile._cell("A2", "R1") + "</row><row r=\"3\"></row><row r=\"4\"></row>")
    assert X.read_rows(f) == [["id", None, "Q1"], ["R1", None, None]]


def test_a_lying_dimension_does_not_pad_rows(tmp_path):
    f = tmp_path / "dim.xlsx"
    pd.DataFrame({"case": ["a", "b"], "age": [31, 45]}).to_excel(f, index=False)
    import zipfile

    with zipfile.ZipFile(f) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = next(n for n in parts if n.startswith("xl/worksheets/sheet"))
    parts[sheet] = parts[sheet].replace(b'<dimension ref="A1:B3"/>', b'<dimension ref="A1:XFD1048576"/>')
    hostile._zip(f, parts)
    assert X.read_rows(f) == [["case", "age"], ["a", 31], ["b", 45]]
    assert mq.read_attributes(f)["age"].tolist() == [31, 45]


def test_cell_count_cell_size_and_time_budgets(tmp_path):
    far = tmp_path / "far.xlsx"
    hostile.xlsx(far, hostile._survey_rows(400, far=True))
    with pytest.raises(TranscriptError) as err:
        X.read_rows(far)
    assert err.value.code == "E118" and "16,384 columns" in str(err.value)
    assert len(X.read_rows(far, max_cells=10_000_000)) == 401
    big = tmp_path / "cell.xlsx"
    hostile.xlsx(big, '<row r="1">' + hostile._cell("A1", "x" * (X.MAX_CELL_CHARS + 1)) + "</row>")
    with pytest.raises(TranscriptError, match="E118.*characters"):
        X.read_rows(big)
    with pytest.raises(TranscriptError, match="E118.*took more than"):
        X.read_rows(far, max_cells=10**9, max_seconds=0.0)


def test_bomb_refused_before_inflating_in_every_reader(tmp_path):
    f = tmp_path / "bomb.xlsx"
    hostile.xlsx_bomb_cell(f, mib=80)
    for read in (mq.read_survey, mq.read_attributes):
        with pytest.raises(TranscriptError) as err:
            read(f)
        assert err.value.code == "E118" and "would inflate" in str(err.value)
    with pytest.raises(CodebookError) as err:
        mq.load_codebook(f)
    assert "E214" in str(err.value)


def test_a_normal_survey_sheet_of_many_rows_reads(tmp_path):
    f = tmp_path / "survey.xlsx"
    hostile.xlsx(f, hostile._survey_rows(3_000))
    s = mq.read_survey(f, text_columns=["Q1"], id_column="respondent_id")
    assert len(s) == 3_000 and s[0].turns[0].text.startswith("The ECTS credits")
