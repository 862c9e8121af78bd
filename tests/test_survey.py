"""read_survey: CSV and Excel, encodings, delimiters, Qualtrics/LimeSurvey headers, empty and long answers."""
from __future__ import annotations

import pandas as pd
import pytest

import mcqual as mq
from mcqual.errors import TranscriptError

ROWS = [
    {"respondent_id": "R001", "country": "PL", "group": "learner",
     "Q1. What makes you trust a micro-credential?": "The university name and the ECTS on it.",
     "Q2. Anything else?": ""},
    {"respondent_id": "R002", "country": "DE", "group": "employer",
     "Q1. What makes you trust a micro-credential?": "Die Prüfung muss unabhängig sein, sonst glaube ich es nicht.",
     "Q2. Anything else?": "Nein."},
    {"respondent_id": "R003", "country": "FR", "group": "learner",
     "Q1. What makes you trust a micro-credential?": "  -  ", "Q2. Anything else?": ""},
]


def _csv(tmp_path, rows=ROWS, sep=",", encoding="utf-8-sig", name="mc_survey.csv"):
    p = tmp_path / name
    pd.DataFrame(rows).to_csv(p, sep=sep, index=False, encoding=encoding)
    return p


@pytest.mark.parametrize("sep", [",", ";", "\t"])
@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "utf-16", "cp1252"])
def test_csv_any_delimiter_and_encoding(tmp_path, sep, encoding):
    p = _csv(tmp_path, sep=sep, encoding=encoding)
    s = mq.read_survey(p, text_columns=["Q1", "Q2"], id_column="respondent_id")
    assert [t.id for t in s] == ["mc_survey:R001", "mc_survey:R002"]  # R003 answered nothing ("-")
    assert s["mc_survey:R002"].turns[0].text.startswith("Die Prüfung")
    assert s["mc_survey:R002"].metadata["questions"] == ["What makes you trust a micro-credential?",
                                                        "Anything else?"]
    assert s["mc_survey:R002"].metadata["question_ids"] == ["Q1", "Q2"]
    assert s.attributes.loc["mc_survey:R003", "country"] == "FR"  # kept as a case without answers
    assert s.attributes.loc["mc_survey:R001", "source"] == "survey"
    t = s["mc_survey:R002"]
    assert [t.text[x.start:x.end] for x in t.turns] == [x.text for x in t.turns]


def test_columns_by_position_name_code_and_auto(tmp_path):
    p = _csv(tmp_path)
    by_pos = mq.read_survey(p, text_columns=[3, 4], id_column=0, attribute_columns=[1])
    assert list(by_pos.attributes.columns) == ["country", "respondent_id", "source", "survey"]
    by_name = mq.read_survey(p, text_columns="Q1. What makes you trust a micro-credential?")
    assert len(by_name["mc_survey:R001"].turns) == 1
    auto = mq.read_survey(p)  # the id column found by name; Q1 found as the open question
    assert [t.id for t in auto] == ["mc_survey:R001", "mc_survey:R002"]
    assert "group" in auto.attributes.columns
    with pytest.raises(TranscriptError, match=r"E115.*did you mean 'Q1'"):
        mq.read_survey(p, text_columns=["Q11"])
    with pytest.raises(TranscriptError, match="E115"):
        mq.read_survey(p, text_columns=[9])


def test_segments_have_the_question_as_context(tmp_path):
    s = mq.read_survey(_csv(tmp_path), text_columns=["Q1", "Q2"], id_column="respondent_id")
    segs = mq.segments(s, unit="answer")
    df = segs.to_frame()
    assert list(df["transcript_id"]) == ["mc_survey:R001", "mc_survey:R002", "mc_survey:R002"]
    assert df["transcript_id"].str.endswith(("R001", "R002")).all()
    assert list(df["context"]) == ["What makes you trust a micro-credential?",
                                   "What makes you trust a micro-credential?", "Anything else?"]


