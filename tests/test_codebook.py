"""The codebook model: hierarchy, changes with history, YAML/Excel round trips, views."""
from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mcqual.codebook.load import load_codebook, save_codebook
from mcqual.codebook.model import Code, Codebook
from mcqual.codebook.yaml_io import codebook_from_yaml
from mcqual.errors import CodebookError, McqualError


@pytest.fixture()
def cb() -> Codebook:
    return Codebook([
        Code("trust", "Conditions for trust", codable=False, color="#1f77b4"),
        Code("trust.qa", "QA", parent="trust", definition="Quality assurance talk.",
             include=("accreditation",), examples=("It is accredited.",), keywords=("accredit", "audit"),
             patterns=([{"LOWER": "quality"}, {"LOWER": "label"}],)),
        Code("trust.issuer", "Issuer", parent="trust", examples=("Big names count.",), keywords=("brand", "audit")),
        Code("trust.issuer.univ", "Universities", parent="trust.issuer"),
        Code("impact", "Impact", codable=False),
        Code("impact.job", "Job", parent="impact"),
    ], name="demo", version="2", description="A small test codebook.")


def test_hierarchy_and_lookup(cb):
    assert cb.path("trust.issuer.univ") == "trust/issuer/univ"
    assert cb.level("trust.issuer.univ") == 3 and cb.ancestor("trust.issuer.univ", 1) == "trust"
    assert [c.id for c in cb.themes()] == ["trust", "impact"]
    assert [c.id for c in cb.codable()] == ["trust.qa", "trust.issuer", "trust.issuer.univ", "impact.job"]
    assert cb.color("trust.issuer.univ") == "#1f77b4"  # inherited
    with pytest.raises(CodebookError) as info:
        cb["nope"]
    assert info.value.code == "E208"


def test_constructor_refuses_duplicates_and_orphans():
    with pytest.raises(CodebookError) as info:
        Codebook([Code("a"), Code("a")])
    assert info.value.code == "E203"
    with pytest.raises(CodebookError) as info:
        Codebook([Code("a.b", parent="a")])
    assert info.value.code == "E204"


def test_add_code_goes_after_its_parents_subtree_and_is_logged(cb):
    new = cb.add_code(Code("trust.transparency", "Transparency", parent="trust"), by="AB")
    assert new.ids.index("trust.transparency") == new.ids.index("trust.issuer.univ") + 1
    assert new.history[-1]["op"] == "add" and new.history[-1]["by"] == "AB" and "at" in new.history[-1]
    assert "trust.transparency" not in cb  # the original is unchanged
    with pytest.raises(CodebookError) as info:
        cb.add_code(Code("trust.qa"))
    assert info.value.code == "E203"
    with pytest.raises(CodebookError) as info:
        cb.add_code(Code("x.y", parent="x"))
    assert info.value.code == "E204"


def test_rename_keeps_the_id_and_records_old_and_new(cb):
    new = cb.rename_code("trust.issuer", label="Issuer reputation", name="issuer_reputation", by="CD")
    assert new["trust.issuer"].label == "Issuer reputation"
    assert new.path("trust.issuer.univ") == "trust/issuer_reputation/univ"
    ev = new.history[-1]
    assert (ev["op"], ev["id"], ev["old_label"], ev["new_label"], ev["by"]) == (
        "rename", "trust.issuer", "Issuer", "Issuer reputation", "CD")
    assert ev["old_name"] == "issuer" and ev["new_name"] == "issuer_reputation"
    with pytest.raises(CodebookError):
        cb.rename_code("trust.issuer")
    with pytest.raises(CodebookError):
        cb.rename_code("trust.issuer", name="a/b")


def test_merge_folds_examples_keywords_and_children(cb):
    m = cb.merge_codes(["trust.issuer"], into="trust.qa", by="AB")
    assert "trust.issuer" not in m
    qa = m["trust.qa"]
    assert qa.examples == ("It is accredited.", "Big names count.")
    assert qa.keywords == ("accredit", "audit", "brand")  # no duplicate 'audit'
    assert m["trust.issuer.univ"].parent == "trust.qa"
    ev = m.history[-1]
    assert (ev["op"], ev["sources"], ev["into"]) == ("merge", ["trust.issuer"], "trust.qa")
    assert m.resolve("trust.issuer") == "trust.qa" and m.resolve("trust.issuer.univ") == "trust.issuer.univ"


