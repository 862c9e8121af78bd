"""Everywhere a code is named, its id or its label works (any case); an unknown code is an error, never empty."""
from __future__ import annotations

import pandas as pd
import pytest

import mcqual as mq
from mcqual.errors import AnalysisError, CodebookError, ProjectError

CB = mq.Codebook([mq.Code("trust", "Trust", codable=False),
                  mq.Code("trust.issuer", "Issuer reputation", parent="trust"),
                  mq.Code("consent", "Informed consent"),
                  mq.Code("other.issuer", "Issuer reputation", parent="consent")])


@pytest.fixture()
def project(tmp_path):
    p = mq.Project.create(tmp_path / "l.mcq", coder="ab")
    p.add_transcripts([mq.Transcript.from_turns("a", [("R", "Employers trust known issuers. We signed a form.")])])
    p.set_codebook(mq.Codebook([c for c in CB if c.id != "other.issuer"]))
    yield p
    p.close()


def test_codebook_lookup():
    assert CB.lookup("trust.issuer") == "trust.issuer"
    assert CB.lookup("  informed   CONSENT ") == "consent"
    assert CB.lookup(CB.path("trust.issuer").upper()) == "trust.issuer"
    with pytest.raises(CodebookError) as e:  # one label, two codes: name the paths
        CB.lookup("issuer reputation")
    assert e.value.code == "E208" and "trust.issuer" in str(e.value) and "other.issuer" in str(e.value)
    with pytest.raises(CodebookError) as e:
        CB.lookup("informed consnet")
    assert "closest: 'Informed consent' (consent)" in str(e.value)
    with pytest.raises(CodebookError):
        CB.lookup(None)  # type: ignore[arg-type]


def test_project_names_codes_by_label(project):
    cid = project.code("a", 0, 9, "informed consent")
    assert project.codings()["code"].tolist() == ["consent"]
    assert project.code_many([{"transcript_id": "a", "start": 10, "end": 15, "code": "ISSUER REPUTATION",
                               "coder": "cd"}])
    assert project.codings(code="Issuer Reputation")["coder"].tolist() == ["cd"]
    assert project.codings(code="Informed consent")["coding_id"].tolist() == [cid]
    assert len(project.suggestions(code="informed consent")) == 0  # known code, nothing suggested: fine
    assert project.resolve_code("Trust") == "trust"


@pytest.mark.parametrize("call", [
    lambda p: p.code("a", 0, 9, "consnet"),
    lambda p: p.code_many([{"transcript_id": "a", "start": 0, "end": 9, "code": "consnet"}]),
    lambda p: p.codings(code="consnet"),
    lambda p: p.suggestions(code="consnet"),
    lambda p: p.review(code="consnet", widgets=False),
    lambda p: p.rename_code("consnet", "x"),
    lambda p: p.merge_codes(["consnet"], "trust"),
    lambda p: p.memos(code="consnet"),
    lambda p: p.search("trust", code="consnet"),
])
def test_unknown_code_is_an_error_with_closest_names(project, call):
    with pytest.raises(ProjectError) as e:
        call(project)
    assert e.value.code == "E311" and "'Informed consent' (consent)" in str(e.value)
    assert len(project.codings()) == 0


def test_rename_and_merge_by_label(project):
    project.code("a", 0, 9, "consent")
    project.rename_code("Informed Consent", "consent.signed", label="Signed consent")
    assert project.codings()["code"].tolist() == ["consent.signed"]
    with pytest.raises(ProjectError) as e:  # the old id says where it went
        project.code("a", 0, 9, "consent")
    assert "renamed or merged into 'consent.signed'" in str(e.value)
    project.merge_codes(["signed consent"], "issuer reputation")
    assert project.codings()["code"].tolist() == ["trust.issuer"]


def test_matrices_take_codes_by_label(project):
    project.code("a", 0, 9, "consent")
    project.code("a", 10, 15, "trust.issuer")
    m = mq.code_case_matrix(project, codebook=project.codebook(), codes=["informed consent"])
    assert m.to_dict() == {"a": {"consent": 1}}
    m = mq.code_case_matrix(project, codes=["Trust"], level=1, codebook=project.codebook())
    assert m.to_dict() == {"a": {"trust": 1}}  # a theme keeps its sub-codes' codings
    m = mq.code_summary(project, codes="Issuer reputation")  # the project's codebook resolves the label
    assert list(m.index) == ["trust.issuer"]
    with pytest.raises(CodebookError) as e:
        mq.code_case_matrix(project, codes=["consnet"])
    assert "Informed consent" in str(e.value)
    df = pd.DataFrame({"transcript_id": ["a"], "start": [0], "end": [4], "code": ["Trust"]})
    assert mq.cooccurrence(df, codes=["trust"]).shape == (1, 1)
    with pytest.raises(AnalysisError) as e:
        mq.code_group_matrix(df, by="g", codes=["trsut"], attributes=pd.DataFrame({"g": ["x"]}, index=["a"]))
    assert "closest: 'Trust'" in str(e.value)


def test_codes_in_use_but_not_in_the_codebook_still_filter(project):
    """A suggester may propose a new theme; codings may keep a code an earlier codebook had."""
    project.code("a", 0, 9, "consent")
    project.set_codebook(mq.Codebook([mq.Code("trust", "Trust")]))  # 'consent' is gone from the codebook
    assert project.codings(code="consent")["code"].tolist() == ["consent"]
    assert project.codings(code="CONSENT")["code"].tolist() == ["consent"]
    with pytest.raises(ProjectError):
        project.codings(code="consnet")
