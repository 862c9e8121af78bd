"""No name leaks: real-looking names everywhere a name can hide, followed through every export.

File names (hence transcript ids and sources), speaker labels, Word comment authors,
``docProps/core.xml``, case attribute values and a memo: after ``mq.pseudonymise`` none of
them may appear in the corpus, in Excel, in Word, in a ``.qdpx`` (source name, case name,
original file name, member names) or in heatmap labels.
"""
from __future__ import annotations

import io
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

import mcqual as mq
from mcqual.privacy import _names_in_id, load_mapping, pseudonymise

sys.path.insert(0, str(Path(__file__).resolve().parent))
from docx_factory import comment, make_docx, p, r  # noqa: E402

NAMES = ("Anna", "Kowalska", "Marek", "Nowak", "Katarzyna", "Wiśniewska", "Wisniewska", "Piotr", "Zieliński",
         "Joana", "Ferreira", "Tomasz")


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    d = tmp_path_factory.mktemp("names")
    make_docx(d / "Interview_Anna_Kowalska.docx", [
        p("Marek Nowak: Thank you, Anna. What did your employer say about the badge?"),
        p("Anna Kowalska: ", comment(1, r("Tomasz, my manager, said it proves I can learn on my own.")),
          " Write to anna.kowalska@example.pl if you need the certificate."),
        p("Marek Nowak: And did the university explain the ECTS?"),
        p("Anna Kowalska: Yes, Marek, the credit points were on the diploma supplement."),
    ], comments=[(1, "Katarzyna Wiśniewska", "trust")],
        core={"title": "Interview with Anna Kowalska", "creator": "Piotr Zieliński"})
    make_docx(d / "joana-ferreira-2024.docx", [
        p("Interviewer: Joana, how did you hear about the course?"),
        p("Joana Ferreira: A colleague sent me the link."),
        p("Interviewer: Did anyone check the badge?"),
        p("Joana Ferreira: Nobody so far."),
    ], comments=[], core={"title": "KII", "creator": "Katarzyna Wiśniewska"})
    corpus = mq.read_transcripts(d, attributes=False)
    attrs = pd.DataFrame({"interviewer": ["Marek Nowak", "Katarzyna Wiśniewska"], "country": ["PL", "PT"],
                          "respondent": ["Anna Kowalska", "Joana Ferreira"]},
                         index=pd.Index(["Interview_Anna_Kowalska", "joana-ferreira-2024"], name="case_id"))
    return corpus.with_attributes(attrs)


DETECT = ("speakers", "metadata", "list", "patterns", "ids")


@pytest.fixture(scope="module")
def result(study):
    # "Tomasz" is only mentioned in the text: NER or the researcher's list finds him
    return pseudonymise(study, ["Tomasz"], detectors=DETECT)


def _leaks(blob: str) -> list[str]:
    return [n for n in NAMES if n in blob]


def test_names_in_file_names_are_found():
    assert _names_in_id("Interview_Anna_Kowalska") == ["Anna Kowalska"]
    assert _names_in_id("joana-ferreira-2024") == []  # lower case: found through the speaker label instead
    assert _names_in_id("int-01") == [] and _names_in_id("Focus_Group_Final_v2") == []


def test_ids_sources_and_attributes_are_aliased_stably(study, result, tmp_path):
    c = result.corpus
    assert len(c) == 2 and not _leaks(" ".join(c.ids))
    alias = result.new_id("Interview_Anna_Kowalska")
    assert alias == "Interview_" + result.mapping["Anna Kowalska"] and alias in c
    assert result.mapping["Interview_Anna_Kowalska"] == alias and result.kinds["Interview_Anna_Kowalska"] == "ID"
    assert result.new_id("joana-ferreira-2024") == result.mapping["Joana Ferreira"] + "-2024"  # via the label
    for t in c:
        blob = t.id + (t.source or "") + t.text + repr(dict(t.metadata)) + repr(dict(t.attributes)) + \
            " ".join(map(str, t.speakers)) + " ".join(f"{x.author} {x.text} {x.quote}" for x in t.comments) + \
            " ".join(t.warnings)
        assert not _leaks(blob), (t.id, _leaks(blob))
    assert not _leaks(c.attributes.to_string()) and set(c.attributes.index) == set(c.ids)
    assert c[alias].attributes["country"] == "PL"
    path = result.save_mapping(tmp_path / "keys.csv")
    again = pseudonymise(study, ["Tomasz"], mapping=path, detectors=DETECT)
    assert again.corpus.ids == c.ids and load_mapping(path)["Interview_Anna_Kowalska"] == (alias, "ID")


