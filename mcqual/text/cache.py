"""A disk cache of embeddings keyed by model and text hash (one SQLite file per model).

Re-running a notebook re-embeds nothing unchanged. The folder is, in order:
``cache_dir=``, the ``MCQUAL_CACHE_DIR`` environment variable, the user cache
folder from platformdirs (which honours ``XDG_CACHE_HOME``). Each write is one
SQLite transaction, so an interrupted run never leaves a half-written vector.

Examples
--------
>>> import numpy as np, tempfile
>>> cache = EmbeddingCache("toy-model", cache_dir=tempfile.mkdtemp())
>>> cache.put(["hello"], np.ones((1, 3), dtype="float32"))
>>> cache.get(["hello", "unseen"])[0][0].tolist(), cache.get(["hello", "unseen"])[1]
([1.0, 1.0, 1.0], [1])
"""
from __future__ import annotations

import hashlib
import os
import re
import sqlite3
import threading
from pathlib import Path
from typing import Sequence

import numpy as np


def cache_root(cache_dir: str | os.PathLike | None = None) -> Path:
    """The cache folder: ``cache_dir``, else ``$MCQUAL_CACHE_DIR``, else the platform user cache folder."""
    if cache_dir is not None:
        return Path(cache_dir)
    env = os.environ.get("MCQUAL_CACHE_DIR")
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("mcqual", appauthor=False))


def text_key(text: str) -> str:
    """The cache key of one text (SHA-1 of its UTF-8 bytes)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Vectors for ``(model_key, text)`` on disk, with an in-memory layer for this process.

    Parameters
    ----------
    model_key : str
        Identifies the model (name, or path plus a fingerprint of its files).
    cache_dir : path, optional
        Overrides the folder (see :func:`cache_root`).
    enabled : bool
        False: keep vectors in memory only.
    """

    _lock = threading.Lock()

    def __init__(self, model_key: str, cache_dir: str | os.PathLike | None = None, enabled: bool = True) -> None:
        self.model_key = model_key
        self.enabled = enabled
        slug = re.sub(r"[^0-9A-Za-z_.-]+", "_", model_key)[-60:]
        digest = hashlib.sha1(model_key.encode("utf-8")).hexdigest()[:12]
        self.path = cache_root(cache_dir) / "embeddings" / f"{slug}-{digest}.sqlite"
        self._mem: dict[str, np.ndarray] = {}
        self._conn: sqlite3.Connection | None = None

    def _db(self) -> sqlite3.Connection:
        if self._conn is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(self.path, timeout=30, check_same_thread=False)
            conn.execute("PRAGMA journal_mode=WAL")
            conn.execute("CREATE TABLE IF NOT EXISTS emb (h TEXT PRIMARY KEY, dim INTEGER, v BLOB)")
            self._conn = conn
        return self._conn

    def get(self, texts: Sequence[str]) -> tuple[list[np.ndarray | None], list[int]]:
        """Cached vectors for ``texts`` (None where missing) and the positions of the missing ones."""
        keys = [text_key(t) for t in texts]
        found: dict[str, np.ndarray] = {k: self._mem[k] for k in keys if k in self._mem}
        need = list(dict.fromkeys(k for k in keys if k not in found))
        if need and self.enabled:
            with self._lock:
                db = self._db()
                for i in range(0, len(need), 900):
                    part = need[i:i + 900]
                    q = f"SELECT h, v FROM emb WHERE h IN ({','.join('?' * len(part))})"
                    for h, blob in db.execute(q, part):
                        vec = np.frombuffer(blob, dtype=np.float32)
                        found[h] = vec
                        self._mem[h] = vec
        out = [found.get(k) for k in keys]
        missing = [i for i, v in enumerate(out) if v is None]
        return out, missing

    def put(self, texts: Sequence[str], vectors: np.ndarray) -> None:
        """Store ``vectors[i]`` for ``texts[i]`` (one transaction); vectors may differ in length."""
        rows = []
        for t, v in zip(texts, vectors):
            v = np.ascontiguousarray(v, dtype=np.float32).ravel()
            k = text_key(t)
            self._mem[k] = v
            rows.append((k, int(v.shape[0]), v.tobytes()))
        if rows and self.enabled:
            with self._lock:
                db = self._db()
                with db:
                    db.executemany("INSERT OR REPLACE INTO emb (h, dim, v) VALUES (?, ?, ?)", rows)

    def __len__(self) -> int:
        if not self.enabled or not self.path.exists():
            return len(self._mem)
        with self._lock:
            return int(self._db().execute("SELECT COUNT(*) FROM emb").fetchone()[0])

    def clear(self) -> None:
        """Forget every vector of this model (memory and disk)."""
        self._mem.clear()
        if self.enabled and self.path.exists():
            with self._lock:
                db = self._db()
                with db:
                    db.execute("DELETE FROM emb")

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __repr__(self) -> str:
        return f"EmbeddingCache({self.model_key!r}, path={str(self.path)!r})"
