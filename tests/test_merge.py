"""Merging coders' project files: transcripts by content, re-anchoring, codebook conflicts, once-only events."""
from __future__ import annotations

import pytest

import mcqual as mq
from mcqual.errors import ProjectError
from mcqual.project.merge import MergeSource, origin_keys, source_from_project

TURNS = [("I", "Do you trust digital badges?"),
         ("R", "I trust badges from universities. Private providers less so."),
         ("I", "What about employers?"),
         ("R", "Employers ask for proof of skills. Costs matter to them.")]
T = mq.Transcript.from_turns("int-01", TURNS)
CB = mq.Codebook.from_codes(["trust", "employer", "cost"])


def span(text: str, quote: str) -> tuple[int, int]:
    i = text.index(quote)
    return i, i + len(quote)


def coder_project(path, coder, transcript=T, codebook=CB, quotes=()):
    p = mq.Project.create(path, coder=coder)
    p.add_transcripts([transcript])
    p.set_codebook(codebook)
    for quote, code in quotes:
        p.code(transcript.id, *span(transcript.text, quote), code)
    return p


def key_set(p, coder=None):
    df = p.codings(coder=coder)
    return sorted(zip(df["coder"], df["code"], df["snippet"]))


@pytest.fixture
def two(tmp_path):
    ak = coder_project(tmp_path / "ak.mcqual", "AK", quotes=[("I trust badges from universities.", "trust"),
                                                             ("Costs matter to them.", "cost")])
    mb = coder_project(tmp_path / "mb.mcqual", "MB", quotes=[("I trust badges from universities.", "trust"),
                                                             ("Employers ask for proof of skills.", "employer")])
    ak.close(), mb.close()
    return tmp_path / "ak.mcqual", tmp_path / "mb.mcqual"


def test_merge_two_coders_into_sqlite_and_postgres(two, store_url):
    rep = mq.merge_projects([two[0], two[1]], into=store_url)
    assert (rep.events_added, rep.events_skipped, rep.transcripts_added) == (4, 0, 1)
    assert rep.by_coder == {"AK": 2, "MB": 2}
    assert [t["match"] for t in rep.transcripts] == ["added", "hash"]
    with mq.Project.open(store_url) as team:
        assert key_set(team) == [("AK", "cost", "Costs matter to them."),
                                 ("AK", "trust", "I trust badges from universities."),
                                 ("MB", "employer", "Employers ask for proof of skills."),
                                 ("MB", "trust", "I trust badges from universities.")]
        assert team.codebook().ids == CB.ids
        before = team.summary()
    again = mq.merge_projects([two[0], two[1]], into=store_url)  # merging again adds nothing
    assert (again.events_added, again.events_skipped, again.transcripts_added) == (0, 4, 0)
    with mq.Project.open(store_url) as team:
        assert team.summary() == before
    html = rep._repr_html_()
    assert "events added" in html and "ak.mcqual" in html


def test_team_copy_merged_back_brings_only_new_events(two, tmp_path):
    import shutil

    team_path = tmp_path / "team.mcqual"
    mq.merge_projects([two[0], two[1]], into=team_path)
    shutil.copy(team_path, tmp_path / "laptop.mcqual")  # AK takes the team file home, keeps coding
    with mq.Project.open(tmp_path / "laptop.mcqual", coder="AK") as lap:
        lap.code("int-01", *span(T.text, "Private providers less so."), "trust")
        wrong = lap.code("int-01", *span(T.text, "What about employers?"), "employer")
        lap.undo()  # undoes `wrong`
        assert wrong not in set(lap.codings()["coding_id"])
    rep = mq.merge_projects([tmp_path / "laptop.mcqual"], into=team_path)
    assert rep.events_added == 3 and rep.events_skipped == 4  # code, code, undo; the shared four skipped
    with mq.Project.open(team_path) as team:
        ak = key_set(team, "AK")
        assert ("AK", "trust", "Private providers less so.") in ak
        assert not any(s == "What about employers?" for _, _, s in ak)  # the undo points at the right event
        assert len(team.codings()) == 5
    assert mq.merge_projects([tmp_path / "laptop.mcqual"], into=team_path).events_added == 0


