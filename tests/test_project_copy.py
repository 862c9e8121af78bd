"""Copying a project between stores (SQLite ⇄ PostgreSQL) loses nothing; `mcqual project copy|backup`."""
from __future__ import annotations

import pytest

import mcqual as mq
from mcqual.cli import main
from mcqual.codebook.model import Codebook
from mcqual.errors import ProjectError
from mcqual.model import Segment, Suggestion, Transcript
from mcqual.project.storage import STORE_KEYS, TABLES

A = "Employers trust badges when the issuer is a known university. Stacking credits rarely works. " * 6
B = "I never heard about stacking before the course. My employer did not trust the certificate."


class Every:
    """Suggest ``code`` on every segment."""

    def __init__(self, code):
        self.code = code

    def fit(self, segments, codebook, codings=None):
        return self

    def suggest(self, segments):
        return [Suggestion(s.segment_id, self.code, 0.5 + 0.01 * i, "every", "all segments",
                           evidence=(mq.Evidence(s.start, s.start + 3, "ev"),))
                for i, s in enumerate(segments)]


def rich_project(path):
    """A project with something in every table: versions, attributes, runs, coverage, undo, memos..."""
    p = mq.Project.create(path, coder="ak")
    p.add_transcripts([Transcript.from_turns("int-01", [("R1", A)], attributes={"group": "employer", "n": 3}),
                       Transcript.from_turns("int-02", [("R2", B)], attributes={"group": "learner"},
                                             metadata={"date": "2024-05-01"})])
    p.set_codebook(Codebook.from_codes(["trust", "stacking", "burden"]))
    segs = [Segment("int-01", i * 40, i * 40 + 30, A[i * 40:i * 40 + 30]) for i in range(8)]
    p.suggest(Every("trust"), segments=segs)
    sids = [int(s) for s in p.suggestions()["suggestion_id"]]
    p.accept(sids[0])
    p.reject(sids[1])
    p.accept(sids[2], coder="mb")
    p.code("int-02", 0, 20, "stacking")
    p.code("int-02", 22, 40, "trust", coder="mb")
    p.code("int-02", 41, 60, "burden")
    p.undo()
    p.rename_code("burden", "workload")
    # a re-import moves codings and suggestions (reanchor events, a transcript version)
    p.add_transcripts([Transcript.from_turns("int-01", [("R1", "New opening sentence. " + A)],
                                             attributes={"group": "employer", "n": 3})])
    p._store.append_memos([
        {"coder": "ak", "created_at": "2026-01-01T10:00:00", "target": "project", "text": "Memo on the study"},
        {"coder": "mb", "created_at": "2026-01-01T10:01:00", "target": "span", "transcript_id": "int-02",
         "start": 0, "end": 20, "text": "Why stacking?", "payload": {"colour": "yellow"}},
    ])
    p._store.append_memos([{"coder": "mb", "created_at": "2026-01-01T10:02:00", "target": "span",
                            "transcript_id": "int-02", "start": 0, "end": 20, "text": "Edited", "replaces": 2}])
    return p


def tables(target):
    with mq.Project.open(target) as p, p.snapshot():
        out = {t: p._store.table_rows(t, cols, order) for t, (cols, order) in TABLES.items()}
        out["project_info"] = [r for r in out["project_info"]
                               if r[0] not in STORE_KEYS + ("copied_from", "copied_at")]
        return out, p.codings(), p.suggestions(None), p.history()


