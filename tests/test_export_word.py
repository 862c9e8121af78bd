"""Word export: numbered tables in words with one number format per column, inside the page; notes with the
table's own N and what it counts; theme chapters with chosen quotes; title block, paper, template, provenance."""
from __future__ import annotations

import io
import struct
import warnings
import zlib

import docx
import pandas as pd
import pytest
from docx.oxml.ns import qn

from mcqual.analysis._frame import Matrix
from mcqual.codebook.model import Code, Codebook
from mcqual.corpus import Corpus
from mcqual.errors import ExchangeError
from mcqual.export._format import UNREVIEWED, provenance_of, xml_safe
from mcqual.export.report_config import load_report_config
from mcqual.export.word import to_docx
from mcqual.model import Transcript


def _codebook() -> Codebook:
    return Codebook([Code("trust", "Conditions for trust", codable=False, definition="What makes it credible."),
                     Code("trust.qa", "Quality assurance", parent="trust"),
                     Code("recognition", "Recognition", definition="Recognition and stacking.")],
                    name="mc", version="3")


def _tables() -> dict[str, pd.DataFrame]:
    counts = pd.DataFrame({"employer": [3, 0, 5], "learner": [1, 2, 0]},
                          index=pd.Index(["trust.qa", "recognition", "trust"], name="code"))
    shares = pd.DataFrame({"employer": [0.5, 0.125], "learner": [1.0, 0.0]}, index=pd.Index(["DE", "FR"]))
    framework = pd.DataFrame({"trust": ["“Only if accredited.” (int-07)\n\n“The EQF level.” (int-07)"],
                              "recognition": [""]}, index=pd.Index(["int-07"], name="case"))
    return {"Codes by respondent group": counts, "Share of cases": shares, "Framework matrix": framework}


def _codings() -> pd.DataFrame:
    return pd.DataFrame({"transcript_id": ["int-07", "int-08", "int-08"], "start": [0, 0, 5], "end": [4, 4, 9],
                         "code": ["trust.qa", "trust.qa", "recognition"], "coder": ["AB", "CD", "AB"]})


def _quotes() -> pd.DataFrame:
    return pd.DataFrame({
        "code": ["trust.qa", "trust.qa", "recognition", "trust.qa", "trust.qa", "trust.qa", "trust.qa"],
        "rank": [2, 1, 1, 3, 4, 5, 6],
        "text": ["The EQF   level matters.", "Only if accredited.", "Not yet stackable.", "Third.", "Fourth.",
                 "Only if accredited.", "[redacted]"],
        "transcript_id": ["int-07", "int-07", "int-08", "int-09", "int-09", "int-10", "int-11"],
        "timestamp": [872.0, 60.0, None, 5.0, 6.0, 60.0, 1.0],
        "respondent_group": ["employer", "employer", "learner", None, None, "employer", "learner"],
    })


def _png(path) -> None:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _build(tmp_path, **kw):
    fig = tmp_path / "heatmap.png"
    _png(fig)
    attrs = pd.DataFrame({"respondent_group": ["provider"], "country": ["PL"]}, index=["int-09"])
    args = dict(codebook=_codebook(), quotes=_quotes(), figures=[(fig, "Codes by group (heat map)")],
                codings=_codings(), title="Findings", attribution=("respondent_group", "country"), attributes=attrs,
                date="2026-11-28")
    args.update(kw)
    return to_docx(tmp_path / "report.docx", _tables(), **args)


def _usable_twips(section) -> int:
    return (int(section.page_width) - int(section.left_margin) - int(section.right_margin)) // 635


