"""Shared fixtures. Nothing may reach the network: the hub is offline for every test."""
from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("MPLBACKEND", "Agg")

import pytest

from needs import skip_or_fail  # noqa: E402  (tests/ is on sys.path)

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("MCQUAL_SHARED") or ROOT.parent / "shared")  # a worktree: MCQUAL_SHARED=/work/shared


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def shared() -> Path:
    """The read-only ../shared folder (real transcripts, REFI-QDA schemas, reference values)."""
    if not SHARED.exists():
        pytest.skip("../shared is not present")
    return SHARED


@pytest.fixture(autouse=True)
def _cache_dir(tmp_path_factory, monkeypatch):
    """Keep embedding caches out of the user's home during tests."""
    monkeypatch.setenv("MCQUAL_CACHE_DIR", str(tmp_path_factory.getbasetemp() / "mcqual-cache"))


@pytest.fixture(scope="session")
def real_embedder(tmp_path_factory):
    """The default sentence-transformers model, loaded once for all slow tests (own cache folder)."""
    from mcqual.text.embedders import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(cache_dir=tmp_path_factory.mktemp("real-cache"))


@pytest.fixture(scope="session")
def sample_corpus():
    """The sample study's transcripts, read once."""
    import mcqual as mq

    return mq.read_transcripts(ROOT / "transcripts")


# -- project stores: every store test runs against SQLite and PostgreSQL ---------------------------
PG_URL = os.environ.get("MCQUAL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
_pg_state: dict[str, str | None] = {}


def postgres_unavailable() -> str | None:
    """Why the test PostgreSQL server cannot be used (None when it can); checked once per session."""
    if "reason" not in _pg_state:
        try:
            import psycopg
        except ImportError:
            _pg_state["reason"] = "psycopg is not installed (pip install 'mcqual[postgres]')"
        else:
            try:
                psycopg.connect(PG_URL, connect_timeout=3).close()
                _pg_state["reason"] = None
            except Exception as exc:  # noqa: BLE001
                _pg_state["reason"] = f"no PostgreSQL at {PG_URL}: {str(exc).strip().splitlines()[0]}"
    return _pg_state["reason"]


def require_postgres() -> None:
    """Skip (or, under MCQUAL_REQUIRE_POSTGRES=1, fail) when the test server is unreachable."""
    reason = postgres_unavailable()
    if reason:
        skip_or_fail("MCQUAL_REQUIRE_POSTGRES", reason)


def pg_schema_url(name: str) -> str:
    """The test server's URL for a fresh, uniquely named schema (``name`` plus a random suffix)."""
    import uuid

    schema = f"t_{name}_{uuid.uuid4().hex[:10]}".lower()
    return f"{PG_URL}{'&' if '?' in PG_URL else '?'}schema={schema}"


def drop_pg_schema(url: str) -> None:
    import psycopg

    from mcqual.project.pgstore import parse_url

    conninfo, schema = parse_url(url)
    with psycopg.connect(conninfo, autocommit=True) as con:
        con.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@pytest.fixture
def pg_url():
    """A unique PostgreSQL schema URL (no project yet), dropped after the test."""
    require_postgres()
    url = pg_schema_url("pg")
    yield url
    drop_pg_schema(url)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def store_url(request, tmp_path):
    """Where a test's project lives: a new SQLite file, or a unique PostgreSQL schema dropped afterwards."""
    if request.param == "sqlite":
        yield str(tmp_path / "study.mcq")
        return
    require_postgres()
    url = pg_schema_url(request.node.name.split("[")[0][5:25])
    yield url
    drop_pg_schema(url)
