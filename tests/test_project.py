"""The coding project: store, decision log, suggest/accept/reject, undo, rename/merge, coders, views."""
from __future__ import annotations

import sqlite3

import pytest

import mcqual as mq
from mcqual.codebook.model import Code, Codebook
from mcqual.errors import ProjectError
from mcqual.model import Segment, Suggestion, Transcript
from mcqual.project.store import MIGRATIONS


class KeywordSuggester:
    """The suggester contract by hand: suggest ``code`` where a keyword occurs."""

    def __init__(self, rules: dict[str, str], score: float = 0.8) -> None:
        self.rules = rules
        self.score = score
        self.fit_calls = 0

    def fit(self, segments, codebook, codings=None):
        self.fit_calls += 1
        self.codings_ = codings
        return self

    def suggest(self, segments):
        out = []
        for s in segments:
            for word, code in self.rules.items():
                i = s.text.lower().find(word)
                if i >= 0:
                    out.append(Suggestion(s.segment_id, code, self.score, "kw", f"mentions {word!r}",
                                          evidence=(mq.Evidence(s.start + i, s.start + i + len(word), word),)))
        return out


def make_transcripts():
    a = Transcript.from_turns("int-01", [
        ("Interviewer", "Do employers trust micro-credentials?", None, "interviewer"),
        ("R1", "Employers trust badges when the issuer is a known university.", None, "respondent"),
        ("Interviewer", "And recognition across borders?", None, "interviewer"),
        ("R1", "Recognition is patchy; stacking credits rarely works.", None, "respondent"),
    ], attributes={"respondent_group": "employer", "country": "DE"}, metadata={"date": "2024-05-01"})
    b = Transcript.from_turns("int-02", [
        ("R2", "I never heard about stacking before the course."),
        ("R2", "My employer did not trust the certificate."),
    ], attributes={"respondent_group": "learner"})
    return [a, b]


def segs(transcripts):
    return [Segment(t.id, tt.start, tt.end, tt.text, tt.speaker, tt.role, "turn", i, i)
            for t in transcripts for i, tt in enumerate(t.turns)]


CODEBOOK = Codebook([Code("trust", "Trust"), Code("trust.issuer", "Issuer reputation", parent="trust"),
                     Code("recognition", "Recognition", keywords=("recognition",)),
                     Code("stacking", "Stacking", keywords=("stacking",))], name="mc")


def is_pg(project) -> bool:
    return project.path.startswith("postgresql://")


@pytest.fixture
def project(store_url):
    """The test project, in SQLite and in PostgreSQL (``store_url`` is parametrised over both)."""
    p = mq.Project.create(store_url, coder="ab")
    p.add_transcripts(make_transcripts())
    p.set_codebook(CODEBOOK)
    yield p
    p.close()


SUGGESTER = {"trust": "trust", "recognition": "recognition", "stacking": "stacking"}


# -- file, schema, errors ------------------------------------------------------------
def test_create_open_and_errors(tmp_path):
    path = tmp_path / "p.mcq"
    mq.Project.create(path).close()
    with pytest.raises(ProjectError) as e:
        mq.Project.create(path)
    assert e.value.code == "E301"
    with pytest.raises(ProjectError) as e:
        mq.Project.open(tmp_path / "missing.mcq")
    assert e.value.code == "E300"
    junk = tmp_path / "junk.mcq"
    junk.write_text("not a database at all, just text")
    with pytest.raises(ProjectError) as e:
        mq.Project.open(junk)
    assert e.value.code == "E303"
    empty = tmp_path / "empty.mcq"
    empty.write_bytes(b"")
    with pytest.raises(ProjectError) as e:
        mq.Project.open(empty)
    assert e.value.code == "E303"
    other = tmp_path / "other.sqlite"
    con = sqlite3.connect(other)
    con.execute("CREATE TABLE x (a)")
    con.commit()
    con.close()
    with pytest.raises(ProjectError) as e:
        mq.Project.open(other)
    assert e.value.code == "E303"
    con = sqlite3.connect(path)
    con.execute(f"PRAGMA user_version = {len(MIGRATIONS) + 1}")
    con.close()
    with pytest.raises(ProjectError) as e:
        mq.Project.open(path)
    assert e.value.code == "E302"


