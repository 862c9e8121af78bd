"""The text reader: .txt with the Word label conventions, encodings, WebVTT and SubRip captions."""
from __future__ import annotations

import pytest

import mcqual as mq
from mcqual.errors import TranscriptError
from mcqual.io.text import decode, read_text


def write(tmp_path, name, text, encoding="utf-8"):
    f = tmp_path / name
    f.write_bytes(text.encode(encoding) if isinstance(text, str) else text)
    return f


def turns(t):
    return [(x.speaker, x.timestamp, x.text) for x in t.turns]


# --------------------------------------------------------------------------- .txt
def test_txt_labels_paragraphs_and_offsets(tmp_path):
    text = ("Interview 3\nDate: 18 March 2026\nCountry: IE\n\n"
            "[00:00:05] Interviewer: Could you describe your role?\n"
            "[00:00:12] R: I run the lifelong-learning office.\nWe issue micro-credentials.\n\n"
            "Since 2021, mostly online.\n\n"
            "[00:01:00] Interviewer: Are they stackable?\n[00:01:04] R: Yes, up to a certificate.\n")
    t = read_text(write(tmp_path, "int-03.txt", text))
    assert turns(t) == [
        ("Interviewer", 5.0, "Could you describe your role?"),
        ("R", 12.0, "I run the lifelong-learning office.\nWe issue micro-credentials.\nSince 2021, mostly online."),
        ("Interviewer", 60.0, "Are they stackable?"), ("R", 64.0, "Yes, up to a certificate.")]
    assert t.metadata["date"] == "18 March 2026" and t.metadata["country"] == "IE"
    assert [x.role for x in t.turns] == ["interviewer", "respondent"] * 2
    for x in t.turns:
        assert t.text[x.start:x.end] == x.text
    assert all(par.part == "text" for par in t.paragraphs)
    assert t.turns[1].paragraphs == (1, 2)


def test_txt_crlf_and_unlabelled(tmp_path):
    text = "First answer, on two\r\nwrapped lines.\r\n\r\nSecond answer.\r\n"
    t = read_text(write(tmp_path, "u.txt", text))
    assert [x.text for x in t.turns] == ["First answer, on two\nwrapped lines.", "Second answer."]
    assert {x.speaker for x in t.turns} == {None}
    assert "\r" not in t.text


def test_txt_dash_labels_and_pattern(tmp_path):
    t = read_text(write(tmp_path, "d.txt", "I – [00:12:31] Hello Dona Rosa?\nR – Yes, it's me.\nI – Good.\n"))
    assert turns(t) == [("I", 751.0, "Hello Dona Rosa?"), ("R", None, "Yes, it's me."), ("I", None, "Good.")]
    t = read_text(write(tmp_path, "p.txt", "A>> one\nB>> two\n"), speaker_pattern=r"(?P<speaker>\w)>> ")
    assert [x.speaker for x in t.turns] == ["A", "B"]
    with pytest.raises(TranscriptError) as err:
        read_text(tmp_path / "p.txt", speaker_pattern="(unclosed")
    assert err.value.code == "E112"


@pytest.mark.parametrize("encoding, bom", [
    ("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"),
    ("cp1252", b""),
])
def test_encodings(tmp_path, encoding, bom):
    text = "Interviewer: Qu’est-ce qui compte – la qualité?\nR: Die Qualität, natürlich… €200.\n"
    f = write(tmp_path, "e.txt", bom + text.encode(encoding))
    t = read_text(f)
    assert t.turns[1].text == "Die Qualität, natürlich… €200."
    assert t.turns[0].text == "Qu’est-ce qui compte – la qualité?"


def test_utf16_without_bom_and_greek(tmp_path):
    f = write(tmp_path, "g.txt", "Interviewer: Τι είναι;\nR: Αυτή είναι μια δοκιμή.\n".encode("utf-16-le"))
    assert read_text(f).turns[1].text == "Αυτή είναι μια δοκιμή."


def test_forced_encoding_and_invalid(tmp_path):
    f = write(tmp_path, "l.txt", "R: café".encode("latin-1"))
    assert read_text(f, encoding="latin-1").text.endswith("café")
    with pytest.raises(TranscriptError) as err:
        read_text(f, encoding="utf-8")
    assert err.value.code == "E109"
    with pytest.raises(TranscriptError) as err:
        read_text(f, encoding="no-such-codec")
    assert err.value.code == "E109"
    with pytest.raises(TranscriptError) as err:
        read_text(write(tmp_path, "bin.txt", bytes(range(0, 32)) * 20 + b"\x81\x8d"))
    assert err.value.code == "E109"
    assert decode(b"caf\xe9") == "café"


@pytest.mark.parametrize("data, code", [
    (b"", "E108"), (b"%PDF-1.4 binary", "E116"), (b"{\\rtf1 hi}", "E116"), (b"PK\x03\x04zipdata", "E110"),
])
def test_bad_text_files(tmp_path, data, code):
    with pytest.raises(TranscriptError) as err:
        read_text(write(tmp_path, "bad.txt", data))
    assert err.value.code == code


def test_whitespace_only_file_is_empty_transcript(tmp_path):
    with pytest.warns(UserWarning, match="no spoken text"):
        t = read_text(write(tmp_path, "w.txt", "\n  \n\t\n"))
    assert t.turns == () and t.warnings


