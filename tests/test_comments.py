"""Word-comment codings: comment text -> codes, anchored on the transcript text."""
from __future__ import annotations

import csv
import re

import pytest

from mcqual.codebook.model import Code, Codebook
from mcqual.corpus import Corpus
from mcqual.errors import ExchangeError
from mcqual.exchange.comments import read_comment_codings, split_codes
from mcqual.model import Comment, Transcript


def _transcript() -> Transcript:
    t = Transcript.from_turns("int-03", [("I", "What makes a badge credible?"),
                                         ("R", "The issuer's brand, and an EQF level on it.")])
    a = t.text.index("The issuer")
    b = a + len("The issuer's brand")
    c = t.text.index("an EQF level")
    comments = (Comment("0", "Anna", "2026-03-01", "Issuer reputation; trust", a, b, t.text[a:b]),
                Comment("1", None, None, "quality_assurance, Trust , trust", c, c + 12, "an EQF level"),
                Comment("2", "Anna", None, "  ;  ", a, b, ""),
                Comment("3", "Anna", None, "trust", -1, -1, ""),
                Comment("4", "Anna", None, "stacking", c, c + 2, "an"))
    return Transcript(t.id, t.text, t.turns, comments=comments, source="int-03.docx")


def _codebook() -> Codebook:
    return Codebook([Code("trust", "Trust", codable=False), Code("trust.issuer", "Issuer reputation", parent="trust"),
                     Code("trust.quality_assurance", "QA", parent="trust")])


def test_split_codes():
    assert split_codes("immersion; emotional response") == ["immersion", "emotional response"]
    assert split_codes("a,b ; c\nd") == ["a", "b", "c", "d"]
    assert split_codes(" ; ") == []


def test_rows_per_code_anchored_on_text_with_author_as_coder():
    with pytest.warns(UserWarning, match="2 comments left out"):
        df = read_comment_codings(_transcript())
    t = _transcript()
    assert list(df.columns) == ["transcript_id", "start", "end", "code", "coder", "snippet", "comment_id", "comment"]
    assert df["code"].tolist() == ["Issuer reputation", "trust", "quality_assurance", "Trust", "trust", "stacking"]
    assert df["coder"].tolist() == ["Anna", "Anna", "word", "word", "word", "Anna"]
    for r in df.itertuples():
        assert r.snippet == t.text[r.start:r.end]
    assert df.loc[0, "snippet"] == "The issuer's brand"


def test_codebook_maps_labels_names_and_paths_to_ids():
    with pytest.warns(UserWarning) as rec:
        df = read_comment_codings(_transcript(), _codebook(), coder="AB")
    assert df["code"].tolist() == ["trust.issuer", "trust", "trust.quality_assurance", "trust", "stacking"]
    assert set(df["coder"]) == {"AB"}
    assert any("'stacking' (1x)" in str(w.message) for w in rec)


def test_unknown_drop_and_raise():
    with pytest.warns(UserWarning):
        df = read_comment_codings(_transcript(), _codebook(), unknown="drop")
    assert "stacking" not in set(df["code"]) and len(df) == 4
    with pytest.raises(ExchangeError) as err:
        read_comment_codings(_transcript(), _codebook(), unknown="raise")
    assert err.value.code == "E603" and "'stacking'" in str(err.value)


def test_corpus_input_and_empty_result():
    t = Transcript.from_turns("x", [("R", "no comments")])
    df = read_comment_codings(Corpus([t]))
    assert len(df) == 0 and df["start"].dtype == "int64"
    with pytest.raises(ExchangeError):
        read_comment_codings(42)


def _markup_spans(text: str, rows: list[dict]) -> list[tuple[int, int, set[str]]]:
    """Locate the csv's ``**span**<sup>codes</sup>`` markup in the transcript text."""
    spans = []
    for row in rows:
        base = text.find(row["text"][:120].strip())
        if base < 0:
            continue
        for m in re.finditer(r"\*\*(.+?)\*\*<sup>(.*?)</sup>", row["coded_text"], re.S):
            i = text.find(m.group(1), base)
            if i >= 0:
                spans.append((i, i + len(m.group(1)), {c.strip() for c in m.group(2).split(";")}))
    return spans


def test_bopp_word_comments_agree_with_inline_markup(shared):
    pytest.importorskip("mcqual.io.docx")
    import mcqual as mq

    folder = shared / "data" / "coded" / "games_as_art_llmcode"
    t = mq.read_docx(folder / "bopp_test_input.docx")
    assert len(t.comments) == 199
    df = read_comment_codings(t, coder="bopp")
    from_path = read_comment_codings(folder / "bopp_test_input.docx", coder="bopp")
    assert from_path.equals(df)
    assert len(df) == 457 and df["code"].nunique() == 39
    assert df["comment_id"].nunique() >= 195  # nearly every comment anchored on text
    for r in df.itertuples():
        assert r.snippet == t.text[r.start:r.end]
    with open(folder / "bopp_test_coded_texts.csv", encoding="utf-8") as fh:
        gold = _markup_spans(t.text, list(csv.DictReader(fh)))
    assert len(gold) >= 300
    spans = df.groupby(["start", "end"])["code"].apply(set)
    overlap = [any(a < e and b > s for s, e, _ in gold) for (a, b) in spans.index]
    shares_code = [any(a < e and b > s and codes & g for s, e, g in gold) for (a, b), codes in spans.items()]
    # measured: 93% of the comment spans overlap a markup span, 68% share a code with it
    assert sum(overlap) / len(overlap) >= 0.90
    assert sum(shares_code) / len(shares_code) >= 0.60
