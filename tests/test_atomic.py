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
