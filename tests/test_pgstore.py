"""The PostgreSQL store: URLs, append-only in the database, schema versions, locks, dropped connections.

The behaviour shared with SQLite (decisions, undo, re-anchoring, the crash and
concurrency tests) runs against both stores through the ``store_url`` fixture;
this file holds what only PostgreSQL has. Needs the server at
``MCQUAL_TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``);
skips without it unless ``MCQUAL_REQUIRE_POSTGRES=1``.
"""
from __future__ import annotations

import threading
import time

import pytest

import mcqual as mq
from mcqual.codebook.model import Codebook
from mcqual.errors import ProjectError
from mcqual.model import Segment, Suggestion, Transcript
from mcqual.project.pgstore import DEFAULT_SCHEMA, PG_MIGRATIONS, PostgresStore, parse_url, redact

pytestmark = pytest.mark.postgres

TEXT = "Employers trust badges when the issuer is known; stacking rarely works. " * 10


def raw(url):
    """A plain psycopg connection to the project's schema (what a curious DBA would type)."""
    import psycopg

    conninfo, schema = parse_url(url)
    con = psycopg.connect(conninfo, autocommit=True)
    con.execute(f'SET search_path TO "{schema}"')
    return con


def filled(url, coder="ab"):
    p = mq.Project.create(url, coder=coder)
    p.add_transcripts([Transcript.from_turns("t", [("R", TEXT)])])
    p.set_codebook(Codebook.from_codes(["trust", "stacking"]))
    return p


# -- URLs (no server needed) ---------------------------------------------------------------
def test_one_url_names_one_project():
    assert parse_url("postgresql://u@h:5/db?schema=study") == ("postgresql://u@h:5/db", "study")
    assert parse_url("postgres://u@h/db#study")[1] == "study"
    assert parse_url("postgresql://u@h/db?sslmode=require")[1] == DEFAULT_SCHEMA
    assert parse_url("postgresql://u@h/db?sslmode=require&schema=s")[0] == "postgresql://u@h/db?sslmode=require"
    for bad in ("postgresql://u@h/db?schema=Study", "postgresql://u@h/db?schema=a;drop", "postgresql://u@h/",
                "postgresql://u@h/db?schema=a#b", "postgresql://u@h/db?schema=" + "x" * 64):
        with pytest.raises(ProjectError) as e:
            parse_url(bad)
        assert e.value.code == "E356"
    assert redact("postgresql://ak:secret@h/db?schema=s") == "postgresql://ak:***@h/db?schema=s"


def test_an_unreachable_server_is_e354():
    with pytest.raises(ProjectError) as e:
        mq.Project.open("postgresql://postgres@127.0.0.1:1/test?schema=nowhere")
    assert e.value.code == "E354" and "pg_isready" in e.value.hint


# -- lifecycle and schema versions ------------------------------------------------------------
def test_create_open_errors_and_versions(pg_url):
    with pytest.raises(ProjectError) as e:
        mq.Project.open(pg_url)
    assert e.value.code == "E357"
    p = filled(pg_url)
    assert p._store.schema_version() == len(PG_MIGRATIONS) == 3
    assert p.path == pg_url and "schema=" in repr(p._store)
    p.close()
    with pytest.raises(ProjectError) as e:
        mq.Project.create(pg_url)
    assert e.value.code == "E301"
    con = raw(pg_url)
    info = dict(con.execute("SELECT key, value FROM project_info").fetchall())
    assert info["application"] == "mcqual" and info["schema_version"] == "3" and info["created_by"].startswith("mcqual")
    con.execute("UPDATE project_info SET value = '99' WHERE key = 'schema_version'")
    with pytest.raises(ProjectError) as e:
        mq.Project.open(pg_url)
    assert e.value.code == "E302"
    con.close()


def test_a_schema_1_project_is_migrated(pg_url):
    p = filled(pg_url)
    p.code("t", 0, 5, "trust")
    p.close()
    con = raw(pg_url)
    con.execute("DROP TABLE memos")
    con.execute("DROP TABLE run_coverage")
    con.execute("UPDATE project_info SET value = '1' WHERE key = 'schema_version'")
    con.close()
    with mq.Project.open(pg_url) as again:
        assert again._store.schema_version() == 3
        assert len(again.codings()) == 1
        assert again._store.append_memos([{"coder": "ab", "created_at": "t", "target": "project", "text": "m"}]) \
            == [1]


