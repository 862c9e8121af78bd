"""Two coders' disagreements side by side: kinds, memos, Excel, resolving as a consensus decision."""
from __future__ import annotations

import pytest

import mcqual as mq
from mcqual.errors import ProjectError

TURNS = [("I", "Do you trust digital badges?"),
         ("R", "I trust badges from universities. They are cheap."),
         ("I", "And employers?"),
         ("R", "Employers ask for proof. Costs matter a lot."),
         ("R", "We agree on this sentence.")]
T = mq.Transcript.from_turns("int-01", TURNS)


def span(quote: str) -> tuple[int, int]:
    i = T.text.index(quote)
    return i, i + len(quote)


@pytest.fixture
def project(store_url):
    p = mq.Project.create(store_url)
    p.add_transcripts([T])
    p.set_codebook(mq.Codebook.from_codes(["trust", "cost", "employer", "agree"]))
    a, b = span("They are cheap.")
    p.code("int-01", a, b, "cost", coder="AK")                         # code vs no code
    a, b = span("Employers ask for proof.")
    p.code("int-01", a, b, "employer", coder="AK")                     # different code
    p.code("int-01", a, b, "trust", coder="MB")
    a, b = span("Costs matter a lot.")
    p.code("int-01", a, b, "cost", coder="AK")                         # boundary only
    p.code("int-01", a + 6, b, "cost", coder="MB")
    a, b = span("We agree on this sentence.")
    for who in ("AK", "MB"):
        p.code("int-01", a, b, "agree", coder=who)                     # agreement
    yield p
    p.close()


def test_kinds_spans_and_text(project):
    d = project.disagreements(coders=["AK", "MB"])
    f = d.frame
    assert f["kind"].tolist() == ["code vs no code", "different code", "boundary only"]
    assert f["AK"].tolist() == ["cost", "employer", "cost"]
    assert f["MB"].tolist() == ["", "trust", "cost"]
    assert f["disputed"].tolist() == ["cost", "employer; trust", "cost"]
    assert f["text"].tolist() == ["They are cheap.", "Employers ask for proof.", "Costs matter a lot."]
    a, b = span("Costs matter a lot.")
    assert f["MB_spans"].iloc[2] == f"cost [{a + 6}:{b}]"
    assert d.counts() == {"code vs no code": 1, "different code": 1, "boundary only": 1}
    assert len(project.disagreements(coders=["AK", "MB"], include_agreements=True)) == 4
    assert project.disagreements(coders=["AK", "MB"], code="trust").frame["kind"].tolist() == ["different code"]
    # a missing code in a passage both coded is "code vs no code", not "different code"
    a, b = span("I trust badges from universities.")
    project.code("int-01", a, b, "trust", coder="AK")
    project.code("int-01", a, b, "trust", coder="MB")
    project.code("int-01", a, b, "cost", coder="MB")
    row = project.disagreements(coders=["AK", "MB"]).frame.iloc[0]
    assert (row["kind"], row["disputed"], row["AK"], row["MB"]) == ("code vs no code", "cost", "trust", "trust; cost")
    # default coders: the two with the most codings
    assert project.disagreements().coders in (("AK", "MB"), ("MB", "AK"))


def test_memos_show_beside_the_coding(project):
    mb = project.codings(coder="MB", code="trust")
    cid = int(mb["coding_id"].iloc[0])
    project._store.append_memos([{"coder": "MB", "created_at": "2026-01-01T00:00:00Z", "target": "coding",
                                  "transcript_id": "int-01", "coding_id": cid, "text": "proof = trust?"}])
    f = project.disagreements(coders=["AK", "MB"]).frame
    assert f["MB_memos"].tolist() == ["", "proof = trust?", ""]


def test_html_side_by_side(project):
    html = project.disagreements(coders=["AK", "MB"])._repr_html_()
    assert html.count("<mark") >= 4 and "different code" in html and "<i>no code</i>" in html


