"""Memos: targets, versions and history, withdrawal, re-open, decision notes as memos, concurrency guard."""
from __future__ import annotations

import pytest

import mcqual as mq
from mcqual.errors import ProjectError
from mcqual.project.memos import MEMO_COLUMNS


@pytest.fixture()
def path(tmp_path):
    p = mq.Project.create(tmp_path / "m.mcq", coder="ab")
    p.add_transcripts([mq.Transcript.from_turns("int-01", [("I", "Do you trust badges?"),
                                                           ("R1", "Only from known issuers.")])])
    p.set_codebook(mq.Codebook([mq.Code("trust", "Trust in issuers"), mq.Code("value", "Value")]))
    p.close()
    return tmp_path / "m.mcq"


class KW:
    """A tiny suggester: 'issuers' -> trust."""

    def fit(self, segments, codebook, codings=None):
        return self

    def suggest(self, segments):
        out = []
        for s in segments:
            i = s.text.find("issuers")
            if i >= 0:
                out.append(mq.Suggestion(s.segment_id, "trust", 0.9, "kw", "issuers"))
        return out


def test_every_target(path):
    with mq.Project.open(path, coder="ab") as p:
        cid = p.code("int-01", "trust", quote="Only from known issuers.")
        ids = [p.memo("Overall: trust is about issuers."),
               p.memo("Short interview.", transcript="int-01"),
               p.memo("Hedged?", transcript="int-01", span=(22, 31)),
               p.memo("Definition too broad.", code="TRUST IN ISSUERS"),
               p.memo("Good example.", coding=cid)]
        df = p.memos()
        assert list(df.columns) == MEMO_COLUMNS
        assert df["memo_id"].tolist() == ids
        assert df["target"].tolist() == ["project", "transcript", "span", "code", "coding"]
        span = df[df.target == "span"].iloc[0]
        assert (span["start"], span["end"], span["transcript_id"]) == (22, 31, "int-01")
        coding = df[df.target == "coding"].iloc[0]
        assert (coding["code"], coding["start"], coding["coding_id"]) == ("trust", 22, cid)
        assert df[df.target == "code"].iloc[0]["code"] == "trust"
        # filters
        assert p.memos(transcript="int-01")["target"].tolist() == ["transcript", "span", "coding"]
        assert p.memos(code="trust")["target"].tolist() == ["code", "coding"]
        assert p.memos(coding=cid)["text"].tolist() == ["Good example."]
        assert len(p.memos(coder="zz")) == 0
        html = df._repr_html_()
        assert "Definition too broad." in html and "coding #" in html


def test_bad_targets_are_numbered_errors(path):
    with mq.Project.open(path, coder="ab") as p:
        for kwargs, code in [({"transcript": "nope"}, "E304"), ({"code": "trsut"}, "E311"),
                             ({"coding": 99}, "E305"), ({"suggestion": 99}, "E305"),
                             ({"span": (0, 3)}, "E320"), ({"transcript": "int-01", "span": (5, 500)}, "E306"),
                             ({"transcript": "int-01", "code": "trust"}, "E320")]:
            with pytest.raises(ProjectError) as e:
                p.memo("x", **kwargs)
            assert e.value.code == code, kwargs
        with pytest.raises(ProjectError) as e:
            p.memo("   ")
        assert e.value.code == "E320"
        with pytest.raises(ProjectError) as e:
            p.memo("x", coder="")
        assert e.value.code == "E310"
        assert len(p.memos(history=True)) == 0  # nothing half-written
        with pytest.raises(ProjectError) as e:  # a typo in a filter is an error, not "no memos"
            p.memos(transcript="int-1")
        assert e.value.code == "E304"


