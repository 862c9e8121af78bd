"""Safe access to an Office Open XML package (.docx): sniffing, zip limits, relationships, XML.

Everything mcqual reads from a Word file goes through :class:`Package`:

* the first bytes are sniffed, so a legacy ``.doc``, an encrypted document, a
  PDF or RTF renamed ``.docx``, or an empty file gets its own numbered error;
* every zip member is checked *before* it is inflated: its declared size
  (``max_part``), its compression ratio (zip bombs) and the running total;
* relationship targets are resolved inside the package only (``../`` escapes and
  external targets are ignored) and part names are matched case-insensitively,
  as the OPC standard says;
* XML is parsed with entities, DTDs and network access off; a part that carries
  a DTD or an entity declaration is refused (E106).

Examples
--------
>>> sniff(b"%PDF-1.7"), sniff(b"PK\\x03\\x04"), sniff(b"")
('pdf', 'zip', 'empty')
"""
from __future__ import annotations

import os
import posixpath
import zipfile
import zlib
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .._xml import has_dtd
from ..errors import TranscriptError

#: largest .docx file mcqual opens (bytes); pass ``max_bytes=`` to change it
MAX_FILE_BYTES = 200 * 2**20
#: largest single XML part inflated
MAX_PART_BYTES = 128 * 2**20
#: largest total inflated for one document
MAX_TOTAL_BYTES = 256 * 2**20
#: longest text node (one run of text) the XML parser accepts: libxml2's limit without XML_PARSE_HUGE
MAX_TEXT_NODE = 10_000_000
#: a member whose inflated size exceeds this multiple of its compressed size is a zip bomb
MAX_RATIO = 200

PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
OFFICE_DOC = ("/officeDocument",)
CORE_PROPS = "/metadata/core-properties"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def sniff(head: bytes) -> str:
    """What the first bytes of a file say it is: zip, ole, pdf, rtf, empty or unknown."""
    if not head:
        return "empty"
    if head.startswith((b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")):
        return "zip"
    if head.startswith(_OLE_MAGIC):
        return "ole"
    stripped = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if stripped.startswith(b"%PDF"):
        return "pdf"
    if stripped.startswith(b"{\\rtf"):
        return "rtf"
    return "unknown"


def _ole_error(path: Path) -> TranscriptError:
    """E102 for an encrypted OOXML file, E103 for a legacy .doc (told apart by the OLE stream names)."""
    try:
        with open(path, "rb") as fh:
            data = fh.read(4 * 2**20)
    except OSError:  # pragma: no cover - raced away
        data = b""
    if "EncryptedPackage".encode("utf-16-le") in data or "EncryptionInfo".encode("utf-16-le") in data:
        return TranscriptError("E102", "the file is a password-protected (encrypted) Word document", path=path)
    if "WordDocument".encode("utf-16-le") in data:
        return TranscriptError("E103", "the file is a legacy Word 97-2003 .doc, not a .docx", path=path)
    return TranscriptError("E103", "the file is an OLE compound file (a legacy .doc or an encrypted document), "
                           "not a .docx", path=path)


def _parser():
    from lxml import etree

    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                           remove_comments=True, remove_pis=True, dtd_validation=False)


_PARSER = None


def parse_xml(data: bytes, *, path: Any = None, part: str = "") -> Any:
    """Parse one XML part safely; E106 for malformed XML, a DTD or entity declarations.

    Examples
    --------
    >>> parse_xml(b"<a><b>x</b></a>").findtext("b")
    'x'
    >>> try:
    ...     parse_xml(b'<!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>')
    ... except TranscriptError as err:
    ...     print(err.code)
    E106
    """
    global _PARSER
    from lxml import etree

    check_declarations(data, path=path, part=part)
    if _PARSER is None:
        _PARSER = _parser()
    try:
        root = etree.fromstring(data, _PARSER)
    except etree.XMLSyntaxError as exc:
        raise xml_error(exc, path=path, part=part) from None
    if root is None:
        raise TranscriptError("E106", f"empty XML in {part or 'a part'}", path=path)
    if has_dtd(root):  # a UTF-16 part hides "<!DOCTYPE" from the byte check above
        raise TranscriptError("E106", f"<!DOCTYPE> or <!ENTITY> declarations are refused in {part or 'the XML'}",
                              path=path)
    return root


def check_declarations(data: bytes, *, path: Any = None, part: str = "") -> None:
    """E106 when UTF-8 bytes carry ``<!DOCTYPE``/``<!ENTITY`` (UTF-16 parts are checked after parsing)."""
    head = data[:4096]
    if b"<!DOCTYPE" in head or b"<!ENTITY" in head or b"<!ENTITY" in data:
        raise TranscriptError("E106", f"<!DOCTYPE> or <!ENTITY> declarations are refused in {part or 'the XML'}",
                              path=path)


def xml_error(exc: Exception, *, path: Any = None, part: str = "") -> TranscriptError:
    """The numbered error for an lxml syntax error: E107 for a text run over the parser's limit, else E106."""
    if "Text node too long" in str(exc) or "huge text node" in str(exc).casefold():
        return TranscriptError("E107", f"a paragraph in {part or 'a part'} holds more than {MAX_TEXT_NODE:,} "
                               "characters of unbroken text (no transcript turn is that long)", path=path)
    return TranscriptError("E106", f"malformed XML in {part or 'a part'}: {exc}", path=path)


class Package:
    """An opened .docx zip with size limits and safe relationship resolution.

    Use as a context manager; :func:`open_package` raises the numbered errors.
    """

    def __init__(self, path: Path, zf: zipfile.ZipFile, *, max_part: int = MAX_PART_BYTES,
                 max_total: int = MAX_TOTAL_BYTES) -> None:
        self.path = path
        self.zf = zf
        self.max_part = max_part
        self.max_total = max_total
        self.inflated = 0
        self._rels: dict[str, list[tuple[str, str, str]]] = {}
        self.names = {i.filename.lstrip("/").casefold(): i for i in zf.infolist() if not i.is_dir()}

    def __enter__(self) -> "Package":
        return self

    def __exit__(self, *exc: object) -> None:
        self.zf.close()

    def has(self, name: str) -> bool:
        return name.lstrip("/").casefold() in self.names

    def read(self, name: str) -> bytes:
        """Inflate one member after checking its size and compression ratio."""
        info = self.names.get(name.lstrip("/").casefold())
        if info is None:
            raise TranscriptError("E105", f"the package has no part {name!r}", path=self.path)
        if info.file_size > self.max_part:
            raise TranscriptError("E107", f"part {name} would inflate to {info.file_size:,} bytes "
                                  f"(limit {self.max_part:,})", path=self.path)
        if info.file_size > 2**20 and info.file_size > MAX_RATIO * max(info.compress_size, 1):
            raise TranscriptError("E107", f"part {name} has a compression ratio above {MAX_RATIO}:1 "
                                  "(a zip bomb?)", path=self.path)
        if self.inflated + info.file_size > self.max_total:
            raise TranscriptError("E107", f"the package inflates to more than {self.max_total:,} bytes",
                                  path=self.path)
        try:
            with self.zf.open(info) as fh:
                data = fh.read(self.max_part + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, ValueError) as exc:
            raise TranscriptError("E104", f"cannot inflate {name}: {exc}", path=self.path) from None
        if len(data) > self.max_part:  # pragma: no cover - zipfile stops at the declared size
            raise TranscriptError("E107", f"part {name} is larger than declared", path=self.path)
        self.inflated += len(data)
        return data

    def xml(self, name: str) -> Any:
        return parse_xml(self.read(name), path=self.path, part=name)

    def rels(self, source: str = "") -> list[tuple[str, str, str]]:
        """``(id, type, target part)`` of the relationships of ``source`` ('' = the package), internal only."""
        if source in self._rels:
            return self._rels[source]
        folder, base = posixpath.split(source.lstrip("/"))
        rels_name = posixpath.join(folder, "_rels", base + ".rels") if source else "_rels/.rels"
        if not self.has(rels_name):
            return []
        root = self.xml(rels_name)
        out = []
        for rel in root.iter(f"{{{PKG_REL}}}Relationship"):
            if (rel.get("TargetMode") or "").casefold() == "external":
                continue
            target = resolve_target(folder, rel.get("Target") or "")
            if target is not None:
                out.append((rel.get("Id") or "", rel.get("Type") or "", target))
        self._rels[source] = out
        return out

    def main_part(self) -> str:
        """The officeDocument part named in ``_rels/.rels`` (``word/document.xml``, or ``document2.xml``)."""
        for _, rtype, target in self.rels(""):
            if rtype.endswith(OFFICE_DOC) and self.has(target):
                return target
        if self.has("word/document.xml"):
            return "word/document.xml"
        raise TranscriptError("E105", "no officeDocument relationship in _rels/.rels and no word/document.xml",
                              path=self.path)

    def core_properties(self) -> dict[str, str]:
        """Title, creator, created… from ``docProps/core.xml`` (empty values dropped)."""
        target = next((t for _, rtype, t in self.rels("") if rtype.endswith(CORE_PROPS)), "docProps/core.xml")
        if not self.has(target):
            return {}
        try:
            root = self.xml(target)
        except TranscriptError:
            return {}
        names = {"title": "title", "creator": "creator", "created": "created", "modified": "modified",
                 "lastModifiedBy": "last_modified_by", "subject": "subject", "description": "description",
                 "keywords": "keywords", "language": "language", "category": "category"}
        out = {}
        for el in root:
            if not isinstance(el.tag, str):
                continue
            key = names.get(el.tag.rpartition("}")[2])
            value = (el.text or "").strip()
            if key and value:
                out[key] = value
        return out


def resolve_target(folder: str, target: str) -> str | None:
    """A relationship target as a part name, or None when it points outside the package.

    Examples
    --------
    >>> resolve_target("word", "comments.xml"), resolve_target("word", "/word/document2.xml")
    ('word/comments.xml', 'word/document2.xml')
    >>> resolve_target("word", "../../etc/passwd") is None
    True
    """
    target = unquote(target.strip())
    if not target or "\\" in target or ":" in target.split("/")[0]:
        return None
    joined = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
    norm = posixpath.normpath(joined)
    if norm.startswith("..") or norm.startswith("/") or norm in (".", ""):
        return None
    return norm


def open_package(path: str | os.PathLike[str], *, max_bytes: int = MAX_FILE_BYTES) -> Package:
    """Open ``path`` as a .docx package, raising E100-E108/E116 with what to do."""
    p = Path(path)
    try:
        size = p.stat().st_size
    except FileNotFoundError:
        raise TranscriptError("E100", "no such file", path=p) from None
    except OSError as exc:
        raise TranscriptError("E100", f"cannot access the file ({exc.strerror})", path=p) from None
    if p.is_dir():
        raise TranscriptError("E100", "is a folder, not a file (use read_transcripts for folders)", path=p)
    if size == 0:
        raise TranscriptError("E108", "the file is empty (0 bytes)", path=p)
    if size > max_bytes:
        raise TranscriptError("E107", f"the file has {size:,} bytes (limit {max_bytes:,})", path=p)
    with open(p, "rb") as fh:
        head = fh.read(16)
    kind = sniff(head)
    if kind == "ole":
        raise _ole_error(p)
    if kind in ("pdf", "rtf"):
        raise TranscriptError("E116", f"the file is a {kind.upper()} document renamed as .docx", path=p)
    if kind != "zip":
        raise TranscriptError("E101", "the file is not a zip package (a .docx is one)", path=p)
    try:
        zf = zipfile.ZipFile(p)
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError) as exc:
        raise TranscriptError("E104", f"the zip archive is damaged or truncated ({exc})", path=p) from None
    return Package(p, zf)
