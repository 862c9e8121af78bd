"""transcripts/build.py: source parsing, one .docx layout per format, cases.csv, determinism."""
from __future__ import annotations

import csv
import importlib.util
import io
import re
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "transcripts" / "src"


@pytest.fixture(scope="module")
def build():
    spec = importlib.util.spec_from_file_location("transcripts_build", ROOT / "transcripts" / "build.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def sources(build):
    return build.load_sources(SRC)


def write_source(folder: Path, body: str, *, fmt: str = "teams", id: str = "int-99",
                 group: str = "learner", extra: str = "",
                 interviewer: str = "Anna Kowalska", respondent: str = "Marek Nowak") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{id}.md"
    path.write_text(
        f"---\nid: {id}\nformat: {fmt}\ntitle: A test interview\ndate: 2026-03-14\n"
        f"interviewer: {interviewer}\nrespondent: {respondent}\nrespondent_group: {group}\n"
        f"country: PL\nsector: ICT\ncredential_type: digital badge\nmode: online (Teams)\n"
        f"language: en\n{extra}---\n{body}",
        encoding="utf-8",
    )
    return path


BODY = """[00:00:03] Anna Kowalska {q=background.role}: Could you tell me about yourself?

[00:00:21] Marek Nowak: Sure. I work as an analyst.

A second paragraph of the same turn.

[01:02:05] Anna Kowalska: And was that online?

[01:02:09] Marek Nowak: Yes [laughs], fully online.
"""


def docx_parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {i.filename: z.read(i.filename) for i in z.infolist()}


def paragraphs(data: bytes) -> list[str]:
    import docx

    return [p.text for p in docx.Document(io.BytesIO(data)).paragraphs]


# --------------------------------------------------------------------------- parsing

def test_parse_turns_marks_and_continuations(build, tmp_path):
    src = build.parse_source(write_source(tmp_path, BODY))
    turns = src["turns"]
    assert [t["speaker"] for t in turns] == ["Anna Kowalska", "Marek Nowak"] * 2
    assert [t["timestamp"] for t in turns] == [3, 21, 3725, 3729]
    assert [t["question"] for t in turns] == ["background.role", None, None, None]
    assert turns[1]["text"] == "Sure. I work as an analyst.\nA second paragraph of the same turn."
    assert turns[0]["line"] == 15
    assert src["words"] == 6 + 13 + 4 + 3  # bracketed annotations such as [laughs] are not words
    assert str(src["date"]) == "2026-03-14" and src["interviewers"] == ["Anna Kowalska"]


@pytest.mark.parametrize(
    "body, message",
    [
        ("[00:00:03] Someone Else: Hi.\n", "neither the interviewer"),
        ("[00:01:00] Anna Kowalska: Hi.\n\n[00:00:50] Marek Nowak: Hello.\n", "back in time"),
        ("[00:00:03] Marek Nowak {q=background.role}: Hi.\n", "respondent turn"),
        ("[00:00:03] Anna Kowalska {q=impact.hiring}: Hi.\n", "not asked of learners"),
        ("[00:00:03] Anna Kowalska {q=nope.nothing}: Hi.\n", "not a question id"),
        ("Some text first.\n\n[00:00:03] Anna Kowalska: Hi.\n", "before the first turn"),
        ("\n", "no turns found"),
    ],
)
def test_parse_errors_name_file_and_fix(build, tmp_path, body, message):
    with pytest.raises(build.SourceError, match=message) as info:
        build.parse_source(write_source(tmp_path, body))
    assert "int-99.md" in str(info.value)


def test_front_matter_errors(build, tmp_path):
    with pytest.raises(build.SourceError, match="format 'zoom'"):
        build.parse_source(write_source(tmp_path, BODY, fmt="zoom"))
    path = tmp_path / "int-98.md"
    path.write_text("---\nid: int-98\nformat: teams\n---\n" + BODY, encoding="utf-8")
    with pytest.raises(build.SourceError, match="lacks title"):
        build.parse_source(path)
    path.write_text("no front matter\n", encoding="utf-8")
    with pytest.raises(build.SourceError, match="line 1"):
        build.parse_source(path)


def test_focus_group_accepts_moderator_and_first_names(build, tmp_path):
    body = ("[00:00:04] Moderator {q=background.role}: Let's start.\n\n"
            "[00:00:20] Joana: I am Joana.\n\n[00:00:31] Pieter de Boer: Pieter.\n")
    src = build.parse_source(write_source(tmp_path, body, fmt="focus_group",
                                          interviewer="Sanne Jansen",
                                          respondent="Joana Silva, Pieter de Boer"))
    assert src["respondents"] == ["Joana Silva", "Pieter de Boer"]
    assert [t["speaker"] for t in src["turns"]] == ["Moderator", "Joana", "Pieter de Boer"]


# --------------------------------------------------------------------------- the sample study

def test_sample_sources_are_valid_and_realistic(build, sources):
    ids = [s["id"] for s in sources]
    assert {f"int-0{i}" for i in range(1, 8)} <= set(ids)
    guide = build._load_guide()
    for s in sources:
        assert 1800 <= s["words"] <= 3200, s["id"]
        marked = [t["question"] for t in s["turns"] if t["question"]]
        assert len(marked) >= 8, s["id"]
        assert len(set(marked)) < len(guide), f"{s['id']} asks every guide question"
        times = [t["timestamp"] for t in s["turns"]]
        assert times == sorted(times)
        rate = s["words"] / (build._duration(s) / 60)
        assert 100 < rate < 180, (s["id"], rate)  # spoken words per minute


def test_own_interviews_cover_groups_and_formats(sources):
    mine = {s["id"]: s for s in sources if s["id"] in {f"int-0{i}" for i in range(1, 8)}}
    assert {s["respondent_group"] for s in mine.values()} == {"learner", "employer", "provider",
                                                              "stakeholder"}
    assert mine["int-07"]["format"] == "focus_group" and len(mine["int-07"]["respondents"]) == 4
    text = " ".join(t["text"] for t in mine["int-07"]["turns"])
    assert "micro-credentials are a thing" in text  # a participant disputes the premise


# --------------------------------------------------------------------------- formats

def render(build, tmp_path, fmt, **kw):
    return build.render_docx(build.parse_source(write_source(tmp_path / fmt, BODY, fmt=fmt, **kw)))


def test_teams_layout(build, tmp_path):
    paras = paragraphs(render(build, tmp_path, "teams"))
    assert paras[:4] == ["Anna Kowalska   0:03", "Could you tell me about yourself?", "",
                         "Marek Nowak   0:21"]
    assert "Anna Kowalska   1:02:05" in paras
    assert paras[4:6] == ["Sure. I work as an analyst.", "A second paragraph of the same turn."]
    titled = paragraphs(render(build, tmp_path / "t", "teams", extra="title_line: true\n"))
    assert titled[0] == "A test interview"


def test_otter_layout(build, tmp_path):
    paras = paragraphs(render(build, tmp_path, "otter", extra='start_time: "14:02"\n'))
    assert paras[0] == "A test interview"
    assert re.fullmatch(r"Sat, Mar 14, 2026 2:02PM • 1:02:\d\d", paras[1])
    assert paras[3] == "SUMMARY KEYWORDS" and "laughs" not in paras[4]
    assert paras[6:8] == ["SPEAKERS", "Anna Kowalska, Marek Nowak"]
    assert "Anna Kowalska  00:03" in paras and "Anna Kowalska  1:02:05" in paras
    assert paras[-1] == "Transcribed by https://otter.ai"


def test_word_transcribe_moves_main_part(build, tmp_path):
    data = render(build, tmp_path, "word_transcribe")
    parts = docx_parts(data)
    assert "word/document2.xml" in parts and "word/document.xml" not in parts
    assert "word/_rels/document2.xml.rels" in parts
    assert b'Target="word/document2.xml"' in parts["_rels/.rels"]
    assert b'PartName="/word/document2.xml"' in parts["[Content_Types].xml"]
    paras = paragraphs(data)
    assert paras[4:6] == ["00:00:03 Speaker 1", "Could you tell me about yourself?"]
    assert "00:00:21 Speaker 2" in paras and "01:02:05 Speaker 1" in paras
    assert "Sure. I work as an analyst. A second paragraph of the same turn." in paras


def test_handtyped_block_layout(build, tmp_path):
    import docx

    doc = docx.Document(io.BytesIO(render(build, tmp_path, "handtyped_block")))
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "Interview ID: int-99" and "Respondent: Marek Nowak (pseudonym)" in texts
    turns = [p for p in doc.paragraphs if p.runs and p.runs[0].bold]
    assert [p.runs[0].text for p in turns] == ["Interviewer:", "R:", "Interviewer:", "R:"]
    assert turns[0].text == "Interviewer: [00:00:03] Could you tell me about yourself?"
    assert turns[1].text == "R: Sure. I work as an analyst."
    assert doc.sections[0].header.paragraphs[0].text == "Cedefop micro-credentials study – CONFIDENTIAL"


def test_handtyped_table_layout(build, tmp_path):
    import docx

    doc = docx.Document(io.BytesIO(render(build, tmp_path, "handtyped_table")))
    meta, body = doc.tables
    assert [c.text for c in meta.rows[0].cells] == ["Interview ID", "int-99"]
    assert [c.text for c in body.rows[0].cells] == ["Time", "Speaker", "Text"]
    assert len(body.rows) == 5
    assert [c.text for c in body.rows[2].cells] == [
        "00:00:21", "Marek Nowak", "Sure. I work as an analyst.\nA second paragraph of the same turn."]


def test_focus_group_dash_and_unlabelled_layouts(build, tmp_path):
    import docx

    fg = paragraphs(render(build, tmp_path, "focus_group"))
    assert "[00:00:03] Anna Kowalska: Could you tell me about yourself?" in fg
    dash = paragraphs(render(build, tmp_path, "dash_labels"))
    assert "I – [00:00:03] Could you tell me about yourself?" in dash
    assert "R – Sure. I work as an analyst." in dash and "I – And was that online?" in dash
    doc = docx.Document(io.BytesIO(render(build, tmp_path, "unlabelled")))
    paras = doc.paragraphs
    assert paras[0].text == "A test interview" and paras[1].text.startswith("int-99 | 2026-03-14")
    assert [p.text for p in paras[2:4]] == [
        "Could you tell me about yourself?",
        "Sure. I work as an analyst. A second paragraph of the same turn."]
    assert paras[2].runs[0].italic and not paras[3].runs[0].italic
    footer = doc.sections[0].footer._element.xml
    assert "PAGE" in footer and "fldChar" in footer


def test_tool_exports_have_no_study_header(build, tmp_path):
    import docx

    doc = docx.Document(io.BytesIO(render(build, tmp_path, "teams")))
    assert not doc.sections[0].header.paragraphs[0].text


# --------------------------------------------------------------------------- outputs

def test_build_is_deterministic_and_writes_cases(build, tmp_path):
    write_source(tmp_path / "src", BODY, id="int-99")
    write_source(tmp_path / "src", BODY, id="int-98", fmt="word_transcribe", group="employer")
    a = build.build(tmp_path / "src", tmp_path / "a")
    b = build.build(tmp_path / "src", tmp_path / "b")
    assert [p.name for p in a] == ["int-98.docx", "int-99.docx", "cases.csv"]
    for pa, pb in zip(a, b):
        assert pa.read_bytes() == pb.read_bytes()
    with zipfile.ZipFile(a[0]) as z:
        assert {i.date_time for i in z.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert z.infolist()[0].filename == "[Content_Types].xml"
        assert "docProps/thumbnail.jpeg" not in z.namelist()
        assert b"2026-03-14T09:00:00Z" in z.read("docProps/core.xml")
    rows = list(csv.DictReader(io.StringIO((tmp_path / "a" / "cases.csv").read_text("utf-8"))))
    assert list(rows[0]) == list(build.CASE_COLUMNS)
    assert [(r["case_id"], r["respondent_group"], r["format"]) for r in rows] == [
        ("int-98", "employer", "word_transcribe"), ("int-99", "learner", "teams")]
    assert rows[0]["words"] == "26" and rows[0]["date"] == "2026-03-14"


def test_committed_outputs_match_sources(build, sources):
    """transcripts/*.docx and cases.csv are regenerated from the current sources."""
    out = ROOT / "transcripts"
    assert (out / "cases.csv").read_bytes() == build.cases_csv(sources)
    for s in sources:
        if s["id"] in {f"int-0{i}" for i in range(1, 8)}:
            assert (out / f"{s['id']}.docx").read_bytes() == build.render_docx(s), s["id"]