def test_merge_into_a_child_of_a_source(cb):
    m = cb.merge_codes("trust.issuer", into="trust.issuer.univ")
    assert m["trust.issuer.univ"].parent == "trust"
    with pytest.raises(CodebookError):
        cb.merge_codes(["trust.qa"], into="trust.qa")
    with pytest.raises(CodebookError) as info:
        cb.merge_codes(["nope"], into="trust.qa")
    assert info.value.code == "E208"


def test_remove_code_children_policy(cb):
    with pytest.raises(CodebookError):
        cb.remove_code("trust.issuer")
    lifted = cb.remove_code("trust.issuer", children="lift")
    assert lifted["trust.issuer.univ"].parent == "trust"
    gone = cb.remove_code("trust.issuer", children="remove", by="AB")
    assert "trust.issuer.univ" not in gone
    assert gone.resolve("trust.issuer.univ") is None and gone.resolve("trust.qa") == "trust.qa"
    assert gone.history[-1]["removed"] == ["trust.issuer.univ"]


def test_edit_code(cb):
    new = cb.edit_code("trust.qa", definition="New.", keywords=("label",))
    assert new["trust.qa"].definition == "New." and new["trust.qa"].keywords == ("label",)
    with pytest.raises(CodebookError):
        cb.edit_code("trust.qa", parent="impact")


def test_history_survives_yaml_and_excel(cb, tmp_path):
    changed = (cb.rename_code("trust.qa", label="Quality assurance", by="AB")
               .merge_codes(["impact.job"], into="trust.qa", by="CD"))
    for name in ("cb.yaml", "cb.yml", "cb.xlsx"):
        back = load_codebook(save_codebook(changed, tmp_path / name))
        assert back == changed, name
        assert [e["op"] for e in back.history] == ["rename", "merge"]
        assert back.resolve("impact.job") == "trust.qa"
        assert back["trust.qa"].patterns == (({"LOWER": "quality"}, {"LOWER": "label"}),)


def test_yaml_output_is_nested_readable_and_alias_free(cb):
    text = cb.to_yaml()
    assert "children:" in text and "parent:" not in text
    assert "&id" not in text and "*id" not in text
    assert codebook_from_yaml(text) == cb
    same_dicts = Codebook([Code("a", patterns=([{"LOWER": "x"}], [{"LOWER": "x"}]))])
    assert codebook_from_yaml(same_dicts.to_yaml()) == same_dicts


def test_save_is_atomic_and_replaces(cb, tmp_path):
    p = tmp_path / "cb.yaml"
    p.write_text("old")
    cb.save(p)
    assert load_codebook(p) == cb
    assert [x.name for x in tmp_path.iterdir()] == ["cb.yaml"]  # no temp file left behind
    with pytest.raises(McqualError) as info:
        cb.save(tmp_path / "missing-folder" / "cb.yaml")
    assert info.value.code == "E600" and "missing-folder" in str(info.value)


def test_excel_reader_accepts_hand_made_sheets(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["Code", "Parent", "Label", "Keywords", "Examples", "Codable", "Path"])
    ws.append(["trust", None, "Trust", None, None, "no", "trust"])
    ws.append(["trust.qa", "trust", "QA", "audit; quality label", "It is accredited; really.\nSecond quote.", "x",
               "trust/qa"])
    ws.append([None, None, None, None, None, None, None])
    ws.append(["trust.badge", "trust", "Badges", "badge, open badge", None, None, None])
    p = tmp_path / "hand.xlsx"
    wb.save(p)
    cb = load_codebook(p)
    assert cb.ids == ["trust", "trust.qa", "trust.badge"]
    assert not cb["trust"].codable and cb["trust.qa"].codable and cb["trust.badge"].codable
    assert cb["trust.qa"].keywords == ("audit", "quality label")
    assert cb["trust.qa"].examples == ("It is accredited; really.", "Second quote.")  # newline wins over ';'
    assert cb["trust.badge"].keywords == ("badge", "open badge")


def test_excel_problems_name_the_row(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["id", "parent", "colour", "color", "patterns", "lable"])
    ws.append(["a", None, "red", "#00ff00", None])
    ws.append(["b", "zz", None, None, "[[{\"LOWER\": 1"])
    ws.append(["a", None, None, None, None])
    p = tmp_path / "bad.xlsx"
    wb.save(p)
    with pytest.raises(CodebookError) as info:
        load_codebook(p)
    got = [(q.code, q.line, q.field) for q in info.value.problems]
    assert ("E202", None, "color") in got  # 'colour' and 'color' both mean color
    assert ("E202", None, "lable") in got
    assert ("E205", 3, "patterns") in got
    assert ("E206", 2, "color") in got
    assert ("E203", 4, "id") in got
    assert ("E204", 3, "parent") in got
    assert any(q.message.startswith("row 2:") for q in info.value.problems)


