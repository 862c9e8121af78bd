"""project.search, project.code_hits and project.code(..., quote=...): real failure modes, exact offsets."""
from __future__ import annotations

import pytest

import mcqual as mq
from mcqual.errors import ProjectError
from mcqual.project.quotes import find_quote, normalise_map
from mcqual.project.search import HIT_COLUMNS

TURNS = [
    ("I", "Do you trust digital badges?", None, "interviewer"),
    ("R1", "I trust them when the issuer is known. Otherwise, no. My employer trusted\nthe university’s badge.",
     None, "respondent"),
    ("I", "And micro-credentials in general?", None, "interviewer"),
    ("R1", "They’re useful — but trust takes time. Trust, honestly, trusts nobody.", None, "respondent"),
]


@pytest.fixture()
def project(tmp_path):
    p = mq.Project.create(tmp_path / "s.mcq", coder="ab")
    t = mq.Transcript.from_turns("int-01", TURNS)
    t2 = mq.Transcript.from_turns("int-02", [("I", "Trust?", None, "interviewer"),
                                             ("R2", "Trust is earned.", None, "respondent")])
    p.add_transcripts([t, t2])
    p.set_codebook(mq.Codebook([mq.Code("trust", "Trust in issuers"), mq.Code("consent", "Consent"),
                                mq.Code("value", "Labour-market value")]))
    yield p
    p.close()


def text(p, tid="int-01"):
    return p.corpus()[tid].text


def test_search_columns_offsets_and_kwic(project):
    hits = project.search("trust")
    assert list(hits.columns) == HIT_COLUMNS
    t = text(project)
    # whole words, any case: not "trusted", not "trusts"
    got = [(h.transcript_id, h.match) for h in hits.itertuples()]
    assert got == [("int-01", "trust"), ("int-01", "trust"), ("int-01", "trust"), ("int-01", "Trust"),
                   ("int-02", "Trust"), ("int-02", "Trust")]
    for h in hits[hits.transcript_id == "int-01"].itertuples():
        assert t[h.start:h.end] == h.match
        # context: whitespace collapsed, cut between words, "…" where cut
        assert " ".join(t[:h.start].split()).endswith(h.left.lstrip("…").rstrip())
        assert " ".join(t[h.end:].split()).startswith(h.right.rstrip("…").strip())
        assert len(h.left) <= 42 and len(h.right) <= 42
    last = hits[hits.transcript_id == "int-01"].iloc[-1]
    assert last["left"] == "They’re useful — but trust takes time. " and last["right"] == ", honestly, trusts nobody."
    first = hits.iloc[0]  # the context stays inside the turn
    assert first["left"] == "Do you " and first["right"] == " digital badges?"
    html = hits._repr_html_()
    assert "<mark" in html and "6 hits for <b>trust</b>" in html
    # still a DataFrame after filtering, and still renders
    sub = hits[hits["speaker"] == "R1"]
    assert len(sub) == 3 and "<mark" in sub._repr_html_()


def test_search_escapes_html(project, tmp_path):
    project.add_transcripts([mq.Transcript.from_turns("x", [("R", "a <script>alert(1)</script> b")])])
    html = project.search("<script>", whole_words=False)._repr_html_()
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_search_filters_speaker_role_transcript_code(project):
    assert set(project.search("trust", speaker="r1")["speaker"]) == {"R1"}
    assert set(project.search("trust", role="interviewer")["turn"]) == {0}
    assert set(project.search("trust", transcript="int-02")["transcript_id"]) == {"int-02"}
    with pytest.raises(ProjectError) as e:  # a misspelt speaker is an error, not "0 hits"
        project.search("trust", speaker="R 1")
    assert e.value.code == "E325" and "closest: 'R1'" in str(e.value)
    with pytest.raises(ProjectError) as e:
        project.search("trust", role="respondant")
    assert e.value.code == "E325" and "'respondent'" in str(e.value)
    assert len(project.search("trust", speaker=["R1", "nobody"])) == 3  # one known speaker is enough
    t = text(project)
    a = t.index("Trust, honestly")
    project.code("int-01", a, a + 15, "trust")
    coded = project.search("trust", code="Trust in issuers")  # by label
    assert coded[["start", "end"]].values.tolist() == [[a, a + 5]]
    with pytest.raises(ProjectError) as e:
        project.search("trust", code="trsut")
    assert e.value.code == "E311" and "Trust in issuers" in str(e.value)
    with pytest.raises(ProjectError) as e:
        project.search("trust", transcript="nope")
    assert e.value.code == "E304"


