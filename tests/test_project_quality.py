"""project.quality(): observed precision, cross-validated learned figures, what is still needed; active order."""
from __future__ import annotations

import numpy as np
import pytest

import mcqual as mq
from mcqual.suggest.active import active_order, fit_head, grouped_cv, head_proba
from mcqual.text.embedders import HashingEmbedder

COST = ["The course fees were far too high for me", "I paid the tuition fees myself, it was expensive",
        "The price of the course was a real barrier", "Fees and prices kept me from enrolling",
        "The cost of the programme was high", "Tuition was expensive and the fees rose"]
OTHER = ["My employer trusts the badge from the university", "The weather was nice during the course",
         "I liked the teachers and the platform", "Recognition by employers matters to me",
         "The schedule fitted my working hours", "We met online every Tuesday evening"]


class Fixed:
    """A suggester proposing 'cost' for every segment (so the coder has something to accept or reject)."""

    source = "fixed"

    def fit(self, segments, codebook, codings=None):
        return self

    def suggest(self, segments):
        from mcqual.model import Suggestion
        from mcqual.suggest.base import Suggestions

        return Suggestions([Suggestion(s.segment_id, "cost", 0.6 + 0.01 * k, "fixed", "always")
                            for k, s in enumerate(segments)], segments)


@pytest.fixture()
def project(tmp_path):
    p = mq.Project.create(tmp_path / "q.mcq", coder="ab")
    ts = [mq.Transcript.from_turns(f"t{k}", [("R", COST[(k + i) % 6] + f" (case {k}{i}).") for i in range(2)]
                                   + [("R", OTHER[(k + i) % 6] + f" (case {k}{i}).") for i in range(2)])
          for k in range(4)]
    p.add_transcripts(ts)
    p.set_codebook(mq.Codebook.from_codes(["cost", "trust"]))
    p.suggest(Fixed())
    return p


def decide_all(p):
    df = p.suggestions("pending", coder="ab")
    acc = [int(r.suggestion_id) for r in df.itertuples() if r.quote.split(" (case")[0] in COST]
    p.accept(acc)
    p.reject([int(i) for i in df["suggestion_id"] if int(i) not in acc])
    return len(acc), len(df) - len(acc)


def test_quality_before_any_decision_says_what_is_needed(project):
    q = project.quality(embedder=HashingEmbedder())
    assert "no decisions on cost yet" in q.summary_for("cost")
    assert set(q.to_frame()["code"]) == {"cost", "trust"}
    assert "Suggestion quality" in q._repr_html_()
    assert "no decisions on cost yet" in q.card_html("cost")


def test_quality_observed_and_cross_validated(project):
    n_acc, n_rej = decide_all(project)
    assert n_acc == 8 and n_rej == 8
    q = project.quality(embedder=HashingEmbedder(), last=10)
    r = q.row("cost")
    assert r["decisions"] == 16 and r["accepted"] == 8 and r["rejected"] == 8
    assert r["observed_n"] == 10  # the last 10 decisions only
    assert r["needed"] == ""
    assert r["precision"] > 0.7 and r["recall"] > 0.7  # fees/prices words separate the classes
    assert r["curve"] and r["curve"][-1][0] == 16
    s = q.summary_for("cost")
    assert s.startswith("suggestions for cost were right") and "last 10 decisions" in s
    t = q.row("trust")
    assert "needs 5 more accepted" in t["needed"] and "no decisions on trust" in q.summary_for("trust")


def test_too_few_decisions_say_how_many_more(project):
    df = project.suggestions("pending", coder="ab")
    project.accept([int(df["suggestion_id"].iloc[0])])
    project.reject([int(df["suggestion_id"].iloc[1])])
    r = project.quality(embedder=HashingEmbedder()).row("cost")
    assert r["needed"].startswith("needs 4 more accepted") and "4 more rejections" in r["needed"]
    assert r["f1"] != r["f1"]  # NaN: no learned figures yet


def test_active_review_order_interleaves_uncertain_and_confident(project, monkeypatch):
    import mcqual.text.embedders as emb

    monkeypatch.setattr(emb, "SentenceTransformerEmbedder", lambda *a, **k: HashingEmbedder())
    df = project.suggestions("pending", coder="ab")
    first = df[df["transcript_id"].isin(["t0", "t1"])]
    acc = [int(r.suggestion_id) for r in first.itertuples() if r.quote.split(" (case")[0] in COST]
    project.accept(acc)
    project.reject([int(i) for i in first["suggestion_id"] if int(i) not in acc])
    r = project.review(widgets=False, order="active")
    assert len(r.pending) == 8
    by_score = project.review(widgets=False)
    assert sorted(r.pending) == sorted(by_score.pending) and r.pending != by_score.pending
    with pytest.raises(mq.errors.McqualError):
        project.review(widgets=False, order="random")


def test_heads_refit_fast_and_cv_by_group():
    import time

    rng = np.random.default_rng(0)
    X = rng.normal(size=(2000, 384)).astype(np.float32)  # ~40 interviews of 50 turns
    y = X[:, 0] + 0.5 * rng.normal(size=2000) > 1.0
    t0 = time.process_time()
    head = fit_head(X, y)
    assert time.process_time() - t0 < 1.0  # well under a second of CPU
    assert head_proba(head, X[:5]).shape == (5,)
    p = grouped_cv(X, y, np.arange(2000) // 50, folds=5)
    assert p is not None and ((p >= 0.5) == y).mean() > 0.8
    assert grouped_cv(X[:10], y[:10], np.zeros(10)) is None


def test_active_order_is_diverse():
    X = np.array([[1.0, 0, 0], [1.0, 0, 0], [0, 1.0, 0], [0, 0, 1.0]])
    p = np.array([0.5, 0.5, 0.45, 0.9])
    order = active_order(X, p, k=3, confident_every=0)
    assert order[:2] == [0, 2]  # the duplicate of item 0 waits although it is as uncertain