def test_qualtrics_excel_with_extra_header_rows(tmp_path):
    rows = [["StartDate", "IPAddress", "ResponseId", "Q1", "Q2_TEXT", "Q3"],
            ["Start Date", "IP Address", "Response ID", "Why do you trust it?", "What changed?", "Country"],
            ['{"ImportId":"startDate"}', '{"ImportId":"ipAddress"}', '{"ImportId":"_recordId"}',
             '{"ImportId":"QID1_TEXT"}', '{"ImportId":"QID2_TEXT"}', '{"ImportId":"QID3"}'],
            ["2026-04-01", "10.0.0.1", "R_abc", "Accredited provider.", "I got a raise.", "AT"],
            ["2026-04-02", "10.0.0.2", "R_def", "", "Nothing yet " * 400, "BE"]]
    p = tmp_path / "qualtrics.xlsx"
    pd.DataFrame(rows).to_excel(p, index=False, header=False, sheet_name="Responses")
    s = mq.read_survey(p, text_columns=["Q1", "Q2_TEXT"], sheet="Responses")
    assert [t.id for t in s] == ["qualtrics:R_abc", "qualtrics:R_def"]
    assert s["qualtrics:R_abc"].metadata["questions"] == ["Why do you trust it?", "What changed?"]
    assert "IPAddress" not in s.attributes.columns and "StartDate" not in s.attributes.columns  # personal/system
    assert s.attributes.loc["qualtrics:R_abc", "Q3"] == "AT"
    long = s["qualtrics:R_def"].turns[0]
    assert len(long.text.split()) == 800  # a very long answer is kept whole
    segs = mq.segments(s, unit="answer")
    assert len(segs) == 3


def test_limesurvey_headings_and_row_numbers(tmp_path):
    rows = [{"id": "1", "submitdate": "2026-05-02", "lastpage": "3", "startlanguage": "fr",
             "G01Q01. Qu'est-ce qui vous fait confiance?": "La reconnaissance par l'État.",
             "G01Q02[SQ001]. Âge": "35-44"}]
    p = _csv(tmp_path, rows=rows, sep=";", name="lime.csv")
    s = mq.read_survey(p, text_columns=["G01Q01"])
    assert s[0].id == "lime:1" and s[0].metadata["question_ids"] == ["G01Q01"]
    assert s.attributes.loc["lime:1", "Âge"] == "35-44" and "lastpage" not in s.attributes.columns
    no_id = mq.read_survey(p, text_columns=["G01Q01"], id_column=None, name="x")
    assert no_id[0].id == "x:1"


def test_bad_files(tmp_path):
    with pytest.raises(TranscriptError, match="E100"):
        mq.read_survey(tmp_path / "missing.csv")
    (tmp_path / "empty.csv").write_bytes(b"")
    with pytest.raises(TranscriptError, match="E108"):
        mq.read_survey(tmp_path / "empty.csv")
    (tmp_path / "x.pdf").write_bytes(b"%PDF")
    with pytest.raises(TranscriptError, match="E110"):
        mq.read_survey(tmp_path / "x.pdf")
    dup = _csv(tmp_path, rows=ROWS + ROWS[:1], name="dup.csv")
    with pytest.raises(TranscriptError, match=r"E115.*R001") as e:
        mq.read_survey(dup, text_columns=["Q1"], duplicates="error")
    assert "dup.csv" in str(e.value)
    closed = _csv(tmp_path, rows=[{"id": "1", "age": "31"}], name="closed.csv")
    with pytest.raises(TranscriptError, match="no open-question column"):
        mq.read_survey(closed)


def test_survey_codings_and_matrices(tmp_path):
    s = mq.read_survey(_csv(tmp_path), text_columns=["Q1", "Q2"], id_column="respondent_id")
    coded = pd.DataFrame({"respondent_id": ["R001", "R002", "R002"], "question": ["Q1", "Q1", "q2"],
                          "code": ["trust.issuer", "trust.assessment", ""]})
    cod = mq.survey_codings(s, coded, coder="AB")
    assert len(cod) == 2 and (cod["coder"] == "AB").all()
    t = s["mc_survey:R001"]
    assert t.text[cod.start[0]:cod.end[0]] == "The university name and the ECTS on it."
    spans = mq.question_spans(s)
    assert set(spans["question"]) == {"Q1", "Q2"}
    by_q = mq.guide_crosstab(cod, spans)
    assert by_q.loc["trust.issuer", "Q1"] == 1 and by_q.loc["trust.assessment", "Q1"] == 1
    grid = mq.question_grid(spans, s)
    assert grid.loc["Q2", "mc_survey:R002"] == "Nein."
    m = mq.code_group_matrix(cod, by="group", corpus=s)
    assert m.loc["trust.issuer"].sum() >= 1
    with pytest.raises(TranscriptError, match="R009/Q1"):
        mq.survey_codings(s, pd.DataFrame({"respondent_id": ["R009"], "question": ["Q1"], "code": ["x"]}))


def test_survey_in_a_project_and_refi_qda(tmp_path):
    s = mq.read_survey(_csv(tmp_path), text_columns=["Q1", "Q2"], id_column="respondent_id")
    p = mq.Project.create(tmp_path / "p.mcqual", coder="AB")
    p.add_transcripts(s)
    p.set_codebook(mq.Codebook.from_codes(["trust"]))
    p.code_many(mq.survey_codings(s, pd.DataFrame({"respondent_id": ["R001"], "question": ["Q1"],
                                                   "code": ["trust"]})).to_dict("records"))
    out = mq.to_qdpx(p, tmp_path / "s.qdpx")
    import zipfile

    xml = zipfile.ZipFile(out).read("project.qde").decode("utf-8")
    assert 'name="country"' in xml and "mc_survey:R001" in xml and "<Case " in xml
    p.close()


