"""The shared spaCy pipelines: one sentence splitter and one lemma-normalising tokenizer per language.

Nothing here loads a trained model unless one is installed and asked for. The
rule pipeline is a blank tokenizer plus one vectorised component that writes
``lower-case lemma`` into ``token.norm`` (the lookup lemmatizer keeps case, so
we lower-case *before* the lookup: "Digital badges" -> ``digital badge``).

Examples
--------
>>> from mcqual.text.nlp import rule_pipeline
>>> nlp = rule_pipeline("en")
>>> [t.norm_ for t in nlp("Digital badges were recognised")]
['digital', 'badge', 'be', 'recognise']
"""
from __future__ import annotations

import functools
from typing import Any

from ..errors import MissingDependencyError

_TRAINED = {"en": "en_core_web_sm", "de": "de_core_news_sm", "fr": "fr_core_news_sm", "es": "es_core_news_sm",
            "it": "it_core_news_sm", "nl": "nl_core_news_sm", "pt": "pt_core_news_sm", "pl": "pl_core_news_sm"}


def _string_table(lang: str) -> dict[str, str]:
    """Lemma lookup as ``{form: lemma}`` strings (lower-cased forms win over capitalised ones)."""
    import srsly

    try:
        import spacy_lookups_data
    except ImportError as exc:  # pragma: no cover - environment
        raise MissingDependencyError("E902", f"spacy-lookups-data is not installed ({exc})") from exc
    from pathlib import Path

    folder = Path(spacy_lookups_data.__file__).parent / "data"
    path = folder / f"{lang}_lemma_lookup.json.gz"
    if path.exists():
        raw = srsly.read_gzip_json(path)
    elif (folder / f"{lang}_lemma_lookup.json").exists():
        raw = srsly.read_json(folder / f"{lang}_lemma_lookup.json")
    else:
        return {}
    out: dict[str, str] = {}
    for form, lemma in raw.items():
        low = form.lower()
        if form == low or low not in out:
            out[low] = str(lemma).lower()
    return out


@functools.lru_cache(maxsize=8)
def _norm_map(lang: str) -> dict[str, str]:
    return _string_table(lang)


def _make_norm_component(nlp: Any, lang: str):
    """A pipeline component setting ``token.norm`` to the lower-case lookup lemma (vectorised)."""
    import numpy as np
    from spacy.attrs import LOWER, NORM

    table = _norm_map(lang)
    strings = nlp.vocab.strings
    cache: dict[int, int] = {}

    def lemma_norm(doc):
        if not len(doc):
            return doc
        lowers = doc.to_array([LOWER]).astype(np.uint64)
        out = np.empty_like(lowers)
        for i, h in enumerate(lowers.tolist()):
            v = cache.get(h)
            if v is None:
                low = strings[h]
                v = strings.add(table.get(low, low))
                cache[h] = v
            out[i] = v
        doc.from_array([NORM], out.reshape(-1, 1))
        return doc

    return lemma_norm


@functools.lru_cache(maxsize=8)
def rule_pipeline(lang: str = "en"):
    """A blank ``lang`` tokenizer + the lemma-norm component (what :class:`RuleSuggester` uses)."""
    import spacy
    from spacy.language import Language

    nlp = spacy.blank(lang)
    name = f"mcqual_lemma_norm_{lang}"
    if name not in Language.factories:
        @Language.factory(name)
        def _factory(nlp, name):  # pragma: no cover - trivial
            return _make_norm_component(nlp, lang)
    nlp.add_pipe(name, name="lemma_norm")
    return nlp


@functools.lru_cache(maxsize=8)
def sentence_pipeline(lang: str = "en", trained: bool | None = None):
    """A sentence splitter: a trained pipeline's parser when installed (``trained=None``), else the sentencizer.

    Examples
    --------
    >>> nlp = sentence_pipeline("en", trained=False)
    >>> [s.text for s in nlp("It works. Mostly, yes!").sents]
    ['It works.', 'Mostly, yes!']
    """
    import spacy

    if trained is not False and lang in _TRAINED:
        import spacy.util

        if spacy.util.is_package(_TRAINED[lang]):
            try:
                return spacy.load(_TRAINED[lang], disable=["ner", "lemmatizer", "attribute_ruler"])
            except Exception:  # pragma: no cover - broken install
                if trained:
                    raise
        elif trained:
            raise MissingDependencyError("E902", f"trained pipeline {_TRAINED[lang]} is not installed",
                                         hint=f"python -m spacy download {_TRAINED[lang]}, or use trained=False")
    nlp = spacy.blank(lang)
    nlp.add_pipe("sentencizer")
    return nlp


def split_sentences(texts: list[str], lang: str = "en", trained: bool | None = None) -> list[list[tuple[int, int]]]:
    """Sentence spans ``(start, end)`` (whitespace-trimmed) for each text, via ``nlp.pipe``.

    Examples
    --------
    >>> split_sentences(["One. Two!"], trained=False)
    [[(0, 4), (5, 9)]]
    """
    nlp = sentence_pipeline(lang, trained)
    out: list[list[tuple[int, int]]] = []
    for text, doc in zip(texts, nlp.pipe(texts, batch_size=256)):
        spans = []
        for s in doc.sents:
            a, b = s.start_char, s.end_char
            while a < b and text[a].isspace():
                a += 1
            while b > a and text[b - 1].isspace():
                b -= 1
            if a < b:
                spans.append((a, b))
        out.append(spans)
    return out
