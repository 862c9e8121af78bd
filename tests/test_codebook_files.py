"""Codebook files: every broken-file error with its line, all problems at once; the study codebook."""
from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest

from mcqual.codebook.load import load_codebook, save_codebook
from mcqual.codebook.model import Code, Codebook
from mcqual.codebook.yaml_io import codebook_from_yaml, parse_yaml
from mcqual.errors import CATALOG, CodebookError


def problems_of(text: str, tmp_path: Path) -> list[tuple[str, int | None, str | None]]:
    p = tmp_path / "cb.yaml"
    p.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    with pytest.raises(CodebookError) as info:
        load_codebook(p)
    err = info.value
    assert err.problems, "a CodebookError from a file must list its problems"
    assert all(q.path == str(p) for q in err.problems)
    assert str(p) in str(err)
    return [(q.code, q.line, q.field) for q in err.problems]


BROKEN = {
    "E201 syntax": ("""
        name: x
        codes:
          - id: a
            label: [unclosed
        """, [("E201", 5, None)]),
    "E201 duplicate key": ("""
        codes:
          - id: a
            label: A
            label: B
        """, [("E201", 4, "label")]),
    "E202 unknown code key": ("""
        codes:
          - id: a
            defintion: typo here
        """, [("E202", 3, "defintion")]),
    "E202 unknown top key": ("""
        nmae: x
        codes:
          - id: a
        """, [("E202", 1, "nmae")]),
    "E203 duplicate id": ("""
        codes:
          - id: a
          - id: b
            children:
              - id: a
        """, [("E203", 5, "id")]),
    "E204 missing parent": ("""
        codes:
          - id: trust
          - id: trust.qa
            parent: trusst
        """, [("E204", 4, "parent")]),
    "E204 cycle": ("""
        codes:
          - id: a
            parent: b
          - id: b
            parent: a
        """, [("E204", 3, "parent")]),
    "E205 bad pattern": ("""
        codes:
          - id: a
            patterns:
              - [{LOWER: badge}]
              - [{NOT_AN_ATTR: badge}]
        """, [("E205", 5, "patterns")]),
    "E205 single pattern not wrapped": ("""
        codes:
          - id: a
            patterns: [{LOWER: badge}, {LOWER: x}]
        """, [("E205", 3, "patterns")]),
    "E206 bad color": ("""
        codes:
          - id: a
            color: blue
        """, [("E206", 3, "color")]),
    "E207 wrong type": ("""
        codes:
          - id: a
            include: just one criterion is fine
            examples:
              - ok
              - {a: mapping}
            codable: maybe
        """, [("E207", 6, "examples"), ("E207", 7, "codable")]),
    "E207 missing id": ("""
        codes:
          - label: Quality assurance
        """, [("E207", 2, "id")]),
    "E207 no codes": ("""
        name: x
        """, [("E207", 1, "codes")]),
    "E211 python tag": ("""
        codes:
          - id: !!python/object/apply:os.system ["echo hi"]
        """, [("E211", 2, None)]),
    "E211 alias": ("""
        base: &kw [badge, token]
        codes:
          - id: a
            keywords: *kw
        """, [("E211", 4, None)]),
}


@pytest.mark.parametrize("name", list(BROKEN))
def test_each_broken_codebook_reports_its_error_and_line(name, tmp_path):
    text, expected = BROKEN[name]
    assert problems_of(text, tmp_path) == expected


def test_all_problems_are_collected_not_only_the_first(tmp_path):
    got = problems_of("""
        codes:
          - id: a
            colour: "#ff0000"
          - id: a
            color: red
          - id: c
            parent: nope
        """, tmp_path)
    assert got == [("E202", 3, "colour"), ("E206", 5, "color"), ("E203", 4, "id"), ("E204", 7, "parent")]


def test_problem_messages_suggest_the_fix(tmp_path):
    p = tmp_path / "cb.yaml"
    p.write_text("codes:\n  - id: trust\n  - id: t.qa\n    parent: trsut\n    defintion: x\n")
    with pytest.raises(CodebookError) as info:
        load_codebook(p)
    by_code = {q.code: q for q in info.value.problems}
    assert "'definition'" in by_code["E202"].hint
    assert "'trust'" in by_code["E204"].hint
    assert f"{p}:4" in str(info.value)


def test_alias_bomb_is_refused_quickly():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(8))
    with pytest.raises(CodebookError) as info:
        parse_yaml(bomb)
    assert info.value.problems[0].code == "E211"
    assert info.value.problems[0].line == 2


def test_tabs_get_a_hint(tmp_path):
    with pytest.raises(CodebookError) as info:
        codebook_from_yaml("codes:\n\t- id: a\n")
    q = info.value.problems[0]
    assert (q.code, q.line) == ("E201", 2)
    assert "tabs" in q.hint


def test_missing_file_and_unknown_extension(tmp_path):
    with pytest.raises(CodebookError) as info:
        load_codebook(tmp_path / "nope.yaml")
    assert info.value.code == "E200"
    with pytest.raises(CodebookError) as info:
        load_codebook(tmp_path / "cb.json")
    assert info.value.code == "E212" and "E212" in CATALOG


def test_flat_parent_form_equals_nested_form():
    nested = codebook_from_yaml("codes:\n  - id: t\n    children:\n      - id: t.a\n      - id: t.b\n")
    flat = codebook_from_yaml("codes:\n  - id: t\n  - id: t.a\n    parent: t\n  - {id: t.b, parent: t}\n")
    assert nested == flat
    assert nested.path("t.b") == "t/b"


def test_nested_code_with_conflicting_parent():
    with pytest.raises(CodebookError) as info:
        codebook_from_yaml("codes:\n  - id: t\n  - id: u\n    children:\n      - id: u.a\n        parent: t\n")
    assert [(q.code, q.line) for q in info.value.problems] == [("E204", 6)]


