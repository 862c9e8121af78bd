"""Property tests: generated transcripts written to .docx and .txt read back to the same turns."""
from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from mcqual.io.docx import read_docx
from mcqual.io.text import read_text

from docx_factory import make_docx, p, r

# words never start a line with a capital, digit or bracket, so no text can pass for a label
WORD = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéüøαβγ", min_size=1, max_size=9)
TAIL = st.text(alphabet="abcdefghijklmnopqrstuvwxyzABCXYZéüαβγ0123456789,.;:?!'’“”–-()€ \u00a0",
               min_size=0, max_size=40)
PARAGRAPH = st.builds(lambda w, tail: (w + " " + tail).strip(), WORD, TAIL).filter(lambda s: s.strip() == s)
TURN_TEXT = st.lists(PARAGRAPH, min_size=1, max_size=3)

STYLES = {
    # style: (speaker names, how a turn's first paragraph is written)
    "colon": (["Interviewer", "R1", "P2"], lambda s, t, ts: [f"{s}: {t[0]}"] + t[1:]),
    "names": (["Anna Kowalska", "Tomasz Wieczorek", "Siobhán Murphy"], lambda s, t, ts: [f"{s}: {t[0]}"] + t[1:]),
    "dash": (["I", "R", "C"], lambda s, t, ts: [f"{s} – {t[0]}"] + t[1:]),
    "bracket_time": (["Moderator", "P1", "P3"], lambda s, t, ts: [f"[{_hms(ts)}] {s}: {t[0]}"] + t[1:]),
    "teams": (["Jordan Lee", "Alex Morgan", "Priya Sharma"], lambda s, t, ts: [f"{s}   {_ms(ts)}"] + t),
    "transcribe": (["Speaker 1", "Speaker 2", "Speaker 3"], lambda s, t, ts: [f"{_hms(ts)} {s}"] + t),
}
TIMED = {"bracket_time", "teams", "transcribe"}


def _hms(s: int) -> str:
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _ms(s: int) -> str:
    return f"{s // 60}:{s % 60:02d}"


@st.composite
def transcripts(draw):
    style = draw(st.sampled_from(sorted(STYLES)))
    names = STYLES[style][0][: draw(st.integers(2, 3))]
    n = draw(st.integers(4, 9))
    speakers = draw(st.lists(st.sampled_from(names), min_size=n, max_size=n))
    assume(all(speakers.count(s) >= 2 for s in set(speakers)) and len(set(speakers)) >= 2)
    texts = [draw(TURN_TEXT) for _ in range(n)]
    gaps = draw(st.lists(st.integers(1, 400), min_size=n, max_size=n))
    times = [sum(gaps[: i + 1]) for i in range(n)]
    return style, speakers, texts, times


def _check(t, speakers, texts, times, style):
    assert [x.speaker for x in t.turns] == speakers
    assert [x.text for x in t.turns] == ["\n".join(x) for x in texts]
    if style in TIMED:
        assert [x.timestamp for x in t.turns] == [float(x) for x in times]
    prev = 0
    for x in t.turns:
        assert t.text[x.start:x.end] == x.text
        assert prev <= x.start <= x.end
        prev = x.end
    for para in t.paragraphs:
        if para.start >= 0:
            assert para.source_text.strip().endswith(t.text[para.start:para.end].split("\n")[-1].strip())


SETTINGS = settings(max_examples=int(__import__("os").environ.get("MCQUAL_HYPOTHESIS_EXAMPLES", 60)), deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                            HealthCheck.filter_too_much])


@SETTINGS
@given(transcripts(), st.booleans())
def test_docx_round_trip(data, bold):
    style, speakers, texts, times = data
    body = []
    for s, t, ts in zip(speakers, texts, times):
        paras = STYLES[style][1](s, t, ts)
        first = paras[0]
        if bold and style in ("colon", "names"):
            label, _, rest = first.partition(": ")
            body.append(p(r(label + ":", bold=True), r(" " + rest)))
        else:
            body.append(p(first))
        body.extend(p(x) for x in paras[1:])
    with tempfile.TemporaryDirectory() as d:
        t = read_docx(make_docx(Path(d) / "g.docx", body))
    _check(t, speakers, texts, times, style)


@SETTINGS
@given(transcripts(), st.sampled_from(["\n", "\r\n"]), st.sampled_from(["utf-8", "utf-8-sig", "utf-16"]))
def test_txt_round_trip(data, newline, encoding):
    style, speakers, texts, times = data
    lines = []
    for s, t, ts in zip(speakers, texts, times):
        lines.extend(STYLES[style][1](s, t, ts))
    with tempfile.TemporaryDirectory() as d:
        f = Path(d) / "g.txt"
        f.write_bytes(newline.join(lines).encode(encoding))
        t = read_text(f)
    _check(t, speakers, texts, times, style)


@SETTINGS
@given(st.lists(st.lists(PARAGRAPH, min_size=1, max_size=2), min_size=1, max_size=6))
def test_unlabelled_docx_round_trip(paragraph_groups):
    paras = [x for g in paragraph_groups for x in g]
    with tempfile.TemporaryDirectory() as d:
        t = read_docx(make_docx(Path(d) / "u.docx", [p(x) for x in paras]))
    assert [x.text for x in t.turns] == paras
    assert all(x.speaker is None and x.role is None for x in t.turns)
