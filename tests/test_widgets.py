"""The coding view's and the review card's Python side: handlers → project calls, state, static HTML.

No browser here: the handlers are called directly, as the browser's messages would call them.
"""
from __future__ import annotations

import time

import pytest

import mcqual as mq
from browser_util import make_big_project, make_project
from mcqual.project.widgets._base import asset, selection_to_span, split_runs, trim_span, utf16_to_index
from mcqual.project.widgets.card import adjust, sentence_spans


@pytest.fixture
def project(tmp_path):
    p = make_project(tmp_path / "study.mcq")
    yield p
    p.close()


def _text(p, tid="int-01"):
    return p.transcript(tid).transcript.text


# -- offsets -------------------------------------------------------------------------------------------
def test_runs_cover_the_turn_and_map_back_to_offsets(project):
    text = _text(project)
    t = project.transcript("int-01").transcript
    tu = t.turns[3]
    spans = [(tu.start + 5, tu.start + 30), (tu.start + 20, tu.end + 50), (0, 3)]
    runs = split_runs(tu.start, tu.end, spans)
    assert runs[0][0] == tu.start and runs[-1][1] == tu.end
    assert all(a < b for a, b in runs) and all(r[1] == s[0] for r, s in zip(runs, runs[1:]))
    assert "".join(text[a:b] for a, b in runs) == tu.text
    # a selection from the middle of one run to the middle of another, anchor after focus
    (a0, a1), (b0, b1) = runs[1], runs[2]
    start, end = selection_to_span(text, (b0, text[b0:b1], 4), (a0, text[a0:a1], 2))
    assert (start, end) == (a0 + 2, b0 + 4)


def test_emoji_offsets_count_code_points():
    text = "I 😀 trust badges"
    assert utf16_to_index("😀 trust", 3) == 2  # the browser counts the emoji twice
    start, end = selection_to_span(text, (2, "😀 trust", 3), (2, "😀 trust", 8))
    assert text[start:end] == "trust"


def test_trim_span_drops_whitespace_and_clamps():
    assert trim_span("  ab  ", -3, 99) == (2, 4)
    assert trim_span("   ", 0, 3) == (3, 3)


# -- the coding view -------------------------------------------------------------------------------------
def test_view_state_turns_codes_suggestions(project):
    v = project.view()
    assert v.transcript_id == "int-01" and v.coder == "ab"
    turns = v.doc["turns"]
    assert [t["role"] for t in turns[:2]] == ["interviewer", "respondent"] and turns[1]["time"] == "00:00:14"
    assert all(_text(project)[t["start"]:t["end"]] == t["text"] for t in turns)
    codes = {c["id"]: c for c in v.codes}
    assert codes["trust.qa"]["depth"] == 1 and codes["trust.qa"]["label"] == "Quality assurance"
    assert codes["trust.qa"]["color"].startswith("#")
    assert {s["code"] for s in v.suggestions} == {"trust.qa", "recognition", "employer"}
    assert [t["id"] for t in v.transcripts] == ["int-01", "int-02"]


def test_code_by_label_trims_and_is_one_event(project):
    v = project.view()
    text = _text(project)
    a = text.index("Anyone can issue")
    before = project._store.last_event_id()
    r = v.handle({"action": "code", "start": a - 1, "end": a + len("Anyone can issue a badge.") + 1,
                  "code": "issuer reputation"})
    assert r["ok"], r
    assert project._store.last_event_id() == before + 1
    row = project.codings().iloc[0]
    assert (row["snippet"], row["code"], row["coder"]) == ("Anyone can issue a badge.", "trust.issuer", "ab")
    assert [c["id"] for c in v.codings] == [r["coding_id"]]
    assert v.status["ok"] and "Issuer reputation" in v.status["text"]


def test_unknown_code_and_empty_selection_are_errors_not_codings(project):
    v = project.view()
    r = v.handle({"action": "code", "start": 0, "end": 10, "code": "trsut"})
    assert not r["ok"] and "E311" in r["text"] and "trust" in r["text"].lower()
    assert not v.handle({"action": "code", "start": 3, "end": 3, "code": "trust"})["ok"]
    assert not v.handle({"action": "nonsense"})["ok"]
    assert not v.handle({"action": "code", "start": "x", "end": 3, "code": "trust"})["ok"]
    assert len(project.codings()) == 0


