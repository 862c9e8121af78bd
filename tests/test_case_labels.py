"""Cases people can read: short labels for display, ids that stay stable (issue #18 item 3)."""
from __future__ import annotations

import pytest

import mcqual as mq
from mcqual.corpus import Corpus, short_labels
from mcqual.errors import TranscriptError
from mcqual.model import Transcript


def _folder(tmp_path, stems, cases=None):
    for s in stems:
        (tmp_path / f"{s}.txt").write_text("Interviewer: Do you trust it?\nRespondent: Yes.\n", encoding="utf-8")
    if cases is not None:
        (tmp_path / "cases.csv").write_text(cases, encoding="utf-8")
    return tmp_path


STEMS = ["XX01_transcript_deidentified", "XX02_transcript_deidentified", "YY03_transcript_deidentified"]


def test_common_suffix_removed_for_display_ids_unchanged(tmp_path):
    c = mq.read_transcripts(_folder(tmp_path, STEMS))
    assert c.ids == STEMS  # stable: a project and its decisions refer to these
    assert list(c.labels.values()) == ["XX01", "XX02", "YY03"]
    cases = c.cases_frame()
    assert list(cases.columns[:2]) == ["transcript_id", "label"] and cases["label"].tolist() == ["XX01", "XX02", "YY03"]


@pytest.mark.parametrize("ids, want", [
    (["Interview_03_Maria_v2", "Interview_04_Jonas_v2"], ["03_Maria", "04_Jonas"]),
    (["int-01", "int-02"], ["int-01", "int-02"]),                    # '01' would lose the letters
    (["final_transcript_A", "final_transcript_B"], ["A", "B"]),
    (["a_transcript", "a-transcript"], ["a_transcript", "a-transcript"]),  # would collide: ids kept
    (["P7 transcript final"], ["P7"]),                                # a single file: noise words only
])
def test_short_labels(ids, want):
    assert list(short_labels(ids).values()) == want


def test_label_column_in_cases_csv_wins(tmp_path):
    folder = _folder(tmp_path, STEMS, "case_id,label,respondent_group\n"
                                      "XX01_transcript_deidentified,Nurse (ES),learner\n"
                                      "XX02_transcript_deidentified,,employer\n"
                                      "YY03_transcript_deidentified,HR lead,employer\n")
    c = mq.read_transcripts(folder)
    assert list(c.labels.values()) == ["Nurse (ES)", "XX02", "HR lead"]


def test_duplicate_labels_in_cases_csv_are_an_error(tmp_path):
    folder = _folder(tmp_path, STEMS[:2], "case_id,label\nXX01_transcript_deidentified,A\n"
                                          "XX02_transcript_deidentified,A\n")
    with pytest.raises(TranscriptError) as err:
        mq.read_transcripts(folder)
    assert err.value.code == "E121" and "A" in str(err.value)


def test_ids_and_id_pattern_name_transcripts(tmp_path):
    folder = _folder(tmp_path, STEMS)
    c = mq.read_transcripts(folder, id_pattern=r"^(?P<id>[A-Z]{2}\d+)")
    assert c.ids == ["XX01", "XX02", "YY03"] and c["XX01"].metadata["file_stem"] == STEMS[0]
    c = mq.read_transcripts(folder, ids={STEMS[0]: "nurse"})
    assert c.ids == ["nurse", STEMS[1], STEMS[2]]
    c = mq.read_transcripts(folder, ids=lambda s: s[:4].lower())
    assert c.ids == ["xx01", "xx02", "yy03"]


def test_id_pattern_that_misses_a_file_fails_that_file_only(tmp_path):
    folder = _folder(tmp_path, STEMS + ["notes_on_the_study"])
    c = mq.read_transcripts(folder, id_pattern=r"^[A-Z]{2}\d+")
    assert c.ids == ["XX01", "XX02", "YY03"]
    assert [f.code for f in c.errors] == ["E120"] and "notes_on_the_study" in str(c.errors[0])
    with pytest.raises(TranscriptError) as err:
        mq.read_transcripts(folder, id_pattern="([")
    assert err.value.code == "E120"
    with pytest.raises(TranscriptError):
        mq.read_transcripts(folder, ids={}, id_pattern="x")


def test_ids_that_collide_are_reported(tmp_path):
    c = mq.read_transcripts(_folder(tmp_path, STEMS), ids=lambda s: s[:2])
    assert c.ids == ["XX", "YY"] and [f.code for f in c.errors] == ["E114"]


def test_labels_stay_unique_when_cases_csv_and_automatic_labels_meet():
    c = Corpus([Transcript.from_turns("XX01_t", [("R", "a")]), Transcript.from_turns("XX02_t", [("R", "b")])],
               attributes=__import__("pandas").DataFrame({"label": ["XX02", None]}, index=["XX01_t", "XX02_t"]))
    assert c.labels == {"XX01_t": "XX01_t", "XX02_t": "XX02_t"}


def test_survey_respondent_ids_get_short_labels():
    ids = ["microcredentials_survey:R001", "microcredentials_survey:R002"]
    assert list(short_labels(ids).values()) == ["R001", "R002"]
