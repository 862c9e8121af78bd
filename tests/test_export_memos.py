"""The Word report's memo appendix: grouped, attributed, passages quoted, withdrawn memos left out."""
from __future__ import annotations

import io

import pytest

import mcqual as mq
from mcqual.export.memos import add_memo_appendix
from mcqual.export.word import to_docx

docx = pytest.importorskip("docx")


@pytest.fixture()
def project(tmp_path):
    p = mq.Project.create(tmp_path / "w.mcq", coder="AB")
    p.add_transcripts([mq.Transcript.from_turns("int-01", [("I", "Do you trust badges?"),
                                                           ("R1", "Only from known issuers.\nNot others.")])])
    p.set_codebook(mq.Codebook([mq.Code("trust", "Trust in issuers"), mq.Code("value", "Value")]))
    cid = p.code("int-01", "trust", quote="Only from known issuers.")
    p.memo("EQF keeps coming up.")
    m = p.memo("Issuers first.", code="trust")
    p.memo("Issuers first, then the badge.\nSecond paragraph.", replaces=m, coder="CD")
    p.memo("Hedged answer.", coding=cid)
    p.memo("Short interview.", transcript="int-01")
    gone = p.memo("Delete me.", transcript="int-01")
    p.memo("", replaces=gone)
    yield p
    p.close()


def _paras(buf):
    return [(x.style.name, x.text) for x in docx.Document(io.BytesIO(buf.getvalue())).paragraphs]


def test_appendix_in_report(project):
    buf = io.BytesIO()
    to_docx(buf, memos=project.memos(), codebook=project.codebook(), corpus=project.corpus())
    paras = _paras(buf)
    texts = [t for _, t in paras]
    start = texts.index("Appendix: Memos")  # after the report's title block
    assert texts[start + 1] == "4 memos by AB, CD."
    assert texts.index("Project") < texts.index("Codes") < texts.index("Transcript int-01")
    assert any(t.startswith("On the code Trust in issuers — CD") and t.endswith("(edited)") for t in texts)
    assert "Second paragraph." in texts and "Delete me." not in texts
    i = next(k for k, t in enumerate(texts) if t.startswith("On a coding (Trust in issuers), int-01 [22–46]"))
    assert paras[i + 1] == ("Quote", "“Only from known issuers.”") and texts[i + 2] == "Hedged answer."
    # memos on the transcript come before memos on its passages
    assert next(k for k, t in enumerate(texts) if t.startswith("On the transcript")) < i


def test_appendix_alone_and_empty(project):
    doc = docx.Document()
    assert add_memo_appendix(doc, project.memos().iloc[0:0]) == 0
    assert [p.text for p in doc.paragraphs] == ["Appendix: Memos", "No memos."]
    buf = io.BytesIO()
    to_docx(buf, memos=project.memos(coder="AB"))  # no codebook, no corpus: ids, no quotes
    texts = [t for _, t in _paras(buf)]
    assert any(t.startswith("On a coding (trust), int-01 [22–46]") for t in texts)


def test_pseudonymised_report_hides_names_in_memos_and_passages(tmp_path):
    p = mq.Project.create(tmp_path / "ps.mcq", coder="AB")
    p.add_transcripts([mq.Transcript.from_turns("int-01", [("I", "Hello Maria Schmidt, do you trust badges?"),
                                                           ("R1", "Only from known issuers.")])])
    p.memo("Call Maria Schmidt back.", transcript="int-01", span=(6, 19))
    buf = io.BytesIO()
    to_docx(buf, memos=p.memos(), corpus=p.corpus(), pseudonymise={"names": ["Maria Schmidt"]})
    texts = [t for _, t in _paras(buf)]
    assert not any("Maria" in t for t in texts)
    assert "“[PERSON-1]”" in texts and "Call [PERSON-1] back." in texts
    p.close()
