"""Walk WordprocessingML (``w:body``, headers, comments) into plain paragraphs, in document order.

What becomes text, and how:

* ``w:t`` as written (smart quotes, non-breaking spaces U+00A0, Greek and other
  scripts are kept exactly); ``w:tab`` → ``"\\t"``; ``w:br``/``w:cr`` → ``"\\n"``;
  ``w:noBreakHyphen`` → ``"-"``; ``w:softHyphen`` → nothing;
* tracked changes: insertions (``w:ins``, ``w:moveTo``) are kept, deletions
  (``w:del``, ``w:delText``, ``w:moveFrom``) dropped — the text as accepted;
* fields: the displayed result is kept, the instruction (``w:instrText``) dropped;
  hyperlinks, smart tags, content controls: their text is kept;
* hidden text (``w:vanish``), footnote/endnote references, drawings and text
  boxes are not part of the spoken text;
* ``w:commentRangeStart``/``End`` (and ``w:commentReference``) are recorded as
  ``(paragraph, offset)`` anchors.

Examples
--------
>>> from lxml import etree
>>> W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
>>> xml = f'<w:body xmlns:w="{W}"><w:p><w:r><w:t>Hi </w:t></w:r><w:del><w:r><w:delText>old</w:delText></w:r></w:del>'
>>> xml += '<w:ins><w:r><w:t>new</w:t></w:r></w:ins></w:p></w:body>'
>>> body = etree.fromstring(xml)
>>> prune(body, W)
>>> walker = BodyWalker(W, "word/document.xml")
>>> walker.walk(body)
>>> walker.paras[0].text
'Hi new'
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .assemble import RawComment, SrcPara

W_MAIN = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
W_STRICT = "http://purl.oclc.org/ooxml/wordprocessingml/main"
_HEADING_STYLE = re.compile(r"(?i)^(?:title|subtitle|heading\s*\d|berschrift\s*\d|titre\s*\d*|titolo\s*\d*|"
                            r"ttulo\s*\d*|kop\s*\d|nagwek\s*\d)$")
_OFF = ("0", "false", "off", "none")


@dataclass
class Table:
    """A table: rows of cells; each cell is the range of paragraph indices it holds."""

    rows: list[list[range]] = field(default_factory=list)


_TAGS = ("p", "r", "t", "tab", "ptab", "br", "cr", "tbl", "tr", "tc", "sdt", "sdtContent", "customXml",
         "ins", "del", "moveTo", "moveFrom", "hyperlink", "smartTag", "fldSimple", "dir", "bdo", "txbxContent",
         "commentRangeStart", "commentRangeEnd", "commentReference", "rPr", "b", "vanish", "rStyle",
         "noBreakHyphen", "softHyphen", "sym", "pPr", "pStyle", "val", "id", "char", "body")
_MC_FALLBACK = "{http://schemas.openxmlformats.org/markup-compatibility/2006}Fallback"
_TAG_CACHE: dict[str, dict[str, str]] = {}


def _tags(ns: str) -> dict[str, str]:
    tags = _TAG_CACHE.get(ns)
    if tags is None:
        tags = _TAG_CACHE[ns] = {name: f"{{{ns}}}{name}" for name in _TAGS}
    return tags


def prune(root: Any, ns: str) -> None:
    """Drop what is never spoken text before walking: deletions, moved-from text, text boxes, fallbacks."""
    T = _tags(ns)
    doomed = list(root.iter(T["del"], T["moveFrom"], T["txbxContent"], _MC_FALLBACK))
    for el in doomed:
        parent = el.getparent()
        if parent is not None:
            parent.remove(el)


class BodyWalker:
    """Collects :class:`SrcPara` objects, tables and comment anchors from one part.

    Call :func:`prune` on the tree first (``walk`` does not descend into
    ``w:del`` by itself for speed: inline content is read with one C-level
    ``iter`` per paragraph).
    """

    def __init__(self, ns: str, part: str, start_index: int = 0, kind: str = "body") -> None:
        self.ns = ns
        self.part = part
        self.kind = kind
        self.paras: list[SrcPara] = []
        self.tables: list[Table] = []
        self.starts: dict[str, tuple[int, int]] = {}
        self.ends: dict[str, tuple[int, int]] = {}
        self.refs: dict[str, tuple[int, int]] = {}
        self.T = T = _tags(ns)
        self._index = start_index
        self._inline_tags = (T["t"], T["r"], T["tab"], T["ptab"], T["br"], T["cr"], T["b"], T["vanish"],
                             T["rStyle"], T["noBreakHyphen"], T["sym"], T["commentRangeStart"],
                             T["commentRangeEnd"], T["commentReference"])

    # -- blocks ----------------------------------------------------------------
    def walk(self, container: Any) -> None:
        """Walk a block container (``w:body``, ``w:hdr``, ``w:tc``, ``w:comment``…)."""
        T = self.T
        p_tag, tbl_tag = T["p"], T["tbl"]
        for child in container:
            tag = child.tag
            if tag == p_tag:
                self._para(child)
            elif tag == tbl_tag:
                self._table(child)
            elif tag == T["sdt"]:
                content = child.find(T["sdtContent"])
                if content is not None:
                    self.walk(content)
            elif tag in (T["customXml"], T["ins"], T["moveTo"]):
                self.walk(child)
            elif tag == T["commentRangeStart"]:
                self.starts.setdefault(child.get(T["id"], ""), (self._index, 0))
            elif tag == T["commentRangeEnd"]:
                prev = self.paras[-1] if self.paras else None
                self.ends.setdefault(child.get(T["id"], ""),
                                     (prev.index, len(prev.text)) if prev else (self._index, 0))

    def _table(self, tbl: Any) -> None:
        table = Table()
        for tr in self._children(tbl, self.T["tr"]):
            row: list[range] = []
            for tc in self._children(tr, self.T["tc"]):
                first = self._index
                self.walk(tc)
                row.append(range(first, self._index))
            table.rows.append(row)
        self.tables.append(table)

    def _children(self, el: Any, tag: str):
        T = self.T
        for child in el:
            if child.tag == tag:
                yield child
            elif child.tag in (T["sdt"], T["customXml"]):
                inner = child.find(T["sdtContent"]) if child.tag == T["sdt"] else child
                if inner is not None:
                    yield from self._children(inner, tag)

    # -- paragraphs ------------------------------------------------------------
    def _para(self, p: Any) -> None:
        T = self.T
        kind = self.kind
        ppr = p.find(T["pPr"])
        if ppr is not None:
            style = ppr.find(T["pStyle"])
            if style is not None and _HEADING_STYLE.match(style.get(T["val"], "")):
                kind = "heading"
        t_tag, r_tag, b_tag = T["t"], T["r"], T["b"]
        buf: list[str] = []
        n = 0
        bold_ranges: list[list[int]] = []
        bold = hidden = False
        index = self._index
        for el in p.iter(*self._inline_tags):
            tag = el.tag
            if tag == t_tag:
                if hidden:
                    continue
                text = el.text
                if not text:
                    continue
            elif tag == r_tag:
                bold = hidden = False
                continue
            elif tag == b_tag or tag == T["rStyle"] or tag == T["vanish"]:
                parent = el.getparent()
                if parent is None or parent.tag != T["rPr"] or parent.getparent().tag != r_tag:
                    continue
                if tag == T["rStyle"]:
                    bold = bold or el.get(T["val"], "").casefold() in ("strong", "bold")
                elif tag == b_tag:
                    bold = el.get(T["val"], "true").casefold() not in _OFF
                else:
                    hidden = el.get(T["val"], "true").casefold() not in _OFF
                continue
            elif tag == T["tab"] or tag == T["ptab"]:
                text = "\t"
            elif tag == T["br"] or tag == T["cr"]:
                text = "\n"
                if not hidden:
                    buf.append(text)
                    n += 1
                continue
            elif tag == T["noBreakHyphen"]:
                text = "-"
            elif tag == T["sym"]:
                try:
                    text = chr(int(el.get(T["char"], ""), 16))
                except ValueError:
                    continue
                if "\ue000" <= text <= "\uf8ff":  # symbol-font private-use glyphs mean nothing as text
                    continue
            elif tag == T["commentRangeStart"]:
                self.starts.setdefault(el.get(T["id"], ""), (index, n))
                continue
            elif tag == T["commentRangeEnd"]:
                self.ends.setdefault(el.get(T["id"], ""), (index, n))
                continue
            else:  # commentReference
                self.refs.setdefault(el.get(T["id"], ""), (index, n))
                continue
            if hidden:
                continue
            if bold:
                if bold_ranges and bold_ranges[-1][1] == n:
                    bold_ranges[-1][1] = n + len(text)
                else:
                    bold_ranges.append([n, n + len(text)])
            buf.append(text)
            n += len(text)
        self.paras.append(SrcPara(index, "".join(buf), self.part, kind, tuple((a, b) for a, b in bold_ranges)))
        self._index += 1


def read_comments(root: Any, ns: str, starts: dict[str, tuple[int, int]], ends: dict[str, tuple[int, int]],
                  refs: dict[str, tuple[int, int]]) -> list[RawComment]:
    """The comments of ``word/comments.xml`` with their body anchors, in body order."""
    w = f"{{{ns}}}"
    out = []
    prune(root, ns)
    walker = BodyWalker(ns, "word/comments.xml")
    for c in root.iter(f"{w}comment"):
        cid = c.get(f"{w}id", "")
        first = len(walker.paras)
        walker.walk(c)
        text = "\n".join(p.text for p in walker.paras[first:]).strip()
        start = starts.get(cid)
        end = ends.get(cid)
        if start is None and end is None and cid in refs:
            start = end = refs[cid]
        out.append(RawComment(cid, c.get(f"{w}author"), c.get(f"{w}date"), text, start, end))
    out.sort(key=lambda c: (c.start or c.end or (10**9, 0), _int(c.id)))
    return out


def _int(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        return 0


def plain_paragraphs(root: Any, ns: str, part: str) -> list[str]:
    """The paragraph texts of a header, footer or notes part (separator notes skipped)."""
    w = f"{{{ns}}}"
    texts = []
    prune(root, ns)
    for note in [root] if root.tag.rpartition("}")[2] in ("hdr", "ftr") else list(root):
        if note.get(f"{w}type") in ("separator", "continuationSeparator", "continuationNotice"):
            continue
        walker = BodyWalker(ns, part)
        walker.walk(note)
        texts.extend(p.text.strip() for p in walker.paras if p.text.strip())
    return texts