def test_tables_hold_the_same_numbers_in_words(tmp_path):
    d = docx.Document(_build(tmp_path))
    assert len(d.tables) == 3
    counts = _tables()["Codes by respondent group"]
    rows = [[c.text for c in r.cells] for r in d.tables[0].rows]
    assert rows[0] == ["Code", "Employer", "Learner"]
    labels = {"trust.qa": "Quality assurance", "recognition": "Recognition", "trust": "Conditions for trust"}
    assert [r[0] for r in rows[1:]] == [labels[c] for c in counts.index]
    assert [[int(x) for x in r[1:]] for r in rows[1:]] == counts.to_numpy().tolist()
    shares = [[c.text for c in r.cells] for r in d.tables[1].rows]
    assert shares[1][1:] == ["0.50", "1.00"] and shares[2][1:] == ["0.12", "0.00"]  # one format per column
    assert [c.text for c in d.tables[2].rows[0].cells] == ["Case", "Conditions for trust", "Recognition"]
    cell = d.tables[2].rows[1].cells[1]
    assert [p.text for p in cell.paragraphs] == ["“Only if accredited.” (int-07)", "“The EQF level.” (int-07)"]


def test_percentages_are_real_percentages_and_group_headers_carry_n():
    m = Matrix.build(pd.DataFrame({"employer": [50.0, 25.0], "learner": [100.0, 0.0]},
                                  index=pd.Index(["trust", "cost"], name="code")),
                     kind="code x group", value="case_pct", n=pd.Series({"employer": 4, "learner": 2}))
    buf = io.BytesIO()
    to_docx(buf, {"Share": m})
    d = docx.Document(buf)
    rows = [[c.text for c in r.cells] for r in d.tables[0].rows]
    assert rows[0] == ["Code", "Employer (n=4)", "Learner (n=2)"]
    assert rows[1][1:] == ["50\xa0%", "100\xa0%"] and rows[2][1:] == ["25\xa0%", "0\xa0%"]
    note = [p.text for p in d.paragraphs if p.text.startswith("Note.")][0]
    assert note.startswith("Note. N = 6 cases (employer 4, learner 2).")  # the N of this table


def test_wide_case_matrix_flips_to_cases_as_rows_grouped_by_respondent_group():
    cases = [f"int-{i:02d}" for i in range(1, 13)]
    m = Matrix.build(pd.DataFrame([[i % 3 for i in range(12)], [1] * 12], index=pd.Index(["trust", "cost"]),
                                  columns=pd.Index(cases, name="case")), kind="code x case", value="count")
    attrs = pd.DataFrame({"respondent_group": ["learner", "employer"] * 6,
                          "label": [f"P{i}" for i in range(1, 13)]}, index=cases)
    buf = io.BytesIO()
    to_docx(buf, {"code x case": m}, attributes=attrs, codebook=Codebook([Code("trust", "Trust"),
                                                                           Code("cost", "Cost")]))
    d = docx.Document(buf)
    rows = [[c.text for c in r.cells] for r in d.tables[0].rows]
    assert rows[0] == ["Case", "Respondent group", "Trust", "Cost"]
    assert len(rows) == 13
    assert [r[1] for r in rows[1:]] == ["employer"] * 6 + ["learner"] * 6
    assert rows[1][0] == "P2"  # short case labels, not ids
    assert [p.text for p in d.paragraphs if p.style.name == "Caption"][0] == "Table 1. Codes by case"
    assert "N = 12 cases" in [p.text for p in d.paragraphs if p.text.startswith("Note.")][0]


