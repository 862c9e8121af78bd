"""Re-importing an edited transcript: exact, shifted, fuzzy and orphaned codings; nothing dropped."""
from __future__ import annotations

import pytest

import mcqual as mq
from mcqual.codebook.model import Codebook
from mcqual.model import Segment, Suggestion, Transcript
from mcqual.project.anchor import Anchorer, reanchor

TURNS = [
    ("Interviewer", "How do employers see micro-credentials?"),
    ("R1", "Maria Rossi from Lisbon told me employers recieve too many badges to check them."),
    ("Interviewer", "What builds trust?"),
    ("R1", "Quality assurance by an accredited university builds trust."),
    ("R1", "Stacking short courses into a degree is still rare here."),
]


def transcript(turns=TURNS):
    return Transcript.from_turns("int-01", turns)


# -- the anchorer alone ----------------------------------------------------------------------
def test_anchor_statuses():
    old = "Alpha beta gamma. Delta epsilon zeta. Eta theta iota."
    new = "Intro words. Alpha beta gamma. Delta epsilom zeta. Eta theta iota."
    a = Anchorer(old, new)
    exact = a.anchor(38, 53)  # "Eta theta iota."
    assert exact.status == "moved" and new[exact.start:exact.end] == "Eta theta iota."
    fuzzy = a.anchor(18, 37)  # "Delta epsilon zeta." -> typo in the new text
    assert fuzzy.status == "fuzzy" and new[fuzzy.start:fuzzy.end] == "Delta epsilom zeta."
    same = Anchorer(old, old + " More.").anchor(0, 17)
    assert same.status == "exact" and same.span == (0, 17)
    gone = Anchorer(old, "Completely different text now, nothing alike at all here.").anchor(18, 37)
    assert gone.status == "orphaned" and gone.start < gone.end


def test_anchor_moved_block_and_unicode():
    old = "Première réponse. Zweite Antwort über Anerkennung."
    new = "Zweite Antwort über Anerkennung. Première réponse."
    a = Anchorer(old, new)
    got = a.anchor(18, len(old))
    assert got.status == "moved" and new[got.start:got.end] == old[18:]
    assert [x.status for x in reanchor(old, old, [(0, 5)])] == ["exact"]


def test_map_offset_ends_touching_blocks():
    a = Anchorer("a cat sat", "the cat sat")
    assert a.map_offset(2) == 4
    assert a.map_offset(9, is_end=True) == 11


# -- re-import in a project ------------------------------------------------------------------
@pytest.fixture
def project(store_url):
    p = mq.Project.create(store_url, coder="ab")
    p.add_transcripts([transcript()])
    p.set_codebook(Codebook.from_codes(["trust", "stacking", "burden", "names"]))
    yield p
    p.close()


def span_of(t, needle):
    i = t.text.index(needle)
    return i, i + len(needle)


def test_reimport_exact_shifted_fuzzy_orphaned(project):
    t = transcript()
    ids = {}
    ids["names"] = project.code("int-01", *span_of(t, "Maria Rossi from Lisbon"), "names")
    ids["burden"] = project.code("int-01", *span_of(t, "employers recieve too many badges"), "burden")
    ids["trust"] = project.code("int-01", *span_of(t, "Quality assurance by an accredited university"), "trust")
    ids["first"] = project.code("int-01", *span_of(t, "How do employers"), "trust", coder="cd")
    # edit: de-identify a name, fix a typo, add a turn before the trust passage
    turns = list(TURNS)
    turns[1] = ("R1", "[NAME] told me employers receive too many badges to check them.")
    turns.insert(3, ("R1", "Well, let me think about that for a second."))
    new = transcript(turns)
    report = project.add_transcripts([new])
    assert report.updated == ("int-01",)
    assert (report.exact, report.moved, report.fuzzy, report.n_orphaned) == (1, 1, 1, 1)
    assert "orphaned" in report._repr_html_()
    df = project.codings().set_index("coding_id")
    assert len(df) == 4  # nothing dropped
    assert df.loc[ids["first"], "status"] == "active" and df.loc[ids["first"], "snippet"] == "How do employers"
    assert df.loc[ids["trust"], "status"] == "active"
    assert df.loc[ids["trust"], "snippet"] == "Quality assurance by an accredited university"
    assert df.loc[ids["trust"], "start"] > t.text.index("Quality")  # shifted by the new turn
    assert df.loc[ids["burden"], "status"] == "fuzzy"
    assert df.loc[ids["burden"], "snippet"] == "employers receive too many badges"
    assert df.loc[ids["names"], "status"] == "orphaned"
    assert df.loc[ids["names"], "snippet"] == "Maria Rossi from Lisbon"  # the lost quote is shown
    assert project.codings(status="orphaned").index.size == 1
    assert [o.id for o in report.orphaned] == [ids["names"]]
    # re-anchoring is an event in the coding's history, with the old quote
    h = project.history(ids["burden"])
    assert h["kind"].tolist() == ["code", "reanchor"]
    assert h["details"].iloc[1]["quote"] == "employers recieve too many badges"
    assert h["coder"].iloc[1] == "mcqual"
    # the old text is kept as a version
    assert project._store.transcript_versions("int-01")[0]["content_hash"] == t.content_hash
    assert project.corpus()["int-01"].text == new.text
    # importing the same edited text again changes nothing
    again = project.add_transcripts([new])
    assert again.unchanged == ("int-01",) and len(project.history(kind="reanchor")) == 3


