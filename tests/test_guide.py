"""The interview guide: loading, order, groups, and every problem with its line (E220)."""
from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from mcqual.errors import CodebookError
from mcqual.guide import Guide, Question, Topic, guide_from_yaml, load_guide

GUIDE = Path(__file__).resolve().parents[1] / "codebook" / "interview_guide.yaml"


def problems(text: str, tmp_path: Path) -> list[tuple[str, int | None, str | None]]:
    p = tmp_path / "guide.yaml"
    p.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    with pytest.raises(CodebookError) as info:
        load_guide(p)
    assert all(q.path == str(p) for q in info.value.problems)
    return [(q.code, q.line, q.field) for q in info.value.problems]


def test_study_guide_loads_in_order():
    g = load_guide(GUIDE)
    assert g.groups == ("learner", "employer", "provider", "stakeholder")
    assert [t.id for t in g.topics] == ["background", "experience", "trust", "impact", "recognition", "stacking",
                                        "outlook"]
    qs = g.questions()
    assert len(qs) == len(g) == 18
    assert [q.index for q in qs] == list(range(18))
    assert qs[0].id == "background.role" and qs[-1].id == "outlook.closing"
    assert g["trust.conditions"].probes == ("Does it matter who issued it?",
                                            "Does it matter how the learning was assessed?")
    assert g["trust.conditions"].topic == "trust"
    employer = [q.id for q in g.questions("employer")]
    assert "impact.hiring" in employer and "background.learning_path" not in employer
    learner = [q.id for q in g.questions("learner")]
    assert "background.learning_path" in learner and "stacking.pathways" not in learner
    assert [q.id for q in g] == [q.id for q in qs]


def test_unknown_group_and_question_raise_e220():
    g = load_guide(GUIDE)
    with pytest.raises(CodebookError) as info:
        g.questions("employers")
    assert info.value.code == "E220" and "employer" in info.value.hint
    with pytest.raises(CodebookError):
        g["nope"]
    with pytest.raises(CodebookError):
        g.topic("nope")


def test_views():
    g = load_guide(GUIDE)
    df = g.to_frame()
    assert list(df["id"])[:2] == ["background.role", "background.learning_path"]
    assert df.loc[df["id"] == "impact.hiring", "groups"].item() == "employer"
    html = g._repr_html_()
    assert "Conditions for trust" in html and "<code>impact.hiring</code>" in html
    assert repr(g).startswith("Guide(") and "18 questions" in repr(g)


def test_all_problems_with_lines(tmp_path):
    got = problems("""
        name: g
        groups: [learner, employer]
        topics:
          - id: t
            lable: Topic
            questions:
              - id: t.q1
                text: First?
              - id: t.q1
                text: Again?
              - id: t.q3
                groups: [employers]
                probes: {a: b}
          - id: u
            questions: []
        """, tmp_path)
    assert got == [
        ("E220", 5, "lable"),
        ("E220", 9, "id"),
        ("E220", 11, "text"),
        ("E220", 12, "groups"),
        ("E220", 13, "probes"),
        ("E220", 15, "questions"),
    ]


def test_unknown_key_suggests_the_closest(tmp_path):
    p = tmp_path / "g.yaml"
    p.write_text("topics:\n  - id: t\n    questions:\n      - id: q\n        txt: Hello?\n")
    with pytest.raises(CodebookError) as info:
        load_guide(p)
    kinds = {(q.line, q.field): q for q in info.value.problems}
    assert "'text'" in kinds[(5, "txt")].hint
    assert (4, "text") in kinds  # and the missing text itself


def test_yaml_errors_in_a_guide(tmp_path):
    assert problems("topics:\n  - id: [oops\n", tmp_path)[0][:2] == ("E220", 3)
    assert problems("topics: !!python/name:os.system\n", tmp_path) == [("E211", 1, None)]
    assert problems("", tmp_path) == [("E220", None, "topics")]
    with pytest.raises(CodebookError) as info:
        load_guide(tmp_path / "missing.yaml")
    assert info.value.code == "E220"


def test_codes_and_labels_on_questions():
    g = guide_from_yaml("topics:\n  - id: t\n    questions:\n"
                        "      - {id: t.q, text: \"Why?\", label: Why, codes: [trust.qa], memo: note}\n")
    q = g["t.q"]
    assert (q.label, q.codes, q.memo, q.groups) == ("Why", ("trust.qa",), "note", ())
    assert q.asked_of("anyone") and g.topic("t").label == "t"


def test_dataclasses_are_frozen():
    q = Question("a", "Why?")
    with pytest.raises(AttributeError):
        q.text = "x"  # type: ignore[misc]
    g = Guide([Topic("t", "T", (q,))])
    assert g.questions() == [q]