def test_uncode_recode_and_undo_pairs(project):
    v = project.view()
    cid = v.handle({"action": "code", "start": 0, "end": 21, "code": "motivation"})["coding_id"]
    assert v.handle({"action": "recode", "coding_id": cid, "code": "Employer view"})["ok"]
    assert project.codings()["code"].tolist() == ["employer"]
    kinds = project.history(kind=None)["kind"].tolist()
    assert kinds[-2:] == ["uncode", "code"]
    assert v.handle({"action": "undo"})["text"] == "Undid: changed code of a coding back to Motivation"
    assert project.codings()[["coding_id", "code"]].values.tolist() == [[cid, "motivation"]]
    assert v.handle({"action": "uncode", "coding_id": cid})["ok"]
    assert len(project.codings()) == 0
    assert v.handle({"action": "undo"})["text"] == "Undid: removed Motivation"
    assert len(project.codings()) == 1
    assert v.handle({"action": "undo"})["text"] == "Undid: coded Motivation"
    r = v.handle({"action": "undo"})
    assert not r["ok"] and "E308" in r["text"]


def test_other_coders_codings_are_read_only(project):
    cid = project.code("int-01", 0, 21, "motivation", coder="cd")
    v = project.view(coder="ab")
    assert [c["coder"] for c in v.codings] == ["cd"]
    r = v.handle({"action": "uncode", "coding_id": cid})
    assert not r["ok"] and "E331" in r["text"]
    assert len(project.codings()) == 1


def test_memos_on_coding_span_and_edit(project):
    v = project.view()
    cid = v.handle({"action": "code", "start": 0, "end": 21, "code": "motivation"})["coding_id"]
    m1 = v.handle({"action": "memo", "coding_id": cid, "text": "Polite opener."})["memo_id"]
    assert [m["text"] for m in v.memos if m["coding"] == cid] == ["Polite opener."]
    m2 = v.handle({"action": "memo", "replaces": m1, "text": "Polite opener, not motivation."})["memo_id"]
    assert m2 != m1
    assert project.memos(coding=cid)["text"].tolist() == ["Polite opener, not motivation."]
    text = _text(project)
    a = text.index("Recognition across")
    b = a + len("Recognition across borders")
    r = v.handle({"action": "memo", "start": a, "end": b + 1, "text": "Cross-border theme?"})  # + a space
    assert r["ok"]
    span = [m for m in v.memos if m["target"] == "span"]
    assert span and (span[0]["start"], span[0]["end"]) == (a, b)


def test_accept_and_reject_in_place(project):
    v = project.view()
    by_code = {s["code"]: s["id"] for s in v.suggestions}
    n = len(v.suggestions)
    assert v.handle({"action": "accept", "suggestion_id": by_code["recognition"]})["ok"]
    assert v.handle({"action": "reject", "suggestion_id": by_code["employer"], "note": "not about employers"})["ok"]
    assert len(v.suggestions) == n - 2
    assert {by_code["recognition"], by_code["employer"]}.isdisjoint(s["id"] for s in v.suggestions)
    assert project.codings()["code"].tolist() == ["recognition"]
    assert project.memos(suggestion=by_code["employer"])["text"].tolist() == ["not about employers"]


def test_focus_refreshes_only_when_the_file_changed(project):
    v = project.view()
    n = v.version
    assert v.handle({"action": "focus"})["text"] == "" and v.version == n
    other = mq.Project.open(project.path, coder="cd")  # another coder, another connection
    other.code("int-01", 0, 21, "motivation")
    assert v.changed()
    assert v.handle({"action": "focus"})["text"].startswith("Reloaded")
    assert [c["coder"] for c in v.codings] == ["cd"] and v.version > n
    other.memo("A memo from elsewhere.", transcript="int-01")
    assert v.handle({"action": "focus"})["text"].startswith("Reloaded")
    other.close()


def test_switch_transcript_and_unknown_transcript(project):
    v = project.view()
    assert v.handle({"action": "transcript", "id": "int-02"})["ok"]
    assert v.doc["id"] == "int-02" and v.suggestions == []
    with pytest.raises(mq.errors.ProjectError, match="E304"):
        project.view("int-99")
    empty = mq.Project.create(project.path + ".empty", coder="ab")
    with pytest.raises(mq.errors.ProjectError, match="E330"):
        empty.view()
    with pytest.raises(mq.errors.ProjectError, match="E310"):
        mq.Project.open(project.path).view()