def test_reimport_moves_suggestions_and_suggest_again_does_not_duplicate(project):
    class Kw:
        def fit(self, segments, codebook, codings=None):
            return self

        def suggest(self, segments):
            return [Suggestion(s.segment_id, "stacking", 0.7, "kw", "stacking") for s in segments
                    if "Stacking" in s.text] + \
                   [Suggestion(s.segment_id, "trust", 0.6, "kw", "trust") for s in segments if "trust" in s.text]

    def segs(t):
        return [Segment(t.id, x.start, x.end, x.text) for x in t.turns]

    t = transcript()
    project.suggest(Kw(), segments=segs(t))
    sugg = project.suggestions()
    stacking = int(sugg[sugg["code"] == "stacking"]["suggestion_id"].iloc[0])
    trust_ids = sugg[sugg["code"] == "trust"]["suggestion_id"].tolist()
    project.reject(stacking)
    turns = [TURNS[0], ("R1", "A new answer about trust in badges.")] + TURNS[1:]
    new = transcript(turns)
    report = project.add_transcripts([new])
    assert report.suggestions.get("moved", 0) == 3
    moved = project.suggestions(None).set_index("suggestion_id")
    assert moved.loc[stacking, "quote"] == TURNS[4][1]
    assert new.text[moved.loc[stacking, "start"]:moved.loc[stacking, "end"]] == TURNS[4][1]
    rep = project.suggest(Kw(), segments=segs(new))
    assert rep.kept_decided == 1 and rep.new == 1 and rep.refreshed == 2
    final = project.suggestions(None)
    assert final.set_index("suggestion_id").loc[stacking, "status"] == "rejected"
    assert len(final) == 4 and set(trust_ids) <= set(final["suggestion_id"])


def test_orphaned_suggestion_cannot_be_accepted(project):
    t = transcript()
    a, b = span_of(t, "Maria Rossi from Lisbon")

    class One:
        def fit(self, segments, codebook, codings=None):
            return self

        def suggest(self, segments):
            return [Suggestion(f"int-01@{a}-{b}", "names", 0.9, "ner", "a person's name")]

    project.suggest(One(), segments=[Segment("int-01", a, b, t.text[a:b])])
    sid = int(project.suggestions()["suggestion_id"].iloc[0])
    turns = list(TURNS)
    turns[1] = ("R1", "[NAME] told me employers receive too many badges to check them.")
    report = project.add_transcripts([transcript(turns)])
    assert report.suggestions == {"orphaned": 1}
    assert [(o.kind, o.id) for o in report.orphaned] == [("suggestion", sid)]
    assert project.suggestions().set_index("suggestion_id").loc[sid, "anchor"] == "orphaned"
    with pytest.raises(mq.ProjectError) as e:
        project.accept(sid)
    assert e.value.code == "E314"
    project.reject(sid)  # rejecting it is fine
    assert project.suggestions("rejected")["suggestion_id"].tolist() == [sid]


# -- property: edits outside a span never lose it ------------------------------------------------
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

WORDS = st.lists(st.sampled_from(["trust", "badge", "employer", "stack", "credit", "the", "a", "é", "—", "."]),
                 min_size=6, max_size=60)


@settings(max_examples=60, deadline=None)
@given(words=WORDS, data=st.data())
def test_edits_outside_a_span_keep_it_exact(words, data):
    old = " ".join(words)
    starts = [0] + [i + 1 for i, ch in enumerate(old) if ch == " "]
    i = data.draw(st.integers(0, len(words) - 2))
    j = data.draw(st.integers(i + 1, len(words) - 1))
    a = starts[i]
    b = starts[j] + len(words[j])
    inserted = data.draw(st.text(alphabet="xyz ", min_size=1, max_size=15))
    where = data.draw(st.sampled_from(["before", "after"]))
    new = inserted + " " + old if where == "before" else old + " " + inserted
    got = Anchorer(old, new).anchor(a, b)
    assert got.status in ("exact", "moved")
    assert new[got.start:got.end] == old[a:b]


@pytest.mark.parametrize("sep", ["\n\n", " "])  # turns on lines, or one 70,000-character line
def test_reanchoring_a_long_interview_is_fast(sep):
    import random
    import time

    rng = random.Random(0)
    vocab = "employers trust badges issued by known universities and recognise stacked credits the a of".split()
    turns = [" ".join(rng.choice(vocab) for _ in range(60)) + "." for _ in range(200)]
    old = sep.join(turns)
    edited = list(turns)
    for _ in range(15):
        i = rng.randrange(len(edited))
        edited[i] = edited[i].replace(" the ", " THE ", 1)
    edited.insert(100, "A new turn.")
    new = sep.join(edited)
    spans = [(s, s + 120) for s in range(0, len(old) - 120, 250)]
    t0 = time.perf_counter()
    got = reanchor(old, new, spans)
    assert time.perf_counter() - t0 < 5
    assert all(a.status != "orphaned" for a in got)
    same = [a for a, (s, e) in zip(got, spans) if a.status in ("exact", "moved")]
    assert len(same) > len(spans) * 0.8
    for a, (s, e) in zip(got, spans):
        if a.status in ("exact", "moved"):
            assert new[a.start:a.end] == old[s:e]