def test_comment_authors_become_aliases_so_word_codings_name_no_coder(study, result):
    from mcqual.exchange.comments import read_comment_codings

    real = read_comment_codings(study["Interview_Anna_Kowalska"])
    assert real["coder"].tolist() == ["Katarzyna Wiśniewska"]
    alias = result.new_id("Interview_Anna_Kowalska")
    cod = read_comment_codings(result.corpus[alias])
    assert cod["coder"].tolist() == [result.mapping["Katarzyna Wiśniewska"]]
    assert cod["transcript_id"].tolist() == [alias] and not _leaks(cod.to_string())


def _codings(study):
    t = study["Interview_Anna_Kowalska"]
    q = "Tomasz, my manager, said it proves I can learn on my own."
    s = t.text.index(q)
    u = study["joana-ferreira-2024"]
    q2 = "A colleague sent me the link."
    s2 = u.text.index(q2)
    return pd.DataFrame([{"transcript_id": t.id, "start": s, "end": s + len(q), "code": "trust",
                          "coder": "Katarzyna Wiśniewska", "snippet": q},
                         {"transcript_id": u.id, "start": s2, "end": s2 + len(q2), "code": "network",
                          "coder": "Katarzyna Wiśniewska", "snippet": q2}])


def test_excel_export_end_to_end(study, result, tmp_path):
    import openpyxl

    from mcqual.export.excel import to_excel

    cod = _codings(study)
    m = mq.code_case_matrix(cod)
    path = to_excel(tmp_path / "r.xlsx", {"codes by case": m}, codings=cod, corpus=study, pseudonymise=result)
    wb = openpyxl.load_workbook(path)
    cells = " ".join(ws.title for ws in wb) + " ".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True)
                                                      for v in row if v is not None)
    assert not _leaks(cells), _leaks(cells)
    assert result.new_id("Interview_Anna_Kowalska") in cells


def test_word_export_end_to_end(study, result):
    import docx

    from mcqual.export.word import to_docx

    cod = _codings(study)
    quotes = cod.rename(columns={"snippet": "text"})
    buf = io.BytesIO()
    to_docx(buf, quotes=quotes, attribution=("transcript_id",), corpus=study, pseudonymise=result,
            tables={"Codes by case": mq.code_case_matrix(cod)}, title="Interviews with Anna Kowalska")
    d = docx.Document(io.BytesIO(buf.getvalue()))
    text = "\n".join(x.text for x in d.paragraphs) + "\n".join(c.text for tb in d.tables for row in tb.rows
                                                             for c in row.cells)
    assert not _leaks(text), _leaks(text)


def test_qdpx_export_end_to_end(study, result):
    from mcqual.codebook.model import Code, Codebook
    from mcqual.exchange.bundle import QdpxProject
    from mcqual.exchange.qdpx import read_qdpx, to_qdpx

    cod = _codings(study)
    memos = pd.DataFrame([{"transcript_id": "Interview_Anna_Kowalska", "start": None, "end": None,
                           "text": "Anna Kowalska was nervous; ask Marek.", "author": "Katarzyna Wiśniewska"}])
    bundle = QdpxProject(study, Codebook([Code("trust", "Trust"), Code("network", "Network")]), codings=cod)
    try:
        import dataclasses

        bundle = dataclasses.replace(bundle, memos=memos)
    except TypeError:
        pass
    buf = io.BytesIO()
    to_qdpx(bundle, buf, pseudonymise=result)
    z = zipfile.ZipFile(io.BytesIO(buf.getvalue()))
    blob = " ".join(z.namelist()) + "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    assert not _leaks(blob), _leaks(blob)
    back = read_qdpx(io.BytesIO(buf.getvalue()))
    assert not _leaks(" ".join(back.corpus.ids)) and len(back.codings) == 2


def test_heatmap_labels_from_the_pseudonymised_corpus(study, result, tmp_path):
    pytest.importorskip("matplotlib")
    cod = result.map_codings(_codings(study))
    m = mq.code_case_matrix(cod)
    assert not _leaks(" ".join(map(str, m.index)) + " ".join(map(str, m.columns)))
    fig = mq.plot.heatmap(m)
    labels = " ".join(t.get_text() for ax in fig.axes for t in ax.get_xticklabels() + ax.get_yticklabels())
    assert result.new_id("Interview_Anna_Kowalska") in labels and not _leaks(labels)
    path = tmp_path / "h.svg"
    fig.savefig(path)
    assert not _leaks(path.read_text(encoding="utf-8"))


def test_a_file_that_failed_keeps_no_name_in_the_errors(study, tmp_path):
    (tmp_path / "Interview_Anna_Kowalska_notes.txt").write_bytes(b"")
    failed = mq.read_transcripts([tmp_path / "Interview_Anna_Kowalska_notes.txt"])
    assert failed.errors and "Kowalska" in str(failed.errors[0])
    both = study + failed
    res = pseudonymise(both, ["Tomasz"], detectors=DETECT)
    assert res.corpus.errors[0].code == "E108"
    assert not _leaks(str(res.corpus.errors[0]) + res.corpus.errors[0].path)