def test_static_html_is_a_readable_table_with_instructions(project):
    v = project.view()
    v.handle({"action": "code", "start": 0, "end": 21, "code": "motivation"})
    bundle = v._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    assert "application/vnd.jupyter.widget-view+json" in data
    html = data["text/html"]
    assert "<table" in html and "run the cell" in html and "Motivation" in html and "Interviewer" in html
    assert "VBox(" not in html and "CodingView(" not in html
    assert data["text/plain"].startswith("CodingView('int-01'")


def test_assets_are_shipped():
    assert "export default" in asset("coding.js") and "export default" in asset("card.js")
    from mcqual.project.widgets._base import asset_module

    for name in ("coding.js", "card.js"):  # the shared helpers come first, once
        module = asset_module(name)
        assert module.count("function h(") == 1 and module.count("function tint(") == 1
    assert ".mcq-view" in asset("widgets.css")


def test_big_transcript_loads_fast(tmp_path):
    p = make_big_project(tmp_path / "big.mcq")
    t0 = time.perf_counter()
    v = p.view("big")
    load = time.perf_counter() - t0
    assert sum(len(t["text"].split()) for t in v.doc["turns"]) >= 10_000 and len(v.codings) == 300
    t0 = time.perf_counter()
    v.handle({"action": "code", "start": 0, "end": 20, "code": "trust"})
    act = time.perf_counter() - t0
    print(f"10k-word view: load {load * 1000:.0f} ms, one coding + refresh {act * 1000:.0f} ms")
    assert load < 5 and act < 3


# -- the review card -----------------------------------------------------------------------------------------
def test_sentences_and_adjust():
    assert sentence_spans("Yes. No!  Maybe?", 5) == [(5, 9), (10, 13), (15, 21)]
    s = [(0, 4), (5, 20), (21, 27)]
    assert adjust((5, 20), s, "narrow", "end") == (5, 20)  # never narrower than one sentence
    assert adjust((0, 27), s, "widen", "end") == (0, 27)


def test_card_question_span_and_keyboard_actions(project):
    card = project.review().card_widget()
    c = card.card
    assert c["question"]["text"].startswith("Thank you for joining")
    assert c["turn"]["speaker"] == "Respondent" and c["code"] == "employer"
    assert c["quote"] == "I needed to show my employer that I could run data projects."
    assert c["reason"] == "mentions 'employer'" and c["score"] == 0.72 and c["position"] == 1
    assert card.handle({"action": "widen", "side": "end"})["ok"]
    assert card.card["quote"].endswith("seemed the quickest way.")
    card.handle({"action": "narrow", "side": "end"})
    assert card.card["quote"] == c["quote"]
    card.handle({"action": "turn"})
    assert card.card["quote"] == card.card["turn"]["text"]
    card.handle({"action": "reset"})
    assert (card.card["start"], card.card["end"]) == tuple(c["suggested"])
    first = card.sid
    card.handle({"action": "next"})
    assert card.sid != first
    card.handle({"action": "prev"})
    assert card.sid == first


def test_card_accept_adjusted_is_one_event_with_what_was_suggested(project):
    card = project.review().card_widget()
    sid, (s0, s1) = card.sid, card.card["suggested"]
    card.handle({"action": "widen", "side": "end"})
    a, b = card.card["start"], card.card["end"]
    before = project._store.last_event_id()
    r = card.handle({"action": "accept", "code": "Motivation", "note": "more about motivation"})
    assert r["ok"] and r["text"] == "Accepted as Motivation"
    assert project._store.last_event_id() == before + 1
    h = project.history(suggestion_id=sid)
    assert h["kind"].tolist() == ["accept"]
    assert h["details"].iloc[0]["suggested_span"] == [s0, s1] and h["details"].iloc[0]["suggested"] == "employer"
    assert project.codings()[["start", "end", "code", "suggestion_id"]].values.tolist() == [[a, b, "motivation", sid]]
    assert project.memos(suggestion=sid)["text"].tolist() == ["more about motivation"]
    assert card.sid != sid and card.n_done == 1
    # deciding it again is refused, and undo puts it back on the card
    from mcqual.project.widgets.card import accept_adjusted

    with pytest.raises(mq.errors.ProjectError, match="E333"):
        accept_adjusted(project, sid, start=a, end=b, code="motivation", coder="ab")
    assert card.handle({"action": "undo"})["ok"]
    assert card.sid == sid and len(project.codings()) == 0


