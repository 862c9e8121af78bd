"""Shared fixtures. Nothing may reach the network: the hub is offline for every test."""
from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
os.environ.setdefault("MPLBACKEND", "Agg")

import pytest

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
