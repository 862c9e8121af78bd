"""Suggesters: rules, embeddings, a learned classifier, ensembles and emergent themes.

Import what you need from :mod:`mcqual` (``mq.RuleSuggester`` ...); submodules
load their heavy dependencies only when used.
"""
from __future__ import annotations

import importlib
from typing import Any

_NAMES = {
    "Suggestions": "base", "Suggester": "base", "ScoreTable": "base",
    "RuleSuggester": "rules", "EmbeddingSuggester": "embedding", "LearnedSuggester": "learned",
    "Ensemble": "ensemble", "EmergentThemes": "emergent", "Theme": "emergent", "Windowed": "windowed",
    "HashingEmbedder": "embedders", "SentenceTransformerEmbedder": "embedders", "Embedder": "embedders",
    "EmbeddingCache": "cache",
}

__all__ = sorted(_NAMES)


def __getattr__(name: str) -> Any:
    if name in _NAMES:
        return getattr(importlib.import_module(f".{_NAMES[name]}", __name__), name)
    raise AttributeError(f"module 'mcqual.suggest' has no attribute {name!r}")