def test_every_table_fits_the_page_with_fixed_widths_and_unbreakable_numbers(tmp_path):
    wide = pd.DataFrame({f"a_rather_long_column_name_{i}": [123456 + k for k in range(14)] for i in range(14)},
                        index=pd.Index([f"code_{k}" for k in range(14)], name="code"))  # square: no flip
    buf = io.BytesIO()
    to_docx(buf, {**_tables(), "wide": wide}, codebook=_codebook())
    d = docx.Document(buf)
    body = d.element.body
    sections = list(d.sections)
    k = 0
    for child in body.iterchildren():  # each table against the section it sits in
        if child.tag == qn("w:tbl"):
            tbl_w = int(child.tblPr.find(qn("w:tblW")).get(qn("w:w")))
            assert child.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
            assert tbl_w <= _usable_twips(sections[k]) + 5
            assert sum(int(g.get(qn("w:w"))) for g in child.findall(qn("w:tblGrid") + "/" + qn("w:gridCol"))) \
                == tbl_w
        p_pr = child.find(qn("w:pPr"))
        if p_pr is not None and p_pr.find(qn("w:sectPr")) is not None:
            k += 1
    last = d.tables[-1]
    assert sections[-1].page_width > sections[-1].page_height  # the wide table got a landscape section
    num_cell = last.rows[1].cells[1]._tc
    assert num_cell.tcPr.find(qn("w:noWrap")) is not None
    assert last.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert last.rows[1]._tr.trPr.find(qn("w:cantSplit")) is not None
    assert all("_" not in c.text for c in last.rows[0].cells)  # human column names


def test_sections_only_where_orientation_changes_and_never_empty():
    narrow = pd.DataFrame({"n": [1]}, index=pd.Index(["trust"], name="code"))
    wide = pd.DataFrame({f"group {i}": [1000] * 16 for i in range(16)}, index=pd.Index([f"c{k}" for k in range(16)]))
    buf = io.BytesIO()
    to_docx(buf, {"a": wide, "b": wide, "c": narrow, "d": wide})
    d = docx.Document(buf)
    orient = [s.page_width > s.page_height for s in d.sections]
    assert orient == [False, True]  # the title page, then one landscape run (no flip back for the small table)
    buf = io.BytesIO()
    to_docx(buf, {"a": wide})  # landscape from the title on? no: the title page stays portrait, table follows
    d = docx.Document(buf)
    assert len(d.sections) == 2
    body = list(d.element.body.iterchildren())
    assert sum(1 for c in body if c.find(qn("w:pPr") + "/" + qn("w:sectPr")) is not None) == 1
    assert "w:br" not in d.element.xml.replace("<w:br/>", "")  # no page breaks, only the line breaks in cells


def test_title_block_paper_and_default_title():
    buf = io.BytesIO()
    to_docx(buf, {"t": pd.DataFrame({"a": [1]})}, title="Micro-credentials", subtitle="Wave 1", author="Team",
            paper="letter", date="2026-01-02")
    d = docx.Document(buf)
    assert [(p.style.name, p.text) for p in d.paragraphs[:3]] == [
        ("Title", "Micro-credentials"), ("Subtitle", "Wave 1"), ("Normal", "Team · 2026-01-02")]
    assert round(d.sections[0].page_width.inches, 2) == 8.5 and d.core_properties.author == "Team"
    buf = io.BytesIO()
    to_docx(buf, {"t": pd.DataFrame({"a": [1]})}, codebook=_codebook())
    d = docx.Document(buf)
    assert d.paragraphs[0].text == "mc" and round(d.sections[0].page_height.cm, 1) == 29.7
    buf = io.BytesIO()
    to_docx(buf, {"t": pd.DataFrame({"a": [1]})})
    assert docx.Document(buf).paragraphs[0].text == "Theme tables"
    with pytest.raises(ExchangeError, match="E623"):
        to_docx(io.BytesIO(), {"t": pd.DataFrame({"a": [1]})}, paper="A5")


def test_only_builtin_styles_and_a_house_template_restyles(tmp_path):
    house = docx.Document()
    house.styles["Title"].font.size = docx.shared.Pt(33)
    house.add_paragraph("Template body text that must not survive.")
    house.sections[0].header.paragraphs[0].text = "HOUSE HEADER"
    house.save(tmp_path / "house.docx")
    out = _build(tmp_path, template=tmp_path / "house.docx")
    d = docx.Document(out)
    assert d.styles["Title"].font.size == docx.shared.Pt(33)
    text = "\n".join(p.text for p in d.paragraphs)
    assert "must not survive" not in text and "HOUSE HEADER" in d.sections[0].header.paragraphs[0].text
    builtin = {"Title", "Subtitle", "Heading 1", "Heading 2", "Caption", "Quote", "Intense Quote", "List Bullet",
               "Normal"}
    assert {p.style.name for p in d.paragraphs} <= builtin
    with pytest.raises(ExchangeError, match="E622"):
        _build(tmp_path, template=tmp_path / "heatmap.png")