def test_a_version_1_project_is_migrated_on_open(tmp_path, project):
    """Projects written before run coverage existed (schema 1) open, migrate, and keep their suggestions."""
    if is_pg(project):
        pytest.skip("SQLite's migration; PostgreSQL's is tested in test_pgstore.py")
    project.suggest(KeywordSuggester(SUGGESTER), segments=segs(project.corpus()))
    n = len(project.suggestions())
    path = project.path
    project.close()
    con = sqlite3.connect(path)
    con.execute("DROP TABLE run_coverage")
    con.execute("DROP TABLE memos")
    con.execute("PRAGMA user_version = 1")
    con.commit()
    con.close()
    again = mq.Project.open(path)
    assert again._store.schema_version() == len(MIGRATIONS) == 3
    assert len(again.suggestions()) == n  # old runs: coverage read from their suggestions
    again.suggest(KeywordSuggester({"trust": "trust"}), segments=segs(again.corpus()))
    assert set(again.suggestions("superseded")["code"]) == {"recognition", "stacking"}
    again.close()


def test_schema_pragmas_and_append_only_triggers(project):
    if is_pg(project):
        pytest.skip("SQLite's pragmas; PostgreSQL's triggers are tested in test_pgstore.py")
    project.code("int-01", 0, 10, "trust")
    con = sqlite3.connect(project.path)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert con.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("UPDATE events SET code = 'x'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        con.execute("DELETE FROM events")
    con.close()
    assert project.integrity_check() == "ok"
    from mcqual.project.storage import Storage

    assert isinstance(project._store, Storage)
    # foreign keys are enforced on the project's connection
    with pytest.raises(sqlite3.IntegrityError):
        project._store.append_events([{"kind": "code", "coder": "x", "created_at": "t", "transcript_id": "nope",
                                       "start": 0, "end": 1, "code": "trust"}])


def test_transcripts_attributes_corpus_round_trip(project, tmp_path):
    corpus = project.corpus()
    assert corpus.ids == ["int-01", "int-02"]
    original = make_transcripts()[0]
    got = corpus["int-01"]
    assert got.text == original.text and got.content_hash == original.content_hash
    assert [(t.speaker, t.start, t.end, t.role) for t in got.turns] == \
        [(t.speaker, t.start, t.end, t.role) for t in original.turns]
    assert got.metadata["date"] == "2024-05-01"
    assert got.attributes["respondent_group"] == "employer"
    attrs = project.attributes()
    assert attrs.loc["int-02", "respondent_group"] == "learner"
    assert attrs.loc["int-01", "country"] == "DE"
    report = project.add_transcripts(make_transcripts())
    assert report.unchanged == ("int-01", "int-02") and report.added == () and report.updated == ()
    # reopening sees everything
    project.close()
    again = mq.Project.open(project.path)
    assert len(again.corpus()) == 2 and again.codebook().ids == CODEBOOK.ids
    again.close()


def test_codebook_versions_are_kept(project, tmp_path):
    assert project.codebook().name == "mc"
    with pytest.raises(ProjectError) as e:
        mq.Project.create(tmp_path / "new.mcq").codebook()
    assert e.value.code == "E307"
    v2 = project.set_codebook(Codebook.from_codes(["x", "y"], name="other"), note="try")
    assert v2 == 2
    assert project.codebook().ids == ["x", "y"]
    assert project.codebook(1).ids == CODEBOOK.ids
    assert project.codebook(1)["trust.issuer"].parent == "trust"
    assert project.codebook(1)["recognition"].keywords == ("recognition",)
    assert project.codebook_versions()["version"].tolist() == [1, 2]


# -- suggest, accept, reject, suggest again ---------------------------------------------
def test_suggest_accept_reject_suggest_again_keeps_decisions(project):
    sugg = KeywordSuggester(SUGGESTER)
    report = project.suggest(sugg, segments=segs(project.corpus()))
    assert sugg.fit_calls == 1
    pending = project.suggestions()
    assert report.new == len(pending) == 7
    assert set(pending.columns) >= {"suggestion_id", "segment_id", "transcript_id", "start", "end", "code", "score",
                                    "source", "reason", "status"}
    trust = pending[pending["code"] == "trust"]["suggestion_id"].tolist()
    stack = pending[pending["code"] == "stacking"]["suggestion_id"].tolist()
    coding_ids = project.accept(trust[:2])
    project.reject(stack)
    assert len(project.codings()) == 2
    # run again, with different scores: decisions stand, no duplicates, pending ones refreshed
    again = project.suggest(KeywordSuggester(SUGGESTER, score=0.95), segments=segs(project.corpus()))
    assert again.new == 0
    assert again.kept_decided == 4
    assert again.refreshed == 3
    all_ = project.suggestions(None)
    assert len(all_) == 7
    status = dict(zip(all_["suggestion_id"], all_["status"]))
    assert [status[i] for i in trust[:2]] == ["accepted", "accepted"]
    assert [status[i] for i in stack] == ["rejected", "rejected"]
    assert all_[all_["status"] == "pending"]["score"].tolist() == [0.95] * 3
    assert all_[all_["status"] == "accepted"]["score"].tolist() == [0.8, 0.8]
    codings = project.codings()
    assert sorted(codings["coding_id"]) == sorted(coding_ids)
    # accepting again is idempotent: no duplicate coding
    assert project.accept(trust[0]) == coding_ids[:1]
    assert len(project.codings()) == 2
    # a new suggestion appears only where none was decided
    new_t = Transcript.from_turns("int-03", [("R3", "Trust comes from quality assurance.")])
    project.add_transcripts([new_t])
    third = project.suggest(KeywordSuggester(SUGGESTER), segments=segs(project.corpus()))
    assert third.new == 1 and third.kept_decided == 4
    assert len(project.suggestions(None)) == 8


def test_suggestions_not_proposed_again_are_superseded_not_lost(project):
    corpus = segs(project.corpus())
    project.suggest(KeywordSuggester(SUGGESTER), segments=corpus)
    first = project.suggestions()
    trust = first[first["code"] == "trust"]["suggestion_id"].tolist()
    stack = first[first["code"] == "stacking"]["suggestion_id"].tolist()
    assert len(trust) >= 2 and stack
    project.accept(trust[:1], coder="AB")
    # another suggester (source "other") proposes the same stacking spans: they become its own
    other = KeywordSuggester({"stacking": "stacking"})
    other.suggest = lambda segments, f=other.suggest: [s.__class__(s.segment_id, s.code, s.score, "other", s.reason)
                                                      for s in f(segments)]
    project.suggest(other, segments=corpus)
    # the same "kw" suggester, changed: it no longer proposes "trust" (nor "stacking")
    project.suggest(KeywordSuggester({"recognition": "recognition"}), segments=corpus)
    pending = project.suggestions()
    assert set(pending["code"]) == {"recognition", "stacking"}
    assert set(pending.loc[pending["code"] == "stacking", "source"]) == {"other"}  # not kw's to supersede
    gone = project.suggestions("superseded")
    assert set(gone["suggestion_id"]) == set(trust[1:])  # kept in the project, out of the queue
    assert (gone["status"] == "superseded").all()
    everything = project.suggestions(None)
    assert len(everything) == len(first)
    status = dict(zip(everything["suggestion_id"], everything["status"]))
    assert status[trust[0]] == "accepted"  # a decision is never superseded
    assert trust[0] in project.suggestions("pending", coder="CD")["suggestion_id"].tolist()  # CD's own queue
    # proposing them again restores them
    project.suggest(KeywordSuggester(SUGGESTER), segments=corpus)
    assert len(project.suggestions("superseded")) == 0
    # a run over one transcript supersedes nothing in the others
    only = [sg for sg in corpus if sg.transcript_id == "int-01"]
    project.suggest(KeywordSuggester({"recognition": "recognition"}), segments=only)
    gone = project.suggestions("superseded")
    left = project.suggestions()
    assert len(gone) and set(gone["transcript_id"]) == {"int-01"}
    assert set(left.loc[left["code"] == "trust", "transcript_id"]) == {"int-02"}
    with pytest.raises(ProjectError):
        project.suggestions("stale")


def test_suggest_skips_spans_already_coded_and_unknown_transcripts(project):
    t = project.corpus()["int-02"]
    turn = t.turns[0]
    project.code("int-02", turn.start, turn.end, "stacking")
    rep = project.suggest(KeywordSuggester({"stacking": "stacking"}), segments=segs([t]))
    assert rep.already_coded == 1 and rep.new == 0
    ghost = [Segment("ghost", 0, 5, "trust")]
    with pytest.raises(ProjectError) as e:
        project.suggest(KeywordSuggester({"trust": "trust"}), segments=ghost)
    assert e.value.code == "E304"


def test_reject_after_accept_removes_the_coding(project):
    project.suggest(KeywordSuggester(SUGGESTER), segments=segs(project.corpus()))
    sid = int(project.suggestions()["suggestion_id"].iloc[0])
    project.accept(sid)
    assert len(project.codings()) == 1
    project.reject(sid)
    assert len(project.codings()) == 0
    assert project.suggestions("rejected")["suggestion_id"].tolist() == [sid]


# -- hand coding, validation, undo --------------------------------------------------------
def test_code_validation(project):
    with pytest.raises(ProjectError) as e:
        project.code("nope", 0, 4, "trust")
    assert e.value.code == "E304"
    n = len(project.corpus()["int-01"].text)
    for a, b in [(-1, 3), (5, 5), (0, n + 1)]:
        with pytest.raises(ProjectError) as e:
            project.code("int-01", a, b, "trust")
        assert e.value.code == "E306"
    with pytest.raises(ProjectError) as e:
        project.code("int-01", 0, 4, "no-such-code")
    assert e.value.code == "E311"
    with pytest.raises(ProjectError) as e:
        project.code("int-01", 0, 4, "trust", coder="")
    assert e.value.code == "E310"
    with pytest.raises(ProjectError) as e:
        project.accept(999)
    assert e.value.code == "E305"
    with pytest.raises(ProjectError) as e:
        project.uncode(999)
    assert e.value.code == "E305"
    assert len(project.history()) == 0


def test_decide_many_is_one_transaction(project):
    good = [("code", "int-01", 0, 10, "trust"), {"action": "code", "transcript_id": "int-02", "start": 0, "end": 5,
                                                  "code": "stacking", "coder": "cd"}]
    ids = project.decide_many(good)
    assert len(ids) == 2 and ids[1] == ids[0] + 1
    df = project.codings()
    assert sorted(df["coder"]) == ["ab", "cd"]
    with pytest.raises(ProjectError) as e:
        project.decide_many([("code", "int-01", 0, 10, "trust"), ("code", "int-01", 0, 10_000, "trust")])
    assert e.value.code == "E306"
    assert len(project.codings()) == 2  # nothing of the failed batch
    with pytest.raises(ProjectError) as e:
        project.decide_many([("frobnicate", 1)])
    assert e.value.code == "E312"
    with pytest.raises(ProjectError):
        project.decide_many([("code", "int-01", 0)])


def test_undo_accept_uncode_and_nothing_left(project):
    project.suggest(KeywordSuggester(SUGGESTER), segments=segs(project.corpus()))
    sid = int(project.suggestions()["suggestion_id"].iloc[0])
    [cid] = project.accept(sid)
    hand = project.code("int-01", 0, 10, "trust")
    project.uncode(hand)
    assert project.codings()["coding_id"].tolist() == [cid]
    assert project.undo().kind == "uncode"  # the hand coding is back
    assert sorted(project.codings()["coding_id"]) == sorted([cid, hand])
    assert project.undo().kind == "code"
    assert project.undo().kind == "accept"
    assert len(project.codings()) == 0
    assert sid in project.suggestions("pending")["suggestion_id"].tolist()
    with pytest.raises(ProjectError) as e:
        project.undo()
    assert e.value.code == "E308"
    # another coder's decisions are not undone by ab
    project.code("int-01", 0, 10, "trust", coder="cd")
    with pytest.raises(ProjectError):
        project.undo(coder="ab")
    assert len(project.codings(coder="cd")) == 1
    hist = project.history()
    assert hist["undone"].sum() == 3 and (hist["kind"] == "undo").sum() == 3


# -- rename and merge ------------------------------------------------------------------------
def test_rename_and_merge_codes_codings_follow(project):
    project.suggest(KeywordSuggester(SUGGESTER), segments=segs(project.corpus()))
    rec = project.suggestions(code="recognition")["suggestion_id"].tolist()
    c1 = project.code("int-01", 0, 10, "trust")
    c2 = project.code("int-02", 0, 10, "trust.issuer")
    ev = project.rename_code("trust", "confidence", label="Confidence")
    assert ev.kind == "rename" and ev.payload["to"] == "confidence"
    cb = project.codebook()
    assert "trust" not in cb and cb["confidence"].label == "Confidence"
    assert cb["trust.issuer"].parent == "confidence"
    if hasattr(cb, "resolve"):  # the codebook follows the project's id change too
        assert cb.resolve("trust") == "confidence"
    df = project.codings()
    assert dict(zip(df["coding_id"], df["code"])) == {c1: "confidence", c2: "trust.issuer"}
    with pytest.raises(ProjectError) as e:
        project.code("int-01", 0, 10, "trust")
    assert e.value.code == "E311"
    # merge the child into the renamed parent, then stacking into recognition
    project.merge_codes(["trust.issuer"], "confidence")
    project.merge_codes("stacking", "recognition")
    df = project.codings()
    assert set(df["code"]) == {"confidence"}
    assert set(project.suggestions()["code"]) == {"confidence", "recognition"}
    assert "stacking" not in project.codebook() and "stacking" in project.codebook()["recognition"].keywords
    # accepting a suggestion made under the old code codes with the new id
    stack_sid = [s for s in project.suggestions(code="recognition")["suggestion_id"] if s not in rec][0]
    [cid] = project.accept(stack_sid)
    assert project.codings().set_index("coding_id").loc[cid, "code"] == "recognition"
    # undo the last merge: codes and codebook come back
    project.undo(coder="ab")  # the accept
    assert project.undo(coder="ab").kind == "merge"
    assert "stacking" in project.codebook()
    assert set(project.suggestions()["code"]) == {"confidence", "recognition", "stacking"}
    assert project.codebook_versions().shape[0] == 5


# -- two coders --------------------------------------------------------------------------------
def test_two_coders_independent(project):
    project.suggest(KeywordSuggester(SUGGESTER), segments=segs(project.corpus()))
    ids = project.suggestions()["suggestion_id"].tolist()
    project.accept(ids[:3], coder="ab")
    project.reject(ids[:2], coder="cd")
    project.accept(ids[2:4], coder="cd")
    assert len(project.codings(coder="ab")) == 3
    assert len(project.codings(coder="cd")) == 2
    assert len(project.codings()) == 5
    mine = project.suggestions(None, coder="cd")
    st = dict(zip(mine["suggestion_id"], mine["status"]))
    assert [st[i] for i in ids[:4]] == ["rejected", "rejected", "accepted", "accepted"]
    assert len(project.suggestions("pending", coder="ab")) == len(ids) - 3
    assert len(project.suggestions("pending", coder="cd")) == len(ids) - 4
    both = project.suggestions(None)
    assert both.set_index("suggestion_id").loc[ids[2], "decided_by"] == "ab, cd"
    # undo is per coder
    project.undo(coder="ab")
    assert len(project.codings(coder="ab")) == 2 and len(project.codings(coder="cd")) == 2


# -- history ------------------------------------------------------------------------------------
def test_audit_history_of_a_coding(project):
    project.suggest(KeywordSuggester(SUGGESTER), segments=segs(project.corpus()))
    sid = int(project.suggestions(code="trust")["suggestion_id"].iloc[0])
    project.reject(sid, note="too vague")
    [cid] = project.accept(sid)
    project.uncode(cid)
    project.undo()
    project.rename_code("trust", "confidence")
    project.code("int-01", 0, 4, "confidence", coder="zz")  # unrelated
    h = project.history(cid)
    assert h["kind"].tolist() == ["reject", "accept", "uncode", "undo", "rename"]
    assert h["undone"].tolist() == [False, False, True, False, False]
    assert set(h["coder"]) == {"ab"}
    assert h["details"].iloc[0]["note"] == "too vague"
    assert (h["created_at"].is_monotonic_increasing)
    assert project.codings().set_index("coding_id").loc[cid, "code"] == "confidence"
    assert len(project.history(coder="zz")) == 1
    assert project.history(suggestion_id=sid)["kind"].tolist() == ["reject", "accept"]


# -- snapshot, views, review ----------------------------------------------------------------
def test_snapshot_is_consistent_while_another_connection_writes(project):
    other = mq.Project.open(project.path, coder="cd")
    with project.snapshot():
        before = len(project.codings())
        other.code("int-01", 0, 10, "trust")
        assert len(project.codings()) == before == 0
        assert len(project.history()) == 0
    assert len(project.codings()) == 1
    with project.snapshot():
        with pytest.raises(ProjectError) as e:
            project.code("int-01", 0, 10, "trust")
        assert e.value.code == "E313"
    assert len(project.codings()) == 1
    other.close()


def test_transcript_view_and_project_html(project):
    cid = project.code("int-01", 0, 10, "trust")
    view = project.transcript("int-01")
    assert view.codings["coding_id"].tolist() == [cid]
    html = view._repr_html_()
    assert "<mark" in html and "trust (ab)" in html
    assert "codings by ab" in project._repr_html_()
    name = "study.mcq" if not is_pg(project) else project._store.name
    assert project.name == name and (not is_pg(project) or name.startswith(project.path.rsplit("=", 1)[1] + " ("))
    assert repr(project).startswith(f"Project({name!r}: 2 transcripts, 1 codings")
    with pytest.raises(ProjectError) as e:
        project.transcript("nope")
    assert e.value.code == "E304"


def test_codings_frame_columns_and_filters(project):
    project.code("int-01", 0, 10, "trust")
    project.code("int-02", 2, 7, "stacking", coder="cd")
    df = project.codings()
    assert list(df.columns[:9]) == ["coding_id", "transcript_id", "start", "end", "code", "coder", "status",
                                    "snippet", "created_at"]
    text = project.corpus()["int-02"].text
    assert df.set_index("coder").loc["cd", "snippet"] == text[2:7]
    assert len(project.codings(status="active")) == 2 and len(project.codings(status="orphaned")) == 0
    assert project.codings(code="stacking")["coder"].tolist() == ["cd"]
    assert project.codings(transcript="int-01")["coder"].tolist() == ["ab"]
    with pytest.raises(ProjectError):
        project.codings(status="weird")


def test_review_fallback_and_widget(project):
    project.suggest(KeywordSuggester(SUGGESTER), segments=segs(project.corpus()))
    r = project.review(code="trust", widgets=False)
    assert len(r.queue) == 3
    html = r._repr_html_()
    assert "<mark" in html and "mentions &#x27;trust&#x27;" in html and "review.accept" in html
    first, second = r.pending[:2]
    r.accept(first)
    r.reject([second])
    assert len(r.queue) == 1
    assert project.suggestions(None, code="trust").set_index("suggestion_id").loc[[first, second], "status"].tolist() \
        == ["accepted", "rejected"]
    # the widget: clicking records decisions for the reviewing coder
    pytest.importorskip("ipywidgets")
    rv = project.review(coder="cd", mode="one", widgets=True)
    n = len(rv.queue)
    card = rv.widget()  # the review card (tests/test_widgets.py covers it in full)
    sid = rv.pending[0]
    card.handle({"action": "skip"})
    assert rv.pending[-1] == sid
    card.handle({"action": "accept"})  # accept the next one
    assert len(rv.queue) == n - 1
    assert len(project.codings(coder="cd")) == 1
    lst = project.review(coder="cd", mode="list", widgets=True).widget()
    assert len(lst.children) == 1 + 2 * (n - 1)


def test_code_many_set_codebook_noop_and_default_segments(project):
    ids = project.code_many([{"transcript_id": "int-01", "start": 0, "end": 5, "code": "trust"},
                             {"transcript_id": "int-02", "start": 0, "end": 5, "code": "trust", "coder": "cd"}])
    assert project.codings().set_index("coding_id").loc[ids, "coder"].tolist() == ["ab", "cd"]
    assert project.set_codebook(CODEBOOK) == 1 and len(project.codebook_versions()) == 1
    pytest.importorskip("mcqual.segment")
    sugg = KeywordSuggester(SUGGESTER)
    rep = project.suggest(sugg, unit="turn")  # segments made by mq.segments, interviewer turns left out
    assert rep.n_segments == 4 and rep.new == 5
    assert set(project.suggestions()["unit"]) == {"turn"}
    assert {"transcript_id", "code"} <= set(sugg.codings_.columns) and len(sugg.codings_) == 2


def test_memo_rows_are_append_only_and_migrated(tmp_path):
    import sqlite3

    from mcqual.project.store import MIGRATIONS, SQLiteStore

    store = SQLiteStore.create(tmp_path / "m.mcq")
    assert store.schema_version() == len(MIGRATIONS) == 3
    ids = store.append_memos([{"coder": "ab", "created_at": "2026-01-01T00:00:00", "target": "project", "text": "first"},
                              {"coder": "ab", "created_at": "2026-01-01T00:00:01", "target": "project",
                               "text": "second", "replaces": None}])
    assert ids == [1, 2]
    assert [r[-2] for r in store.memo_rows()] == ["first", "second"]
    assert [r[0] for r in store.memo_rows(since=1)] == [2]
    for sql in ("UPDATE memos SET text='x'", "DELETE FROM memos"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            store._con.execute(sql)
    with pytest.raises(sqlite3.IntegrityError):
        store.append_memos([{"coder": "ab", "created_at": "t", "target": "nowhere", "text": "x"}])
    assert store.counts()["memos"] == 2
    store.close()
