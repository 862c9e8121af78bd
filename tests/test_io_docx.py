"""The Word reader: one small .docx per convention, with turns, offsets and metadata checked."""
from __future__ import annotations

import re
import zipfile

import pytest

import mcqual as mq
from mcqual.errors import TranscriptError
from mcqual.io.docx import read_docx

from docx_factory import (comment, dele, field, footnote_ref, hyperlink, ins, lines_docx, make_docx, p, r,
                          simple_field, table)


def turns(t):
    return [(x.speaker, x.text) for x in t.turns]


def check_offsets(t):
    for x in t.turns:
        assert t.text[x.start:x.end] == x.text
    for a, b in zip(t.turns, t.turns[1:]):
        assert a.end <= b.start
    for para in t.paragraphs:
        if para.start >= 0:
            assert 0 <= para.start <= para.end <= len(t.text)


# --------------------------------------------------------------------------- labels
@pytest.mark.parametrize("lines, expected", [
    (["Interviewer: Do employers trust badges?", "R1: Some do.", "Interviewer: Which ones?", "R1: Large ones."],
     [("Interviewer", "Do employers trust badges?"), ("R1", "Some do."), ("Interviewer", "Which ones?"),
      ("R1", "Large ones.")]),
    (["Q: Why a micro-credential?", "A: It was short.", "Q: And then?", "A: I got the job."],
     [("Q", "Why a micro-credential?"), ("A", "It was short."), ("Q", "And then?"), ("A", "I got the job.")]),
    (["I – How did you hear about the course?", "C – From a colleague.", "I - And your employer?",
      "C - He paid for it."],
     [("I", "How did you hear about the course?"), ("C", "From a colleague."), ("I", "And your employer?"),
      ("C", "He paid for it.")]),
    (["AK: Could you introduce yourself?", "TW: I am a data analyst.", "AK: Since when?", "TW: Since May."],
     [("AK", "Could you introduce yourself?"), ("TW", "I am a data analyst."), ("AK", "Since when?"),
      ("TW", "Since May.")]),
    (["Anna Kowalska: Could you introduce yourself?", "Tomasz Wieczorek: Sure, I analyse data.",
      "Anna Kowalska: For whom?", "Tomasz Wieczorek: A logistics firm."],
     [("Anna Kowalska", "Could you introduce yourself?"), ("Tomasz Wieczorek", "Sure, I analyse data."),
      ("Anna Kowalska", "For whom?"), ("Tomasz Wieczorek", "A logistics firm.")]),
    (["[id1] hello, I like the course.", "[id2] I struggle with the slides.", "[id1] Me too, a bit."],
     [("id1", "hello, I like the course."), ("id2", "I struggle with the slides."), ("id1", "Me too, a bit.")]),
])
def test_inline_label_conventions(tmp_path, lines, expected):
    t = read_docx(lines_docx(tmp_path / "x.docx", lines))
    assert turns(t) == expected
    check_offsets(t)


def test_bold_labels_and_roles(tmp_path):
    body = [p(r("Interviewer:", bold=True), r(" Is the badge recognised by employers?")),
            p(r("Maria:", bold=True), r(" Not really, only by the university.")),
            p(r("Interviewer:", bold=True), r(" Why not?")),
            p(r("Maria:", bold=True), r(" They do not know it."))]
    t = read_docx(make_docx(tmp_path / "b.docx", body))
    assert [(x.speaker, x.role) for x in t.turns] == [("Interviewer", "interviewer"), ("Maria", "respondent")] * 2
    assert t.turns[1].text == "Not really, only by the university."


def test_single_bold_name_label_is_accepted(tmp_path):
    body = [p(r("Joana:", bold=True), r(" It's just courses, honestly.")), p("More text follows here.")]
    t = read_docx(make_docx(tmp_path / "b.docx", body))
    assert t.turns[0].speaker == "Joana"
    assert t.turns[0].text == "It's just courses, honestly.\nMore text follows here."


