"""Word export: numbered tables holding the DataFrames' numbers, notes, theme chapters with quotes, figures."""
from __future__ import annotations

import io
import shutil
import struct
import subprocess
import zlib

import docx
import pandas as pd
import pytest

from mcqual.codebook.model import Code, Codebook
from mcqual.errors import ExchangeError
from mcqual.export.word import to_docx


def _codebook() -> Codebook:
    return Codebook([Code("trust", "Conditions for trust", codable=False, definition="What makes it credible."),
                     Code("trust.qa", "Quality assurance", parent="trust"),
                     Code("recognition", "Recognition", definition="Recognition and stacking.")],
                    name="mc", version="3")


def _tables() -> dict[str, pd.DataFrame]:
    counts = pd.DataFrame({"employer": [3, 0, 5], "learner": [1, 2, 0]},
                          index=pd.Index(["trust.qa", "recognition", "trust"], name="code"))
    shares = pd.DataFrame({"employer": [0.5, 0.125], "learner": [1.0, 0.0]}, index=pd.Index(["DE", "FR"]))
    framework = pd.DataFrame({"trust": ["“Only if accredited.” (int-07)\n“The EQF level.” (int-07)"],
                              "recognition": [""]}, index=pd.Index(["int-07"], name="case"))
    return {"Codes by respondent group": counts, "Share of cases": shares, "Framework matrix": framework}


def _codings() -> pd.DataFrame:
    return pd.DataFrame({"transcript_id": ["int-07", "int-08", "int-08"], "start": [0, 0, 5], "end": [4, 4, 9],
                         "code": ["trust.qa", "trust.qa", "recognition"], "coder": ["AB", "CD", "AB"]})


def _quotes() -> pd.DataFrame:
    return pd.DataFrame({
        "code": ["trust.qa", "trust.qa", "recognition", "trust.qa", "trust.qa", "trust.qa"],
        "rank": [2, 1, 1, 3, 4, 5],
        "text": ["The EQF   level matters.", "Only if accredited.", "Not yet stackable.", "Third.", "Fourth.",
                 "Only if accredited."],
        "transcript_id": ["int-07", "int-07", "int-08", "int-09", "int-09", "int-07"],
        "timestamp": [872.0, 60.0, None, 5.0, 6.0, 60.0],
        "respondent_group": ["employer", "employer", "learner", None, None, "employer"],
    })


def _png(path) -> None:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 4 for _ in range(4))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def _build(tmp_path):
    fig = tmp_path / "heatmap.png"
    _png(fig)
    attrs = pd.DataFrame({"respondent_group": ["provider"], "country": ["PL"]}, index=["int-09"])
    return to_docx(tmp_path / "report.docx", _tables(), codebook=_codebook(), quotes=_quotes(),
                   figures=[(fig, "Codes by group (heat map)")], codings=_codings(), title="Findings",
                   attribution=("respondent_group", "country"), attributes=attrs, date="2026-11-28")


def test_tables_hold_the_same_numbers(tmp_path):
    d = docx.Document(_build(tmp_path))
    assert len(d.tables) == 3
    counts = _tables()["Codes by respondent group"]
    rows = [[c.text for c in r.cells] for r in d.tables[0].rows]
    assert rows[0] == ["code", "employer", "learner"]
    labels = {"trust.qa": "Quality assurance", "recognition": "Recognition", "trust": "Conditions for trust"}
    assert [r[0] for r in rows[1:]] == [labels[c] for c in counts.index]
    assert [[int(x) for x in r[1:]] for r in rows[1:]] == counts.to_numpy().tolist()
    shares = [[c.text for c in r.cells] for r in d.tables[1].rows]
    got = [float(x) for r in shares[1:] for x in r[1:]]
    assert got == pytest.approx(_tables()["Share of cases"].round(2).to_numpy().ravel().tolist())
    assert [c.text for c in d.tables[2].rows[0].cells] == ["case", "Conditions for trust", "Recognition"]
    cell = d.tables[2].rows[1].cells[1]
    assert [p.text for p in cell.paragraphs] == ["“Only if accredited.” (int-07)", "“The EQF level.” (int-07)"]


def test_captions_are_numbered_seq_fields_with_notes(tmp_path):
    d = docx.Document(_build(tmp_path))
    xml = d.element.xml
    assert xml.count("SEQ Table") == 3 and xml.count("SEQ Figure") == 1
    captions = [p.text for p in d.paragraphs if p.style.name == "Caption"]
    assert captions == ["Table 1. Codes by respondent group", "Table 2. Share of cases", "Table 3. Framework matrix",
                        "Figure 1. Codes by group (heat map)"]
    notes = [p.text for p in d.paragraphs if p.text.startswith("Note. ")]
    assert len(notes) == 3
    assert notes[0] == "Note. N = 2 cases; coders: AB, CD; 2026-11-28; codebook mc v3."
    assert d.tables[0].rows[0]._tr.trPr.xml.count("tblHeader") == 1
    assert len(d.inline_shapes) == 1


def test_theme_chapters_with_definition_and_attributed_quotes(tmp_path):
    d = docx.Document(_build(tmp_path))
    heads = [p.text for p in d.paragraphs if p.style.name.startswith("Heading 1")]
    assert heads == ["Conditions for trust", "Recognition"]
    body = [p.text for p in d.paragraphs]
    assert "Definition. What makes it credible." in body
    quotes = [p.text for p in d.paragraphs if p.style.name == "Quote"]
    assert quotes == ["“Only if accredited.” (employer, int-07, 00:01:00)",
                      "“The EQF level matters.” (employer, int-07, 00:14:32)",
                      "“Third.” (provider, PL, int-09, 00:00:05)",
                      "“Not yet stackable.” (learner, int-08)"]


def test_note_text_and_values(tmp_path):
    buf = io.BytesIO()
    to_docx(buf, {"t": pd.DataFrame({"a": [1]})}, note={"cases": 12, "coders": ["AB"], "date": "2026-01-01",
                                                         "codebook": "mc v9"})
    notes = [p.text for p in docx.Document(buf).paragraphs if p.text.startswith("Note.")]
    assert notes == ["Note. N = 12 cases; coder: AB; 2026-01-01; codebook mc v9."]


def test_errors(tmp_path):
    with pytest.raises(ExchangeError):
        to_docx(io.BytesIO())
    with pytest.raises(ExchangeError, match="not found"):
        to_docx(io.BytesIO(), figures=[tmp_path / "missing.png"])
    with pytest.raises(ExchangeError, match="quotes need"):
        to_docx(io.BytesIO(), quotes=pd.DataFrame({"x": [1]}))


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice (soffice) is not installed")
def test_libreoffice_converts_to_pdf(tmp_path):  # pragma: no cover - depends on the environment
    path = _build(tmp_path)
    subprocess.run(["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(path)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "report.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")


def test_control_characters_are_dropped():
    buf = io.BytesIO()
    to_docx(buf, {"t\x0c": pd.DataFrame({"quote": ["soft\x0bbreak"]})})
    d = docx.Document(buf)
    assert d.tables[0].rows[1].cells[0].text == "softbreak"
