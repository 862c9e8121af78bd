"""align_guide: skipped, reordered, repeated and unasked questions; no interviewer; corrections; project."""
from __future__ import annotations

import re
import sys

import numpy as np
import pytest

import mcqual as mq
from mcqual.align import _path, align_guide, guide_codebook
from mcqual.errors import GuideError
from mcqual.guide import Guide, Question, Topic
from mcqual.text.embedders import HashingEmbedder


def _guide() -> Guide:
    qs = [("bg", "bg.role", "Could you describe your current job and role at work?"),
          ("trust", "trust.issuer", "Does the reputation of the issuing university matter for trust?"),
          ("trust", "trust.assess", "How was the exam or assessment organised?"),
          ("rec", "rec.employer", "Do employers recognise the badge when hiring?"),
          ("rec", "rec.credit", "Can the credits count towards a bachelor degree?"),
          ("end", "end.add", "Is there anything else you would like to add?")]
    topics = {}
    for i, (t, qid, text) in enumerate(qs):
        topics.setdefault(t, []).append(Question(qid, text, topic=t, index=i))
    return Guide([Topic(t, t.upper(), tuple(q)) for t, q in topics.items()], groups=())


def _interview(tid: str, asks: list[str | tuple[str, str]]) -> mq.Transcript:
    """asks: question texts (or (speaker text, reply)) in the order the interviewer asks them."""
    turns = []
    for a in asks:
        q, reply = a if isinstance(a, tuple) else (a, "Well, I would say it depends on many things, honestly.")
        turns += [("I", q, None, "interviewer"), ("R", reply, None, "respondent")]
    return mq.Transcript.from_turns(tid, turns)


EMB = HashingEmbedder()


def _asked(al, tid):
    return [(x.turn, x.question) for x in al.transcript(tid)]


def test_in_order_with_small_talk_and_follow_ups():
    g = _guide()
    t = _interview("a", ["Hello, can you hear me? The weather is nice.",
                         "Could you describe your job and your role at work?",
                         "Does the reputation of the issuing university matter for your trust?",
                         "How was the exam organised, the assessment?",
                         "Do employers recognise the badge when hiring people?",
                         "Can the credits count towards a bachelor degree?",
                         "Is there anything else you would like to add?"])
    al = align_guide([t], g, embedder=EMB)
    assert _asked(al, "a") == [(2, "bg.role"), (4, "trust.issuer"), (6, "trust.assess"), (8, "rec.employer"),
                               (10, "rec.credit"), (12, "end.add")]
    assert al.unasked["a"] == ()
    assert all(0 <= x.confidence <= 1 for x in al) and all(x.similarity > 0 for x in al)


def test_skipped_and_unasked_questions_are_listed():
    g = _guide()
    t = _interview("a", ["Could you describe your job and role at work?",
                         "Do employers recognise the badge when hiring?",
                         "Is there anything else you would like to add?"])
    al = align_guide([t], g, embedder=EMB)
    assert [q for _, q in _asked(al, "a")] == ["bg.role", "rec.employer", "end.add"]
    assert al.unasked["a"] == ("trust.issuer", "trust.assess", "rec.credit")


def test_reordered_and_repeated_questions():
    g = _guide()
    t = _interview("a", ["Could you describe your job and role at work?",
                         "Can the credits count towards a bachelor degree?",
                         "Does the reputation of the issuing university matter for trust?",
                         "Coming back to credits: can the credits count towards a bachelor degree at all?",
                         "Is there anything else you would like to add?"])
    al = align_guide([t], g, embedder=EMB, repeat_min=0.2)  # a clear repeat is kept ...
    assert [q for _, q in _asked(al, "a")] == ["bg.role", "rec.credit", "trust.issuer", "rec.credit", "end.add"]
    strict = align_guide([t], g, embedder=EMB, repeat_min=0.9)  # ... a weak one is not: each question once
    assert [q for _, q in _asked(strict, "a")] == ["bg.role", "rec.credit", "trust.issuer", "end.add"]


def test_follow_up_does_not_steal_the_question():
    g = _guide()
    t = _interview("a", ["Does the reputation of the issuing university matter for trust?",
                         "And the issuing university, its reputation, why does it matter?",
                         "How was the exam or assessment organised?"])
    al = align_guide([t], g, embedder=EMB)
    assert _asked(al, "a") == [(0, "trust.issuer"), (4, "trust.assess")]