def test_label_alone_teams_and_otter(tmp_path):
    lines = ["Jordan Lee   0:01", "Thanks for joining today.", "", "Alex Morgan   0:06",
             "Sure. I'm a product manager and I coordinate between engineering, design, and sale",
             "s to define our product roadmap.", "", "Jordan Lee   1:02:03", "How long?"]
    t = read_docx(lines_docx(tmp_path / "teams.docx", lines))
    assert [(x.speaker, x.timestamp) for x in t.turns] == [("Jordan Lee", 1.0), ("Alex Morgan", 6.0),
                                                             ("Jordan Lee", 3723.0)]
    assert t.turns[1].text == ("Sure. I'm a product manager and I coordinate between engineering, design, and sale\n"
                               "s to define our product roadmap.")
    assert t.turns[0].paragraphs == (0, 1)
    assert t.paragraphs[0].kind == "label" and t.paragraphs[0].start == -1
    otter = ["Ana Silva  00:03", "Hello, can you hear me?", "Ben Roth  01:43", "Yes, loud and clear."]
    t = read_docx(lines_docx(tmp_path / "otter.docx", otter))
    assert [(x.speaker, x.timestamp, x.text) for x in t.turns] == [
        ("Ana Silva", 3.0, "Hello, can you hear me?"), ("Ben Roth", 103.0, "Yes, loud and clear.")]
    assert [x.role for x in t.turns] == ["interviewer", "respondent"]


def test_word_transcribe_in_document2(tmp_path):
    body = [p("Audio file", style="Heading1"), p("int-04.m4a"), p("Transcript", style="Heading1"),
            p("00:00:03 Speaker 1"), p("OK, it's recording. Can you hear me?"),
            p("00:00:09 Speaker 2"), p("Yes. Loud and clear."), p("00:00:15 Speaker 1"),
            p("Shall we start with your role?"), p("00:00:21 Speaker 2"), p("I am a counsellor.")]
    path = make_docx(tmp_path / "wt.docx", body, main="word/document2.xml")
    with zipfile.ZipFile(path) as zf:
        assert "word/document.xml" not in zf.namelist()
    t = read_docx(path)
    assert [(x.speaker, x.timestamp) for x in t.turns] == [("Speaker 1", 3.0), ("Speaker 2", 9.0),
                                                             ("Speaker 1", 15.0), ("Speaker 2", 21.0)]
    assert [x.role for x in t.turns[:2]] == ["interviewer", "respondent"]
    assert t.metadata["headings"] == ("Audio file", "Transcript")
    assert all(par.part == "word/document2.xml" for par in t.paragraphs)
    assert "int-04.m4a" in t.metadata["preamble"]


def test_label_alone_then_text_paragraphs(tmp_path):
    lines = ["Interviewer:", "How did it start?", "Respondent:", "With a badge.", "Then a course."]
    t = read_docx(lines_docx(tmp_path / "x.docx", lines))
    assert turns(t) == [("Interviewer", "How did it start?"), ("Respondent", "With a badge.\nThen a course.")]


# --------------------------------------------------------------------------- timestamps
@pytest.mark.parametrize("line, speaker, time, text", [
    ("[00:12:31] Moderator: Welcome, everyone.", "Moderator", 751.0, "Welcome, everyone."),
    ("Moderator: [00:12:31] Welcome, everyone.", "Moderator", 751.0, "Welcome, everyone."),
    ("Moderator: (00:12) Welcome, everyone.", "Moderator", 12.0, "Welcome, everyone."),
    ("Moderator: 00:12:31 Welcome, everyone.", "Moderator", 751.0, "Welcome, everyone."),
    ("Moderator: We met at 10:30 in Brussels.", "Moderator", None, "We met at 10:30 in Brussels."),
    ("Moderator: It took [00:12:31] minutes.", "Moderator", None, "It took [00:12:31] minutes."),
])
def test_inline_timestamps(tmp_path, line, speaker, time, text):
    t = read_docx(lines_docx(tmp_path / "x.docx", [line, "P1: Thanks, happy to be here."]))
    assert (t.turns[0].speaker, t.turns[0].timestamp, t.turns[0].text) == (speaker, time, text)
    assert t.turns[0].role == "interviewer" and t.turns[1].role == "respondent"


