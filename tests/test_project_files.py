"""The project file as people handle it: copied while open, backed up, read-only, on a full disk, damaged."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time

import pytest

import mcqual as mq
from mcqual.codebook.model import Codebook
from mcqual.errors import ProjectError
from mcqual.model import Transcript

TEXT = "Employers trust badges when the issuer is known. " * 40


def new_project(path, coder="ab"):
    p = mq.Project.create(path, coder=coder)
    p.add_transcripts([Transcript.from_turns("t", [("R", TEXT)], attributes={"group": "employer"})])
    p.set_codebook(Codebook.from_codes(["trust", "stacking"]))
    return p


# -- 1. one file holds everything committed --------------------------------------------------
CHILD = r"""
import sys, time
from mcqual.project.project import Project
from mcqual.model import Transcript
from mcqual.codebook.model import Codebook
path, n = sys.argv[1], int(sys.argv[2])
p = Project.create(path, coder="ak")
p.add_transcripts([Transcript.from_turns("t", [("R", "I trust badges from known issuers. " * 20)])])
p.set_codebook(Codebook.from_codes(["trust"]))
for i in range(n):               # one transaction per decision, as a coder clicking in a notebook
    p.code("t", i, i + 5, "trust")
print("done", flush=True)
time.sleep(60)                   # never closes: the notebook is still running
"""


def test_copying_only_the_main_file_of_an_open_project_keeps_every_decision(tmp_path):
    """The bug report: 72 decisions, no close(), copy study.mcqual alone -> everything must be there."""
    path = tmp_path / "study.mcqual"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(path), "72"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert child.stdout.readline().strip() == "done", child.stderr.read() if child.poll() else ""
        assert (tmp_path / "study.mcqual-wal").exists()  # the writer is still open, in WAL mode
        copy = tmp_path / "emailed.mcqual"
        shutil.copyfile(path, copy)  # the main file only: no -wal, no -shm
        assert not (tmp_path / "emailed.mcqual-wal").exists()
        with mq.Project.open(copy) as p:
            s = p.summary()
            assert (s["transcripts"], s["events"], s["codings"], s["codebook_versions"]) == (1, 72, 72, 1)
            assert p.integrity_check() == "ok"
    finally:
        child.kill()
        child.wait()


def test_a_reader_holding_a_snapshot_delays_the_checkpoint_until_it_ends(tmp_path):
    path = tmp_path / "study.mcqual"
    writer = new_project(path)
    reader = mq.Project.open(path)
    with reader.snapshot():
        writer.code("t", 0, 5, "trust")  # committed, but the reader's snapshot pins the WAL frames
        shutil.copyfile(path, tmp_path / "during.mcqual")
    shutil.copyfile(path, tmp_path / "after.mcqual")  # the reader's end checkpointed
    with mq.Project.open(tmp_path / "after.mcqual") as p:
        assert p.summary()["events"] == 1
    with mq.Project.open(tmp_path / "during.mcqual") as p:  # documented limit: taken mid-snapshot
        assert p.summary()["events"] in (0, 1)
    reader.close()
    writer.close()


def test_project_is_a_context_manager_and_backup_is_consistent_while_writing(tmp_path):
    path = tmp_path / "study.mcqual"
    with new_project(path) as p:
        p.code_many([{"transcript_id": "t", "start": i, "end": i + 4, "code": "trust"} for i in range(50)])
        other = mq.Project.open(path, coder="cd")
        other.code("t", 0, 9, "stacking")
        report = p.backup(tmp_path / "backup.mcqual")
        assert report.verified and report.method == "backup"
        assert report.counts["events"] == 51 and report.rows["attributes"] == 1
        assert "51 events" in str(report) and "<table" in report._repr_html_()
        with pytest.raises(ProjectError) as e:
            p.backup(tmp_path / "backup.mcqual")
        assert e.value.code == "E360"
        other.code("t", 10, 19, "stacking")
        p.backup(tmp_path / "backup.mcqual", overwrite=True)
        other.close()
    assert not (tmp_path / "backup.mcqual-wal").exists()
    with mq.Project.open(tmp_path / "backup.mcqual") as b:
        assert len(b.codings()) == 52 and b.attributes().loc["t", "group"] == "employer"
    with pytest.raises(ProjectError) as e:
        p.summary()  # closed by the with block
    assert e.value.code == "E361"


def test_backup_while_another_process_writes_is_one_committed_state(tmp_path):
    path = tmp_path / "study.mcqual"
    new_project(path).close()
    script = (r"import sys; from mcqual.project.project import Project; p = Project.open(sys.argv[1], coder='w');"
              r"[p.code_many([{'transcript_id': 't', 'start': i, 'end': i + 3, 'code': 'trust'}] * 10) "
              r"for i in range(300)]")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    child = subprocess.Popen([sys.executable, "-c", script, str(path)], env=env, stderr=subprocess.PIPE)
    try:
        time.sleep(1.0)
        sizes = []
        for k in range(3):
            mq.backup_project(path, tmp_path / f"b{k}.mcqual")
            with mq.Project.open(tmp_path / f"b{k}.mcqual") as b:
                n = b.summary()["events"]
                assert n % 10 == 0  # whole transactions only
                assert b.integrity_check() == "ok"
                sizes.append(n)
        assert sizes == sorted(sizes)
    finally:
        child.kill()
        child.wait()


# -- 2. read-only files and folders ------------------------------------------------------------
def test_readonly_open_reads_and_refuses_writes(tmp_path):
    path = tmp_path / "study.mcqual"
    with new_project(path) as p:
        p.code("t", 0, 5, "trust")
    with mq.Project.open(path, readonly=True, coder="ab") as p:
        assert p.readonly and len(p.codings()) == 1 and len(p.corpus()) == 1
        with pytest.raises(ProjectError) as e:
            p.code("t", 0, 5, "trust")
        assert e.value.code == "E351" and "read-only" in str(e.value)
        assert len(p.codings()) == 1
        assert p.backup(tmp_path / "copy.mcqual").counts["events"] == 1  # a read-only project backs up


def _make_readonly(folder, file):
    """Make ``file`` and its folder unwritable for this process (root ignores modes: chattr +i)."""
    if os.geteuid() != 0:
        os.chmod(file, 0o444)
        os.chmod(folder, 0o555)
        return lambda: (os.chmod(folder, 0o755), os.chmod(file, 0o644))
    if shutil.which("chattr") is None:
        pytest.skip("running as root (file modes are ignored) and chattr is not available")
    done = []
    for target in (file, folder):
        r = subprocess.run(["chattr", "+i", str(target)], capture_output=True, text=True)
        if r.returncode != 0:
            for t in done:
                subprocess.run(["chattr", "-i", str(t)])
            pytest.skip(f"running as root and chattr +i failed ({r.stderr.strip()}): cannot make a read-only file")
        done.append(target)
    return lambda: [subprocess.run(["chattr", "-i", str(t)]) for t in done]


def test_a_readonly_file_in_a_readonly_folder_opens_for_reading(tmp_path):
    folder = tmp_path / "share"
    folder.mkdir()
    path = folder / "study.mcqual"
    with new_project(path) as p:
        p.code("t", 0, 5, "trust")
    undo = _make_readonly(folder, path)
    try:
        assert not os.access(path, os.W_OK)
        with mq.Project.open(path, coder="ab") as p:  # detected: no readonly= needed
            assert p.readonly
            assert p.codings()["code"].tolist() == ["trust"] and p.integrity_check() == "ok"
            with pytest.raises(ProjectError) as e:
                p.code("t", 5, 9, "trust")
            assert e.value.code == "E351"
        assert sorted(os.listdir(folder)) == ["study.mcqual"]  # no -wal/-shm left (none could be made)
    finally:
        undo()


def test_readonly_detection_without_privileges(tmp_path, monkeypatch):
    """The same path when the OS says 'not writable' (simulated, so it runs as root too)."""
    path = tmp_path / "study.mcqual"
    with new_project(path) as p:
        p.code("t", 0, 5, "trust")
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if mode == os.W_OK else real(p, mode))
    from mcqual.project.store import _ro_uri

    assert _ro_uri(str(path)).endswith("mode=ro&immutable=1")
    with mq.Project.open(path) as p:
        assert p.readonly and len(p.codings()) == 1
    (tmp_path / "study.mcqual-wal").write_bytes(b"\0" * 64)  # a side file left by someone else's crash
    with pytest.warns(UserWarning, match="cannot be read from a read-only folder"):
        mq.Project.open(path).close()


# -- 3. a full disk ------------------------------------------------------------------------------
def test_disk_full_is_a_numbered_error_and_nothing_is_lost(tmp_path):
    path = tmp_path / "study.mcqual"
    p = new_project(path)
    p.code("t", 0, 5, "trust")
    con = p._store._con
    pages = con.execute("PRAGMA page_count").fetchone()[0]
    con.execute(f"PRAGMA max_page_count = {pages}")  # the disk is full: no page more
    big = [{"transcript_id": "t", "start": i % 500, "end": i % 500 + 9, "code": "trust"} for i in range(3000)]
    with pytest.raises(ProjectError) as e:
        p.code_many(big)
    assert e.value.code == "E350" and "disk is full" in str(e.value)
    assert "cannot rollback" not in str(e.value)
    assert len(p.codings()) == 1 and p.integrity_check() == "ok"  # the failed batch left nothing
    con.execute("PRAGMA max_page_count = 1073741823")  # space freed: the same batch now works
    assert len(p.code_many(big)) == 3000
    p.close()
    with mq.Project.open(path) as again:
        assert len(again.codings()) == 3001


# -- 4. a damaged file ------------------------------------------------------------------------------
def test_a_damaged_file_is_reported_not_raised_raw(tmp_path):
    path = tmp_path / "study.mcqual"
    with new_project(path) as p:
        p.code_many([{"transcript_id": "t", "start": i, "end": i + 4, "code": "trust"} for i in range(400)])
    con = sqlite3.connect(path)
    page = con.execute("PRAGMA page_size").fetchone()[0]
    root = con.execute("SELECT rootpage FROM sqlite_master WHERE name = 'events'").fetchone()[0]
    con.close()
    damaged = tmp_path / "damaged.mcqual"
    data = bytearray(path.read_bytes())
    start = (root - 1) * page
    data[start:start + page] = b"\xff" * page  # the events table's root page is garbage
    damaged.write_bytes(bytes(data))
    p = mq.Project.open(damaged)  # the schema page is sound: it opens
    report = p.integrity_check()
    assert report != "ok" and report  # the damage is described, not raised
    with pytest.raises(ProjectError) as e:
        p.codings()
    assert e.value.code == "E352" and "damaged" in str(e.value)
    assert "backup" in e.value.hint
    p.close()
    header = bytearray(path.read_bytes())
    header[100:page] = os.urandom(page - 100)  # the schema page itself is garbage
    (tmp_path / "worse.mcqual").write_bytes(bytes(header))
    with pytest.raises(ProjectError) as e:
        mq.Project.open(tmp_path / "worse.mcqual").codings()
    assert e.value.code in ("E352", "E303")


def test_storage_failures_map_to_numbered_errors():
    """Each SQLite storage failure has its own code (the I/O error cannot be caused on demand here)."""
    from mcqual.project.store import _translate

    def err(msg, code):
        e = sqlite3.OperationalError(msg)
        e.sqlite_errorcode = code
        return e

    cases = {("database or disk is full", 13): "E350", ("attempt to write a readonly database", 8): "E351",
             ("database disk image is malformed", 11): "E352", ("file is not a database", 26): "E352",
             ("disk I/O error", 10 | (3 << 8)): "E353", ("unable to open database file", 14): "E303"}
    for (msg, code), want in cases.items():
        got = _translate(err(msg, code), "study.mcqual", "writing")
        assert got.code == want, (msg, got)
        assert got.hint  # what to do, from the catalogue
    assert _translate(err("no such table: x", 1), "study.mcqual", "reading") is None  # a bug stays a bug


def test_the_storage_guide_examples_run(root, tmp_path, monkeypatch, capsys):
    """docs/howto/storage.md: every Python example runs, in order, with the server URLs made real."""
    import re

    guide = (root / "docs" / "howto" / "storage.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```python\n(.*?)```", guide, flags=re.S)
    assert len(blocks) >= 4
    urls = sorted(set(re.findall(r"postgresql://[^\"\s]+", "".join(blocks))))
    made = []
    if urls:
        from conftest import drop_pg_schema, pg_schema_url, require_postgres

        require_postgres()
    for u in urls:
        made.append(pg_schema_url("guide"))
    for name in ("transcripts", "codebook"):
        (tmp_path / name).symlink_to(root / name)
    (tmp_path / "backups").mkdir()
    monkeypatch.chdir(tmp_path)
    scope: dict = {}
    try:
        for block in blocks:
            for u, m in zip(urls, made):
                block = block.replace(u, m)
            exec(compile(block, "storage.md", "exec"), scope)
        out = capsys.readouterr().out
        assert "backup study.mcqual -> backups/study-2026-12-06.mcqual: 14 transcripts" in out
        assert "True 1 1" in out and "14 transcripts, 0 codings" in out
    finally:
        for m in made:
            drop_pg_schema(m)


def test_a_project_on_a_network_drive_warns(tmp_path, monkeypatch):
    from mcqual.project import _sqlite

    mounts = tmp_path / "mounts"
    share = tmp_path / "share"
    share.mkdir()
    mounts.write_text(f"/dev/vda1 / ext4 rw 0 0\n//fs/qual {share} cifs rw 0 0\n"
                      f"fs:/home {tmp_path / 'other'} nfs4 rw 0 0\n")
    assert _sqlite.network_filesystem(share / "study.mcqual", mounts=str(mounts)) == "cifs"
    assert _sqlite.network_filesystem(tmp_path / "local.mcqual", mounts=str(mounts)) is None
    real = _sqlite.network_filesystem
    monkeypatch.setattr(_sqlite, "network_filesystem", lambda p: real(p, mounts=str(mounts)))
    with pytest.warns(UserWarning, match=r"network drive \(cifs\).*PostgreSQL"):
        mq.Project.create(share / "study.mcqual").close()
    with pytest.warns(UserWarning, match="network drive"):
        mq.Project.open(share / "study.mcqual").close()
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        mq.Project.open(share / "study.mcqual", readonly=True).close()  # reading is safe: no warning
        mq.Project.create(tmp_path / "local.mcqual").close()