def test_structural_spans_run_to_the_next_question():
    g = _guide()
    t = _interview("a", ["Could you describe your job and role at work?",
                         "How was the exam or assessment organised?"])
    al = align_guide([t], g, embedder=EMB)
    first, second = al.transcript("a")
    assert first.start == t.turns[0].start and first.end == t.turns[1].end  # up to the next question
    assert second.start == t.turns[2].start and second.end == len(t.text)
    cod = al.to_codings()
    assert set(cod["code"]) == {"guide.bg.role", "guide.trust.assess", "guide.bg", "guide.trust"}
    assert (cod["end"] > cod["start"]).all()
    assert t.text[first.start:first.end].endswith(t.turns[1].text)


def test_no_interviewer_and_unlabelled_transcripts():
    g = _guide()
    mono = mq.Transcript.from_turns("m", [("R", "I think badges are fine.", None, "respondent")])
    blank = mq.Transcript.from_turns("b", [(None, "Just some text without any question.")])
    unlabelled = mq.Transcript.from_turns("u", [(None, "Could you describe your job and role at work?"),
                                                (None, "I am a nurse in a hospital.")])
    al = align_guide([mono, blank, unlabelled], g, embedder=EMB)
    assert "nothing to align" in al.notes["m"] and "nothing to align" in al.notes["b"]
    assert len(al.unasked["m"]) == len(g)
    assert _asked(al, "u") == [(0, "bg.role")] and "question mark" in al.notes["u"]


def test_group_restricts_questions():
    g = Guide([Topic("t", "T", (Question("t.hire", "Do you hire people with badges?", topic="t", groups=("employer",)),
                                Question("t.learn", "Why did you learn with badges?", topic="t", index=1)))],
              groups=("employer", "learner"))
    t = mq.Transcript.from_turns("a", [("I", "Do you hire people with badges?", None, "interviewer"),
                                       ("R", "Yes.", None, "respondent")], metadata={"respondent_group": "learner"})
    al = align_guide([t], g, embedder=EMB)
    assert "t.hire" not in [x.question for x in al]  # not asked of learners: never a candidate
    assert "t.hire" not in al.unasked["a"]
    emp = mq.Transcript.from_turns("e", t.turns and [("I", "Do you hire people with badges?", None, "interviewer"),
                                                     ("R", "Yes.", None, "respondent")],
                                   metadata={"respondent_group": "employer"})
    assert [x.question for x in align_guide([emp], g, embedder=EMB)] == ["t.hire"]


def test_correct_is_pure_and_recomputes_spans():
    g = _guide()
    t = _interview("a", ["Could you describe your job and role at work?",
                         "How was the exam or assessment organised?"])
    al = align_guide([t], g, embedder=EMB)
    fixed = al.correct("a", 2, "trust.issuer")
    assert [x.question for x in fixed] == ["bg.role", "trust.issuer"] and fixed.transcript("a")[1].corrected
    assert [x.question for x in al] == ["bg.role", "trust.assess"]  # unchanged
    dropped = al.correct("a", 2, None)
    assert [x.question for x in dropped] == ["bg.role"]
    assert dropped.transcript("a")[0].end == len(t.text)
    assert "trust.assess" in dropped.unasked["a"]
    with pytest.raises(GuideError, match="E701"):
        al.correct("nope", 0, None)
    with pytest.raises(mq.CodebookError, match="E220"):
        al.correct("a", 2, "no.such")


def test_to_project_makes_reviewable_suggestions(tmp_path):
    g = _guide()
    t = _interview("a", ["Could you describe your job and role at work?",
                         "How was the exam or assessment organised?"])
    al = align_guide([t], g, embedder=EMB)
    p = mq.Project.create(tmp_path / "p.mcqual", coder="ab")
    p.add_transcripts([t])
    p.set_codebook(mq.Codebook.from_codes(["trust"]))
    rep = al.to_project(p)
    assert rep.new == 2
    cb = p.codebook()
    assert "guide.trust.assess" in cb and cb["guide.trust.assess"].parent == "guide.trust" and "trust" in cb
    sugg = p.suggestions()
    assert set(sugg["code"]) == {"guide.bg.role", "guide.trust.assess"} and (sugg["source"] == "align_guide").all()
    # the correction: reject the wrong one, code the right one; both are logged decisions
    wrong = int(sugg[sugg["code"] == "guide.trust.assess"]["suggestion_id"].iloc[0])
    right = int(sugg[sugg["code"] == "guide.bg.role"]["suggestion_id"].iloc[0])
    p.accept(right)
    p.reject(wrong)
    x = al.transcript("a")[1]
    p.code("a", x.start, x.end, "guide.trust.issuer")
    grid = mq.question_grid(p, [t], guide=g)
    assert grid.loc["trust.issuer", "a"] and grid.loc["bg.role", "a"] and grid.loc["trust.assess", "a"] == ""
    assert len(p.history()) >= 3
    assert al.to_project(p).new == 0  # re-running never duplicates nor overrides decisions
    p.close()