# -- the decision log is append-only in the database ---------------------------------------------
def test_events_and_memos_are_append_only_in_the_database(pg_url):
    import psycopg

    p = filled(pg_url)
    p.code("t", 0, 5, "trust")
    p._store.append_memos([{"coder": "ab", "created_at": "t", "target": "project", "text": "why"}])
    con = raw(pg_url)
    for table in ("events", "memos"):
        for sql in (f"UPDATE {table} SET coder = 'x'", f"DELETE FROM {table}", f"TRUNCATE {table}"):
            with pytest.raises(psycopg.Error, match="append-only"):
                con.execute(sql)
        grants = con.execute("SELECT privilege_type FROM information_schema.role_table_grants "
                             "WHERE table_schema = %s AND table_name = %s AND grantee = 'PUBLIC'",
                             (parse_url(pg_url)[1], table)).fetchall()
        assert not {"UPDATE", "DELETE", "TRUNCATE"} & {g[0] for g in grants}
    assert p.integrity_check() == "ok"
    con.execute("ALTER TABLE events DISABLE TRIGGER events_no_update_delete")  # only the owner can
    assert "events_no_update_delete is disabled" in p.integrity_check()
    con.close()
    # foreign keys hold as in SQLite
    with pytest.raises(psycopg.errors.ForeignKeyViolation):
        p._store.append_events([{"kind": "code", "coder": "x", "created_at": "t", "transcript_id": "nope",
                                 "start": 0, "end": 1, "code": "trust"}])
    assert len(p.codings()) == 1
    p.close()


# -- transactions --------------------------------------------------------------------------------
def test_writers_queue_behind_the_advisory_lock_and_time_out_with_e309(pg_url):
    p = filled(pg_url)
    other = mq.Project.open(pg_url, coder="cd", timeout=0.5)
    with p._store.write():
        p.code("t", 0, 5, "trust")
        t0 = time.perf_counter()
        with pytest.raises(ProjectError) as e:
            other.code("t", 5, 9, "trust")
        assert e.value.code == "E309" and 0.4 < time.perf_counter() - t0 < 5
        assert len(other.codings()) == 0  # read committed: the open transaction is invisible
    assert len(other.codings()) == 1
    # a waiting writer proceeds once the lock is free, and its ids follow the first writer's
    other._store.timeout = 10
    done = []
    with p._store.write():
        first = p.code("t", 10, 15, "trust")
        th = threading.Thread(target=lambda: done.append(other.code("t", 20, 25, "stacking")))
        th.start()
        time.sleep(0.3)
        assert not done
    th.join(10)
    assert done and done[0] > first
    p.close()
    other.close()


def test_snapshot_is_one_repeatable_read(pg_url):
    p = filled(pg_url)
    other = mq.Project.open(pg_url, coder="cd")
    with p.snapshot():
        other.code("t", 0, 5, "trust")
        assert len(p.codings()) == 0
        with pytest.raises(ProjectError) as e:
            p.code("t", 0, 5, "trust")
        assert e.value.code == "E313"
    assert len(p.codings()) == 1
    p.close()
    other.close()


def test_ids_come_from_returning_and_a_rolled_back_batch_leaves_nothing(pg_url):
    p = filled(pg_url)
    ids = p.code_many([{"transcript_id": "t", "start": i, "end": i + 3, "code": "trust"} for i in range(5)])
    assert ids == [1, 2, 3, 4, 5]
    with pytest.raises(ProjectError):  # the fifth decision is invalid: the batch is all-or-nothing
        p.decide_many([("code", "t", 0, 3, "trust")] * 4 + [("code", "t", 0, 3, "nope")])
    after = p.code("t", 0, 3, "stacking")
    assert after > 5 and len(p.codings()) == 6
    hist = p.history()
    assert hist["event_id"].is_monotonic_increasing
    p.close()


def test_suggestions_runs_and_durable_off(pg_url):
    p = filled(pg_url)

    class Every:
        def fit(self, segments, codebook, codings=None):
            return self

        def suggest(self, segments):
            return [Suggestion(s.segment_id, "trust", 0.25, "all", "every segment") for s in segments]

    segs = [Segment("t", i * 10, i * 10 + 9, TEXT[i * 10:i * 10 + 9]) for i in range(20)]
    assert p.suggest(Every(), segments=segs).new == 20
    assert p.suggest(Every(), segments=segs).new == 0
    sid = int(p.suggestions()["suggestion_id"].iloc[0])
    p.accept(sid)
    assert p.suggestions(None)["status"].value_counts().to_dict() == {"pending": 19, "accepted": 1}
    assert float(p.suggestions(None)["score"].iloc[0]) == 0.25
    p.close()
    fast = mq.Project.open(pg_url, durable=False)
    assert fast._store._con.execute("SHOW synchronous_commit").fetchone()[0] == "off"
    fast.close()


# -- a dropped connection --------------------------------------------------------------------------
def _kill_backend(url, store):
    pid = store._con.info.backend_pid
    con = raw(url)
    con.execute("SELECT pg_terminate_backend(%s)", (pid,))
    con.close()
    time.sleep(0.2)