def test_uncode_and_undo_references_are_remapped(tmp_path, store_url):
    ak = coder_project(tmp_path / "ak.mcqual", "AK", quotes=[("Costs matter to them.", "cost")])
    mb = coder_project(tmp_path / "mb.mcqual", "MB")
    a = mb.code("int-01", *span(T.text, "I trust badges from universities."), "trust")
    b = mb.code("int-01", *span(T.text, "Employers ask for proof of skills."), "employer")
    mb.uncode(a)
    mb.undo()  # brings `a` back
    mb.uncode(b)
    expected = key_set(mb)
    ak.close(), mb.close()
    mq.merge_projects([tmp_path / "ak.mcqual", tmp_path / "mb.mcqual"], into=store_url)
    with mq.Project.open(store_url) as team:
        assert key_set(team, "MB") == expected
        hist = team.history(coder="MB")
        assert hist["kind"].tolist() == ["code", "code", "uncode", "undo", "uncode"]
        undo = hist[hist["kind"] == "undo"].iloc[0]
        assert int(undo["target_event"]) == int(hist[hist["kind"] == "uncode"].iloc[0]["event_id"])


def test_a_coders_edited_transcript_copy_is_reanchored(tmp_path, store_url):
    coder_project(tmp_path / "ak.mcqual", "AK", quotes=[("I trust badges from universities.", "trust")]).close()
    # MB fixed a typo on her laptop ("so." -> "so!") and added a word before her codings
    edited = [TURNS[0], ("R", "Honestly, I trust badges from universities. Private providers less so!"), *TURNS[2:]]
    t2 = mq.Transcript.from_turns("int-01", edited)
    coder_project(tmp_path / "mb.mcqual", "MB", transcript=t2,
                  quotes=[("I trust badges from universities.", "trust"), ("Employers ask for proof of skills.",
                                                                           "employer"),
                          ("Private providers less so!", "trust")]).close()
    rep = mq.merge_projects([tmp_path / "ak.mcqual", tmp_path / "mb.mcqual"], into=store_url)
    assert rep.transcripts[1]["match"] == "id"
    assert rep.reanchored["moved"] == 2 and rep.reanchored["fuzzy"] == 1
    with mq.Project.open(store_url) as team:
        mb = team.codings(coder="MB").sort_values("start")
        snips = mb["snippet"].tolist()
        assert snips[0] == "I trust badges from universities." and snips[2] == "Employers ask for proof of skills."
        assert snips[1].startswith("Private providers less so")  # the edited quote, found fuzzily
        assert mb["status"].tolist() == ["active", "fuzzy", "active"]
        assert team.corpus()["int-01"].text == T.text  # the team's text is kept


def test_codebook_conflicts_are_reported(tmp_path):
    coder_project(tmp_path / "ak.mcqual", "AK", quotes=[("Costs matter to them.", "cost")]).close()
    cb = mq.Codebook([mq.Code("trust", "Trust in issuers"), mq.Code("employer", "employer"),
                      mq.Code("cost", "cost"), mq.Code("quality", "Quality assurance")])
    mb = coder_project(tmp_path / "mb.mcqual", "MB", codebook=cb, quotes=[("Private providers less so.", "quality")])
    mb.rename_code("employer", "labour_market")
    mb.code("int-01", *span(T.text, "Employers ask for proof of skills."), "labour_market")
    mb.close()
    rep = mq.merge_projects([tmp_path / "ak.mcqual", tmp_path / "mb.mcqual"], into=tmp_path / "team.mcqual")
    kinds = {(c["kind"], c["code"]) for c in rep.conflicts}
    assert ("label", "trust") in kinds and ("added", "quality") in kinds and ("added", "labour_market") in kinds
    assert any(c["kind"] == "renamed" and "employer -> labour_market" in c["theirs"] for c in rep.conflicts)
    frame = rep.conflicts_frame()
    assert list(frame.columns) == ["source", "kind", "code", "team", "theirs", "note"]
    with mq.Project.open(tmp_path / "team.mcqual") as team:
        cbt = team.codebook()
        assert cbt["trust"].label == "trust"  # the team's version is kept
        assert {"quality", "labour_market", "employer"} <= set(cbt.ids)
        assert set(team.codings(coder="MB")["code"]) == {"quality", "labour_market"}
        assert "Conflicts" in rep._repr_html_()


