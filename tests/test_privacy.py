from __future__ import annotations

import pandas as pd
import pytest

from mcqual.corpus import Corpus
from mcqual.errors import PrivacyError
from mcqual.model import Transcript
from mcqual.privacy import load_mapping, pseudonymise


def corpus():
    a = Transcript.from_turns(
        "a", [("Interviewer", "Welcome, Joana. How did Siemens see the badge?", None, "interviewer"),
              ("Joana Silva", "My boss, Peter Graf, said Siemens trusts it. Write to j.silva@mail.pt.", None,
               "respondent")],
        metadata={"interviewer": "Eva Lind", "respondent": "Joana Silva (pseudonym)"})
    b = Transcript.from_turns("b", [("Eva Lind", "Hi Peter."), ("Peter Graf", "Hello Eva, call 0043 664 1234567.")])
    return Corpus([a, b])


def test_names_are_replaced_consistently_across_transcripts():
    res = pseudonymise(corpus(), names={"Siemens": "ORG"})
    ta, tb = res.corpus["a"], res.corpus["b"]
    assert "Joana" not in ta.text and "Siemens" not in ta.text and "Peter" not in tb.text
    ph = res.mapping["Peter Graf"]
    assert ph in ta.text and tb.turns[1].speaker == ph and tb.turns[0].text == f"Hi {ph}."
    assert res.mapping["Siemens"] == "[ORG-1]" and ta.text.count("[ORG-1]") == 2
    assert "[EMAIL-1]" in ta.text and "[PHONE-1]" in tb.text
    assert ta.metadata["interviewer"] == res.mapping["Eva Lind"]
    for t in res.corpus:  # turns stay views on the text
        for turn in t.turns:
            assert t.text[turn.start:turn.end] == turn.text


def test_result_says_which_detectors_ran():
    res = pseudonymise(corpus())
    assert "speakers" in res.detectors and "patterns" in res.detectors
    if "ner" not in res.detectors:
        assert "ner" in res.skipped_detectors
    with pytest.raises(PrivacyError):
        pseudonymise(corpus(), detectors=["telepathy"])


def test_codings_stay_anchored():
    c = corpus()
    text = c["a"].text
    q = "said Siemens trusts it"
    start = text.index(q)
    codings = pd.DataFrame([{"transcript_id": "a", "start": start, "end": start + len(q), "code": "trust"}])
    res = pseudonymise(c, names={"Siemens": "ORG"})
    mapped = res.map_codings(codings)
    new = res.corpus["a"].text[mapped.start[0]:mapped.end[0]]
    assert new == "said [ORG-1] trusts it"


def test_mapping_file_round_trip_keeps_placeholders(tmp_path):
    res = pseudonymise(corpus())
    path = res.save_mapping(tmp_path / "keys" / "mapping.csv")
    again = pseudonymise(corpus(), mapping=path)
    assert again.mapping == res.mapping
    assert load_mapping(path)["Eva Lind"][0] == res.mapping["Eva Lind"]


def test_keep_and_generic_labels():
    res = pseudonymise(corpus(), keep=["Joana"])
    assert "Interviewer" not in res.mapping
    assert "Joana" in res.corpus["a"].turns[0].text


# --- metadata, attributes, nested properties ------------------------------------------------------

def test_names_in_case_attributes_and_nested_metadata_are_found_and_removed():
    t = Transcript.from_turns("c", [("Speaker 1", "Thanks, Laura. Riikka here, from Tampere."),
                                    ("Speaker 2", "Laura Virtanen speaking.")],
                              metadata={"properties": {"creator": "Laura Virtanen", "last_modified_by": "Riikka"}},
                              attributes={"interviewer": "Laura Virtanen", "respondent": "Riikka Laaksonen",
                                          "country": "FI"})
    attrs = pd.DataFrame({"interviewer": ["Laura Virtanen"], "respondent": ["Riikka Laaksonen"], "country": ["FI"]},
                         index=pd.Index(["c"], name="case_id"))
    c = Corpus([t], attributes=attrs)
    res = pseudonymise(c, detectors=["metadata"])
    out = res.corpus["c"]
    assert "Laura" not in out.text and "Riikka" not in out.text and "Tampere" in out.text
    assert out.attributes["interviewer"] == res.mapping["Laura Virtanen"]
    assert "Laura" not in repr(dict(out.metadata))
    assert res.corpus.attributes.loc["c", "respondent"] == res.mapping["Riikka Laaksonen"]
    assert res.corpus.attributes.loc["c", "country"] == "FI"
    assert res.detectors == ("metadata",)


