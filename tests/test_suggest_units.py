"""Sentence units inside segments: splitting, long-sentence windows, neighbourhoods, context vectors."""
from __future__ import annotations

import numpy as np

import mcqual as mq
from mcqual.model import Segment
from mcqual.text.embedders import HashingEmbedder
from mcqual.suggest.units import (context_vectors, neighbour_max, neighbourhood, segment_max,
                                  sentence_units)


def test_units_are_views_on_the_segments():
    t = mq.Transcript.from_turns("a", [("Interviewer", "Q?", None, "interviewer"),
                                       ("R", "First one here. Second one! Third?")])
    segs = mq.segments([t])
    u = sentence_units(segs)
    assert u.texts == ["First one here.", "Second one!", "Third?"]
    for us in u.as_segments(segs):
        assert t.text[us.start:us.end] == us.text
        assert us.context == "Q?"


def test_unpunctuated_speech_is_cut_into_word_windows():
    words = " ".join(f"w{i}" for i in range(150))
    u = sentence_units([Segment("a", 0, len(words), words)], max_words=60)
    assert len(u.texts) == 3 and all(len(x.split()) <= 60 for x in u.texts)
    assert " ".join(u.texts) == words  # nothing lost, nothing doubled


def test_neighbourhood_stays_inside_a_segment():
    E = np.eye(3, dtype=np.float32)
    owner = np.array([0, 0, 1])
    N = neighbourhood(E, owner)
    assert N[2].tolist() == [0.0, 0.0, 1.0]  # the third unit has no neighbour in its segment
    assert np.allclose(N[0], N[1])
    M = neighbour_max(np.array([[0.1], [0.9], [0.5]]), owner)
    assert M.ravel().tolist() == [0.9, 0.9, 0.5]


def test_segment_max_finds_the_best_unit_even_unsorted():
    S, arg = segment_max(np.array([[0.2], [0.7], [0.9]]), np.array([1, 0, 1]), 3)
    assert S.ravel().tolist() == [0.7, 0.9, 0.0] and arg.ravel().tolist()[:2] == [1, 2]


def test_context_vectors_embed_each_question_once():
    calls = []

    class Counting(HashingEmbedder):
        def embed(self, texts):
            calls.append(list(texts))
            return super().embed(texts)

    segs = [Segment("a", 0, 1, "x", context="Why?"), Segment("a", 2, 3, "y", context="Why?"),
            Segment("a", 4, 5, "z")]
    Q, has = context_vectors(segs, Counting())
    assert calls == [["Why?"]] and has.tolist() == [True, True, False]
    assert np.allclose(Q[0], Q[1]) and not Q[2].any()