def test_suggestions_and_decisions_keep_pointing_at_each_other(tmp_path, store_url):
    class Keyword:
        source = "kw"

        def fit(self, segments, codebook, codings=None):
            return self

        def suggest(self, segments):
            return [mq.Suggestion(s.segment_id, "trust", 0.9, "kw", "says trust") for s in segments
                    if "trust" in s.text]

    segs = [mq.Segment("int-01", u.start, u.end, u.text) for u in T.turns]
    for who in ("AK", "MB"):
        p = coder_project(tmp_path / f"{who}.mcqual", who)
        p.suggest(Keyword(), segments=segs)
        sid = int(p.suggestions()["suggestion_id"].iloc[-1])
        (p.accept if who == "AK" else p.reject)(sid)
        p.close()
    rep = mq.merge_projects([tmp_path / "AK.mcqual", tmp_path / "MB.mcqual"], into=store_url)
    assert rep.suggestions_added == 2  # two turns say "trust"; MB's copies match AK's
    with mq.Project.open(store_url) as team:
        s = team.suggestions(None)
        assert len(s) == 2
        decided = s[s["decided_by"] != ""]
        assert len(decided) == 1 and decided["decided_by"].iloc[0] == "AK, MB"
        assert team.suggestions("accepted", coder="AK")["suggestion_id"].tolist() == decided[
            "suggestion_id"].tolist()
        assert team.suggestions("rejected", coder="MB")["suggestion_id"].tolist() == decided[
            "suggestion_id"].tolist()
        c = team.codings(coder="AK")
        assert c["suggestion_id"].tolist() == decided["suggestion_id"].tolist()


def test_memos_are_merged_once_with_their_targets(tmp_path, store_url):
    p = coder_project(tmp_path / "mb.mcqual", "MB")
    cid = p.code("int-01", *span(T.text, "Costs matter to them."), "cost")
    at = "2026-01-01T00:00:00.000000Z"
    first = p._store.append_memos([{"coder": "MB", "created_at": at, "target": "coding", "transcript_id": "int-01",
                                    "coding_id": cid, "text": "cost or value?"}])[0]
    p._store.append_memos([{"coder": "MB", "created_at": at, "target": "coding", "transcript_id": "int-01",
                            "coding_id": cid, "replaces": first, "text": "cost, as employers see it"}])
    p.close()
    coder_project(tmp_path / "ak.mcqual", "AK", quotes=[("I trust badges from universities.", "trust")]).close()
    rep = mq.merge_projects([tmp_path / "ak.mcqual", tmp_path / "mb.mcqual"], into=store_url)
    assert rep.memos_added == 2
    assert mq.merge_projects([tmp_path / "mb.mcqual"], into=store_url).memos_added == 0
    with mq.Project.open(store_url) as team:
        rows = team._store.memo_rows()
        mb_coding = int(team.codings(coder="MB")["coding_id"].iloc[0])
        assert [r[8] for r in rows] == [mb_coding, mb_coding]  # coding ids remapped
        assert rows[1][10] == rows[0][0]  # `replaces` remapped


def test_qdpx_from_another_tool_merges_as_one_more_coder(two, tmp_path):
    nv = coder_project(tmp_path / "nv.mcqual", "NV", quotes=[("Employers ask for proof of skills.", "employer")])
    mq.to_qdpx(nv, tmp_path / "nvivo.qdpx")
    nv.close()
    rep = mq.merge_projects([two[0], tmp_path / "nvivo.qdpx"], into=tmp_path / "team.mcqual")
    assert rep.by_coder["AK"] == 2 and sum(v for k, v in rep.by_coder.items() if k != "AK") == 1
    assert mq.merge_projects([tmp_path / "nvivo.qdpx"], into=tmp_path / "team.mcqual").events_added == 0
    with mq.Project.open(tmp_path / "team.mcqual") as team:
        other = team.codings()[lambda d: d["coder"] != "AK"]
        assert other["snippet"].tolist() == ["Employers ask for proof of skills."]