def test_report_yaml_beside_the_codebook(tmp_path):
    (tmp_path / "house.docx").write_bytes(b"")
    docx.Document().save(tmp_path / "house.docx")
    (tmp_path / "report.yaml").write_text("title: From YAML\npaper: letter\ntemplate: house.docx\n"
                                          "quotes_per_theme: 1\nattribution: respondent_group\n", encoding="utf-8")
    cfg = load_report_config(tmp_path / "codebook.yaml")
    assert cfg["title"] == "From YAML" and cfg["template"] == str(tmp_path / "house.docx")
    assert cfg["attribution"] == ["respondent_group"]
    buf = io.BytesIO()
    to_docx(buf, {"t": pd.DataFrame({"a": [1]})}, config=cfg, title="Flag wins")
    d = docx.Document(buf)
    assert d.paragraphs[0].text == "Flag wins" and round(d.sections[0].page_width.inches, 2) == 8.5
    (tmp_path / "report.yaml").write_text("titel: typo\n", encoding="utf-8")
    with pytest.raises(ExchangeError, match="E621"):
        load_report_config(tmp_path)
    assert load_report_config(tmp_path / "elsewhere" / "codebook.yaml") == {}


def test_captions_are_numbered_seq_fields_with_notes_that_say_what_they_count(tmp_path):
    d = docx.Document(_build(tmp_path))
    xml = d.element.xml
    assert xml.count("SEQ Table") == 3 and xml.count("SEQ Figure") == 1
    captions = [p.text for p in d.paragraphs if p.style.name == "Caption" and p.text.startswith(("Table", "Fig"))]
    assert captions == ["Table 1. Codes by respondent group", "Table 2. Share of cases", "Table 3. Framework matrix",
                        "Figure 1. Codes by group (heat map)"]
    notes = [p.text for p in d.paragraphs if p.text.startswith("Note. ")]
    assert len(notes) == 3
    assert notes[0] == ("Note. N = 1 cases. Counts reviewed codings (hand codings and accepted suggestions) by "
                        "coders AB, CD. Codebook mc v3; 2026-11-28.")
    assert len(d.inline_shapes) == 1


def test_unreviewed_suggestions_are_stamped_everywhere(tmp_path):
    sugg = _codings().assign(coder="suggested (not reviewed)")
    d = docx.Document(_build(tmp_path, codings=sugg))
    assert UNREVIEWED in d.sections[0].header.paragraphs[0].text
    caps = [p.text for p in d.paragraphs if p.style.name == "Caption" and p.text.startswith(("Table", "Figure"))]
    assert caps and all(UNREVIEWED in c for c in caps)
    notes = [p.text for p in d.paragraphs if p.text.startswith("Note. ")]
    assert all(UNREVIEWED in n for n in notes)
    heads = [i for i, p in enumerate(d.paragraphs) if p.style.name == "Heading 1"]
    assert heads and all(UNREVIEWED in d.paragraphs[i + 1].text for i in heads)
    assert UNREVIEWED.lower() in d.core_properties.title.lower()
    assert d.paragraphs[0].text == "Findings: unreviewed machine suggestions — not findings"
    assert provenance_of(provenance={"reviewed": True, "coders": ["AB"]})["text"].endswith("by coder AB.")