def test_phone_with_area_code_in_brackets_is_replaced_whole():
    c = Corpus([Transcript.from_turns("p", [(None, "Call (01) 555 0123 today, or +353 1 555 0199.")])])
    res = pseudonymise(c, detectors=["patterns"])
    assert res.corpus["p"].text == "Call [PHONE-1] today, or [PHONE-2]."
    years = Corpus([Transcript.from_turns("y", [(None, "From 2019 to 2023, 40 ECTS in 12 weeks.")])])
    assert pseudonymise(years, detectors=["patterns"]).replacements == []


def test_sample_study_leaves_no_speaker_or_case_name(root):
    import mcqual as mq

    folder = root / "transcripts"
    if not (folder / "int-01.docx").exists():
        pytest.skip("sample study not built")
    c = mq.read_transcripts(folder)
    res = pseudonymise(c, detectors=("speakers", "metadata", "patterns"))
    names = {n.strip() for t in c for k in ("interviewer", "respondent")
             for n in str(t.attributes.get(k, "")).split(",") if n.strip()}
    assert len(names) > 20
    for t in res.corpus:
        blob = t.text + repr(dict(t.metadata)) + repr(dict(t.attributes)) + " ".join(map(str, t.speakers))
        leaked = [n for n in names if n in blob]
        assert not leaked, (t.id, leaked)
        for turn in t.turns:
            assert t.text[turn.start:turn.end] == turn.text
    assert not any(n in res.corpus.attributes.to_string() for n in names)


# --- exports ---------------------------------------------------------------------------------------

def _codings(c):
    text = c["a"].text
    q = "My boss, Peter Graf, said Siemens trusts it."
    s = text.index(q)
    return pd.DataFrame([{"transcript_id": "a", "start": s, "end": s + len(q), "code": "trust", "coder": "AB",
                          "snippet": q}])


def test_for_export_remaps_codings_and_requires_a_corpus():
    from mcqual.privacy import for_export

    c = corpus()
    res, c2, cod = for_export(True, c, _codings(c), names={"Siemens": "ORG"})
    assert cod.snippet[0] == f"My boss, {res.mapping['Peter Graf']}, said [ORG-1] trusts it."
    assert c2["a"].text[cod.start[0]:cod.end[0]] == cod.snippet[0]
    assert for_export(False, c, None) == (None, c, None)
    with pytest.raises(PrivacyError) as err:
        for_export(True, None, _codings(c))
    assert err.value.code == "E801"
    again = for_export(res, None, _codings(c))[2]  # a result is reused: same placeholders, no corpus needed
    assert again.snippet[0] == cod.snippet[0]


def test_excel_export_quotes_carry_no_real_name(tmp_path):
    import openpyxl

    from mcqual.export.excel import to_excel

    c = corpus()
    table = pd.DataFrame({"quote": ["Joana Silva said yes"], "n": [1]}, index=["Eva Lind"])
    path = to_excel(tmp_path / "r.xlsx", {"by interviewer": table}, codings=_codings(c), corpus=c,
                    pseudonymise={"names": {"Siemens": "ORG"}})
    cells = " ".join(str(v) for ws in openpyxl.load_workbook(path) for row in ws.iter_rows(values_only=True)
                     for v in row if v is not None)
    for name in ("Peter", "Graf", "Joana", "Eva Lind", "Siemens"):
        assert name not in cells
    assert "[ORG-1] trusts it" in cells and "[PERSON-" in cells


def test_word_export_quotes_and_attribution_carry_no_real_name():
    import io

    import docx

    from mcqual.export.word import to_docx

    c = corpus()
    quotes = pd.DataFrame({"code": ["trust"], "text": ["My boss, Peter Graf, said Siemens trusts it."],
                           "transcript_id": ["a"], "respondent": ["Joana Silva"]})
    buf = io.BytesIO()
    to_docx(buf, quotes=quotes, attribution=("respondent",), corpus=c, pseudonymise=True,
            title="Interviews by Eva Lind")
    text = "\n".join(p.text for p in docx.Document(buf).paragraphs)
    assert "Peter" not in text and "Joana" not in text and "Eva" not in text
    assert "[PERSON-" in text
    with pytest.raises(PrivacyError):
        to_docx(io.BytesIO(), quotes=quotes, pseudonymise=True)