def test_search_case_regex_phrases_typography(project):
    assert len(project.search("trust", case=True)) == 3
    # a phrase matches across the line break; a straight apostrophe finds the curly one
    t = text(project)
    h = project.search("trusted the university's badge")
    assert len(h) == 1 and t[h.start[0]:h.end[0]] == "trusted\nthe university’s badge"
    assert len(project.search("micro-credentials")) == 1 and len(project.search("they're")) == 1
    r = project.search(r"trust\w+", regex=True)
    assert sorted(r["match"]) == ["trusted", "trusts"]
    with pytest.raises(ProjectError) as e:
        project.search("trust(", regex=True)
    assert e.value.code == "E324"
    with pytest.raises(ProjectError) as e:
        project.search("   ")
    assert e.value.code == "E324"


def test_lemma_search_finds_inflections(project):
    hits = project.search("trust", lemma=True, transcript="int-01")
    assert sorted(set(hits["match"])) == ["Trust", "trust", "trusted", "trusts"]
    t = text(project)
    for h in hits.itertuples():
        assert t[h.start:h.end] == h.match
    assert "badge" in project.search("badges", lemma=True)["match"].str.lower().str.rstrip("s").tolist()
    with pytest.raises(ProjectError):
        project.search("trust", lemma=True, regex=True)


def test_code_hits_one_transaction_and_extents(project):
    t = text(project)
    before = project.summary()["events"]
    hits = project.search("trust", transcript="int-01", speaker="R1")
    ids = project.code_hits(hits, "trust", extend="match")
    assert len(ids) == 3 and project.summary()["events"] == before + 3
    assert project.history(kind="code")["created_at"].nunique() == 1  # one write: one timestamp
    # sentence: the sentence around each hit
    ids = project.code_hits(hits, "value", extend="sentence")
    snippets = project.codings(code="value")["snippet"].tolist()
    assert snippets == ["I trust them when the issuer is known.", "They’re useful — but trust takes time.",
                        "Trust, honestly, trusts nobody."]
    s0 = t.index("I trust them")
    assert project.codings(code="value")[["start", "end"]].values.tolist()[0] == [s0, s0 + 38]
    # turn: the whole turn, once per turn even with several hits in it
    hits2 = project.search("trust", transcript="int-01", speaker="R1", lemma=True)
    ids = project.code_hits(hits2, "consent", extend="turn")
    turns = project.corpus()["int-01"].turns
    got = project.codings(code="consent")[["start", "end"]].values.tolist()
    assert got == [[turns[1].start, turns[1].end], [turns[3].start, turns[3].end]] and len(ids) == 2
    # coding the same hits again creates nothing new and returns the same ids
    n = project.summary()["events"]
    assert project.code_hits(hits2, "consent", extend="turn") == ids and project.summary()["events"] == n
    assert project.code_hits(hits2.iloc[0:0], "consent") == []
    with pytest.raises(ProjectError) as e:
        project.code_hits(hits, "trust", extend="paragraph")
    assert e.value.code == "E503"
    with pytest.raises(ProjectError) as e:
        project.code_hits(hits[["match"]], "trust")
    assert e.value.code == "E326"


def test_code_hits_is_all_or_nothing(project):
    hits = project.search("trust")
    with pytest.raises(ProjectError) as e:
        project.code_hits(hits, "consnet")
    assert e.value.code == "E311" and "Consent" in str(e.value)
    assert len(project.codings()) == 0