def test_theme_chapters_with_definition_and_attributed_quotes(tmp_path):
    d = docx.Document(_build(tmp_path))
    heads = [p.text for p in d.paragraphs if p.style.name == "Heading 1"]
    assert heads == ["Conditions for trust", "Recognition"]
    body = [p.text for p in d.paragraphs]
    assert "Definition. What makes it credible." in body
    quotes = [p.text for p in d.paragraphs if p.style.name == "Quote"]
    # one quote per case per theme, never the same text twice, never a placeholder
    assert quotes == ["“Only if accredited.” (employer, int-07, 00:01:00)",
                      "“Third.” (provider, PL, int-09, 00:00:05)",
                      "“Not yet stackable.” (learner, int-08)"]


def test_quotes_true_selects_from_codings_with_case_labels_and_corpus_attributes():
    a = Transcript.from_turns("XX01_transcript", [("I", "What do employers make of it?", 0.0, "interviewer"),
                                                  ("R", "Employers trust the badge when an accredited university "
                                                        "issues it. That is what they told me.", 65.0, "respondent")],
                              attributes={"respondent_group": "learner", "label": "L1", "country": "PL"})
    corpus = Corpus([a])
    codings = pd.DataFrame({"transcript_id": ["XX01_transcript"], "start": [0], "end": [len(a.text)],
                            "code": ["trust"], "coder": ["AB"]})
    cb = Codebook([Code("trust", "Trust", keywords=("accredited", "trust"))])
    buf = io.BytesIO()
    to_docx(buf, codebook=cb, corpus=corpus, codings=codings, quotes=True, attribution=["respondent_group",
                                                                                        "country"])
    quotes = [p.text for p in docx.Document(buf).paragraphs if p.style.name == "Quote"]
    assert quotes == ["“Employers trust the badge when an accredited university issues it. That is what they told "
                      "me.” (learner, PL, L1, 00:01:05)"]  # the interviewer's question is not part of it
    buf = io.BytesIO()  # attributes= with other columns: the corpus's country still counts
    to_docx(buf, codebook=cb, corpus=corpus, codings=codings, quotes=True, attribution=["sector", "country"],
            attributes=pd.DataFrame({"sector": ["ICT"]}, index=["XX01_transcript"]))
    shown = [p.text for p in docx.Document(buf).paragraphs if p.style.name == "Quote"]
    assert shown[0].endswith("(ICT, PL, L1, 00:01:05)")
    with pytest.raises(ExchangeError, match="E620") as err:
        to_docx(io.BytesIO(), codebook=cb, corpus=corpus, codings=codings, quotes=True, attribution=["sector"])
    assert "sector" in str(err.value)


def test_quote_cells_hold_trimmed_quotes_not_whole_turns():
    long_turn = " ".join(f"Sentence number {i} is about trust and other things." for i in range(200))
    q = pd.DataFrame({"code": ["trust"], "text": [long_turn], "transcript_id": ["a"]})
    buf = io.BytesIO()
    to_docx(buf, quotes=q, max_quote_words=30)
    quote = [p.text for p in docx.Document(buf).paragraphs if p.style.name == "Quote"][0]
    assert len(quote.split()) <= 30 + 3 and quote.rstrip(" (a)").endswith("…”")


def test_note_text_and_values(tmp_path):
    buf = io.BytesIO()
    to_docx(buf, {"t": pd.DataFrame({"a": [1]})}, note={"cases": 12, "coders": ["AB"], "date": "2026-01-01",
                                                         "codebook": "mc v9"})
    notes = [p.text for p in docx.Document(buf).paragraphs if p.text.startswith("Note.")]
    assert notes == ["Note. N = 12 cases. Counts reviewed codings (hand codings and accepted suggestions) by coder AB."
                     " Codebook mc v9; 2026-01-01."]


def test_errors(tmp_path):
    with pytest.raises(ExchangeError):
        to_docx(io.BytesIO())
    with pytest.raises(ExchangeError, match="not found"):
        to_docx(io.BytesIO(), figures=[tmp_path / "missing.png"])
    with pytest.raises(ExchangeError, match="quotes need"):
        to_docx(io.BytesIO(), quotes=pd.DataFrame({"x": [1]}))