def test_a_dropped_connection_reconnects_or_is_e355_mid_transaction(pg_url):
    p = filled(pg_url)
    p.code("t", 0, 5, "trust")
    # dropped while idle (a server restart, a VPN that reconnected): the next call reconnects by itself
    _kill_backend(pg_url, p._store)
    assert len(p.codings()) == 1
    _kill_backend(pg_url, p._store)
    p.code("t", 5, 9, "trust")
    assert len(p.codings()) == 2
    # dropped in the middle of a transaction: the server rolls it back, the call fails cleanly
    with pytest.raises(ProjectError) as e:
        with p._store.write():
            p.code("t", 10, 15, "trust")
            _kill_backend(pg_url, p._store)
            p.code("t", 20, 25, "trust")
    assert e.value.code == "E355" and "repeat the last action" in e.value.hint
    assert len(p.codings()) == 2  # nothing half-written; the next call reconnected
    p.code("t", 10, 15, "trust")
    assert len(p.codings()) == 3
    p.close()
    with pytest.raises(ProjectError) as e:
        p.codings()
    assert e.value.code == "E361"


# -- an institute's set-up: an owner creates, coders only insert (docs/howto/storage.md) ----------
CODER_GRANTS = """
GRANT USAGE ON SCHEMA {s} TO {r};
GRANT SELECT, INSERT ON ALL TABLES IN SCHEMA {s} TO {r};
GRANT UPDATE ON {s}.transcripts, {s}.suggestions, {s}.attributes TO {r};
GRANT USAGE ON ALL SEQUENCES IN SCHEMA {s} TO {r};
"""


def test_a_coder_role_with_the_documented_grants_codes_but_cannot_rewrite_the_log(pg_url):
    import uuid

    import psycopg

    p = filled(pg_url)
    conninfo, schema = parse_url(pg_url)
    role = f"mcqual_t_coder_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(conninfo, autocommit=True)
    try:
        admin.execute(f"CREATE ROLE {role} LOGIN")
        for stmt in filter(str.strip, CODER_GRANTS.format(s=schema, r=role).split(";")):
            admin.execute(stmt)
        user = psycopg.conninfo.conninfo_to_dict(conninfo).get("user", "postgres")
        coder_url = pg_url.replace(f"//{user}@", f"//{role}@", 1)
        with mq.Project.open(coder_url, coder="mb") as c:
            cid = c.code("t", 0, 5, "trust")
            c.uncode(cid)
            c._store.append_memos([{"coder": "mb", "created_at": "t", "target": "project", "text": "ok"}])
            c.add_transcripts([Transcript.from_turns("t", [("R", "Intro. " + TEXT)])])  # a re-import re-anchors
            assert len(c.codings()) == 0 and c.summary()["events"] == 2  # code, uncode (no coding to move)
            assert c.set_codebook(Codebook.from_codes(["trust", "stacking", "new"])) == 2
            with pytest.raises(ProjectError) as e:  # no DDL for coders: a numbered error, not a raw one
                with c._store.write():
                    c._store._x("CREATE TABLE x (a int)")
            assert e.value.code == "E358"
        con = psycopg.connect(coder_url.split("?")[0], autocommit=True)
        con.execute(f"SET search_path TO {schema}")
        for sql in ("UPDATE events SET coder = 'x'", "DELETE FROM memos", "TRUNCATE events"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
                con.execute(sql)
        con.close()
    finally:
        p.close()
        admin.execute(f"DROP OWNED BY {role}")
        admin.execute(f"DROP ROLE IF EXISTS {role}")
        admin.close()


def test_a_database_that_is_not_utf8_is_refused(pg_url):
    import uuid

    import psycopg

    conninfo, _ = parse_url(pg_url)
    name = f"mcqual_t_latin1_{uuid.uuid4().hex[:8]}"
    admin = psycopg.connect(conninfo, autocommit=True)
    try:
        admin.execute(f"CREATE DATABASE {name} ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0")
        url = pg_url.replace(conninfo.rsplit("/", 1)[1].split("?")[0] + "?", name + "?", 1)
        assert name in url
        with pytest.raises(ProjectError) as e:
            mq.Project.create(url)
        assert e.value.code == "E362" and "LATIN1" in str(e.value)
    finally:
        admin.execute(f"DROP DATABASE IF EXISTS {name}")
        admin.close()


def test_a_readonly_session_reads_and_the_server_refuses_writes(pg_url):
    import psycopg

    filled(pg_url).close()
    with mq.Project.open(pg_url, readonly=True, coder="ab") as p:
        assert p.readonly and len(p.corpus()) == 1
        with pytest.raises(ProjectError) as e:
            p.code("t", 0, 5, "trust")
        assert e.value.code == "E351"
        with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):  # not only Python: the session itself
            p._store._con.execute("INSERT INTO project_info VALUES ('x', 'y')")
