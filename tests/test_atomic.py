"""The one atomic write: all or nothing, no temp files left, clear E600 errors."""
from __future__ import annotations

from pathlib import Path

import pytest

from mcqual._atomic import atomic_write
from mcqual.errors import ExchangeError


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temp(tmp_path):
    target = tmp_path / "table.csv"
    target.write_text("old")

    def half(tmp: str) -> None:
        Path(tmp).write_text("new, half writ")
        raise OSError(28, "No space left on device")

    with pytest.raises(ExchangeError) as e:
        atomic_write(target, half)
    assert e.value.code == "E600" and "No space left" in str(e.value) and "table.csv" in str(e.value)
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["table.csv"]


def test_other_errors_propagate_and_clean_up(tmp_path):
    with pytest.raises(ZeroDivisionError):
        atomic_write(tmp_path / "x.txt", lambda tmp: 1 / 0)
    assert list(tmp_path.iterdir()) == []


def test_missing_folder_is_an_error_unless_parents(tmp_path):
    with pytest.raises(ExchangeError) as e:
        atomic_write(tmp_path / "no" / "x.txt", lambda tmp: Path(tmp).write_text("a"))
    assert e.value.code == "E600"
    out = atomic_write(tmp_path / "no" / "x.txt", lambda tmp: Path(tmp).write_text("a"), parents=True)
    assert out.read_text() == "a"


def test_every_writer_uses_it():
    """The codebook files, exchange formats, CSV tables, plots and the pseudonym map share one helper."""
    import mcqual
    root = Path(mcqual.__file__).parent
    users = sorted(str(p.relative_to(root)) for p in root.rglob("*.py")
                   if "os.replace(" in p.read_text(encoding="utf-8"))
    assert users == ["_atomic.py"]


def test_files_get_the_users_umask_not_owner_only(tmp_path):
    """Issue #18 item 8: a new file is 0666 less the umask (0644 under 022), like any program's."""
    import os
    import stat

    old = os.umask(0o022)
    try:
        out = atomic_write(tmp_path / "a.csv", lambda tmp: Path(tmp).write_text("x"))
        assert stat.S_IMODE(out.stat().st_mode) == 0o644
        os.umask(0o027)
        out = atomic_write(tmp_path / "a.csv", lambda tmp: Path(tmp).write_text("y"))
        assert stat.S_IMODE(out.stat().st_mode) == 0o640
        secret = atomic_write(tmp_path / "map.csv", lambda tmp: Path(tmp).write_text("z"), mode=0o600)
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    finally:
        os.umask(old)


def test_every_export_is_world_readable_under_umask_022(tmp_path):
    """Excel, CSV, plots and the pseudonym map (which stays owner-only: it holds real names)."""
    import os
    import stat

    import pandas as pd

    import mcqual as mq
    from mcqual.export.tables import to_csv

    old = os.umask(0o022)
    try:
        m = pd.DataFrame({"a": [1, 2]}, index=pd.Index(["x", "y"], name="code"))
        outs = [mq.export.to_excel(tmp_path / "t.xlsx", {"t": m}), to_csv(m, tmp_path / "t.csv"),
                mq.plot.heatmap(m, path=tmp_path / "h.png") and tmp_path / "h.png"]
        for p in outs:
            assert stat.S_IMODE(Path(p).stat().st_mode) == 0o644, p
        corpus = mq.Corpus([mq.Transcript.from_turns("a", [("I", "Hi Anna Kowalska."), ("R", "Hello.")])])
        res = mq.pseudonymise(corpus, names=["Anna Kowalska"])
        assert stat.S_IMODE(res.save_mapping(tmp_path / "map.csv").stat().st_mode) == 0o600
    finally:
        os.umask(old)