def test_refi_qda_sample_merges(shared, tmp_path):
    sample = shared / "refi-qda" / "samples" / "qdpx-toolkit-hand-authored.qdpx"
    bundle = mq.read_qdpx(sample)
    rep = mq.merge_projects([sample], into=tmp_path / "team.mcqual", qdpx_coder="tool")
    assert rep.transcripts_added == len(bundle.corpus)
    assert rep.events_added == len(bundle.codings)
    assert rep.memos_added == len(bundle.memos)
    with mq.Project.open(tmp_path / "team.mcqual") as team:
        got = team.codings().sort_values(["transcript_id", "start"])
        want = bundle.codings.sort_values(["transcript_id", "start"])
        assert got["snippet"].tolist() == want["snippet"].tolist()


def test_errors_and_sources(two, tmp_path):
    with pytest.raises(ProjectError, match="E365"):
        mq.merge_projects([], into=tmp_path / "team.mcqual")
    with pytest.raises(ProjectError, match="E365"):
        mq.merge_projects([two[0]], into=two[0])
    with mq.Project.open(two[0]) as p:
        src = source_from_project(p)
    assert isinstance(src, MergeSource) and len(src.events) == 2
    keys = origin_keys(src.events)
    assert len(set(keys.values())) == 2
    rep = mq.merge_projects([src], into=tmp_path / "team.mcqual", coders={"AK": "Anna"})
    assert rep.by_coder == {"Anna": 2}
    assert "MergeReport(" in repr(rep)


def test_cli_project_merge(two, tmp_path, capsys):
    from mcqual.cli import main

    team = tmp_path / "team.mcqual"
    args = ["project", "merge", str(two[0]), str(two[1]), "--into", str(team), "--rename-coder", "MB=Maria",
            "--conflicts", str(tmp_path / "conflicts.csv")]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "4 events added" in out
    assert main(args) == 0
    assert "0 events added, 4 already there" in capsys.readouterr().out
    assert (tmp_path / "conflicts.csv").exists()
    with mq.Project.open(team) as p:
        assert set(p.codings()["coder"]) == {"AK", "Maria"}
    assert main(["project", "merge", str(two[0]), "--into", str(team), "--rename-coder", "MB"]) == 2


def test_team_guide_examples_run(root, tmp_path, monkeypatch):
    """docs/howto/team.md: every python block runs, in order, in a fresh folder."""
    import re

    page = root / "docs" / "howto" / "team.md"
    blocks = re.findall(r"```python\n(.*?)```", page.read_text(encoding="utf-8"), re.S)
    assert len(blocks) >= 6
    monkeypatch.chdir(tmp_path)
    env: dict = {}
    for block in blocks:
        exec(compile(block, str(page), "exec"), env)
    assert env["again"].events_added == 0
    assert env["rep"].recommended["figure"].startswith("Cohen's κ")


def test_case_attributes_come_along_team_values_win(tmp_path):
    t_ak = mq.Transcript.from_turns("int-01", TURNS, attributes={"group": "learner"})
    t_mb = mq.Transcript.from_turns("int-01", TURNS, attributes={"group": "employer", "country": "PL"})
    coder_project(tmp_path / "ak.mcqual", "AK", transcript=t_ak).close()
    coder_project(tmp_path / "mb.mcqual", "MB", transcript=t_mb).close()
    mq.merge_projects([tmp_path / "ak.mcqual", tmp_path / "mb.mcqual"], into=tmp_path / "team.mcqual")
    with mq.Project.open(tmp_path / "team.mcqual") as team:
        attrs = team.attributes()
        assert attrs.loc["int-01", "group"] == "learner" and attrs.loc["int-01", "country"] == "PL"


def test_dry_run_writes_nothing(two, tmp_path, store_url):
    preview = mq.merge_projects([two[0], two[1]], into=tmp_path / "new.mcqual", dry_run=True)
    assert preview.dry_run and preview.events_added == 4 and not (tmp_path / "new.mcqual").exists()
    mq.merge_projects([two[0]], into=store_url)
    with mq.Project.open(store_url) as team:
        before = team.summary()
    preview = mq.merge_projects([two[0], two[1]], into=store_url, dry_run=True)
    assert (preview.events_added, preview.events_skipped) == (2, 2) and "dry run" in repr(preview)
    with mq.Project.open(store_url) as team:
        assert team.summary() == before
    assert mq.merge_projects([two[1]], into=store_url).events_added == 2