def test_versions_history_withdraw_and_reopen(path):
    with mq.Project.open(path, coder="ab") as p:
        m1 = p.memo("First thought.", code="trust")
        m2 = p.memo("Second thought.", replaces=m1, coder="cd")
        with pytest.raises(ProjectError) as e:  # editing a superseded version: never a silent overwrite
            p.memo("Stale edit.", replaces=m1)
        assert e.value.code == "E323" and str(m2) in str(e.value)
        with pytest.raises(ProjectError) as e:
            p.memo("x", replaces=m2, code="value")
        assert e.value.code == "E320"
        with pytest.raises(ProjectError) as e:
            p.memo("x", replaces=404)
        assert e.value.code == "E323"
        cur = p.memos()
        assert cur[["memo_id", "text", "version", "replaces", "coder", "target", "code"]].values.tolist() == \
            [[m2, "Second thought.", 2, m1, "cd", "code", "trust"]]
        m3 = p.memo("", replaces=m2)  # withdrawn
        assert len(p.memos()) == 0
        hist = p.memos(history=True)
        assert hist["memo_id"].tolist() == [m1, m2, m3] and hist["version"].tolist() == [1, 2, 3]
        assert hist["text"].tolist() == ["First thought.", "Second thought.", ""]
    with mq.Project.open(path) as p:  # survives re-opening, in another "session"
        assert p.memos(history=True)["memo_id"].tolist() == [m1, m2, m3]
        assert p._store.integrity_check() == "ok"


def test_memo_on_code_follows_rename(path):
    with mq.Project.open(path, coder="ab") as p:
        p.memo("About value.", code="value")
        p.rename_code("value", "labour_value", label="Labour-market value")
        assert p.memos(code="Labour-market value")["code"].tolist() == ["labour_value"]


def test_decision_notes_are_memos(path):
    with mq.Project.open(path, coder="ab") as p:
        segs = [mq.Segment(t.id, u.start, u.end, u.text, u.speaker, u.role, "turn", i, i)
                for t in p.corpus() for i, u in enumerate(t.turns)]
        p.suggest(KW(), segments=segs)
        sid = int(p.suggestions()["suggestion_id"].iloc[0])
        p.reject(sid, note="Too vague: no issuer named.")
        df = p.memos(suggestion=sid)
        assert df[["target", "text", "coder", "code"]].values.tolist() == \
            [["suggestion", "Too vague: no issuer named.", "ab", "trust"]]
        # a note is a memo like any other: it can be edited
        p.memo("Too vague.", replaces=int(df["memo_id"].iloc[0]))
        assert p.memos(suggestion=sid)["text"].tolist() == ["Too vague."]
        # a note on a hand coding is a memo on that coding
        cid = p.code("int-01", 0, 6, "value", note="Question, not answer - check.")
        assert p.memos(coding=cid)["text"].tolist() == ["Question, not answer - check."]
        # accept as another code (by label), with a note
        p.undo()
        cids = p.accept(sid, as_="VALUE", coder="cd", note="Value, not trust.")
        assert p.codings(coder="cd")["code"].tolist() == ["value"]
        assert p.history(cids[0])["details"].iloc[0]["suggested"] == "trust"
        assert set(p.memos(suggestion=sid)["text"]) == {"Too vague.", "Value, not trust."}


def test_notes_written_before_memos_still_listed(path):
    """Events with a note but no memo row (projects from before schema 3) are listed, without a memo id."""
    with mq.Project.open(path, coder="ab") as p:
        cid = p.code("int-01", 0, 6, "value")
        p._store.append_events([{"kind": "uncode", "coder": "ab", "created_at": "2026-01-01T00:00:00Z",
                                 "transcript_id": "int-01", "start": 0, "end": 6, "code": "value",
                                 "coding_id": cid, "payload": {"note": "old note"}}])
        df = p.memos(coding=cid)
        assert df["text"].tolist() == ["old note"] and df["memo_id"].isna().all()


def test_memos_from_two_processes(path, tmp_path):
    """Two coders writing memos on the same file (two connections) both land, in order."""
    a = mq.Project.open(path, coder="ab")
    b = mq.Project.open(path, coder="cd")
    try:
        ia = a.memo("from a", transcript="int-01")
        ib = b.memo("from b", transcript="int-01")
        assert ib == ia + 1
        assert a.memos()["coder"].tolist() == ["ab", "cd"]
    finally:
        a.close()
        b.close()


def test_transcript_view_lists_its_memos(path):
    with mq.Project.open(path, coder="ab") as p:
        p.memo("Noisy <recording>.", transcript="int-01")
        p.memo("Not about this one.")
        html = p.transcript("int-01")._repr_html_()
        assert "Memos" in html and "Noisy &lt;recording&gt;." in html and "Not about this one" not in html
