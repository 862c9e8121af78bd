"""Quote selection: trimmed to the evidence at sentence boundaries, relevant and spread, never repeated or
placeholders, attributed with short case labels."""
from __future__ import annotations

import pandas as pd
import pytest

import mcqual as mq
from mcqual.analysis.quotes import is_placeholder, select_quotes, split_sentences, trim_quote
from mcqual.codebook.model import Code, Codebook
from mcqual.corpus import Corpus
from mcqual.errors import AnalysisError
from mcqual.model import Transcript


def _cb() -> Codebook:
    return Codebook([Code("trust", "Trust", codable=False),
                     Code("trust.qa", "Quality assurance", parent="trust", keywords=("accredited", "quality")),
                     Code("cost", "Cost", keywords=("expensive", "money", "fee"))])


def _corpus(n: int = 6) -> Corpus:
    groups = ["learner", "learner", "learner", "employer", "provider", "stakeholder"]
    ts = []
    for i in range(n):
        ts.append(Transcript.from_turns(f"case_{i:02d}_transcript_deidentified", [
            ("I", "What makes a course credible to you?", 10.0, "interviewer"),
            ("R", f"Well, we talked for a while. It has to be accredited by the quality agency, number {i}. "
                  f"The fee was expensive for me.", 60.0 + i, "respondent"),
            ("I", "Mm-hm.", 70.0, "interviewer"),
            ("R", "[inaudible] [crosstalk]", 80.0, "respondent"),
        ], attributes={"respondent_group": groups[i % len(groups)], "label": f"P{i:02d}"}))
    return Corpus(ts)


def _whole_turn_codings(corpus: Corpus, code: str = "trust.qa") -> pd.DataFrame:
    rows = []
    for t in corpus:
        for u in t.turns:
            rows.append({"transcript_id": t.id, "start": u.start, "end": u.end, "code": code, "coder": "AB"})
    return pd.DataFrame(rows)


def test_placeholders_and_backchannels_are_never_quotes():
    assert is_placeholder("[redacted]") and is_placeholder("  (inaudible)  ") and is_placeholder("[laughs] ok")
    assert is_placeholder("Yeah, yeah.") and is_placeholder("")
    assert not is_placeholder("I paid [redacted] for it, and it was worth every cent of the money.")
    q = select_quotes(_whole_turn_codings(_corpus()), _corpus(), codebook=_cb(), per_theme=10, min_words=1)
    assert not any(is_placeholder(x) for x in q["text"])
    assert "[inaudible]" not in " ".join(q["text"])


def test_sentences_and_trimming_at_boundaries_with_ellipsis():
    text = "First part here. The quality agency accredited it. Then more talk about weather. End."
    assert [text[a:b] for a, b in split_sentences(text)][1] == "The quality agency accredited it."
    got, a, b = trim_quote(text, 6, scores=[0, 5, 0, 0])
    assert got == "… The quality agency accredited it. …" and text[a:b] == "The quality agency accredited it."
    one_long = " ".join(["word"] * 100) + "."
    got = trim_quote(one_long, 20)[0]
    assert got.endswith("…") and len(got.split()) == 21
    assert trim_quote("Short and whole.", 60)[0] == "Short and whole."


def test_whole_turn_codings_quote_the_sentences_that_carry_the_code_not_the_interviewer():
    c = _corpus()
    q = select_quotes(_whole_turn_codings(c), c, codebook=_cb(), per_theme=6, max_words=12, min_words=1)
    assert len(q) == 6
    for text in q["text"]:
        assert "credible to you" not in text  # the interviewer's question is never quoted
        assert "accredited" in text and len(text.replace("…", "").split()) <= 12
        assert text.startswith("… ")  # cut before the evidence sentence
    assert set(q["theme"]) == {"trust"} and q["case"].tolist()[0].startswith("P")


def test_suggestion_evidence_picks_the_sentence():
    c = _corpus(1)
    t = c[0]
    turn = t.turns[1]
    fee = t.text.index("The fee")
    sugg = pd.DataFrame({"transcript_id": [t.id], "start": [turn.start], "end": [turn.end], "code": ["trust.qa"],
                         "coder": ["suggested"], "evidence": [[[fee, fee + 7, "fee"]]], "status": ["pending"]})
    q = select_quotes(sugg, c, codebook=_cb(), max_words=8, min_words=1)
    assert q["text"].tolist() == ["… The fee was expensive for me."]


def test_spread_over_groups_and_cases_and_no_passage_twice():
    c = _corpus(6)
    codings = pd.concat([_whole_turn_codings(c, "trust.qa"), _whole_turn_codings(c, "cost")], ignore_index=True)
    q = select_quotes(codings, c, codebook=_cb(), per_theme=3, max_words=60, min_words=1)
    for theme, rows in q.groupby("theme"):
        assert rows["transcript_id"].is_unique  # at most one quote per case per theme
        assert rows["group"].nunique() >= 2
    assert q[q["theme"] == "trust"]["group"].nunique() == 3  # the first theme: three groups, not three learners
    spans = list(zip(q["transcript_id"], q["start"], q["end"]))
    for i, (t1, a1, b1) in enumerate(spans):  # never the same passage (or an overlap of it) twice
        for t2, a2, b2 in spans[i + 1:]:
            assert not (t1 == t2 and a1 < b2 and a2 < b1)
    assert q["case"].nunique() == 6  # the second theme goes to cases not yet quoted
    assert q["text"].is_unique


def test_exclude_and_options():
    c = _corpus(2)
    codings = _whole_turn_codings(c)
    first = select_quotes(codings, c, codebook=_cb(), min_words=1)
    again = select_quotes(codings, c, codebook=_cb(), min_words=1,
                          exclude=list(zip(first["transcript_id"], first["start"], first["end"])))
    assert again.empty
    with pytest.raises(AnalysisError, match="E503"):
        select_quotes(codings, c, per_theme=0)
    no_codebook = select_quotes(codings, c, min_words=1)
    assert set(no_codebook["theme"]) == {"trust.qa"}


def test_sample_study_quotes_are_distinct_capped_and_spread(sample_corpus, root):
    gold = pd.read_csv(root / "transcripts" / "gold_codings.csv")
    cb = mq.load_codebook(root / "codebook" / "microcredentials.yaml")
    q = mq.select_quotes(gold, sample_corpus, codebook=cb, per_theme=3, max_words=60)
    assert len(q) == 3 * len(cb.themes())
    assert q["text"].is_unique and (q["words"] <= 60).all()
    assert q["case"].nunique() >= 10  # not the first three interviews in sort order
    assert set(q["group"]) == {"learner", "employer", "provider", "stakeholder"}
    for _, rows in q.groupby("theme"):
        assert rows["transcript_id"].is_unique and rows["group"].nunique() >= 2


def test_questions_alone_are_not_quotes_where_roles_are_unknown():
    t = Transcript.from_turns("u", [(None, "Have you tried to get these recognised at a university?", 1.0),
                                    (None, "Yes, and the university accepted it as five credits.", 2.0)],
                              attributes={"respondent_group": "learner"})
    codings = pd.DataFrame({"transcript_id": ["u", "u"], "start": [t.turns[0].start, t.turns[1].start],
                            "end": [t.turns[0].end, t.turns[1].end], "code": ["cost", "trust.qa"]})
    q = select_quotes(codings, Corpus([t]), codebook=_cb(), min_words=1)
    assert q["text"].tolist() == ["Yes, and the university accepted it as five credits."]
