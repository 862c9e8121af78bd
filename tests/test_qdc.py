"""REFI-QDA codebooks: schema-valid export, lossless round trip, other tools' files."""
from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcqual.codebook.model import Code, Codebook
from mcqual.errors import CodebookError
from mcqual._guids import guid, normalize_guid
from mcqual.codebook.qdc import (CodeSet, code_guid, format_description, parse_description, qdc_bytes, read_qdc,
                                 write_qdc)


def _codebook() -> Codebook:
    cb = Codebook([
        Code("trust", "Conditions for trust", codable=False, color="#1f77b4",
             definition="What makes a credential credible.\nInclude: a line that looks like a heading\n\n- and a dash line"),
        Code("trust.qa", "Quality assurance", parent="trust", definition="External QA or accreditation.",
             include=("mentions of accreditation", "EQF/NQF levels"), exclude=("issuer brand only",),
             examples=('"It was accredited by the ministry."', "multi\nline example"),
             counter_examples=("We trust Google.",), keywords=("accredited", "EQF, NQF"),
             patterns=([{"LOWER": "eqf"}, {"LIKE_NUM": True}],), memo="Merged from QA and NQF.",
             name="quality_assurance"),
        Code("trust.brand", "Issuer reputation & brand", parent="trust", color="#aabbcc"),
        Code("stack", "Stacking", definition="Include: this word at a line start is not a heading"),
    ], name="Micro-credentials", version="2.1", language="en", description="Sample study -- codebook")
    cb.sets = (CodeSet("Trust drivers", ("trust.qa", "trust.brand"), "Codes on trust"),)
    return cb


@pytest.fixture(scope="module")
def codebook_schema(shared):
    xmlschema = pytest.importorskip("xmlschema")
    return xmlschema.XMLSchema(str(shared / "refi-qda" / "Codebook.xsd"))


def test_description_layout_is_readable_and_parses_back():
    code = _codebook()["trust.qa"]
    text = format_description(code)
    assert text.startswith("Definition: External QA or accreditation.\nInclude:\n- mentions of accreditation\n")
    assert "Exclude:\n- issuer brand only" in text and text.endswith("ID: trust.qa")
    back = parse_description(text)
    for f in ("definition", "include", "exclude", "examples", "counter_examples", "keywords", "patterns", "memo",
              "name", "id"):
        assert back[f] == getattr(code, f), f


def test_free_text_description_becomes_definition():
    assert parse_description("Anything about health\nand wellbeing") == {
        "definition": "Anything about health\nand wellbeing"}
    assert parse_description("") == {}


def test_export_validates_against_codebook_xsd(codebook_schema):
    data = qdc_bytes(_codebook())
    codebook_schema.validate(io.BytesIO(data))
    assert b'guid="%s"' % code_guid("trust.qa").encode() in data
    assert b"Definition: External QA" in data


def test_round_trip_loses_nothing(tmp_path):
    cb = _codebook()
    path = tmp_path / "cb.qdc"
    assert write_qdc(cb, path) == path
    back = read_qdc(path)
    assert back.ids == cb.ids
    for a, b in zip(cb, back):
        assert a == b, (a, b)
    assert (back.name, back.version, back.language, back.description) == (
        "Micro-credentials", "2.1", "en", "Sample study -- codebook")
    assert back.sets[0].codes == ("trust.qa", "trust.brand") and back.sets[0].description == "Codes on trust"
    assert back.path("trust.qa") == "trust/quality_assurance"


def test_export_is_deterministic(tmp_path):
    assert qdc_bytes(_codebook()) == qdc_bytes(_codebook())
    assert guid("code", "x") == code_guid("x")


def test_write_is_atomic_and_reports_missing_folder(tmp_path):
    from mcqual.errors import ExchangeError

    with pytest.raises(ExchangeError) as err:
        write_qdc(_codebook(), tmp_path / "nope" / "cb.qdc")
    assert err.value.code == "E600"
    write_qdc(_codebook(), tmp_path / "cb.qdc")
    assert [p.name for p in tmp_path.iterdir()] == ["cb.qdc"]


