"""REFI-QDA projects: schema-valid, deterministic export; lossless round trip; import of another tool's file."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import pandas as pd
import pytest

from mcqual.codebook.model import Code, Codebook
from mcqual.corpus import Corpus
from mcqual.errors import ExchangeError
from mcqual._guids import guid
from mcqual.codebook.qdc import CodeSet
from mcqual.exchange.qdpx import QdpxProject, qdpx_files, read_qdpx, to_qdpx, variable_type
from mcqual.model import Transcript

CORE = ["transcript_id", "start", "end", "code", "coder"]


def _bundle() -> QdpxProject:
    t1 = Transcript.from_turns("int-07", [
        ("Interviewer", "Do employers trust micro-credentials?", 0.0, "interviewer"),
        ("R1", "Only if accredited 🎓 — the EQF level matters.\nAnd the issuer.", 872.0, "respondent")],
        language="en")
    t2 = Transcript.from_turns("int-08", [("I", "Can you stack them?"), ("R", "Not yet; recognition is patchy.")])
    cb = Codebook([Code("trust", "Trust", codable=False, definition="Conditions for trust."),
                   Code("trust.qa", "Quality assurance", parent="trust", include=("accreditation",),
                        examples=("EQF level",), color="#2ca02c"),
                   Code("recognition", "Recognition", definition="Recognition and stacking.")],
                  name="mc", version="3")
    cb.sets = (CodeSet("Institutional", ("trust.qa", "recognition")),)
    text1 = t1.text
    a = text1.index("Only if")
    b = text1.index("matters.") + len("matters.")
    c = text1.index("EQF")
    codings = pd.DataFrame([
        {"transcript_id": "int-07", "start": a, "end": b, "code": "trust.qa", "coder": "AB"},
        {"transcript_id": "int-07", "start": a, "end": b, "code": "trust.qa", "coder": "CD"},
        {"transcript_id": "int-07", "start": c, "end": c + 9, "code": "recognition", "coder": "CD"},
        {"transcript_id": "int-08", "start": 21, "end": 28, "code": "recognition", "coder": "AB"},
    ])
    attrs = pd.DataFrame({"respondent_group": ["employer", "learner"], "country": ["DE", "FR"],
                          "employees": [250, 3], "share_online": [0.5, 0.125], "consented": [True, False],
                          "interview_date": pd.to_datetime(["2026-03-02", "2026-03-05"])},
                         index=pd.Index(["int-07", "int-08"], name="case_id"))
    memos = pd.DataFrame([
        {"memo_id": "m1", "title": "Project memo", "text": "Follow up on EQF.", "coder": "AB"},
        {"memo_id": "m2", "title": "On int-07", "text": "Strong employer view.", "coder": "CD",
         "transcript_id": "int-07"},
        {"memo_id": "m3", "title": "QA scope", "text": "Includes NQF.\nSecond line.", "code": "trust.qa"},
    ])
    return QdpxProject(Corpus([t1, t2], attributes=attrs), cb, codings, attrs, memos, name="Cedefop MC study")


@pytest.fixture(scope="module")
def project_schema(shared):
    xmlschema = pytest.importorskip("xmlschema")
    return xmlschema.XMLSchema(str(shared / "refi-qda" / "Project-mrt2019.xsd"))


def test_export_validates_against_project_xsd(project_schema, tmp_path):
    path = to_qdpx(_bundle(), tmp_path / "study.qdpx")
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        qde = zf.read("project.qde")
        src = zf.read(f"sources/{guid('source', 'int-07')}.txt").decode("utf-8")
    project_schema.validate(io.BytesIO(qde))
    assert names[0] == "project.qde" and all(n.startswith("sources/") and n.endswith(".txt") for n in names[1:])
    assert src == _bundle().corpus["int-07"].text
    assert f'plainTextPath="internal://{guid("source", "int-07")}.txt"'.encode() in qde
    for tag in (b"<User ", b'typeOfVariable="Integer"', b'typeOfVariable="Float"', b'typeOfVariable="Boolean"',
                b'typeOfVariable="Date"', b'typeOfVariable="Text"', b"<DateValue>2026-03-02</DateValue>",
                b"<FloatValue>0.125</FloatValue>", b"<PlainTextContent>Follow up on EQF.</PlainTextContent>",
                b"Include:\n- accreditation"):
        assert tag in qde, tag


def test_export_is_byte_identical(tmp_path):
    a = to_qdpx(_bundle(), tmp_path / "a.qdpx").read_bytes()
    b = to_qdpx(_bundle(), tmp_path / "b.qdpx").read_bytes()
    assert a == b
    with zipfile.ZipFile(io.BytesIO(a)) as zf:
        assert {i.date_time for i in zf.infolist()} == {(1980, 1, 1, 0, 0, 0)}


def test_codings_are_grouped_per_selection_with_one_coding_per_coder():
    from lxml import etree

    root = etree.fromstring(qdpx_files(_bundle())["project.qde"])
    ns = {"q": "urn:QDA-XML:project:1.0"}
    sels = root.findall(".//q:TextSource/q:PlainTextSelection", ns)
    assert len(sels) == 3
    users = {u.get("guid"): u.get("name") for u in root.findall(".//q:User", ns)}
    first = [s for s in sels if len(s.findall("q:Coding", ns)) == 2][0]
    assert sorted(users[c.get("creatingUser")] for c in first.findall("q:Coding", ns)) == ["AB", "CD"]


def test_round_trip_keeps_codings_codes_cases_variables_memos(tmp_path):
    orig = _bundle()
    back = read_qdpx(to_qdpx(orig, tmp_path / "p.qdpx"))
    assert back.report == ()
    assert back.name == "Cedefop MC study"
    got = back.codings[CORE].sort_values(CORE).reset_index(drop=True)
    exp = orig.codings[CORE].sort_values(CORE).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, exp, check_dtype=False)
    for row in back.codings.itertuples():
        assert row.snippet == back.corpus[row.transcript_id].text[row.start:row.end]
    assert list(back.codebook) == list(orig.codebook)
    assert (back.codebook.name, back.codebook.version) == ("mc", "3")
    assert back.codebook.sets[0].codes == ("trust.qa", "recognition")
    pd.testing.assert_frame_equal(back.attributes, orig.attributes, check_dtype=False, check_names=False)
    assert back.attributes["employees"].dtype == "int64" and back.attributes["consented"].dtype == bool
    assert back.corpus["int-07"].attributes["country"] == "DE"
    for t in orig.corpus:
        u = back.corpus[t.id]
        assert u.text == t.text
        assert [(x.speaker, x.start, x.end, x.timestamp, x.role) for x in u.turns] == \
            [(x.speaker, x.start, x.end, x.timestamp, x.role) for x in t.turns]
    memos = back.memos.set_index("memo_id")
    assert memos.loc["m1", "text"] == "Follow up on EQF." and memos.loc["m1", "coder"] == "AB"
    assert memos.loc["m2", "transcript_id"] == "int-07"
    assert memos.loc["m3", "code"] == "trust.qa" and memos.loc["m3", "text"] == "Includes NQF.\nSecond line."


def test_emoji_offsets_are_code_points(tmp_path):
    t = Transcript.from_turns("x", [("R", "🎓🎓 badge")])
    codings = pd.DataFrame({"transcript_id": ["x"], "start": [3], "end": [8], "code": ["c"], "coder": ["A"]})
    back = read_qdpx(to_qdpx(QdpxProject(Corpus([t]), Codebook([Code("c")]), codings), tmp_path / "e.qdpx"))
    assert back.codings.loc[0, "snippet"] == "badge"


def test_duck_typed_project_and_warnings(tmp_path):
    b = _bundle()

    class FakeProject:
        name = "fake"

        def corpus(self):
            return b.corpus

        def codebook(self):
            return Codebook([Code("trust.qa")])

        def codings(self):
            df = b.codings.copy()
            df["status"] = ["active", "orphaned", "active", "active"]
            return df

    with pytest.warns(UserWarning) as rec:
        out = read_qdpx(to_qdpx(FakeProject(), tmp_path / "f.qdpx"))
    text = " ".join(str(w.message) for w in rec)
    assert "orphaned" in text and "not in the codebook" in text
    assert len(out.codings) == 3 and "recognition" in out.codebook


def test_variable_types():
    assert variable_type(pd.Series([dt.date(2026, 1, 2)])) == "Date"
    assert variable_type(pd.to_datetime(pd.Series(["2026-01-02 10:30"]))) == "DateTime"
    assert variable_type(pd.Series([None, None])) == "Text"
    assert variable_type(pd.Series([1, 2], dtype="Int64")) == "Integer"


def test_imports_hand_authored_project_and_reports_the_rest(shared):
    p = read_qdpx(shared / "refi-qda" / "samples" / "qdpx-toolkit-hand-authored.qdpx")
    text = p.corpus["Interview 1"].text
    rows = p.codings[p.codings.transcript_id == "Interview 1"].sort_values("start")
    assert rows[["start", "end", "code", "coder"]].values.tolist() == [
        [0, 15, "topics.health", "Researcher A"], [9, 23, "topics.health.diet", "Researcher A"]]
    assert rows.iloc[1]["snippet"] == text[9:23]
    cb = p.codebook
    assert cb.ids == ["topics", "topics.health", "topics.health.diet", "topics.wellbeing"]
    assert not cb["topics"].codable and cb.level("topics.health.diet") == 3
    assert cb["topics.health"].definition == "Anything about physical or mental health"
    assert p.attributes.loc["Participant 1", "Age"] == 34 and bool(p.attributes.loc["Participant 1", "Consented"])
    assert p.cases["Participant 1"] == ("Interview 1",)
    assert p.corpus["Interview 1"].attributes["Age"] == 34
    # the audio transcript's text selection is imported via its sync points
    audio = p.codings[p.codings.transcript_id != "Interview 1"]
    assert audio[["start", "end", "code"]].values.tolist() == [[0, 20, "topics.health.diet"]]
    memo = p.memos.iloc[0]
    assert memo["title"] == "Research memo" and (memo["start"], memo["end"]) == (0, 15)
    kinds = p.report_frame().groupby("kind").size().to_dict()
    assert kinds == {"case": 1, "graph": 1, "link": 1, "selection": 4, "set": 1, "source": 4}
    assert any("missing from the archive" in i.reason for i in p.report if i.name == "photo.jpg")
    assert any("external" in i.reason for i in p.report if i.name == "interview.m4a")
    assert "not imported" in p._repr_html_()


def test_reads_a_bare_project_qde(shared):
    p = read_qdpx(shared / "refi-qda" / "samples" / "qdpx-toolkit-hand-authored" / "project.qde")
    assert any("missing from the archive" in i.reason for i in p.report if i.name == "Interview 1.txt")
    assert len(p.codebook) == 4


def test_selection_outside_text_is_reported(tmp_path):
    files = qdpx_files(_bundle())
    qde = files["project.qde"].replace(b'endPosition="28"', b'endPosition="9999"')
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("project.qde", qde)
        for name, data in files.items():
            if name != "project.qde":
                zf.writestr(name, data)
    p = read_qdpx(io.BytesIO(buf.getvalue()))
    assert [i.kind for i in p.report] == ["selection"] and "outside the text" in p.report[0].reason
    assert len(p.codings) == 3


@pytest.mark.parametrize("content, msg", [(b"not xml at all", "well-formed"),
                                          (b"<CodeBook xmlns='urn:QDA-XML:codebook:1.0'/>", "not <Project>")])
def test_bad_files_raise_e601(tmp_path, content, msg):
    path = tmp_path / "bad.qde"
    path.write_bytes(content)
    with pytest.raises(ExchangeError) as err:
        read_qdpx(path)
    assert err.value.code == "E601" and msg in str(err.value)


def test_zip_without_project_raises(tmp_path):
    path = tmp_path / "empty.qdpx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("sources/a.txt", "x")
    with pytest.raises(ExchangeError, match="no project.qde"):
        read_qdpx(path)
    with pytest.raises(ExchangeError, match="not found"):
        read_qdpx(tmp_path / "missing.qdpx")


def test_exports_an_mcqual_project(tmp_path, project_schema):
    mq = pytest.importorskip("mcqual")
    try:
        Project = mq.Project
    except Exception:  # pragma: no cover - the project module is not there yet
        pytest.skip("mq.Project is not available")
    b = _bundle()
    p = Project.create(tmp_path / "study.mcq", coder="AB")
    p.add_transcripts(b.corpus)
    p.set_codebook(b.codebook)
    for r in b.codings.itertuples():
        p.code(r.transcript_id, r.start, r.end, r.code, coder=r.coder)
    path = to_qdpx(p, tmp_path / "study.qdpx")
    with zipfile.ZipFile(path) as zf:
        project_schema.validate(io.BytesIO(zf.read("project.qde")))
    back = read_qdpx(path)
    assert back.name == "study"
    got = back.codings[CORE].sort_values(CORE).reset_index(drop=True)
    exp = b.codings[CORE].sort_values(CORE).reset_index(drop=True)
    pd.testing.assert_frame_equal(got, exp, check_dtype=False)
    assert back.codebook.ids == b.codebook.ids
    assert back.corpus["int-07"].attributes["country"] == "DE"


# -- memos: project -> .qdpx (schema-valid) -> read back / import, same memos ------------------------------
class _KW:
    def fit(self, segments, codebook, codings=None):
        return self

    def suggest(self, segments):
        from mcqual.model import Suggestion

        return [Suggestion(s.segment_id, "recognition", 0.8, "kw", "stack") for s in segments if "stack" in s.text]


def _memo_project(tmp_path):
    import mcqual as mq
    from mcqual.model import Segment

    b = _bundle()
    p = mq.Project.create(tmp_path / "memos.mcq", coder="AB")
    p.add_transcripts(b.corpus)
    p.set_codebook(b.codebook)
    t = b.corpus["int-07"].text
    a = t.index("Only if")
    cid = p.code("int-07", "quality assurance", quote="Only if accredited 🎓 — the EQF level matters.")
    p.code("int-07", a, a + 7, "recognition", coder="CD")
    p.memo("Project-wide: EQF keeps coming up.")
    p.memo("Strong employer view.", transcript="int-07", coder="CD")
    p.memo("Emoji in the answer – check the recording.", transcript="int-07", span=(a + 19, a + 20))
    m = p.memo("QA covers NQF too.", code="trust.qa")
    p.memo("QA covers NQF and ESG too.\nSecond line <&>.", replaces=m)
    p.memo("Accreditation named explicitly.", coding=cid)
    segs = [Segment(x.id, u.start, u.end, u.text, u.speaker, u.role, "turn", i, i)
            for x in p.corpus() for i, u in enumerate(x.turns)]
    p.suggest(_KW(), segments=segs)
    sid = int(p.suggestions()["suggestion_id"].iloc[0])
    p.reject(sid, note="Asks about stacking; no answer yet.")
    gone = p.memo("Withdrawn soon.")
    p.memo("", replaces=gone)
    return p


def _key(df):
    cols = ["target", "text", "coder", "transcript_id", "start", "end", "code"]
    out = df[cols].astype(object).where(df[cols].notna(), None)
    return sorted(tuple(r) for r in out.values.tolist())


def test_memos_export_validate_and_read_back(tmp_path, project_schema):
    p = _memo_project(tmp_path)
    mine = p.memos()
    assert len(mine) == 6  # the withdrawn memo is not exported; the edited one once, as its latest version
    path = to_qdpx(p, tmp_path / "memos.qdpx")
    with zipfile.ZipFile(path) as zf:
        qde = zf.read("project.qde")
    project_schema.validate(io.BytesIO(qde))
    assert qde.count(b"<Note ") == 6 and b"Withdrawn soon" not in qde and b"QA covers NQF too." not in qde
    back = read_qdpx(path)
    exp = mine.assign(target=mine["target"].replace({"suggestion": "span"}),  # REFI-QDA has no suggestions:
                      code=mine["code"].where(mine["target"] != "suggestion"))  # a note on the passage
    assert _key(back.memos) == _key(exp)
    assert set(back.memos["created_at"].str.len()) == {20}  # xsd:dateTime, UTC, to the second
    cod = back.memos[back.memos.target == "coding"].iloc[0]
    assert cod["code"] == "trust.qa" and cod["text"] == "Accreditation named explicitly."
    p.close()


def test_import_qdpx_keeps_memos_and_is_idempotent(tmp_path):
    import mcqual as mq

    p = _memo_project(tmp_path)
    path = to_qdpx(p, tmp_path / "memos.qdpx")
    mine = p.memos()
    p.close()
    q = mq.Project.create(tmp_path / "other.mcq", coder="ZZ")
    rep = mq.import_qdpx(path, q)
    assert (rep.transcripts, rep.codings, rep.memos) == (2, 2, 6)
    got = q.memos()
    exp = mine.assign(target=mine["target"].replace({"suggestion": "span"}),  # REFI-QDA has no suggestions:
                      code=mine["code"].where(mine["target"] != "suggestion"))  # a note on the passage
    assert _key(got) == _key(exp)
    # the coding memo hangs on the imported coding
    cm = got[got.target == "coding"].iloc[0]
    assert q.codings().set_index("coding_id").loc[int(cm["coding_id"]), "code"] == "trust.qa"
    again = mq.import_qdpx(path, q)
    assert (again.codings, again.memos) == (0, 0) and len(q.memos()) == 6
    q.close()


def test_import_other_tools_note(shared, tmp_path):
    import mcqual as mq

    q = mq.Project.create(tmp_path / "ht.mcq", coder="ZZ")
    rep = mq.import_qdpx(shared / "refi-qda" / "samples" / "qdpx-toolkit-hand-authored.qdpx", q)
    assert rep.memos == 1 and rep.report
    m = q.memos().iloc[0]
    assert m["text"].startswith("Notes about diet") or len(m["text"]) > 0
    assert (m["transcript_id"], m["start"], m["end"]) == ("Interview 1", 0, 15)
    q.close()
