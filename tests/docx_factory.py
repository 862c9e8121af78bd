"""Build small .docx files for the reader tests, from raw WordprocessingML.

Raw XML gives full control over what Word and transcription tools write
(``document2.xml`` as the main part, comments, tracked changes, fields,
headers/footers, footnotes) and is fast enough for property tests.

    make_docx(path, [p("Interviewer: Hello?"), p(r("R:", bold=True), r(" Hi."))])
"""
from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Iterable, Sequence
from xml.sax.saxutils import escape

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS = f'xmlns:w="{W}" xmlns:r="{R}"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"


def r(text: str = "", *, bold: bool = False, hidden: bool = False) -> str:
    """A run; ``"\\n"`` in ``text`` becomes ``<w:br/>`` and ``"\\t"`` ``<w:tab/>``."""
    props = ""
    if bold or hidden:
        props = "<w:rPr>" + ("<w:b/>" if bold else "") + ("<w:vanish/>" if hidden else "") + "</w:rPr>"
    out = []
    for k, line in enumerate(text.split("\n")):
        if k:
            out.append("<w:br/>")
        for j, chunk in enumerate(line.split("\t")):
            if j:
                out.append("<w:tab/>")
            if chunk:
                out.append(f'<w:t xml:space="preserve">{escape(chunk)}</w:t>')
    return f"<w:r>{props}{''.join(out)}</w:r>"


def p(*parts: str, style: str | None = None) -> str:
    """A paragraph of runs (plain strings become runs)."""
    ppr = f'<w:pPr><w:pStyle w:val="{style}"/></w:pPr>' if style else ""
    body = "".join(x if x.startswith("<") else r(x) for x in parts)
    return f"<w:p>{ppr}{body}</w:p>"


def ins(text: str) -> str:
    return f'<w:ins w:id="90" w:author="A" w:date="2024-01-01T00:00:00Z">{r(text)}</w:ins>'


def dele(text: str) -> str:
    return (f'<w:del w:id="91" w:author="A" w:date="2024-01-01T00:00:00Z"><w:r>'
            f'<w:delText xml:space="preserve">{escape(text)}</w:delText></w:r></w:del>')


def field(instr: str, result: str) -> str:
    """A complex field: instruction dropped, result kept."""
    return ('<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
            f'<w:r><w:instrText xml:space="preserve"> {escape(instr)} </w:instrText></w:r>'
            '<w:r><w:fldChar w:fldCharType="separate"/></w:r>'
            f'{r(result)}<w:r><w:fldChar w:fldCharType="end"/></w:r>')


def simple_field(instr: str, result: str) -> str:
    return f'<w:fldSimple w:instr="{escape(instr)}">{r(result)}</w:fldSimple>'


def hyperlink(text: str, rid: str = "rIdLink") -> str:
    return f'<w:hyperlink r:id="{rid}">{r(text)}</w:hyperlink>'


def footnote_ref(n: int = 1) -> str:
    return f'<w:r><w:footnoteReference w:id="{n}"/></w:r>'


def comment(cid: int, inner: str) -> str:
    """Runs anchored by comment ``cid``."""
    return (f'<w:commentRangeStart w:id="{cid}"/>{inner}<w:commentRangeEnd w:id="{cid}"/>'
            f'<w:r><w:commentReference w:id="{cid}"/></w:r>')


def table(rows: Sequence[Sequence[str | Sequence[str]]]) -> str:
    """A table; each cell is a string (one paragraph) or a list of paragraph strings."""
    out = ["<w:tbl>"]
    for row in rows:
        out.append("<w:tr>")
        for cell in row:
            paras = [cell] if isinstance(cell, str) else list(cell)
            out.append("<w:tc>" + "".join(p(x) if not x.startswith("<w:p") else x for x in paras or [""]) + "</w:tc>")
        out.append("</w:tr>")
    out.append("</w:tbl>")
    return "".join(out)


def _doc(body: Iterable[str], root: str = "document") -> str:
    inner = "".join(body)
    if root == "document":
        return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:document {NS}><w:body>{inner}</w:body></w:document>'
    return f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?><w:{root} {NS}>{inner}</w:{root}>'