def test_reads_atlasti_codebook(shared):
    cb = read_qdc(shared / "refi-qda" / "samples" / "atlasti-23.4-codebook.qdc")
    assert cb.ids == ["code1"]
    code = cb["code1"]
    assert code.definition == "description" and code.color == "#46AA00" and code.codable
    assert cb.sets == (CodeSet("code group 1", ("code1",), "kategorie 1",
                               "eca18d76-2b8b-4f26-bc1d-19eca19fb3f0"),)
    assert cb.guids == {"1ff58b12-6f6f-4b0c-8be5-bbdc91f55294": "code1"}


def test_foreign_nested_codes_get_path_ids_and_unique():
    xml = b"""<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>
      <Code guid="{20000000-0000-0000-0000-000000000001}" name="Topics" isCodable="false">
        <Code guid="20000000-0000-0000-0000-000000000002" name="Health &amp; care" isCodable="true" color="#3c3"/>
        <Code guid="20000000-0000-0000-0000-000000000003" name="Health &amp; care" isCodable="true"/>
      </Code></Codes></CodeBook>"""
    cb = read_qdc(io.BytesIO(xml))
    assert cb.ids == ["topics", "topics.health_care", "topics.health_care_2"]
    assert cb["topics.health_care"].color == "#33cc33" and cb["topics.health_care"].label == "Health & care"
    assert not cb["topics"].codable
    assert normalize_guid("{20000000-0000-0000-0000-000000000001}") in cb.guids


@pytest.mark.parametrize("xml, msg", [
    (b"<Project xmlns='urn:QDA-XML:project:1.0' name='x'/>", "not <CodeBook>"),
    (b"<CodeBook xmlns='urn:QDA-XML:codebook:1.0'>", "well-formed"),
    (b"<CodeBook xmlns='urn:QDA-XML:codebook:1.0'/>", "no <Codes>"),
])
def test_invalid_files_raise_e209(xml, msg):
    with pytest.raises(CodebookError) as err:
        read_qdc(io.BytesIO(xml))
    assert err.value.code == "E209" and msg in str(err.value)


def test_missing_file_raises_e200(tmp_path):
    with pytest.raises(CodebookError) as err:
        read_qdc(tmp_path / "missing.qdc")
    assert err.value.code == "E200"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16"])
def test_a_doctype_is_refused_never_expanded(encoding):
    xml = (f'<?xml version="1.0" encoding="{encoding.upper()}"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
           '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="20000000-0000-0000-0000-000000000001" '
           'name="a" isCodable="true"><Description>&e; and more</Description></Code></Codes></CodeBook>')
    with pytest.raises(CodebookError) as err:
        read_qdc(io.BytesIO(xml.encode(encoding)))
    assert err.value.code == "E213" and "root:" not in str(err.value)


_lines = st.lists(st.sampled_from(list("ab -:\n") + ["Include:", "ID:", "- ", "\nExclude:", "\n- "]),
                  max_size=12).map("".join)
_item = _lines.map(lambda s: s.strip()).filter(bool)


@settings(max_examples=200, deadline=None)
@given(definition=_lines.map(str.strip), include=st.lists(_item, max_size=3), memo=_lines.map(str.strip),
       examples=st.lists(_item, max_size=3))
def test_description_round_trip_property(definition, include, memo, examples):
    code = Code("a.b", definition=definition, include=tuple(include), memo=memo, examples=tuple(examples))
    back = parse_description(format_description(code))
    assert back.get("definition", "") == definition
    assert back.get("include", ()) == code.include
    assert back.get("examples", ()) == code.examples
    assert back.get("memo", "") == memo


def test_control_characters_are_dropped_not_fatal(codebook_schema):
    data = qdc_bytes(Codebook([Code("a", "A\x0b label", definition="soft\x0cbreak")]))
    codebook_schema.validate(io.BytesIO(data))
    assert read_qdc(io.BytesIO(data))["a"].definition == "softbreak"