def test_focus_group_roles(tmp_path):
    lines = ["[00:00:04] Moderator: Welcome. Who starts?", "[00:00:10] P1: I can.", "[00:00:15] P2: Then me.",
             "[00:00:20] Moderator: And you, P3?", "[00:00:25] P3: Sure."]
    t = read_docx(lines_docx(tmp_path / "fg.docx", lines))
    assert t.speakers == ["Moderator", "P1", "P2", "P3"]
    assert [x.role for x in t.turns] == ["interviewer", "respondent", "respondent", "interviewer", "respondent"]
    assert [x.timestamp for x in t.turns] == [4.0, 10.0, 15.0, 20.0, 25.0]


# --------------------------------------------------------------------------- layout
def test_two_speakers_in_one_paragraph_and_split_turns(tmp_path):
    body = [p("Interviewer: Where do you work?\nR: In a hospital."),
            p("Interviewer: Since when?"), p("R: Nine years."), p("Before that in a clinic.")]
    t = read_docx(make_docx(tmp_path / "x.docx", body))
    assert turns(t) == [("Interviewer", "Where do you work?"), ("R", "In a hospital."),
                        ("Interviewer", "Since when?"), ("R", "Nine years.\nBefore that in a clinic.")]
    assert t.turns[0].paragraphs == (0,) and t.turns[1].paragraphs == (0,)
    assert t.turns[3].paragraphs == (2, 3)
    # paragraph 0 contributed to two turns: its span covers both
    assert t.paragraphs[0].start == t.turns[0].start and t.paragraphs[0].end == t.turns[1].end
    assert t.source_paragraphs(t.turns[3].start, t.turns[3].end)[0].index == 2
    check_offsets(t)


def test_transcript_table_two_and_three_columns(tmp_path):
    rows = [["Speaker", "Text"], ["Interviewer", "Is the certificate known?"], ["Frank", "Only the IHK one."],
            ["Interviewer", "Why?"], ["Frank", ["Tradition.", "And trust in the chamber."]]]
    t = read_docx(make_docx(tmp_path / "t2.docx", [table(rows)]))
    assert turns(t) == [("Interviewer", "Is the certificate known?"), ("Frank", "Only the IHK one."),
                        ("Interviewer", "Why?"), ("Frank", "Tradition.\nAnd trust in the chamber.")]
    assert [x.role for x in t.turns] == ["interviewer", "respondent"] * 2
    assert t.metadata["layout"] == "table"
    kinds = {par.kind for par in t.paragraphs if par.start >= 0}
    assert kinds == {"table"}
    rows3 = [["00:00:02", "Katrin", "So, the recorder is running?"], ["00:00:09", "Frank", "Yes."],
             ["[00:01:10]", "Katrin", "Good, shall we start?"], ["00:01:15", "Frank", "Sure."]]
    t = read_docx(make_docx(tmp_path / "t3.docx", [table(rows3)]))
    assert [(x.speaker, x.timestamp, x.text) for x in t.turns] == [
        ("Katrin", 2.0, "So, the recorder is running?"), ("Frank", 9.0, "Yes."),
        ("Katrin", 70.0, "Good, shall we start?"), ("Frank", 75.0, "Sure.")]
    assert t.speakers == ["Katrin", "Frank"] and t.turns[0].role == "interviewer"