def test_card_accept_as_code_only_and_reject_skip_done(project):
    review = project.review()
    card = review.card_widget()
    sid = card.sid
    assert card.handle({"action": "accept", "code": "recognition"})["text"] == "Accepted as Recognition"
    assert project.history(suggestion_id=sid)["details"].iloc[0]["suggested"] == "employer"
    skipped = card.sid
    card.handle({"action": "skip"})
    assert card.sid != skipped and skipped in review.pending
    while card.sid is not None:
        card.handle({"action": "reject", "note": ""})
    assert card.card == {} and card.n_pending == 0
    assert not card.handle({"action": "accept"})["ok"]
    assert card.handle({"action": "undo"})["ok"] and card.sid is not None


def test_card_static_html_never_raw_widget_repr(project):
    review = project.review()
    card = review.card_widget()
    bundle = card._repr_mimebundle_()
    data = bundle[0] if isinstance(bundle, tuple) else bundle
    html = data["text/html"]
    assert "<table" in html and "Run the cell" in html and "<kbd>a</kbd> accept" in html
    assert "mentions &#x27;employer&#x27;" in html or "mentions 'employer'" in html
    assert "VBox(" not in html and "ReviewCard(" not in html
    assert "Interviewer: Thank you for joining" in html and "Employer view" in html  # question, label
    assert review.widget().__class__.__name__ == "ReviewCard"
    assert project.review(mode="list").widget().__class__.__name__ == "VBox"


def test_a_decision_in_the_card_shows_in_the_view_at_once(project):
    v = project.view()
    card = project.review().card_widget()
    n = len(v.suggestions)
    sid = card.sid
    card.handle({"action": "accept"})
    assert len(v.suggestions) == n - 1 and [c["suggestion"] for c in v.codings] == [sid]
    # and a coding in the view that accepts the card's suggestion moves the card on
    nxt = card.sid
    v.handle({"action": "accept", "suggestion_id": nxt})
    assert card.sid != nxt and card.n_pending == n - 2


def test_card_shows_the_quality_note_where_the_project_has_one(project, monkeypatch):
    note = project.review().card_widget().card["quality"]  # project.quality with no decisions yet
    assert note.startswith("no decisions on") and "accept or reject" in note

    class Q:
        calls = 0

        def summary_for(self, code):
            return f"{code}: 7 of the last 10 suggestions were accepted"

    def quality(self, coder=None):
        Q.calls += 1
        return Q()

    monkeypatch.setattr(type(project), "quality", quality, raising=False)
    card = project.review().card_widget()
    assert card.card["quality"] == "employer: 7 of the last 10 suggestions were accepted"
    card.handle({"action": "next"})
    card.handle({"action": "reject"})
    assert Q.calls == 1  # computed once per card, not per suggestion


def test_view_measures_quality_only_when_asked(project, monkeypatch):
    from mcqual.text.embedders import HashingEmbedder

    v = project.view()
    assert v.quality == {} and v.quality_info == {}  # nothing measured when the view opens
    v.quality_embedder = HashingEmbedder()
    seen = []
    real = type(project).quality

    def quality(self, coder=None, **kw):
        seen.append((coder, type(kw.get("embedder")).__name__))
        return real(self, coder, **kw)

    monkeypatch.setattr(type(project), "quality", quality)
    pending = project.suggestions("pending", coder="ab")
    sids = pending["suggestion_id"].tolist()
    code_of = dict(zip(sids, pending["code"]))
    v.handle({"action": "accept", "suggestion_id": int(sids[0])})
    v.handle({"action": "reject", "suggestion_id": int(sids[1])})
    assert seen == []  # decisions do not re-measure
    before = project._store.last_event_id()
    r = v.handle({"action": "quality"})
    assert r["ok"] and r["text"] == "Measured on 2 decisions of ab", r
    assert seen == [("ab", "HashingEmbedder")] and project._store.last_event_id() == before
    info = v.quality_info
    decided = {code_of[s] for s in sids[:2]}
    assert info["n"] == 2 and set(info["decided"]) == decided
    assert info["none"] == len(v.quality) - len(decided) > 0
    for c in decided:
        assert c in v.quality[c] and "no decisions" not in v.quality[c]
    assert all(v.quality[c].startswith("no decisions on") for c in v.quality if c not in decided)
    # stale until asked again: a third decision changes nothing, the button re-measures
    v.handle({"action": "reject", "suggestion_id": int(sids[2])})
    assert v.quality_info["n"] == 2
    v.handle({"action": "quality"})
    assert v.quality_info["n"] == 3 and v.quality_info["run"] == 2
    assert "How good?" in asset("coding.js") and "fillQuality" in asset("coding.js")