# -- code by quote ----------------------------------------------------------------------------------
def test_quote_ignores_whitespace_smart_quotes_dashes_ellipsis(project):
    t = text(project)
    cid = project.code("int-01", "trust", quote='My employer trusted the university\'s badge')
    row = project.codings().set_index("coding_id").loc[cid]
    assert row["snippet"] == "My employer trusted\nthe university’s badge"
    assert t[row["start"]:row["end"]] == row["snippet"]
    cid = project.code("int-01", "Labour-market VALUE", quote="They're useful - but trust takes time.")
    assert project.codings().set_index("coding_id").loc[cid, "snippet"] == "They’re useful — but trust takes time."
    # a trailing ellipsis means "the quote goes on": it is not part of the passage
    cid = project.code("int-01", "value", quote="…but trust takes time...")
    assert project.codings().set_index("coding_id").loc[cid, "snippet"] == "but trust takes time"
    # elision: the quote skips words with "…" / "[...]"
    cid = project.code("int-01", "consent", quote="I trust them [...] Otherwise, no.")
    assert project.codings().set_index("coding_id").loc[cid, "snippet"] == \
        "I trust them when the issuer is known. Otherwise, no."


def test_quote_not_found_and_found_twice(project):
    with pytest.raises(ProjectError) as e:
        project.code("int-01", "trust", quote="I trust them when the issuer is famous")
    assert e.value.code == "E321" and "closest passage" in str(e.value) and "turn 1 (R1)" in str(e.value)
    with pytest.raises(ProjectError) as e:
        project.code("int-02", "trust", quote="trust")
    msg = str(e.value)
    assert e.value.code == "E322" and "2 times" in msg and "1. turn 0 (I)" in msg and "2. turn 1 (R2)" in msg
    assert "occurrence=" in msg
    cid = project.code("int-02", "trust", quote="trust", occurrence=2)
    t2 = text(project, "int-02")
    row = project.codings().set_index("coding_id").loc[cid]
    assert (row["start"], row["end"]) == (t2.index("Trust is"), t2.index("Trust is") + 5)
    with pytest.raises(ProjectError) as e:
        project.code("int-02", "trust", quote="trust", occurrence=3)
    assert e.value.code == "E322"
    with pytest.raises(ProjectError) as e:
        project.code("int-02", "trust", quote="   ")
    assert e.value.code == "E321"
    # the positional form still works, and mixing forms is an error
    assert project.code("int-02", 0, 5, "trust") > 0
    with pytest.raises(ProjectError):
        project.code("int-02", 0, 5, "trust", quote="Trust")


def test_normalise_map_round_trips_offsets():
    s = "A  “b”\u00ad—c…\n d"
    norm, idx = normalise_map(s)
    assert norm == 'A "b"-c... d' and len(idx) == len(norm)
    assert all(0 <= i < len(s) for i in idx)
    assert find_quote("x’y x'y", "x'y") == ([(0, 3), (4, 7)], "exact")
    assert find_quote("Hello World", "hello world") == ([(0, 11)], "case")


def test_quote_prefers_whole_words():
    assert find_quote("trusted trust", "trust") == ([(8, 13)], "exact")
    assert find_quote("trusted", "trust") == ([(0, 5)], "exact")  # a part of a word when nothing else fits


def test_transcript_without_turns(project):
    project.add_transcripts([mq.Transcript("memo-doc", "Field notes. They trust the issuer. End.")])
    hits = project.search("trust", transcript="memo-doc")
    assert hits["turn"].isna().all() and hits[["start", "end"]].values.tolist() == [[18, 23]]
    ids = project.code_hits(hits, "trust", extend="sentence")
    assert project.codings().set_index("coding_id").loc[ids[0], "snippet"] == "They trust the issuer."
    ids = project.code_hits(hits, "value", extend="turn")  # no turns: the whole text
    assert project.codings().set_index("coding_id").loc[ids[0], "snippet"] == "Field notes. They trust the issuer. End."
    assert "memo-doc" in hits._repr_html_()