def test_metadata_table_then_labelled_paragraphs(tmp_path):
    meta = table([["Interview ID", "int-02"], ["Date", "17 March 2026"], ["Interviewer", "Katrin Lehmann"],
                  ["Respondent", "Frank Bauer"], ["Country", "Germany"]])
    body = [meta, p("Katrin: Thank you for having me here."), p("Frank: You are welcome."),
            p("Katrin: Let us start."), p("Frank: Fine.")]
    t = read_docx(make_docx(tmp_path / "m.docx", body))
    assert t.metadata["interview_id"] == "int-02" and t.metadata["country"] == "Germany"
    assert t.metadata["interviewer"] == "Katrin Lehmann"
    assert turns(t)[0] == ("Katrin", "Thank you for having me here.")
    assert "int-02" not in t.text and "Germany" not in t.text
    assert t.turns[0].role == "interviewer"  # "Katrin" matches the metadata's interviewer
    assert {par.kind for par in t.paragraphs[:10] if par.start < 0} == {"preamble"}


def test_handtyped_block_metadata(tmp_path):
    lines = ["Interview with a nurse", "Interview ID: int-05", "Date: 21 March 2026", "Interviewer: Javier Morales",
             "Respondent: Lucía Fernández (pseudonym)", "Country: Spain", "",
             "Interviewer: Okay, it's recording. Is the noise OK for you?", "R: No, it's fine.",
             "Interviewer: Perfect.", "R: [laughs] Good."]
    t = read_docx(lines_docx(tmp_path / "hb.docx", lines))
    assert t.metadata["date"] == "21 March 2026" and t.metadata["interviewer"] == "Javier Morales"
    assert t.metadata["title"] == "Interview with a nurse"
    assert turns(t) == [("Interviewer", "Okay, it's recording. Is the noise OK for you?"), ("R", "No, it's fine."),
                        ("Interviewer", "Perfect."), ("R", "[laughs] Good.")]


def test_otter_preamble(tmp_path):
    lines = ["Interview with a provider", "Wed, Mar 18, 2026 2:02PM • 18:40", "SUMMARY KEYWORDS",
             "micro-credential, learning, employers", "SPEAKERS", "Dimitra Papadaki, Siobhán Murphy", "",
             "Dimitra Papadaki  00:05", "Okay, I think Otter is in the call now.",
             "Siobhán Murphy  00:12", "Grand, yes.", "Transcribed by https://otter.ai"]
    t = read_docx(lines_docx(tmp_path / "o.docx", lines))
    assert t.metadata["title"] == "Interview with a provider"
    assert t.metadata["keywords"] == "micro-credential, learning, employers"
    assert t.metadata["speakers"] == "Dimitra Papadaki, Siobhán Murphy"
    assert t.metadata["date"].startswith("Wed, Mar 18")
    assert t.metadata["transcribed_by"] == "Transcribed by https://otter.ai"
    assert turns(t) == [("Dimitra Papadaki", "Okay, I think Otter is in the call now."),
                        ("Siobhán Murphy", "Grand, yes.")]


# --------------------------------------------------------------------------- WordprocessingML details
def test_tracked_changes_fields_hyperlinks(tmp_path):
    body = [p(r("Interviewer: The badge was "), dele("never "), ins("always "), r("shown on "),
              hyperlink("Europass"), r(".")),
            p(r("R: See page "), field("PAGE \\* MERGEFORMAT", "7"), r(" and "), simple_field("DATE", "3 May"),
              r(".")),
            p(r("Interviewer: Hidden"), r(" secret", hidden=True), r(" text?")),
            p(r("R: Yes."), footnote_ref(1))]
    t = read_docx(make_docx(tmp_path / "x.docx", body, footnotes=["A footnote about Europass."]))
    assert turns(t) == [("Interviewer", "The badge was always shown on Europass."), ("R", "See page 7 and 3 May."),
                        ("Interviewer", "Hidden text?"), ("R", "Yes.")]
    assert "MERGEFORMAT" not in t.text and "never" not in t.text and "footnote" not in t.text
    assert t.metadata["footnotes"] == ("A footnote about Europass.",)