def test_codes_renamed_in_the_team_meanwhile_follow(two, tmp_path):
    import shutil

    team_path = tmp_path / "team.mcqual"
    mq.merge_projects([two[0]], into=team_path)
    shutil.copy(two[1], tmp_path / "mb_late.mcqual")  # MB's file was handed out before the rename
    with mq.Project.open(team_path, coder="lead") as team:
        team.rename_code("trust", "confidence")
    rep = mq.merge_projects([tmp_path / "mb_late.mcqual"], into=team_path)
    assert not [c for c in rep.conflicts if c["kind"] == "added"]
    with mq.Project.open(team_path) as team:
        assert "trust" not in team.codebook() and "confidence" in team.codebook()
        assert set(team.codings(coder="MB")["code"]) == {"confidence", "employer"}


def test_one_coder_id_from_two_files_is_flagged(tmp_path):
    coder_project(tmp_path / "a.mcqual", "me", quotes=[("Costs matter to them.", "cost")]).close()
    coder_project(tmp_path / "b.mcqual", "me", quotes=[("Private providers less so.", "trust")]).close()
    rep = mq.merge_projects([tmp_path / "a.mcqual", tmp_path / "b.mcqual"], into=tmp_path / "team.mcqual")
    assert [c["kind"] for c in rep.conflicts] == ["coder"] and "'me'" in rep.conflicts[0]["note"]
    fixed = mq.merge_projects([tmp_path / "a.mcqual"], into=tmp_path / "team2.mcqual", coders={"me": "AK"})
    fixed2 = mq.merge_projects([tmp_path / "b.mcqual"], into=tmp_path / "team2.mcqual", coders={"me": "MB"})
    assert fixed.by_coder == {"AK": 1} and fixed2.by_coder == {"MB": 1} and not fixed2.conflicts


@pytest.mark.postgres
def test_origin_keys_survive_a_copy_between_stores(tmp_path, pg_url):
    """A team project moved to PostgreSQL, copied back to a laptop as SQLite, merges back adding nothing."""
    from mcqual.project.copy import copy_project

    p = coder_project(tmp_path / "s.mcqual", "AK", quotes=[("Costs matter to them.", "cost")])
    c = p.code("int-01", *span(T.text, "Private providers less so."), "trust", note="a note")
    p.uncode(c)
    p.undo()
    p._store.append_memos([{"coder": "AK", "created_at": "2026-01-01T00:00:00Z", "target": "coding",
                            "coding_id": c, "text": "m"}])
    keys = (origin_keys(p._store.events()), origin_keys(p._store.memo_rows(), memo=True))
    p.close()
    copy_project(tmp_path / "s.mcqual", pg_url)
    with mq.Project.open(pg_url) as q:
        assert (origin_keys(q._store.events()), origin_keys(q._store.memo_rows(), memo=True)) == keys
    copy_project(pg_url, tmp_path / "laptop.mcqual")
    rep = mq.merge_projects([tmp_path / "laptop.mcqual"], into=pg_url)
    assert (rep.events_added, rep.events_skipped, rep.memos_added) == (0, 4, 0)


def test_duplicate_suggestions_in_one_source_become_one(tmp_path):
    p = coder_project(tmp_path / "ak.mcqual", "AK")
    a, b = span(T.text, "I trust badges from universities.")
    p._store.insert_suggestions([{"transcript_id": "int-01", "start": a, "end": b, "code": "trust", "score": s,
                                  "source": src, "reason": "", "unit": "turn", "quote": T.text[a:b], "run_id": None,
                                  "at": "2026-01-01T00:00:00Z"} for s, src in ((0.9, "rules"), (0.8, "embedding"))])
    ids = p.suggestions(None)["suggestion_id"].tolist()
    p.accept(ids[0])
    p.reject(ids[1], coder="AK2")
    p.close()
    rep = mq.merge_projects([tmp_path / "ak.mcqual"], into=tmp_path / "team.mcqual")
    assert rep.suggestions_added == 1 and rep.events_added == 2
    with mq.Project.open(tmp_path / "team.mcqual") as team:
        s = team.suggestions(None)
        assert len(s) == 1 and s["decided_by"].iloc[0] == "AK, AK2"
