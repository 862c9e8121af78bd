"""Excel export: one formatted sheet per table, codings with quotes, codebook colours."""
from __future__ import annotations

import io

import openpyxl
import pandas as pd
import pytest

from mcqual.codebook.model import Code, Codebook
from mcqual.corpus import Corpus
from mcqual.errors import ExchangeError, MissingDependencyError
from mcqual.export._format import mix, sheet_name
from mcqual.export.excel import to_excel
from mcqual.export.tables import to_csv, to_parquet
from mcqual.model import Transcript


def _codebook() -> Codebook:
    return Codebook([Code("trust", "Trust", codable=False, color="#1f77b4"),
                     Code("trust.qa", "Quality assurance", parent="trust"),
                     Code("recognition", "Recognition", color="#d62728")], name="mc", version="2")


def _matrix() -> pd.DataFrame:
    return pd.DataFrame({"employer": [3, 0, 5], "learner": [1, 2, 0]},
                        index=pd.Index(["trust.qa", "recognition", "trust"], name="code"))


def _corpus() -> Corpus:
    return Corpus([Transcript.from_turns("int-07", [("I", "Why?"), ("R", "Only if accredited, and recognised.")])])


def _codings() -> pd.DataFrame:
    return pd.DataFrame({"transcript_id": ["int-07", "int-07"], "start": [6, 25], "end": [24, 40],
                         "code": ["trust.qa", "recognition"], "coder": ["AB", "CD"]})


def test_sheets_hold_the_same_numbers_and_are_formatted(tmp_path):
    shares = pd.DataFrame({"code": ["trust.qa", "recognition"], "share_employer": [0.5, 0.125],
                           "mean_words": [12.25, 8.0], "n": [4, 2]})
    path = to_excel(tmp_path / "out.xlsx", {"codes x groups": _matrix(), "summary": shares},
                    codebook=_codebook(), codings=_codings(), corpus=_corpus())
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["codes x groups", "summary", "codings", "codebook"]
    ws = wb["codes x groups"]
    got = pd.DataFrame([[c.value for c in r] for r in ws.iter_rows(min_row=2)],
                       columns=[c.value for c in ws[1]]).set_index("code")
    pd.testing.assert_frame_equal(got, _matrix(), check_dtype=False)
    assert ws.freeze_panes == "B2" and ws["A1"].font.bold
    assert ws["B2"].number_format == "#,##0"
    rules = [r for rng in ws.conditional_formatting for r in rng.rules]
    assert rules and rules[0].type == "colorScale"
    assert str(list(ws.conditional_formatting)[0].sqref) == "B2:C4"
    assert ws["A2"].fill.fgColor.rgb.endswith(mix(_codebook().color("trust.qa"), 0.35))
    assert ws.column_dimensions["A"].width >= len("recognition")
    summ = wb["summary"]
    assert summ.freeze_panes == "A2"
    assert summ["B2"].number_format == "0.0%" and summ["B3"].value == 0.125
    assert summ["C2"].number_format == "0.00"
    assert [r[0].value for r in summ.iter_rows(min_row=2)] == ["trust.qa", "recognition"]


def test_codings_sheet_quotes_from_corpus_and_labels():
    buf = io.BytesIO()
    to_excel(buf, codebook=_codebook(), codings=_codings(), corpus=_corpus())
    ws = openpyxl.load_workbook(buf)["codings"]
    head = [c.value for c in ws[1]]
    assert head == ["transcript_id", "start", "end", "code", "label", "coder", "snippet"]
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    text = _corpus()["int-07"].text
    assert rows[0][4] == "Quality assurance" and rows[0][6] == text[6:24]
    assert rows[1][6] == text[25:40]


def test_codebook_sheet_has_colour_swatches():
    buf = io.BytesIO()
    to_excel(buf, codebook=_codebook())
    ws = openpyxl.load_workbook(buf)["codebook"]
    head = [c.value for c in ws[1]]
    col = head.index("color") + 1
    assert ws.cell(row=2, column=col).value == "#1f77b4"
    assert ws.cell(row=2, column=col).fill.fgColor.rgb.endswith("1F77B4")
    assert [ws.cell(row=i, column=1).value for i in (2, 3, 4)] == ["trust", "trust.qa", "recognition"]


def test_sheet_names_are_safe_and_unique():
    used: set[str] = set()
    names = [sheet_name("a/b:c", used), sheet_name("A/B:C", used), sheet_name("x" * 40, used)]
    assert names[0] == "a_b_c" and names[1] == "A_B_C (2)" and len(names[2]) == 31


def test_errors():
    with pytest.raises(ExchangeError):
        to_excel(io.BytesIO())
    with pytest.raises(ExchangeError) as err:
        to_excel("/nonexistent-folder/x.xlsx", {"t": _matrix()})
    assert err.value.code == "E600"


def test_atomic_write_leaves_no_temp_file(tmp_path):
    to_excel(tmp_path / "a.xlsx", {"t": _matrix()})
    assert [p.name for p in tmp_path.iterdir()] == ["a.xlsx"]


def test_csv_and_parquet(tmp_path):
    path = to_csv(_matrix(), tmp_path / "m.csv")
    back = pd.read_csv(path, index_col="code", encoding="utf-8-sig")
    pd.testing.assert_frame_equal(back, _matrix(), check_dtype=False)
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    try:
        import pyarrow  # noqa: F401
    except ImportError:
        with pytest.raises(MissingDependencyError) as err:
            to_parquet(_matrix(), tmp_path / "m.parquet")
        assert err.value.code == "E900" and "pyarrow" in str(err.value)
    else:  # pragma: no cover - depends on the environment
        to_parquet(_matrix(), tmp_path / "m.parquet")
        pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "m.parquet"), _matrix())


def test_control_characters_and_huge_cells_do_not_break_the_file():
    df = pd.DataFrame({"snippet": ["soft\x0bbreak", "x" * 40000], "n": [1, 2]})
    buf = io.BytesIO()
    to_excel(buf, {"t": df})
    ws = openpyxl.load_workbook(buf)["t"]
    assert ws["A2"].value == "softbreak" and len(ws["A3"].value) == 32767