def test_characters_are_kept_faithfully(tmp_path):
    body = [p("Interviewer: “Quoted” and ‘single’ – dash\u00a0nbsp\ttab …?"), p("R: Αυτή είναι μια δοκιμή.")]
    t = read_docx(make_docx(tmp_path / "x.docx", body))
    assert t.turns[0].text == "“Quoted” and ‘single’ – dash\u00a0nbsp\ttab …?"
    assert t.turns[1].text == "Αυτή είναι μια δοκιμή."


def test_header_footer_core_properties(tmp_path):
    body = [p("Interviewer: Hello?"), p("R: Hi.")]
    t = read_docx(make_docx(tmp_path / "x.docx", body, header=["Cedefop study – CONFIDENTIAL"], footer=["Page 1"],
                            core={"title": "Interview 7", "creator": "Anna K", "created": "2026-03-14T09:00:00Z"}))
    assert t.metadata["header"] == "Cedefop study – CONFIDENTIAL" and t.metadata["footer"] == "Page 1"
    assert t.metadata["title"] == "Interview 7" and t.metadata["creator"] == "Anna K"
    assert t.metadata["created"] == "2026-03-14T09:00:00Z"
    assert "CONFIDENTIAL" not in t.text and "Page 1" not in t.text
    assert {par.kind for par in t.paragraphs if par.part.endswith(("header1.xml", "footer1.xml"))} == {"header", "footer"}


def test_comments_with_anchored_spans(tmp_path):
    body = [p(r("Interviewer: "), comment(0, r("Do employers trust it?"))),
            p(r("R: I think "), comment(1, r("the issuer matters most")), r(".")),
            p(comment(2, r("Interviewer: Why")), r("?")),
            p(r("R: Quality assurance."))]
    comments = [(0, "AB", "question"), (1, "AB", "trust; issuer"), (2, "CD", "spans a label")]
    t = read_docx(make_docx(tmp_path / "c.docx", body, comments=comments))
    assert len(t.comments) == 3
    c0, c1, c2 = t.comments
    assert (c1.id, c1.author, c1.text, c1.quote) == ("1", "AB", "trust; issuer", "the issuer matters most")
    assert t.text[c1.start:c1.end] == "the issuer matters most"
    assert t.text[c0.start:c0.end] == c0.quote == "Do employers trust it?"
    assert c1.date == "2024-05-01T10:00:00Z"
    # an anchor that includes a removed label maps to the spoken part only
    assert c2.quote == "Interviewer: Why" and t.text[c2.start:c2.end] == "Why"


def test_comment_across_paragraphs(tmp_path):
    body = ['<w:p><w:r><w:t xml:space="preserve">Interviewer: Start </w:t></w:r><w:commentRangeStart w:id="5"/>'
            '<w:r><w:t>here</w:t></w:r></w:p>', '<w:p><w:r><w:t>and end</w:t></w:r><w:commentRangeEnd w:id="5"/>'
            '<w:r><w:t xml:space="preserve"> there.</w:t></w:r></w:p>', p("R: ok.")]
    t = read_docx(make_docx(tmp_path / "c.docx", body, comments=[(5, "X", "code")]))
    (c,) = t.comments
    assert c.quote == "here\nand end" and t.text[c.start:c.end] == "here\nand end"


# --------------------------------------------------------------------------- unlabelled, false positives
def test_unlabelled_paragraphs_are_turns(tmp_path):
    lines = ["I really like learning new things.", "Note: the audio was poor here.",
             "We met at 10:30 and talked.", "Yes: I think so, mostly."]
    t = read_docx(lines_docx(tmp_path / "u.docx", lines))
    assert [x.text for x in t.turns] == lines
    assert all(x.speaker is None and x.role is None for x in t.turns)
    assert t.metadata["layout"] == "unlabelled"


def test_unlabelled_questions_do_not_make_an_interviewer(tmp_path):
    lines = ["Can you hear me?", "Yes.", "Good. Shall we start?", "Sure."]
    t = read_docx(lines_docx(tmp_path / "u.docx", lines))
    assert {x.role for x in t.turns} == {None}


