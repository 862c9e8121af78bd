"""One model pass per segment: span vectors from token vectors, the questions' own sentence, the cache."""
from __future__ import annotations

import numpy as np
import pytest

import mcqual as mq
from mcqual.model import Segment
from mcqual.suggest.units import question_of, sentence_units, unit_vectors
from mcqual.text.embedders import HashingEmbedder, span_vectors


def test_span_vectors_fall_back_to_one_embedding_per_span():
    e = HashingEmbedder(dim=64)
    V = span_vectors(e, ["Fees are high. Trust is low.", "Only a question?"], [[(0, 14), (15, 28)], []])
    assert V[0].shape == (3, 64) and V[1].shape == (1, 64)
    np.testing.assert_allclose(V[0][0], e.embed(["Fees are high."])[0], atol=1e-6)
    np.testing.assert_allclose(V[1][0], e.embed(["Only a question?"])[0], atol=1e-6)


def test_unit_vectors_separate_and_one_pass_agree_for_the_hashing_embedder():
    segs = [Segment("a", 0, 28, "Fees are high. Trust is low."), Segment("a", 30, 34, "Yes.")]
    u = sentence_units(segs)
    E1, P1 = unit_vectors(segs, u, HashingEmbedder(dim=32), one_pass=True)
    E2, P2 = unit_vectors(segs, u, HashingEmbedder(dim=32), one_pass=False)
    np.testing.assert_allclose(E1, E2, atol=1e-6)
    np.testing.assert_allclose(P1, P2, atol=1e-6)


def test_question_of_keeps_the_question_not_the_preamble():
    got = question_of(["Thank you, that was very helpful indeed. Now, who pays for the courses you take?",
                       "And the fees?"])
    assert got == ["Now, who pays for the courses you take?", "And the fees?"]


@pytest.mark.slow
def test_embed_spans_reads_each_text_once_and_matches_encode(tmp_path):
    from mcqual.text.embedders import SentenceTransformerEmbedder

    e = SentenceTransformerEmbedder(cache_dir=tmp_path)
    texts = ["The fees were too high. My employer did not trust the badge at all.", "Short one."]
    spans = [[(0, 23), (24, len(texts[0]))], [(0, 10)]]
    V = e.embed_spans(texts, spans)
    assert e.n_encoded == 2  # two texts through the model, not four
    whole = e.embed(texts)
    assert float(V[0][-1] @ whole[0]) > 0.999 and float(V[1][-1] @ whole[1]) > 0.999
    alone = e.embed([texts[0][a:b] for a, b in spans[0]])
    assert (np.sum(V[0][:2] * alone, axis=1) > 0.6).all()  # the span rows are about the same sentences
    again = SentenceTransformerEmbedder(cache_dir=tmp_path)
    np.testing.assert_allclose(again.embed_spans(texts, spans)[0], V[0], atol=1e-6)
    assert again.n_encoded == 0  # warm cache


@pytest.mark.slow
def test_embedding_suggester_one_pass_encodes_each_segment_once(tmp_path):
    from mcqual.text.embedders import SentenceTransformerEmbedder

    cb = mq.Codebook([mq.Code("cost", "Cost", definition="Fees and prices of courses.")])
    t = mq.Transcript.from_turns("a", [("I", "Thanks. Who paid for the course?", 0.0, "interviewer"),
                                       ("R", "My employer paid. The fees were high. I was glad.", 5.0, "respondent")])
    segs = mq.segments([t])
    est = mq.EmbeddingSuggester(embedder=SentenceTransformerEmbedder(cache_dir=tmp_path), threshold=0.0).fit(segs, cb)
    n0 = est.embedder_.n_encoded
    s = est.suggest(segs)
    assert est.embedder_.n_encoded - n0 == 2  # one answer + one question, not 3 sentences + question
    assert [x.code for x in s] == ["cost"]


def test_progress_callable_sees_every_segment():
    from mcqual._progress import progress_bar

    cb = mq.Codebook([mq.Code("cost", "Cost", definition="Fees and prices of courses.")])
    segs = mq.segments([mq.Transcript.from_turns("a", [("R", f"The fees were high, case {i}. Really.") for i in range(7)])])
    seen: list[int] = []
    mq.EmbeddingSuggester(embedder=HashingEmbedder(), progress=seen.append).fit(segs, cb).suggest(segs)
    assert sum(seen) == 7
    with progress_bar(5, "quiet", enable=False) as bar:
        bar(5)  # a no-op


def test_progress_bar_shows_in_a_terminal_after_the_delay(capsys):
    import time

    from mcqual._progress import progress_bar

    with progress_bar(2, "embedding segments", enable=True, delay=0.0) as bar:
        bar(1)
        time.sleep(0.05)
        bar(1)
    err = capsys.readouterr().err
    assert "embedding segments" in err and "/2 [" in err  # a bar with a count and a time estimate