def test_dates_and_numbers_are_read_as_text():
    cb = codebook_from_yaml("version: 2.1\ncodes:\n  - id: 2024-01-01\n    label: 12\n")
    assert cb.version == "2.1"
    assert cb.ids == ["2024-01-01"] and cb["2024-01-01"].label == "12"


# -- the study codebook ---------------------------------------------------------------------------

STUDY = Path(__file__).resolve().parents[1] / "codebook" / "microcredentials.yaml"
THEMES = {
    "trust": {"quality_assurance", "issuer_reputation", "transparency", "digital_verification",
              "assessment_rigour"},
    "recognition": {"formal_recognition", "credit_level", "prior_learning", "sectoral_recognition"},
    "stackability": {"accumulation", "portability", "learning_pathways"},
    "employer_value": {"hiring_signal", "skills_match", "career_progression", "cost_time", "workforce_upskilling"},
    "impact": {"confidence_motivation", "job_transition", "further_learning", "no_effect"},
    "barriers": {"cost_funding", "time_constraints", "information_guidance", "proliferation"},
    "access_inclusion": {"disadvantaged_groups", "digital_access", "flexibility"},
}
GENERIC = {"course", "training", "learn", "learning", "certificate", "job", "work", "time", "skill", "people"}


@pytest.fixture(scope="module")
def study() -> Codebook:
    return load_codebook(STUDY)


def test_study_codebook_has_exactly_the_agreed_ids(study):
    assert {c.id for c in study.themes()} == set(THEMES)
    for theme, subs in THEMES.items():
        assert not study[theme].codable
        assert {c.id for c in study.children(theme)} == {f"{theme}.{s}" for s in subs}
        assert all(study.children(f"{theme}.{s}") == [] for s in subs)
    assert study.path("trust.quality_assurance") == "trust/quality_assurance"
    assert len(study.codable()) == sum(len(s) for s in THEMES.values())


def test_every_codable_code_meets_the_minimums(study):
    ids = set(study.ids)
    for c in study.codable():
        sentences = [s for s in re.split(r"(?<=[.!?])\s+(?=[A-Z])", c.definition) if s]
        assert 2 <= len(sentences) <= 4, (c.id, len(sentences))
        assert 2 <= len(c.include) <= 4, c.id
        assert 1 <= len(c.exclude) <= 3, c.id
        assert len(c.examples) >= 3, c.id
        assert all(1 <= len(re.findall(r"[.!?](?:\s|$)", e)) <= 3 for e in c.examples), c.id
        assert len(c.counter_examples) >= 1, c.id
        assert 4 <= len(c.keywords) <= 10, c.id
        assert len(set(k.lower() for k in c.keywords)) == len(c.keywords), c.id
        assert not GENERIC & {k.lower() for k in c.keywords}, c.id
        # every exclusion that points elsewhere names a code that exists
        for crit in c.exclude:
            for ref in re.findall(r"use ([a-z_]+\.[a-z_]+)", crit):
                assert ref in ids and ref != c.id, (c.id, ref)
        assert not set(c.examples) & set(c.counter_examples), c.id


def test_study_themes_have_distinct_colors_and_examples_are_unique(study):
    colors = [study.color(t.id) for t in study.themes()]
    assert len(set(colors)) == len(colors) and all(re.fullmatch(r"#[0-9a-f]{6}", x) for x in colors)
    quotes = [q for c in study.codable() for q in c.examples]
    assert len(set(quotes)) == len(quotes)


def test_study_codebook_round_trips_through_yaml_and_excel(study, tmp_path):
    assert load_codebook(save_codebook(study, tmp_path / "cb.yaml")) == study
    assert load_codebook(save_codebook(study, tmp_path / "cb.xlsx")) == study


# -- REFI-QDA .qdc ---------------------------------------------------------------------------------

def test_atlasti_qdc_sample_loads(shared):
    pytest.importorskip("mcqual.codebook.qdc", reason="mcqual/exchange/qdc.py (read_qdc) is not written yet")
    cb = load_codebook(shared / "refi-qda" / "samples" / "atlasti-23.4-codebook.qdc")
    assert isinstance(cb, Codebook)
    labels = [c.label for c in cb]
    assert "code1" in labels
    code1 = next(c for c in cb if c.label == "code1")
    assert cb.color(code1.id).lower() == "#46aa00"
    assert code1.definition == "description"


def test_qdc_round_trip(tmp_path):
    pytest.importorskip("mcqual.codebook.qdc", reason="mcqual/exchange/qdc.py (write_qdc) is not written yet")
    cb = Codebook([Code("trust", "Trust", codable=False, color="#1f77b4"),
                   Code("trust.qa", "Quality assurance", parent="trust", definition="QA talk.")])
    back = load_codebook(save_codebook(cb, tmp_path / "cb.qdc"))
    assert [c.label for c in back] == ["Trust", "Quality assurance"]
    qa = next(c for c in back if c.label == "Quality assurance")
    assert back.path(qa.id).count("/") == 1 and qa.definition == "QA talk."


def test_yaml_nested_too_deep_is_e201_not_a_recursion_error(tmp_path):
    import mcqual as mq

    block = tmp_path / "deep_block.yaml"
    block.write_text("codes:\n" + "".join(" " * i + "- \n" for i in range(1, 400)), encoding="utf-8")
    flow = tmp_path / "deep_flow.yaml"
    flow.write_text("codes: " + "[" * 5000 + "]" * 5000 + "\n", encoding="utf-8")
    for f in (block, flow):
        with pytest.raises(mq.CodebookError) as err:
            mq.load_codebook(f)
        assert "E201" in str(err.value) and "nested more than 100" in str(err.value)