def test_the_sample_survey(root):
    folder = root / "transcripts" / "survey"
    s = mq.read_survey(folder / "microcredentials_survey.csv")
    answers = [t for tr in s for t in tr.turns]
    assert len(s.attributes) >= 80 and len(answers) >= 200
    assert set(s.attributes["respondent_group"].dropna()) == {"learner", "employer", "provider", "stakeholder"}
    langs = {tr.language for tr in s}
    assert {"de", "fr"} <= langs
    assert all(tr.metadata["questions"][0].endswith("?") for tr in s)
    coded = pd.read_csv(folder / "coded_answers.csv", dtype=str, keep_default_na=False)
    cod = mq.survey_codings(s, coded)
    codebook = mq.load_codebook(root / "codebook" / "microcredentials.yaml")
    assert set(cod["code"]) <= set(codebook.ids) and len(cod) >= 120
    assert cod["transcript_id"].nunique() >= 40


def test_sample_survey_is_built_from_its_sources(root):
    import subprocess
    import sys

    res = subprocess.run([sys.executable, str(root / "transcripts" / "survey" / "build_survey.py"), "--check"],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stdout + res.stderr


QUALTRICS_DUP = (
    "StartDate,EndDate,Status,ResponseId,Q1,Q2_country\n"
    '"Start Date","End Date","Response Type","Response ID","What makes you trust a micro-credential?","Country"\n'
    '"{""ImportId"":""startDate""}","{""ImportId"":""endDate""}","{""ImportId"":""status""}",'
    '"{""ImportId"":""_recordId""}","{""ImportId"":""QID1_TEXT""}","{""ImportId"":""QID2""}"\n'
    "2024-03-01 10:02:11,2024-03-01 10:09:40,IP Address,R_1dA4xQ9Yk2Lm8Po,The issuer is a university I know.,PL\n"
    "2024-03-01 11:15:03,2024-03-01 11:20:52,IP Address,R_3kT7mW2vB8nC1Zs,Only if an employer asked for it.,DE\n"
    "2024-03-02 09:40:27,2024-03-02 09:44:05,IP Address,R_1dA4xQ9Yk2Lm8Po,\"Changed my mind: the ECTS, not the name.\",PL\n"
)


def test_respondent_listed_twice_is_read_with_a_unique_id_and_a_warning(tmp_path):
    """A Qualtrics export whose respondent R_1dA4… appears on two rows with different answers."""
    p = tmp_path / "trust_survey.csv"
    p.write_text(QUALTRICS_DUP, encoding="utf-8")
    s = mq.read_survey(p, text_columns=["Q1"])
    assert s.ids == ["trust_survey:R_1dA4xQ9Yk2Lm8Po", "trust_survey:R_3kT7mW2vB8nC1Zs",
                     "trust_survey:R_1dA4xQ9Yk2Lm8Po#2"]  # row order
    assert s["trust_survey:R_1dA4xQ9Yk2Lm8Po"].text == "The issuer is a university I know."
    assert s["trust_survey:R_1dA4xQ9Yk2Lm8Po#2"].text == "Changed my mind: the ECTS, not the name."
    assert s.attributes.loc["trust_survey:R_1dA4xQ9Yk2Lm8Po#2", "respondent_id"] == "R_1dA4xQ9Yk2Lm8Po#2"
    assert [pr.code for pr in s.problems] == ["E119"]
    assert "R_1dA4xQ9Yk2Lm8Po" in str(s.problems[0]) and "trust_survey.csv" in str(s.problems[0])
    assert "warning" in s.summary() and s.filter(ids=s.ids[:1]).problems == s.problems
    with pytest.raises(TranscriptError, match=r"E115.*R_1dA4xQ9Yk2Lm8Po"):
        mq.read_survey(p, text_columns=["Q1"], duplicates="error")
    with pytest.raises(TranscriptError, match="E115"):
        mq.read_survey(p, text_columns=["Q1"], duplicates="drop")


def test_excel_survey_with_a_repeat_and_a_far_column_is_read(tmp_path):
    p = tmp_path / "s.xlsx"
    pd.DataFrame({"id": ["A", "A", "B"], "Q1": ["Long answer one here.", "Long answer two here.", "Three."]}
                 ).to_excel(p, index=False)
    s = mq.read_survey(p, text_columns=["Q1"], id_column="id")
    assert s.ids == ["s:A", "s:A#2", "s:B"] and s.problems[0].code == "E119"
