"""Fuzz the .docx and text readers over mutated real files (hypothesis; bounded to ~25 s in total).

A reader may accept a mutated file or refuse it with a numbered McqualError; anything else
(an IndexError, a RecursionError, a hang) is a bug. Whatever this finds becomes a case in
``tests/hostile.py`` or a regression test below.
"""
from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mcqual.errors import McqualError

pytestmark = pytest.mark.filterwarnings("ignore::UserWarning")  # "no spoken text found" etc. are expected

ROOT = Path(__file__).resolve().parents[1]
DOCX = sorted((ROOT / "transcripts").glob("int-0[1-3].docx"))
TXT_SEED = ("[00:00:03] Anna Kowalska: Hello, can you hear me?\n\nR1: Yes. Łódź, Köln — “quotes”.\n"
            "WEBVTT\n\n00:00.000 --> 00:01.000\n<v Anna>Hi</v>\n").encode("utf-8")
FUZZ = settings(max_examples=400, deadline=None, derandomize=True, database=None,
                suppress_health_check=list(HealthCheck))


def _check(t) -> None:
    for turn in t.turns:
        assert t.text[turn.start:turn.end] == turn.text
        assert 0 <= turn.start <= turn.end <= len(t.text)


def _read(path: Path):
    from mcqual.io.transcripts import read_one

    t0 = time.monotonic()
    try:
        t = read_one(path)
    except McqualError as err:
        assert err.code.startswith("E1") and str(path) in str(err)
        return None
    finally:
        assert time.monotonic() - t0 < 5
    _check(t)
    return t


def _members(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


@pytest.fixture(scope="module")
def seeds():
    if not DOCX:
        pytest.skip("the sample study .docx files are not built")
    return [_members(p) for p in DOCX]


mutation = st.tuples(st.sampled_from(["flip", "insert", "delete", "truncate", "splice"]),
                     st.floats(0, 1), st.binary(min_size=1, max_size=24))


def _mutate(data: bytes, ops) -> bytes:
    buf = bytearray(data)
    for kind, where, payload in ops:
        i = int(where * len(buf)) if buf else 0
        if kind == "flip" and buf:
            buf[min(i, len(buf) - 1)] ^= payload[0] or 0xFF
        elif kind == "insert":
            buf[i:i] = payload
        elif kind == "delete":
            del buf[i:i + len(payload)]
        elif kind == "truncate":
            del buf[i:]
        elif kind == "splice":
            buf[i:i] = [b"<w:p>", b"</w:t>", b"<!DOCTYPE x>", b"&amp;", b"\x00", b"<w:tbl>", b"]]>"][payload[0] % 7]
    return bytes(buf)


@FUZZ
@given(which=st.integers(0, 2), ops=st.lists(mutation, min_size=1, max_size=6),
       part=st.sampled_from(["word/document.xml", "_rels/.rels", "[Content_Types].xml", "docProps/core.xml"]))
def test_docx_reader_survives_mutated_xml(seeds, tmp_path_factory, which, ops, part):
    members = dict(seeds[which % len(seeds)])
    if part in members:
        members[part] = _mutate(members[part], ops)
    path = tmp_path_factory.mktemp("fz") / "mutated.docx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    _read(path)


@FUZZ
@given(which=st.integers(0, 2), ops=st.lists(mutation, min_size=1, max_size=4))
def test_docx_reader_survives_mutated_zip_bytes(which, ops, tmp_path_factory):
    if not DOCX:
        pytest.skip("the sample study .docx files are not built")
    data = DOCX[which % len(DOCX)].read_bytes()
    path = tmp_path_factory.mktemp("fz") / "mutated.docx"
    path.write_bytes(_mutate(data, ops))
    _read(path)


@FUZZ
@given(ops=st.lists(mutation, min_size=1, max_size=6), suffix=st.sampled_from([".txt", ".vtt", ".srt"]))
def test_text_reader_survives_mutated_bytes(ops, suffix, tmp_path_factory):
    path = tmp_path_factory.mktemp("fz") / f"mutated{suffix}"
    path.write_bytes(_mutate(TXT_SEED, ops))
    _read(path)


@FUZZ
@given(text=st.text(max_size=300))
def test_text_reader_reads_any_unicode(text, tmp_path_factory):
    path = tmp_path_factory.mktemp("fz") / "any.txt"
    path.write_text("R1: " + text, encoding="utf-8")
    t = _read(path)
    if t is not None:
        assert t.text.strip()  # what was read is not silently empty


def test_unmutated_seeds_read(seeds, tmp_path):
    for p in DOCX:
        t = _read(p)
        assert t is not None and len(t.turns) > 10
