"""Excel export: one formatted sheet per table, codings with quotes, codebook colours."""
from __future__ import annotations

import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from mcqual.codebook.model import Code, Codebook
from mcqual.corpus import Corpus
from mcqual.errors import ExchangeError, MissingDependencyError
from mcqual.export._format import mix, sheet_name
from mcqual.export.excel import to_excel, wrapped_lines
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
    assert wb.sheetnames == ["codes x groups", "summary", "codings", "codings (ids)", "codebook"]
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
    wb = openpyxl.load_workbook(buf)
    ws = wb["codings"]
    head = [c.value for c in ws[1]]
    assert head == ["row", "case", "code", "coder", "quote"]  # words for the reader ...
    rows = [[c.value for c in r] for r in ws.iter_rows(min_row=2)]
    text = _corpus()["int-07"].text
    assert rows[0][1] == "int-07" and rows[0][2] == "Quality assurance" and rows[0][4] == text[6:24]
    assert rows[1][4] == text[25:40]
    assert ws["C2"].fill.fgColor.rgb.endswith(mix(_codebook().color("trust.qa"), 0.35))
    ids = wb["codings (ids)"]  # ... and the technical columns on their own sheet, joined by row
    assert [c.value for c in ids[1]] == ["row", "transcript_id", "start", "end", "code"]
    assert [c.value for c in ids[2]] == [1, "int-07", 6, 24, "trust.qa"]


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


def test_text_is_never_a_formula():
    """Issue #20: a survey answer '=) love it' showed as Err:508; data must never become a formula."""
    df = pd.DataFrame({"answer": ["=) love it", "=SUM(1,2)", "plain"], "n": [1, 2, 3]})
    buf = io.BytesIO()
    to_excel(buf, {"=answers": df})
    ws = openpyxl.load_workbook(buf)["=answers"]
    assert ws["A1"].value == "answer"
    assert ws["A2"].data_type == "s" and ws["A2"].value == "=) love it"
    assert ws["A3"].data_type == "s" and ws["A3"].value == "=SUM(1,2)"
    assert ws["B2"].data_type == "n"
    with zipfile.ZipFile(buf) as z:  # no <f> element anywhere in the sheet XML
        assert all("<f>" not in z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))


def test_wrapped_rows_get_heights_and_headers_stay_one_line():
    df = pd.DataFrame({"case": ["a", "b"], "quote": ["word " * 60, "short"]})
    buf = io.BytesIO()
    to_excel(buf, {"q": df})
    ws = openpyxl.load_workbook(buf)["q"]
    width = ws.column_dimensions["B"].width
    assert ws["B2"].alignment.wrap_text
    assert ws.row_dimensions[2].height == wrapped_lines("word " * 60, width) * 15 >= 75
    assert ws.row_dimensions[3].height is None  # one line: Excel's default
    huge = pd.DataFrame({"quote": ["x " * 20000]})
    buf = io.BytesIO()
    to_excel(buf, {"q": huge})
    assert openpyxl.load_workbook(buf)["q"].row_dimensions[2].height == 409  # Excel's limit


def test_provenance_line_above_every_table_and_percent_matrices():
    from mcqual.analysis._frame import Matrix

    m = Matrix.build(pd.DataFrame({"employer": [50.0, 100.0]}, index=pd.Index(["trust", "cost"], name="code")),
                     kind="code x group", value="case_pct")
    buf = io.BytesIO()
    to_excel(buf, {"by group": m}, provenance="Unreviewed machine suggestions — not findings")
    ws = openpyxl.load_workbook(buf)["by group"]
    assert ws["A1"].value.startswith("Unreviewed") and ws["A2"].value == "code"
    assert ws.freeze_panes == "B3" and ws.auto_filter.ref == "A2:B4"
    assert ws["B3"].value == 0.5 and ws["B3"].number_format == "0%"
    assert "not findings" in ws.oddHeader.center.text


def test_sheet_names_xml_cannot_hold_are_cleaned_with_a_warning():
    buf = io.BytesIO()
    with pytest.warns(UserWarning, match="cannot hold"):
        to_excel(buf, {"bad\x01name": _matrix()})
    assert openpyxl.load_workbook(buf).sheetnames == ["badname"]


def test_csv_neutralises_formulas_unless_told_not_to(tmp_path):
    df = pd.DataFrame({"answer": ["=) love it", "+49 30", "-", "@home", "\tx", "fine"], "n": [-1, 2, 3, 4, 5, 6]})
    back = pd.read_csv(to_csv(df, tmp_path / "a.csv"), encoding="utf-8-sig", keep_default_na=False)
    assert back["answer"].tolist() == ["'=) love it", "'+49 30", "'-", "'@home", "'\tx", "fine"]
    assert back["n"].tolist() == [-1, 2, 3, 4, 5, 6]  # numbers are not text
    raw = pd.read_csv(to_csv(df, tmp_path / "b.csv", safe=False), encoding="utf-8-sig", keep_default_na=False)
    assert raw["answer"].tolist()[0] == "=) love it"


def test_tables_in_words_labels_n_and_percent():
    """Issue #18 item 4: code labels in rows and headers (ids last), (n=…) headers, one % format per column."""
    import mcqual as mq

    cb = _codebook()
    attrs = pd.DataFrame({"respondent_group": ["learner", "learner", "employer"]}, index=["a_tr", "b_tr", "c_tr"])
    cod = pd.DataFrame({"transcript_id": ["a_tr", "c_tr", "c_tr"], "start": [0, 0, 5], "end": [4, 4, 9],
                        "code": ["trust.qa", "trust.qa", "recognition"], "coder": "AB"})
    tables = {"by group": mq.code_group_matrix(cod, value="case_pct", attributes=attrs, codebook=cb),
              "summary": mq.code_summary(cod, codebook=cb, attributes=attrs),
              "by case": mq.code_case_matrix(cod, attributes=attrs, codebook=cb)}
    buf = io.BytesIO()
    to_excel(buf, tables, codebook=cb, words=True, labels={"a_tr": "A", "b_tr": "B", "c_tr": "C"})
    wb = openpyxl.load_workbook(buf)
    ws = wb["by group"]
    head = [c.value for c in ws[1]]
    assert head == ["Code", "employer (n=1)", "learner (n=2)", "code id"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    assert rows["Quality assurance"][2].value == 0.5 and rows["Quality assurance"][2].number_format == "0%"
    assert rows["Quality assurance"][3].value == "trust.qa"
    summ = wb["summary"]
    head = [c.value for c in summ[1]]
    assert "label" not in head and "% of cases" in head and head[-1] == "code id"
    col = head.index("% of cases")
    assert {r[col].number_format for r in summ.iter_rows(min_row=2)} == {"0%"}
    assert [c.value for c in wb["by case"][1]][1:4] == ["A", "B", "C"]


def test_sheets_print_on_a4_fitted_to_the_width():
    narrow = pd.DataFrame({"a": [1]}, index=pd.Index(["x"], name="code"))
    wide = pd.DataFrame({f"case {i}": ["text " * 20] for i in range(4)})
    buf = io.BytesIO()
    to_excel(buf, {"narrow": narrow, "wide": wide})
    wb = openpyxl.load_workbook(buf)
    n, w = wb["narrow"], wb["wide"]
    assert int(n.page_setup.paperSize) == 9 and n.page_setup.orientation == "portrait"  # 9: A4
    assert w.page_setup.orientation == "landscape"
    assert w.sheet_properties.pageSetUpPr.fitToPage and w.page_setup.fitToWidth == 1
    assert n.print_title_rows == "$1:$1"  # the header row repeats on every printed page