def test_excel_without_id_column_and_non_excel_file(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.append(["label", "definition"])
    wb.save(tmp_path / "noid.xlsx")
    with pytest.raises(CodebookError) as info:
        load_codebook(tmp_path / "noid.xlsx")
    assert info.value.code == "E210"
    (tmp_path / "fake.xlsx").write_text("not a zip")
    with pytest.raises(CodebookError) as info:
        load_codebook(tmp_path / "fake.xlsx")
    assert info.value.code == "E210"


def test_excel_history_sheet_is_json(cb, tmp_path):
    from openpyxl import load_workbook

    p = save_codebook(cb.rename_code("trust.qa", label="Quality"), tmp_path / "cb.xlsx")
    wb = load_workbook(p)
    assert wb.sheetnames == ["codes", "codebook", "history"]
    event = json.loads(wb["history"]["A2"].value)
    assert event["op"] == "rename" and event["new_label"] == "Quality"
    assert {r[0].value: r[1].value for r in wb["codebook"].iter_rows(min_row=2)}["version"] == "2"


def test_views(cb):
    df = cb.to_frame()
    assert list(df["id"]) == cb.ids
    assert df.loc[df["id"] == "trust.qa", "path"].item() == "trust/qa"
    assert df.loc[df["id"] == "trust.qa", "n_examples"].item() == 1
    html = cb._repr_html_()
    assert "Conditions for trust" in html and "<code>trust.issuer.univ</code>" in html
    assert repr(cb) == "Codebook('demo' v2, 6 codes, 2 themes)"
    code_html = cb["trust.qa"]._repr_html_()
    assert "Quality assurance talk." in code_html and "accreditation" in code_html and "It is accredited." in code_html
    assert "not codable" in cb["trust"]._repr_html_()
    assert "&lt;b&gt;" in Code("x", "<b>")._repr_html_()  # escaped


def test_import_mcqual_stays_light():
    import subprocess
    import sys

    code = ("import sys, mcqual; mcqual.load_codebook; mcqual.Codebook; "
            "print(any(m in sys.modules for m in ('pandas', 'spacy', 'torch', 'openpyxl')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_resolve_understands_project_id_changes(cb):
    changed = cb.replace_codes([c for c in cb if c.id != "impact.job"] + [Code("impact.work", parent="impact")],
                               {"event": "rename", "from": "impact.job", "to": "impact.work"})
    assert changed.resolve("impact.job") == "impact.work"
    merged = changed.replace_codes([c for c in changed if c.id != "impact.work"],
                                   {"event": "merge", "from": ["impact.work"], "to": "impact"})
    assert merged.resolve("impact.job") == "impact"


texts = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40).map(str.strip).filter(bool)


@settings(max_examples=60, deadline=None)
@given(label=texts, definition=texts, items=st.lists(texts, max_size=4), kw=st.lists(texts, max_size=3, unique=True))
def test_any_text_survives_yaml_round_trip(label, definition, items, kw):
    cb = Codebook([Code("t", label, definition=definition, examples=tuple(items), keywords=tuple(kw),
                        memo=definition + "\n" + label)])
    assert codebook_from_yaml(cb.to_yaml()) == cb


@settings(max_examples=25, deadline=None)
@given(label=texts, items=st.lists(texts, min_size=1, max_size=3))
def test_any_text_survives_excel_round_trip(tmp_path_factory, label, items):
    p = tmp_path_factory.mktemp("x") / "cb.xlsx"
    cb = Codebook([Code("t", label, examples=tuple(items), keywords=tuple(items), definition="=SUM(A1)")])
    assert load_codebook(save_codebook(cb, p)) == cb


def test_diff_between_versions(cb):
    new = (cb.rename_code("trust.issuer", label="Issuer reputation")
           .edit_code("trust.qa", keywords=("accredit",), color="#123456")
           .remove_code("impact.job")
           .add_code(Code("impact.confidence", parent="impact")))
    got = {d["id"]: (d["change"], d["fields"]) for d in cb.diff(new)}
    assert got == {"trust.issuer": ("changed", ["label"]), "trust.qa": ("changed", ["keywords", "color"]),
                   "impact.job": ("removed", []), "impact.confidence": ("added", [])}
    assert cb.diff(cb) == []
    moved = cb.remove_code("trust.issuer", children="lift")
    assert {d["id"]: d["fields"] for d in cb.diff(moved)}["trust.issuer.univ"] == ["parent"]