def make_docx(path: str | Path, body: str | Iterable[str], *, main: str = "word/document.xml",
              comments: Sequence[tuple[int, str, str]] = (), header: Sequence[str] = (),
              footer: Sequence[str] = (), footnotes: Sequence[str] = (), core: dict[str, str] | None = None,
              extra_parts: dict[str, bytes] | None = None, package_rels: bool = True,
              extra_rels: Sequence[tuple[str, str, str]] = ()) -> Path:
    """Write a .docx; ``comments`` are ``(id, author, text)``; ``header``/``footer``/``footnotes`` paragraphs."""
    path = Path(path)
    body_parts = [body] if isinstance(body, str) else list(body)
    folder, _, name = main.rpartition("/")
    rels = []
    ctypes = ['<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>',
              '<Default Extension="xml" ContentType="application/xml"/>',
              f'<Override PartName="/{main}" ContentType="application/vnd.openxmlformats-officedocument.'
              'wordprocessingml.document.main+xml"/>']
    files: dict[str, bytes] = {main: _doc(body_parts).encode("utf-8")}
    if comments:
        xml = "".join(f'<w:comment w:id="{cid}" w:author="{escape(author)}" w:date="2024-05-01T10:00:00Z" '
                      f'w:initials="X">{p(text)}</w:comment>' for cid, author, text in comments)
        files[f"{folder}/comments.xml"] = _doc([xml], "comments").encode()
        rels.append(("rIdC", f"{REL}/comments", "comments.xml"))
    if header:
        files[f"{folder}/header1.xml"] = _doc([p(x) for x in header], "hdr").encode()
        rels.append(("rIdH", f"{REL}/header", "header1.xml"))
    if footer:
        files[f"{folder}/footer1.xml"] = _doc([p(x) for x in footer], "ftr").encode()
        rels.append(("rIdF", f"{REL}/footer", "footer1.xml"))
    if footnotes:
        notes = ['<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>']
        notes += [f'<w:footnote w:id="{i + 1}">{p(x)}</w:footnote>' for i, x in enumerate(footnotes)]
        files[f"{folder}/footnotes.xml"] = _doc(notes, "footnotes").encode()
        rels.append(("rIdN", f"{REL}/footnotes", "footnotes.xml"))
    rels.append(("rIdLink", f"{REL}/hyperlink", "https://europa.eu"))
    rels.extend(extra_rels)
    external = ' TargetMode="External"'
    rel_xml = "".join(
        f'<Relationship Id="{i}" Type="{t}" Target="{escape(tg)}"{external if tg.startswith("http") else ""}/>'
        for i, t, tg in rels)
    files[f"{folder}/_rels/{name}.rels"] = (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships '
        f'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">{rel_xml}</Relationships>').encode()
    pkg_rels = [("rId1", f"{REL}/officeDocument", main)]
    if core is not None:
        props = "".join(f"<dc:{k}>{escape(v)}</dc:{k}>" for k, v in core.items() if k in ("title", "creator"))
        if "created" in core:
            props += f'<dcterms:created xsi:type="dcterms:W3CDTF">{core["created"]}</dcterms:created>'
        files["docProps/core.xml"] = (
            '<?xml version="1.0" encoding="UTF-8"?><cp:coreProperties '
            'xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/" '
            'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">' + props + "</cp:coreProperties>").encode()
        pkg_rels.append(("rId2", "http://schemas.openxmlformats.org/package/2006/relationships/metadata/"
                                 "core-properties", "docProps/core.xml"))
    if package_rels:
        files["_rels/.rels"] = (
            '<?xml version="1.0" encoding="UTF-8"?><Relationships '
            'xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="{i}" Type="{t}" Target="{tg}"/>' for i, t, tg in pkg_rels)
            + "</Relationships>").encode()
    files["[Content_Types].xml"] = (
        '<?xml version="1.0" encoding="UTF-8"?><Types '
        'xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' + "".join(ctypes) + "</Types>").encode()
    files.update(extra_parts or {})
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name_, data in files.items():
            zf.writestr(name_, data)
    return path


def lines_docx(path: str | Path, lines: Iterable[str], **kwargs) -> Path:
    """One paragraph per line (``"\\n"`` inside a line becomes a line break)."""
    return make_docx(path, [p(x) for x in lines], **kwargs)