def test_separator_blocks(tmp_path):
    lines = ["First answer.", "Still first.", "-----", "Second answer.", "-----", "Third."]
    t = read_docx(lines_docx(tmp_path / "s.docx", lines))
    assert [x.text for x in t.turns] == ["First answer.\nStill first.", "Second answer.", "Third."]


@pytest.mark.parametrize("lines", [
    ["Note: this session was shorter.", "Example: a badge from a university.", "The rest is prose."],
    ["Well – I think it depends.", "Yes – of course.", "So – what now?"],
    ["Summary: employers trust known issuers.", "Summary: learners stack courses."],
    ["At 10:30 we started.", "At 11:45 we stopped.", "In the end it was fine."],
    ["Interviewer: only one label in a long document of prose.", "Then prose.", "More prose.", "Even more."],
])
def test_no_false_labels(tmp_path, lines):
    t = read_docx(lines_docx(tmp_path / "f.docx", lines))
    assert all(x.speaker is None for x in t.turns), turns(t)
    assert len(t.turns) == len(lines)


def test_speaker_pattern_overrides_detection(tmp_path):
    lines = ["INT>> Do you use Europass?", "RESP>> Yes, for my CV.", "Note: prose line."]
    t = read_docx(lines_docx(tmp_path / "x.docx", lines), speaker_pattern=r"(?P<speaker>[A-Z]+)>>\s*")
    assert turns(t) == [("INT", "Do you use Europass?"), ("RESP", "Yes, for my CV.\nNote: prose line.")]
    t = read_docx(lines_docx(tmp_path / "y.docx", ["{12:01} Ana | Hello", "{12:05} Ben | Hi"]),
                  speaker_pattern=re.compile(r"\{(?P<time>[\d:]+)\} (?P<speaker>\w+) \| "))
    assert [(x.speaker, x.timestamp, x.text) for x in t.turns] == [("Ana", 721.0, "Hello"), ("Ben", 725.0, "Hi")]
    with pytest.raises(TranscriptError) as err:
        read_docx(tmp_path / "x.docx", speaker_pattern="(?P<speaker>[A-Z")
    assert err.value.code == "E112"
    with pytest.raises(TranscriptError) as err:
        read_docx(tmp_path / "x.docx", speaker_pattern=r"[A-Z]+:")
    assert err.value.code == "E112"


def test_id_language_source_and_public_api(tmp_path):
    path = lines_docx(tmp_path / "int-07.docx", ["Interviewer: Is the course recognised by the employers?",
                                                "R: No, it is not, and that is the problem for me."])
    t = mq.read_docx(path)
    assert t.id == "int-07" and t.source == str(path) and t.language == "en"
    assert mq.read_docx(path, id="case-7", language="de").id == "case-7"
    assert mq.read_docx(path, language="de").language == "de"
    assert "Interviewer" in t._repr_html_()


# --------------------------------------------------------------------------- bad input
def _bytes(tmp_path, name, data):
    f = tmp_path / name
    f.write_bytes(data)
    return f


@pytest.mark.parametrize("data, code", [
    (b"", "E108"),
    (b"%PDF-1.7\n%....", "E116"),
    (b"{\\rtf1\\ansi hello}", "E116"),
    (b"just some text, not a zip", "E101"),
    (b"PK\x03\x04" + b"\x00" * 40, "E104"),
])
def test_bad_bytes(tmp_path, data, code):
    with pytest.raises(TranscriptError) as err:
        read_docx(_bytes(tmp_path, "bad.docx", data))
    assert err.value.code == code
    assert "bad.docx" in str(err.value)


def _ole(stream_name: str) -> bytes:
    return b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 500 + stream_name.encode("utf-16-le") + b"\x00" * 100