def test_guide_codebook_hierarchy():
    cb = mq.Codebook(guide_codebook(_guide()))
    assert cb.path("guide.trust.issuer") == "guide/trust/issuer"
    assert not cb["guide"].codable and cb["guide.trust.issuer"].definition.startswith("Does the reputation")


def test_path_prefers_forward_and_pays_for_jumps():
    S = np.array([[0.9, 0.1, 0.1], [0.1, 0.1, 0.9], [0.1, 0.8, 0.1]])
    assert _path(S, 0.2, 0.0, 0.05) == [(0, 0), (1, 2), (2, 1)]  # a cheap jump back is taken
    assert _path(S, 0.2, 0.0, 1.0) == [(0, 0), (1, 2)]  # an expensive one is not
    assert _path(np.full((2, 3), 0.1), 0.2, 0.0, 0.05) == []


def test_bad_guide():
    with pytest.raises(GuideError, match="E700"):
        align_guide([], Guide([]), embedder=EMB)


def test_repr_and_html():
    al = align_guide([_interview("a", ["Could you describe your job and role at work?"])], _guide(), embedder=EMB)
    assert repr(al).startswith("Alignment(1 questions") and len(repr(al)) < 120
    html = al._repr_html_()
    assert "bg.role" in html and "<details>" in html
    df = al.to_frame()
    assert list(df["question_text"]) == ["Could you describe your current job and role at work?"]


# --------------------------------------------------------------------------- the sample study (real model)

def _truth(corpus):
    """(transcript id, turn index) -> guide question, from the {q=...} marks of the sample's sources."""
    sys.path.insert(0, str(corpus_root()))
    import build  # transcripts/build.py

    def norm(s):
        s = s.replace("\u2019", "'").replace("\u201c", '"').replace("\u201d", '"')
        return re.sub(r"\s+", " ", s).strip()

    truth = {}
    for src in build.load_sources():
        turns = [norm(tt.text) for tt in corpus[src["id"]].turns]
        for st in src["turns"]:
            if st["question"]:
                key = norm(st["text"])[:60]
                hit = next(i for i, x in enumerate(turns) if key in x)
                truth[(src["id"], hit)] = st["question"]
    return truth


def corpus_root():
    from pathlib import Path

    return Path(__file__).resolve().parents[1] / "transcripts"


@pytest.mark.slow
def test_sample_study_agrees_with_the_interviewers_marks(sample_corpus, real_embedder, root):
    guide = mq.load_guide(root / "codebook" / "interview_guide.yaml")
    al = mq.align_guide(sample_corpus, guide, embedder=real_embedder)
    truth = _truth(sample_corpus)
    assert len(truth) >= 150
    acc = al.accuracy(truth)
    print(f"\nalign_guide agrees with {acc:.1%} of {len(truth)} marked interviewer questions")
    assert acc >= 0.95  # measured 95.2 %; see the README "Interview guide alignment"
    extra = {(x.transcript_id, x.turn) for x in al} - set(truth)
    assert len(extra) <= 0.15 * len(truth)  # measured 23 of 189
    # every transcript of the sample has an interviewer (int-10 unlabelled: question marks)
    assert all(al.transcript(t.id) for t in sample_corpus)
    grid = mq.question_grid(al, sample_corpus, guide=guide, words=40, by="respondent_group")
    assert grid.shape == (len(guide), len(sample_corpus))
    assert (grid != "").sum().sum() >= 0.9 * len(al.items) - 5


def test_fill_pass_finds_an_unasked_question_in_other_words():
    g = _guide()
    t = _interview("a", ["Could you describe your job and role at work?",
                         "And the badge, would people hiring even look at it?",  # rec.employer, loosely
                         "Is there anything else you would like to add?"])
    one = align_guide([t], g, embedder=EMB, fill_threshold=None, threshold=0.35)
    two = align_guide([t], g, embedder=EMB, fill_threshold=0.05, threshold=0.35)
    assert "rec.employer" not in [x.question for x in one]
    assert [x.question for x in two] == ["bg.role", "rec.employer", "end.add"]
