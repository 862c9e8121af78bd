"""Reading folders and lists of transcripts, bad files in a batch, case attribute sheets."""
from __future__ import annotations

import pandas as pd
import pytest

import mcqual as mq
from mcqual.errors import TranscriptError
from mcqual.io.attributes import read_attributes
from mcqual.io.transcripts import read_transcripts

from docx_factory import lines_docx


@pytest.fixture
def folder(tmp_path):
    d = tmp_path / "study"
    d.mkdir()
    lines_docx(d / "int-01.docx", ["Interviewer: Do employers trust badges?", "R: Some do."])
    (d / "int-02.txt").write_text("Q: Which course?\nA: A short one on data.\n", encoding="utf-8")
    (d / "int-03.vtt").write_text("WEBVTT\n\n00:01.000 --> 00:02.000\n<v Ana>Hello?\n\n"
                                  "00:02.000 --> 00:03.000\n<v Ben>Hi.\n", encoding="utf-8")
    (d / "int-04.srt").write_text("1\n00:00:01,000 --> 00:00:02,000\nModerator: Welcome.\n\n"
                                  "2\n00:00:02,000 --> 00:00:03,000\nP1: Thanks.\n", encoding="utf-8")
    (d / "broken.docx").write_bytes(b"PK\x03\x04 truncated")
    (d / "old.docx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + "WordDocument".encode("utf-16-le"))
    (d / "empty.txt").write_bytes(b"")
    (d / "~$int-01.docx").write_bytes(b"lock file")
    (d / ".hidden.txt").write_text("R: secret", encoding="utf-8")
    (d / "notes.pdf").write_bytes(b"%PDF-1.4")
    (d / "codings.xlsx").write_bytes(b"not read")
    (d / "cases.csv").write_text("case_id;respondent_group;country;age\nint-01;employer;DE;51\n"
                                 "int-02;learner;PL;29\nint-03;provider;IE;44\nint-04;learner;NL;\n",
                                 encoding="utf-8-sig")
    return d


def test_folder_reads_good_files_and_lists_bad_ones(folder):
    c = read_transcripts(folder)
    assert c.ids == ["int-01", "int-02", "int-03", "int-04"]
    assert sorted((f.path.rsplit("/", 1)[-1], f.code) for f in c.errors) == [
        ("broken.docx", "E104"), ("empty.txt", "E108"), ("old.docx", "E103")]
    assert c["int-02"].turns[1].text == "A short one on data."
    assert c["int-03"].speakers == ["Ana", "Ben"]
    assert c["int-04"].turns[0].role == "interviewer"
    assert "3 failed" in c.summary()


def test_cases_csv_is_joined_automatically(folder):
    c = read_transcripts(folder)
    assert c["int-01"].attributes["respondent_group"] == "employer"
    assert c["int-02"].attributes["age"] == 29
    assert "age" not in c["int-04"].attributes  # missing values are left out
    assert c.to_frame().query("transcript_id == 'int-03'")["country"].iloc[0] == "IE"
    assert read_transcripts(folder, attributes=False)["int-01"].attributes == {}


def test_attributes_as_dataframe_or_path(folder, tmp_path):
    df = pd.DataFrame({"case_id": ["int-01", "int-02"], "group": ["employer", "learner"]})
    with pytest.warns(UserWarning, match="no row in the case sheet"):
        c = read_transcripts(folder, attributes=df)
    assert c["int-02"].attributes["group"] == "learner"
    xlsx = tmp_path / "attrs.xlsx"
    pd.DataFrame({"Case": ["int-01", "int-02", "int-03", "int-04"], "Country": ["DE", "PL", "IE", "NL"]}).to_excel(
        xlsx, index=False)
    c = read_transcripts(folder, attributes=xlsx)
    assert c["int-04"].attributes["country"] == "NL"


def test_list_of_paths_and_single_file(folder):
    c = read_transcripts([folder / "int-02.txt", folder / "int-01.docx", folder / "missing.docx",
                          folder / "notes.pdf"])
    assert c.ids == ["int-02", "int-01"]  # a list keeps its order; a folder is sorted
    assert sorted(f.code for f in c.errors) == ["E100", "E110"]
    assert read_transcripts(folder / "int-03.vtt").ids == ["int-03"]
    with pytest.raises(TranscriptError) as err:
        read_transcripts(folder / "nope")
    assert err.value.code == "E100"


def test_duplicate_stems_and_recursive(folder):
    sub = folder / "round2"
    sub.mkdir()
    (sub / "int-05.txt").write_text("Q: Again?\nA: Yes.\n", encoding="utf-8")
    (sub / "int-01.txt").write_text("Q: Same id?\nA: Yes.\n", encoding="utf-8")
    hidden = folder / ".cache"
    hidden.mkdir()
    (hidden / "int-09.txt").write_text("Q: Hidden?\nA: Yes.\n", encoding="utf-8")
    assert "int-05" not in read_transcripts(folder).ids
    with pytest.warns(UserWarning, match="int-05"):
        c = read_transcripts(folder, recursive=True)
    assert "int-05" in c.ids and "int-09" not in c.ids
    dup = [f for f in c.errors if f.code == "E114"]
    assert len(dup) == 1 and "int-01" in str(dup[0])


def test_parallel_reading_gives_the_same_corpus(folder):
    serial = read_transcripts(folder)
    parallel = read_transcripts(folder, n_jobs=2)
    assert parallel.ids == serial.ids
    assert [t.text for t in parallel] == [t.text for t in serial]
    assert [t.turns for t in parallel] == [t.turns for t in serial]
    assert dict(parallel["int-01"].metadata) == dict(serial["int-01"].metadata)
    assert sorted(f.code for f in parallel.errors) == sorted(f.code for f in serial.errors)
    assert parallel["int-02"].attributes["age"] == 29


def test_speaker_pattern_is_checked_first(folder):
    with pytest.raises(TranscriptError) as err:
        read_transcripts(folder, speaker_pattern="(?P<who>x)")
    assert err.value.code == "E112"


def test_public_names():
    assert mq.read_transcripts is read_transcripts and mq.read_attributes is read_attributes


# --------------------------------------------------------------------------- attribute sheets
@pytest.mark.parametrize("text", [
    "case_id,group,age\nint-01,employer,51\nint-02,learner,29\n",
    "Case ID;Group;Age\nint-01;employer;51\nint-02;learner;29\n",
    "transcript_id\tgroup\tage\nint-01\temployer\t51\nint-02\tlearner\t29\n",
    "\ufeffid|group|age\n int-01 | employer |51\nint-02|learner|29\n",
])
def test_read_attributes_csv_variants(tmp_path, text):
    f = tmp_path / "cases.csv"
    f.write_text(text, encoding="utf-8")
    df = read_attributes(f)
    assert df.index.name == "case_id" and list(df.index) == ["int-01", "int-02"]
    assert df.loc["int-01", "group"] == "employer"
    assert df["age"].tolist() == [51, 29]


def test_read_attributes_numeric_ids_and_xlsx(tmp_path):
    f = tmp_path / "cases.xlsx"
    pd.DataFrame({"ID": [1, 2], "Respondent group": ["employer", "learner"]}).to_excel(f, index=False)
    df = read_attributes(f)
    assert list(df.index) == ["1", "2"] and list(df.columns) == ["respondent_group"]


@pytest.mark.parametrize("text, fragment", [
    ("name,group\nint-01,employer\n", "no case id column"),
    ("case_id,group\nint-01,employer\nint-01,learner\n", "more than once"),
    ("case_id,group\nint-01,employer\n,learner\n", "empty case id"),
    ("", "empty"),
])
def test_read_attributes_errors(tmp_path, text, fragment):
    f = tmp_path / "cases.csv"
    f.write_text(text, encoding="utf-8")
    with pytest.raises(TranscriptError) as err:
        read_attributes(f)
    assert err.value.code == "E113" and fragment in str(err.value)


def test_read_attributes_bad_xlsx_and_missing(tmp_path):
    f = tmp_path / "cases.xlsx"
    f.write_bytes(b"not an excel file")
    with pytest.raises(TranscriptError) as err:
        read_attributes(f)
    assert err.value.code == "E113"
    with pytest.raises(TranscriptError) as err:
        read_attributes(tmp_path / "none.csv")
    assert err.value.code == "E100"