def test_qdpx_export_sources_and_selections_are_pseudonymised():
    import io
    import zipfile

    from mcqual.exchange.bundle import QdpxProject
    from mcqual.exchange.qdpx import to_qdpx

    c = corpus()
    buf = io.BytesIO()
    from mcqual.codebook.model import Code, Codebook

    to_qdpx(QdpxProject(c, Codebook([Code("trust", "Trust")]), codings=_codings(c)), buf, pseudonymise=True)
    z = zipfile.ZipFile(buf)
    blob = "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
    assert "Peter" not in blob and "Joana" not in blob and "j.silva@mail.pt" not in blob
    from mcqual.exchange.qdpx import read_qdpx

    buf.seek(0)
    back = read_qdpx(buf)
    cod = back.codings.iloc[0]
    src = back.corpus[cod.transcript_id].text
    assert src[int(cod.start):int(cod.end)].startswith("My boss, [PERSON-")


def test_bench_recall_on_planted_names_in_the_sample_study(root):
    """bench/privacy.py: speakers + metadata + list + patterns find >= 99% of planted personal data."""
    import importlib.util

    if not (root / "transcripts" / "int-01.docx").exists():
        pytest.skip("sample study not built")
    spec = importlib.util.spec_from_file_location("bench_privacy", root / "bench" / "privacy.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    r = bench.measure(detectors=("speakers", "metadata", "list", "patterns"))
    assert r["gold"] > 150 and r["recall"] >= 0.99 and r["precision"] >= 0.95
    assert r["leaked_strings"] == 0
    assert r["codings_anchored"] == r["codings"] > 800
    assert set(r["per_kind"]) == {"PERSON", "ORG", "PLACE", "EMAIL", "PHONE", "URL"}
    without_list = bench.measure(detectors=("speakers", "metadata", "patterns"), use_list=False)
    assert without_list["recall"] < r["recall"]  # the planted extra people need the user's list


def test_ner_is_skipped_with_a_reason_when_no_pipeline_is_installed():
    res = pseudonymise(corpus(), ner_model="no_such_spacy_pipeline")
    assert "ner" not in res.detectors and "no_such_spacy_pipeline" in res.skipped_detectors["ner"]
    assert "pip install" in res.skipped_detectors["ner"]
    assert "ner" in res._repr_html_() or "not run" in res._repr_html_()


def test_names_typed_without_accents_get_the_same_placeholder():
    t = Transcript.from_turns("m", [("Siobhán Murphy", "Call me Siobhan."), ("Petra Dvořáková", "Hi, Dvorakova here.")])
    res = pseudonymise(Corpus([t]), detectors=["speakers"])
    ph1, ph2 = res.mapping["Siobhán Murphy"], res.mapping["Petra Dvořáková"]
    assert res.corpus["m"].text == f"Call me {ph1}.\n\nHi, {ph2} here."


def test_a_saved_mapping_replaces_its_names_in_a_new_corpus(tmp_path):
    path = pseudonymise(corpus()).save_mapping(tmp_path / "m.csv")
    later = Corpus([Transcript.from_turns("z", [("R1", "Eva Lind called; so did Peter.")])])
    res = pseudonymise(later, mapping=path, detectors=["speakers"])
    first = load_mapping(path)
    assert res.corpus["z"].text == f"{first['Eva Lind'][0]} called; so did {first['Peter Graf'][0]}."
    assert "mapping" in res.detectors


def test_apply_frame_keeps_shape_multiindex_and_numbers():
    res = pseudonymise(corpus())
    cols = pd.MultiIndex.from_tuples([("Eva Lind", "n"), ("Eva Lind", "share")])
    df = pd.DataFrame([[3, 0.5], [1, 0.25]], index=["Joana Silva", "other"], columns=cols)
    out = res.apply_frame(df)
    assert isinstance(out.columns, pd.MultiIndex) and out.columns[0] == (res.mapping["Eva Lind"], "n")
    assert list(out.index) == [res.mapping["Joana Silva"], "other"]
    assert out.iloc[:, 0].tolist() == [3, 1] and df.index[0] == "Joana Silva"  # the input is not changed


def test_excel_export_single_table_with_pseudonymise(tmp_path):
    import openpyxl

    from mcqual.export.excel import to_excel

    df = pd.DataFrame({"who": ["Peter Graf"], "n": [2]})
    path = to_excel(tmp_path / "t.xlsx", df, corpus=corpus(), pseudonymise=True)
    values = [v for row in openpyxl.load_workbook(path).active.iter_rows(values_only=True) for v in row]
    assert "Peter Graf" not in values and 2 in values
