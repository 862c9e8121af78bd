"""RuleSuggester: keywords on forms and lemmas, patterns, negation flags, exclusions, the contract."""
from __future__ import annotations

import numpy as np
import pytest

import mcqual as mq
from mcqual.errors import CodebookError, SuggestError


@pytest.fixture()
def codebook():
    return mq.Codebook([
        mq.Code("recognition", "Recognition", keywords=("digital badge", "recognise"),
                exclude=("recognition of prior learning",)),
        mq.Code("trust", "Trust", keywords=("trust",), patterns=([{"LOWER": "quality"}, {"LEMMA": "label"}],)),
        mq.Code("cost", "Cost"),
    ])


def _segs(*texts, tid="a"):
    return mq.segments([mq.Transcript.from_turns(tid, [("R", t) for t in texts])])


def test_lemma_and_case_insensitive_keywords(codebook):
    segs = _segs("Digital Badges help me.", "They RECOGNISED my skills.", "Nothing relevant here at all.")
    sug = mq.RuleSuggester().fit(segs, codebook).suggest(segs)
    df = sug.to_frame()
    assert list(df.columns[:5]) == ["segment_id", "code", "score", "source", "reason"]
    assert df["segment_id"].tolist() == [segs[0].segment_id, segs[1].segment_id]
    assert set(df["code"]) == {"recognition"} and set(df["source"]) == {"rules"}
    first = sug[0]
    ev = first.evidence[0]
    assert segs[0].text[ev.start - segs[0].start:ev.end - segs[0].start] == "Digital Badges"
    assert '"Digital Badges" at 0-14' in first.reason
    assert all(0.5 <= s.score <= 1 for s in sug)


def test_patterns_use_lower_case_lemmas(codebook):
    segs = _segs("They have Quality Labels on every course.")
    sug = mq.RuleSuggester().fit(segs, codebook).suggest(segs)
    assert [s.code for s in sug] == ["trust"]
    assert "Quality Labels" in sug[0].reason


def test_negation_is_flagged_not_dropped(codebook):
    segs = _segs("It is not recognised by employers.", "Employers recognise it, but I do not care.")
    sug = mq.RuleSuggester().fit(segs, codebook).suggest(segs)
    by = {s.segment_id: s for s in sug}
    neg = by[segs[0].segment_id]
    assert neg.code == "recognition" and neg.flags == ("negated",) and 'negated by "not"' in neg.reason
    assert by[segs[1].segment_id].flags == ()  # the negation is after the match
    assert neg.score < by[segs[1].segment_id].score
    off = mq.RuleSuggester(negation=False).fit(segs, codebook).suggest(segs)
    assert all(s.flags == () for s in off)


def test_negation_scope_contractions_and_window(codebook):
    segs = _segs("Employers don't recognise it.",  # contraction: n't
                 "No, but they recognise it.",  # "but" ends the negation's scope
                 "Never. They recognise it.",  # so does a full stop
                 "Not that the big employers in town recognise it.",  # more than 4 tokens before the match
                 "Without any digital badges.")  # negation word two tokens before
    m = mq.RuleSuggester().fit(segs, codebook).match(segs.texts)
    negs = [[x[3] for x in r.get("recognition", [])] for r in m]
    assert negs == [["n't"], [None], [None], [None], ["Without"]]


def test_keyword_like_exclusion_vetoes_the_code(codebook):
    segs = _segs("We recognise it through recognition of prior learning.")
    assert len(mq.RuleSuggester().fit(segs, codebook).suggest(segs)) == 0
    assert len(mq.RuleSuggester(use_exclude=False).fit(segs, codebook).suggest(segs)) == 1


def test_more_distinct_matches_score_higher(codebook):
    segs = _segs("A digital badge.", "A digital badge I recognise.")
    sc = mq.RuleSuggester().fit(segs, codebook).scores(segs).scores
    j = 0
    assert sc[1, j] > sc[0, j] >= 0.5
    assert np.all(sc[:, 2] == 0)  # a code with no rules never fires


def test_labels_as_keywords_and_bare_codebook():
    segs = _segs("The cost was high.", "Nothing.")
    cb = mq.Codebook.from_codes(["cost", "trust"])
    assert len(mq.RuleSuggester().fit(segs, cb).suggest(segs)) == 0
    sug = mq.RuleSuggester(use_labels=True).fit(segs, cb).suggest(segs)
    assert [(s.segment_id, s.code) for s in sug] == [(segs[0].segment_id, "cost")]


def test_not_fitted_and_bad_pattern(codebook):
    segs = _segs("x y z")
    with pytest.raises(SuggestError) as err:
        mq.RuleSuggester().suggest(segs)
    assert err.value.code == "E401"
    bad = mq.Codebook([mq.Code("x", patterns=([{"NOT_AN_ATTR": "y"}],))])
    with pytest.raises(CodebookError) as err:
        mq.RuleSuggester().fit(segs, bad)
    assert err.value.code == "E205"


def test_repr_and_params():
    r = mq.RuleSuggester(top_k=2)
    assert r.get_params()["top_k"] == 2 and repr(r).startswith("RuleSuggester(lang='en'")
    assert not hasattr(r, "codes_")  # __init__ stores settings only


def test_token_patterns_found_anywhere_in_long_turns(codebook):
    filler = " ".join(["we talked about many other things"] * 30)
    text = f"Quality labels matter. {filler} and again quality label here."
    segs = _segs(text)
    sug = mq.RuleSuggester().fit(segs, codebook).suggest(segs)
    spans = [(e.start - segs[0].start, e.end - segs[0].start) for e in sug[0].evidence]
    assert [text[a:b] for a, b in spans] == ["Quality labels", "quality label"]
    # a pattern with an unbounded operator falls back to matching the whole text
    cb2 = mq.Codebook([mq.Code("x", patterns=([{"LOWER": "again"}, {"IS_ALPHA": True, "OP": "+"},
                                                {"LOWER": "here"}],))])
    sug2 = mq.RuleSuggester().fit(segs, cb2).suggest(segs)
    assert len(sug2) == 1 and "again quality label here" in sug2[0].reason


def test_parallel_matching_gives_the_same_suggestions(codebook):
    texts = [f"Employers did not recognise the digital badges, number {i}." if i % 3 else f"Just talk {i}."
             for i in range(60)]
    segs = _segs(*texts)
    one = mq.RuleSuggester().fit(segs, codebook)
    two = mq.RuleSuggester(n_process=2).fit(segs, codebook)
    two.parallel_min = 10  # force the forked path on a small input
    assert two.match(texts) == one.match(texts)
    a, b = one.suggest(segs).to_frame(), two.suggest(segs).to_frame()
    assert len(a) == 40 and a.equals(b)


def test_fitted_rules_pickle_and_keep_calibrated_thresholds(codebook):
    import pickle

    segs = _segs("Employers did not recognise the digital badges.", "Nothing here.")
    est = mq.RuleSuggester().fit(segs, codebook)
    est.thresholds_ = {c: 0.3 for c in est.thresholds_}  # as calibrate() would leave them
    clone = pickle.loads(pickle.dumps(est))
    assert clone.thresholds_ == est.thresholds_
    assert clone.suggest(segs).to_frame().equals(est.suggest(segs).to_frame())