# --------------------------------------------------------------------------- WebVTT
VTT = """WEBVTT - Interview 12
Kind: captions
Language: en

NOTE recorded in Teams

1
00:00:01.000 --> 00:00:03.500
<v Clara Weber>Hello Maria, can you hear me?</v>

2
00:00:04.000 --> 00:00:06.000 align:start
<v Maria Lindqvist>Yes, I can.</v>

3
00:00:06.200 --> 00:00:09.000
<v Maria Lindqvist>The union is <i>worried</i> &amp; curious.</v>

STYLE
::cue { color: white }

00:00:10.000 --> 00:00:12.000
<v.loud Clara Weber>Why worried?
Tell me more.</v>
"""


def test_vtt_voices_merge_and_metadata(tmp_path):
    t = read_text(write(tmp_path, "int-12.vtt", VTT))
    assert turns(t) == [("Clara Weber", 1.0, "Hello Maria, can you hear me?"),
                        ("Maria Lindqvist", 4.0, "Yes, I can. The union is worried & curious."),
                        ("Clara Weber", 10.0, "Why worried? Tell me more.")]
    assert [x.role for x in t.turns] == ["interviewer", "respondent", "interviewer"]
    assert t.metadata["title"] == "Interview 12" and t.metadata["notes"] == ("recorded in Teams",)
    assert t.metadata["cues"] == 4 and t.language == "en"
    assert t.turns[1].paragraphs == (1, 2)
    for x in t.turns:
        assert t.text[x.start:x.end] == x.text


def test_vtt_zoom_labels_and_unlabelled_continuation(tmp_path):
    vtt = ("WEBVTT\n\n1\n00:00:01.000 --> 00:00:02.000\nAna Silva: Do you trust it?\n\n"
           "2\n00:00:02.500 --> 00:00:04.000\nBen Roth: Not yet.\n\n3\n00:00:04.100 --> 00:00:05.000\n"
           "It depends on the issuer.\n\n4\n00:00:06.000 --> 00:00:07.000\nAna Silva: Which issuer?\n")
    t = read_text(write(tmp_path, "z.vtt", vtt))
    assert turns(t) == [("Ana Silva", 1.0, "Do you trust it?"),
                        ("Ben Roth", 2.5, "Not yet. It depends on the issuer."), ("Ana Silva", 6.0, "Which issuer?")]


def test_vtt_without_speakers_splits_at_pauses(tmp_path):
    vtt = ("WEBVTT\n\n00:01.000 --> 00:02.000\nfirst part\n\n00:02.100 --> 00:03.000\nstill first\n\n"
           "00:06.000 --> 00:07.000\nafter a pause\n")
    t = read_text(write(tmp_path, "n.vtt", vtt))
    assert turns(t) == [(None, 1.0, "first part still first"), (None, 6.0, "after a pause")]


@pytest.mark.parametrize("text, line", [
    ("not a vtt\n\n00:01.000 --> 00:02.000\nx\n", 1),
    ("WEBVTT\n\n1\njust text without timing\n", 3),
    ("WEBVTT\n\n00:01.000 --> later\nx\n", 3),
])
def test_malformed_vtt(tmp_path, text, line):
    with pytest.raises(TranscriptError) as err:
        read_text(write(tmp_path, "bad.vtt", text))
    assert err.value.code == "E111" and err.value.line == line


# --------------------------------------------------------------------------- SubRip
SRT = """1
00:00:01,000 --> 00:00:03,000
Moderator: Welcome, everyone.

2
00:00:03,500 --> 00:00:05,000
P1: <i>Thanks</i>, glad to be here.

3
00:00:05,100 --> 00:00:07,000
{\\an8}I did two courses.

4
00:00:08,000 --> 00:00:09,000
Moderator: Which ones?
"""


def test_srt(tmp_path):
    t = read_text(write(tmp_path, "fg.srt", SRT))
    assert turns(t) == [("Moderator", 1.0, "Welcome, everyone."), ("P1", 3.5, "Thanks, glad to be here. I did two courses."),
                        ("Moderator", 8.0, "Which ones?")]
    assert [x.role for x in t.turns] == ["interviewer", "respondent", "interviewer"]


def test_malformed_srt(tmp_path):
    with pytest.raises(TranscriptError) as err:
        read_text(write(tmp_path, "bad.srt", "1\n00:00:01,000 --> 00:00:02,000\nok\n\n2\nno timing here\n"))
    assert err.value.code == "E111" and err.value.line == 5


def test_public_api(tmp_path):
    f = write(tmp_path, "x.txt", "Q: Why?\nA: Because.\n")
    assert mq.read_text(f, id="case-1").id == "case-1"


def test_a_few_nuls_in_ascii_text_are_not_utf16(tmp_path):
    from mcqual.io.text import decode

    f = tmp_path / "nul.txt"
    f.write_bytes(b"Interviewer: hello\x00 there\nR: fine\x00\x00\n")
    t = read_text(f)
    assert [x.text for x in t.turns] == ["hello there", "fine"]
    assert decode("Ελληνικά κείμενο για το θέμα".encode("utf-16-be")) == "Ελληνικά κείμενο για το θέμα"
    assert decode("Interviewer: hi\nR: ok".encode("utf-16-le")) == "Interviewer: hi\nR: ok"


def test_blank_line_blocks_are_found_without_a_string_per_line():
    from mcqual.io.text import _text_paragraphs

    assert [p.text for p in _text_paragraphs("a\nb\n \t\n\nc\n" + "x" * 100 + "\n\n\n")] == ["a\nb", "c\n" + "x" * 100]
    assert _text_paragraphs("\n\n") == []