def test_copy_there_and_back_is_lossless(tmp_path, store_url):
    src = tmp_path / "source.mcqual"
    rich_project(src).close()
    before = tables(src)
    assert all(before[0][t] for t in TABLES), [t for t in TABLES if not before[0][t]]  # every table has rows
    there = mq.copy_project(src, store_url)
    assert there.verified and there.counts["memos"] == 3 and there.rows["transcript_versions"] == 1
    back = mq.copy_project(store_url, tmp_path / "back.mcqual")
    assert back.verified and back.codings == there.codings > 0
    for target in (store_url, tmp_path / "back.mcqual"):
        got = tables(target)
        assert got[0] == before[0]
        for a, b in zip(got[1:], before[1:]):
            assert a.astype(object).equals(b.astype(object))
    # the copy goes on working: new ids follow the copied ones, the log stays append-only
    with mq.Project.open(store_url, coder="cx") as p:
        last = p._store.last_event_id()
        assert p.code("int-02", 0, 5, "trust") == last + 1
        assert p._store.append_memos([{"coder": "cx", "created_at": "t", "target": "project", "text": "n"}]) == [4]
        assert p._store.codebook_version() == 2 and p.set_codebook(Codebook.from_codes(["x"])) == 3


def test_copy_refuses_an_existing_destination_and_cleans_up_after_failure(tmp_path, store_url):
    src = tmp_path / "source.mcqual"
    rich_project(src).close()
    mq.Project.create(store_url).close()
    with pytest.raises(ProjectError) as e:
        mq.copy_project(src, store_url)
    assert e.value.code == "E360"
    dest = tmp_path / "half.mcqual"

    def broken(self, table, columns, rows):
        raise RuntimeError("disk gone")

    from mcqual.project.store import SQLiteStore

    orig = SQLiteStore.load_rows
    SQLiteStore.load_rows = broken
    try:
        with pytest.raises(RuntimeError):
            mq.copy_project(src, dest)
    finally:
        SQLiteStore.load_rows = orig
    assert not dest.exists()  # no half copy left behind


def test_cli_project_copy_and_backup(tmp_path, store_url, capsys):
    src = tmp_path / "source.mcqual"
    rich_project(src).close()
    assert main(["project", "copy", str(src), store_url]) == 0
    out = capsys.readouterr().out
    assert "verified" in out and "3 memos" in out
    assert main(["project", "backup", store_url, str(tmp_path / "b.mcqual")]) == 0
    assert "backup" in capsys.readouterr().out
    assert main(["project", "backup", store_url, str(tmp_path / "b.mcqual")]) == 1  # exists: E360
    assert "E360" in capsys.readouterr().err
    assert main(["project", "backup", store_url, str(tmp_path / "b.mcqual"), "--overwrite"]) == 0
    assert tables(tmp_path / "b.mcqual")[0] == tables(src)[0]


def test_cli_project_check_and_export_take_a_url(tmp_path, store_url, capsys):
    rich_project(store_url).close()
    assert main(["project", "check", store_url]) == 0
    out = capsys.readouterr().out
    assert "schema version 3" in out and "3 memos" in out and "integrity: ok" in out
    assert main(["export", store_url, "--out", str(tmp_path / "out")]) == 0
    assert (tmp_path / "out" / "mcqual_project.qdpx").exists()


@pytest.mark.postgres
def test_a_failed_copy_into_an_administrators_schema_keeps_the_schema(tmp_path, pg_url):
    """An institute's admin made the schema (with grants): a failed copy empties it, never drops it."""
    import psycopg

    from mcqual.project.pgstore import PostgresStore, parse_url

    conninfo, schema = parse_url(pg_url)
    with psycopg.connect(conninfo, autocommit=True) as con:
        con.execute(f"CREATE SCHEMA {schema}")
    src = tmp_path / "source.mcqual"
    rich_project(src).close()
    orig = PostgresStore.load_rows

    def broken(self, table, columns, rows):
        if table == "events":
            raise RuntimeError("connection gone")
        return orig(self, table, columns, rows)

    PostgresStore.load_rows = broken
    try:
        with pytest.raises(RuntimeError):
            mq.copy_project(src, pg_url)
    finally:
        PostgresStore.load_rows = orig
    with psycopg.connect(conninfo, autocommit=True) as con:
        assert con.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", (schema,)).fetchone()
        assert con.execute("SELECT count(*) FROM pg_tables WHERE schemaname = %s", (schema,)).fetchone()[0] == 0
    assert mq.copy_project(src, pg_url).verified  # and the copy can be repeated there