def test_ole_files(tmp_path):
    with pytest.raises(TranscriptError) as err:
        read_docx(_bytes(tmp_path, "enc.docx", _ole("EncryptedPackage")))
    assert err.value.code == "E102"
    with pytest.raises(TranscriptError) as err:
        read_docx(_bytes(tmp_path, "old.docx", _ole("WordDocument")))
    assert err.value.code == "E103"


def test_truncated_zip(tmp_path):
    good = lines_docx(tmp_path / "good.docx", ["Interviewer: Hello?", "R: Hi."] * 50)
    data = good.read_bytes()
    with pytest.raises(TranscriptError) as err:
        read_docx(_bytes(tmp_path, "trunc.docx", data[: len(data) // 2]))
    assert err.value.code == "E104"


def test_missing_main_part_and_wrong_root(tmp_path):
    path = tmp_path / "nomain.docx"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(TranscriptError) as err:
        read_docx(path)
    assert err.value.code == "E105"
    path2 = tmp_path / "xlsx.docx"
    with zipfile.ZipFile(path2, "w") as zf:
        zf.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
                    'relationships"><Relationship Id="r" Type="http://schemas.openxmlformats.org/officeDocument/'
                    '2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>')
        zf.writestr("xl/workbook.xml", "<workbook/>")
    with pytest.raises(TranscriptError) as err:
        read_docx(path2)
    assert err.value.code == "E105"


def test_malformed_and_unsafe_xml(tmp_path):
    path = make_docx(tmp_path / "bad.docx", [p("x")], extra_parts={"word/document.xml": b"<w:document><w:body>"})
    with pytest.raises(TranscriptError) as err:
        read_docx(path)
    assert err.value.code == "E106"
    evil = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
            b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>'
            b'<w:r><w:t>&b;</w:t></w:r></w:p></w:body></w:document>')
    path = make_docx(tmp_path / "evil.docx", [p("x")], extra_parts={"word/document.xml": evil})
    with pytest.raises(TranscriptError) as err:
        read_docx(path)
    assert err.value.code == "E106"
    xxe = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
           b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body><w:p>'
           b'<w:r><w:t>&x;</w:t></w:r></w:p></w:body></w:document>')
    path = make_docx(tmp_path / "xxe.docx", [p("x")], extra_parts={"word/document.xml": xxe})
    with pytest.raises(TranscriptError) as err:
        read_docx(path)
    assert err.value.code == "E106"


def test_size_limits_and_zip_bomb(tmp_path):
    path = lines_docx(tmp_path / "big.docx", ["Interviewer: Hello?", "R: Hi."])
    with pytest.raises(TranscriptError) as err:
        read_docx(path, max_bytes=100)
    assert err.value.code == "E107"
    bomb = (b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"><w:body>'
            + b"<w:p/>" * 2_000_000 + b"</w:body></w:document>")
    path = make_docx(tmp_path / "bomb.docx", [p("x")], extra_parts={"word/document.xml": bomb})
    with pytest.raises(TranscriptError) as err:
        read_docx(path)
    assert err.value.code == "E107" and "ratio" in str(err.value)


def test_relationship_targets_stay_inside_the_package(tmp_path):
    from mcqual.io.ooxml import resolve_target

    assert resolve_target("word", "../../../etc/passwd") is None
    assert resolve_target("word", "C:/Windows/win.ini") is None
    path = make_docx(tmp_path / "esc.docx", [p("Interviewer: Hi?"), p("R: Hello.")],
                     extra_rels=[("rIdX", "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
                                  "comments", "../../../../etc/passwd")])
    assert len(read_docx(path).turns) == 2


def test_empty_document_warns(tmp_path):
    path = make_docx(tmp_path / "empty.docx", [p(""), p("   ")])
    with pytest.warns(UserWarning, match="no spoken text"):
        t = read_docx(path)
    assert t.turns == () and t.text == "" and t.warnings and "no spoken text" in t.warnings[0]


def test_missing_file():
    with pytest.raises(TranscriptError) as err:
        read_docx("does/not/exist.docx")
    assert err.value.code == "E100"