def test_excel_sheet(project, tmp_path):
    from openpyxl import load_workbook

    path = project.disagreements(coders=["AK", "MB"]).to_excel(tmp_path / "dis.xlsx")
    wb = load_workbook(path)
    ws = wb["disagreements"]
    header = [c.value for c in ws[1]]
    assert header[:8] == ["row", "passage", "transcript_id", "start", "end", "kind", "disputed", "AK"]
    assert ws.max_row == 4
    kinds = [ws.cell(row=i, column=6).value for i in range(2, 5)]
    assert kinds == ["code vs no code", "different code", "boundary only"]
    assert ws.cell(row=2, column=6).fill.fgColor.rgb.endswith("FDE2E1")
    assert [r[0].value for r in wb["counts"].iter_rows(min_row=2)] == ["code vs no code", "different code",
                                                                       "boundary only"]


def test_resolve_records_a_consensus_decision(project):
    d = project.disagreements(coders=["AK", "MB"])
    ids = d.resolve(1, code="employer", note="asking for proof is about employers")
    a, b = span("Employers ask for proof.")
    c = project.codings(coder="consensus")
    assert c[["coding_id", "start", "end", "code"]].values.tolist() == [[ids[0], a, b, "employer"]]
    ev = project.history(ids[0]).iloc[0]
    assert ev["kind"] == "code" and ev["details"]["resolves"] == d.frame["passage"].iloc[1]
    assert ev["details"]["note"] == "asking for proof is about employers"
    memo = project._store.memo_rows()[-1]
    assert memo[8] == ids[0] and memo[11] == "asking for proof is about employers"
    # keep one coder's version; resolve by passage key through the project
    key = d.frame["passage"].iloc[2]
    ids2 = project.resolve(key, coders=["AK", "MB"], keep="MB")
    assert project.codings(coder="consensus").set_index("coding_id").loc[ids2[0], "snippet"] == "matter a lot."
    after = project.disagreements(coders=["AK", "MB"]).frame
    assert after["status"].tolist() == ["open", "resolved", "resolved"]
    assert "employer" in after["resolution"].iloc[1]
    # the independent codings are untouched
    assert len(project.codings(coder="AK")) == 4 and len(project.codings(coder="MB")) == 3
    # undoing the resolution reopens the passage
    project.undo(coder="consensus")
    assert project.disagreements(coders=["AK", "MB"]).frame["status"].tolist() == ["open", "resolved", "open"]


def test_resolve_errors(project):
    d = project.disagreements(coders=["AK", "MB"])
    with pytest.raises(ProjectError, match="E367"):
        d.resolve(0)
    with pytest.raises(ProjectError, match="E367"):
        d.resolve(0, keep="MB")  # MB coded nothing there
    with pytest.raises(ProjectError, match="E367"):
        d.resolve(99, code="cost")
    with pytest.raises(ProjectError, match="E311"):
        d.resolve(0, code="nonsense")
    with pytest.raises(ProjectError, match="E306"):
        d.resolve(0, code="cost", span=(0, 10 ** 6))
    with pytest.raises(ProjectError, match="E367"):
        project.disagreements(coders=["AK", "AK"])


def test_cli_disagreements(project, tmp_path, capsys):
    from mcqual.cli import main

    if "://" in project.path:
        pytest.skip("the CLI test runs once, on the SQLite store")
    project.close()
    assert main(["project", "disagreements", project.path, "--coder", "AK", "--coder", "MB", "--out",
                 str(tmp_path / "d.xlsx")]) == 0
    assert "3 passages" in capsys.readouterr().out
    assert (tmp_path / "d.xlsx").exists()


def test_final_codings_after_resolving(project):
    d = project.disagreements(coders=["AK", "MB"], include_agreements=True)
    with pytest.raises(ProjectError, match="E367"):
        project.disagreements(coders=["AK", "MB"]).final_codings()
    row = d.frame.index[d.frame["kind"] == "different code"][0]
    d.resolve(int(row), code="employer")
    d = project.disagreements(coders=["AK", "MB"], include_agreements=True)
    final = d.final_codings()
    assert final[["code", "from", "snippet"]].values.tolist() == [
        ["employer", "resolved", "Employers ask for proof."],
        ["agree", "agreed", "We agree on this sentence."]]
    assert set(final["coder"]) == {"consensus"}
    union = d.final_codings(open="union")
    assert len(union) == 5  # + AK's cost, AK's and MB's different spans of cost
    assert d.final_codings(open="first")["from"].tolist().count("open: AK") == 2
    with pytest.raises(ProjectError, match="E367"):
        d.final_codings(open="all")