def test_xml_unsafe_text_is_dropped_with_a_warning():
    buf = io.BytesIO()
    with pytest.warns(UserWarning, match="cannot hold"):
        to_docx(buf, {"t\x0c": pd.DataFrame({"quote": ["soft\x0bbreak"]})}, title="Ti\x01tle \udce9 study",
                subtitle="sub\x02", author="a\ud800")
    d = docx.Document(buf)
    assert d.tables[0].rows[1].cells[0].text == "softbreak"
    assert d.paragraphs[0].text == "Title  study"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert xml_safe("fine text") == "fine text"


def test_the_pipeline_call_with_chosen_quotes_and_a_provenance_dict(sample_corpus, root):
    import mcqual as mq

    cb = mq.load_codebook(root / "codebook" / "microcredentials.yaml")
    gold = pd.read_csv(root / "transcripts" / "gold_codings.csv")
    quotes = mq.select_quotes(gold, sample_corpus, codebook=cb, per_theme=3)
    prov = {"reviewed": True, "coders": ["coder1"], "text": "Reviewed codings by coder1: 608 codings."}
    buf = io.BytesIO()
    to_docx(buf, {"code x case": mq.code_case_matrix(gold, codebook=cb, corpus=sample_corpus, level=1)},
            codebook=cb, codings=gold, quotes=quotes, corpus=sample_corpus, attributes=sample_corpus.attributes,
            provenance=prov, title="T", quotes_per_theme=2, max_quote_words=20)
    d = docx.Document(buf)
    assert "Reviewed codings by coder1: 608 codings." in [p.text for p in d.paragraphs if p.text.startswith("Note")][0]
    shown = [p.text for p in d.paragraphs if p.style.name == "Quote"]
    assert len(shown) == 2 * len(cb.themes())  # quotes_per_theme caps a chosen frame too
    assert all(len(s[:s.index("” (")].replace("…", "").split()) <= 20 for s in shown)  # and max_quote_words


def test_a_matrix_too_wide_for_any_page_is_split_into_parts_with_numbers_whole():
    n = 40
    big = pd.DataFrame([[100000 + i + j for j in range(n)] for i in range(n)],
                       index=pd.Index([f"c{i}" for i in range(n)], name="code"), columns=[f"c{j}" for j in range(n)])
    buf = io.BytesIO()
    to_docx(buf, {"Co-occurrence of 40 codes": big})
    d = docx.Document(buf)
    assert len(d.tables) >= 3
    caps = [p.text for p in d.paragraphs if p.style.name == "Caption"]
    assert caps[0].startswith("Table 1. Co-occurrence of 40 codes (part 1 of") and "Table 1 (part 2 of" in caps[1]
    assert d.element.xml.count("SEQ Table") == 1
    usable = _usable_twips(d.sections[-1])
    seen = []
    for t in d.tables:
        tbl_w = int(t._tbl.tblPr.find(qn("w:tblW")).get(qn("w:w")))
        assert tbl_w <= usable
        assert t.rows[1].cells[0].text == "c0"  # the label column repeats
        seen += [c.text for c in t.rows[0].cells[1:]]
    assert seen == [f"c{j}" for j in range(n)]


def test_header_words_are_hyphenated_only_when_no_column_could_hold_them():
    from mcqual.export.word_tables import _hyphenate, text_width

    assert _hyphenate("Access and inclusion", 2000, 9) == "Access and inclusion"  # wraps at spaces by itself
    got = _hyphenate("Internationalisation", text_width("Internation", 9, True), 9)
    assert got.replace("-\n", "") == "Internationalisation" and got.count("-\n") >= 1
    cb = Codebook([Code("x", "Control\x07 label")])
    buf = io.BytesIO()
    with pytest.warns(UserWarning):
        to_docx(buf, {"t": pd.DataFrame({"x": [1]}, index=pd.Index(["x"], name="code"))}, codebook=cb)
    assert docx.Document(buf).tables[0].rows[1].cells[0].text == "Control label"
