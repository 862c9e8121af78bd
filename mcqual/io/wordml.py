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

    Call :func:`prune` on the tree first. :meth:`walk` reads all inline content
    of the container in one C-level ``iter`` pass (one ``iter`` per paragraph
    costs several times more), then walks the block structure (paragraphs,
    tables, content controls) to number paragraphs and record table cells.
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
        self._scan_tags = (T["p"], T["t"], T["r"], T["tab"], T["ptab"], T["br"], T["cr"], T["b"], T["vanish"],
                           T["rStyle"], T["pStyle"], T["noBreakHyphen"], T["sym"], T["commentRangeStart"],
                           T["commentRangeEnd"], T["commentReference"])
        self._scanned: dict[Any, tuple] = {}

    # -- inline content: one pass ----------------------------------------------
    def _scan(self, container: Any) -> dict[Any, tuple]:
        """``{w:p element: (text, bold ranges, heading?, anchors)}`` for every paragraph in ``container``."""
        T = self.T
        p_tag, t_tag, r_tag, b_tag = T["p"], T["t"], T["r"], T["b"]
        tab_tags = (T["tab"], T["ptab"])
        br_tags = (T["br"], T["cr"])
        fmt_tags = (b_tag, T["rStyle"], T["vanish"])
        rpr_tag, ppr_tag, style_tag, id_attr, val_attr = T["rPr"], T["pPr"], T["pStyle"], T["id"], T["val"]
        anchor_tags = {T["commentRangeStart"]: "s", T["commentRangeEnd"]: "e", T["commentReference"]: "r"}
        out: dict[Any, tuple] = {}
        buf: list[str] = []
        bold_ranges: list[list[int]] = []
        anchors: list[tuple[str, str, int]] = []
        pre: list[tuple[str, str, int]] = []
        heading = [False]
        n = 0
        bold = hidden = False
        cur = None

        def close() -> None:
            if cur is not None:
                out[cur] = ("".join(buf), tuple((a, b) for a, b in bold_ranges), heading[0], anchors)

        for el in container.iter(*self._scan_tags):
            tag = el.tag
            if tag == t_tag:
                text = el.text
                if hidden or not text:
                    continue
            elif tag == r_tag:
                bold = hidden = False
                continue
            elif tag == p_tag:
                close()
                cur = el
                buf, bold_ranges, anchors, heading = [], [], [], [False]
                n = 0
                bold = hidden = False
                continue
            elif tag in fmt_tags:
                parent = el.getparent()
                if parent is None or parent.tag != rpr_tag or parent.getparent().tag != r_tag:
                    continue
                on = el.get(val_attr, "true").casefold() not in _OFF
                if tag == b_tag:
                    bold = on
                elif tag == T["vanish"]:
                    hidden = on
                else:
                    bold = bold or el.get(val_attr, "").casefold() in ("strong", "bold")
                continue
            elif tag in tab_tags:
                text = "\t"
            elif tag in br_tags:
                if not hidden:
                    buf.append("\n")
                    n += 1
                continue
            elif tag in anchor_tags:
                (anchors if cur is not None else pre).append((anchor_tags[tag], el.get(id_attr, ""), n))
                continue
            elif tag == style_tag:
                if el.getparent().tag == ppr_tag and _HEADING_STYLE.match(el.get(val_attr, "")):
                    heading[0] = True
                continue
            elif tag == T["noBreakHyphen"]:
                text = "-"
            else:  # w:sym
                try:
                    text = chr(int(el.get(T["char"], ""), 16))
                except ValueError:
                    continue
                if "\ue000" <= text <= "\uf8ff":  # symbol-font private-use glyphs mean nothing as text
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
        close()
        if pre:
            out[None] = ("", (), False, pre)
        return out

    # -- blocks ----------------------------------------------------------------
    def walk(self, container: Any) -> None:
        """Read a block container (``w:body``, ``w:hdr``, ``w:tc``, ``w:comment``…)."""
        self._scanned = self._scan(container)
        pre = self._scanned.get(None)
        if pre:
            self._anchors(pre[3], self._index)
        self._blocks(container)
        self._scanned = {}

    def walk_block(self, block: Any) -> None:
        """Read one child of ``w:body`` (a paragraph, a table, a content control…) on its own.

        :func:`walk_body_stream` calls this for each top-level block as the parser reaches its end,
        then frees it: the document is never held as one tree.
        """
        if block.tag in (self.T["del"], self.T["moveFrom"], _MC_FALLBACK):
            return
        prune(block, self.ns)
        self._scanned = self._scan(block)
        pre = self._scanned.get(None)
        if pre:
            self._anchors(pre[3], self._index)
        T = self.T
        if block.tag == T["p"]:
            self._para(block)
        elif block.tag == T["tbl"]:
            self._table(block)
        elif len(block) and block.tag not in (T["pPr"], T["rPr"]):
            self._blocks(block)
        self._scanned = {}

    def _blocks(self, container: Any) -> None:
        T = self.T
        p_tag, tbl_tag = T["p"], T["tbl"]
        for child in container:
            tag = child.tag
            if tag == p_tag:
                self._para(child)
            elif tag == tbl_tag:
                self._table(child)
            elif len(child) and tag not in (T["pPr"], T["rPr"]):
                self._blocks(child)  # content controls, customXml, w:ins, unknown wrappers

    def _table(self, tbl: Any) -> None:
        table = Table()
        for tr in self._children(tbl, self.T["tr"]):
            row: list[range] = []
            for tc in self._children(tr, self.T["tc"]):
                first = self._index
                self._blocks(tc)
                row.append(range(first, self._index))
            table.rows.append(row)
        self.tables.append(table)

    def _children(self, el: Any, tag: str):
        T = self.T
        for child in el:
            if child.tag == tag:
                yield child
            elif child.tag in (T["sdt"], T["customXml"], T["sdtContent"]):
                yield from self._children(child, tag)

    def _para(self, p: Any) -> None:
        text, bold, heading, anchors = self._scanned.get(p) or ("", (), False, ())
        index = self._index
        self.paras.append(SrcPara(index, text, self.part, "heading" if heading else self.kind, bold))
        if anchors:
            self._anchors(anchors, index)
        self._index += 1

    def _anchors(self, anchors: Any, index: int) -> None:
        for kind, cid, off in anchors:
            target = self.starts if kind == "s" else self.ends if kind == "e" else self.refs
            target.setdefault(cid, (index, off))


def walk_body_stream(data: bytes, part: str, *, on_root) -> "BodyWalker | None":
    """Walk the ``w:body`` of a main document part block by block while parsing (lxml ``iterparse``).

    ``on_root(root)`` is called with the root element as soon as it is seen; it checks the
    root and returns the namespace (None: not a Word document, nothing is read; it may raise).
    Top-level blocks are read in batches of :data:`_BATCH` once the parser is past them (only
    earlier siblings of the block just completed are moved out, as lxml allows) and then dropped,
    so memory holds a few thousand blocks of the tree, not the whole document.
    Returns None when there is no body.
    """
    import io

    from lxml import etree

    ctx = etree.iterparse(io.BytesIO(data), events=("start", "end"), resolve_entities=False, no_network=True,
                          load_dtd=False, huge_tree=False, remove_comments=True, remove_pis=True)
    walker: BodyWalker | None = None
    body = None
    body_tag = None
    root = None
    pending = 0
    for event, el in ctx:
        if event == "start":
            if root is None:
                root = el
                ns = on_root(el)
                if ns is not None:  # None: not a Word document; parse on (a syntax error wins) but read nothing
                    walker = BodyWalker(ns, part)
                    body_tag = f"{{{ns}}}body"
            elif body is None and el.tag == body_tag and el.getparent() is root:
                body = el
            continue
        if body is None or el is body:
            if walker is None:
                el.clear()
            elif el is body:
                _flush(walker, body)
            continue
        if el.getparent() is body:
            pending += 1
            if pending >= _BATCH:  # read the blocks before this one (all complete) in one pass, drop them
                batch = body.makeelement(body.tag)
                while el.getprevious() is not None:
                    batch.append(body[0])  # moves it: only earlier siblings, which the parser is done with
                _flush(walker, batch)
                pending = 1
    return walker if body is not None else None


#: top-level blocks read per pass while streaming (a pass has a fixed cost; a batch bounds the tree held)
_BATCH = 2048


def _flush(walker: "BodyWalker", container: Any) -> None:
    """Read the complete blocks under ``container``."""
    prune(container, walker.ns)
    walker.walk(container)


def read_comments(root: Any, ns: str, starts: dict[str, tuple[int, int]], ends: dict[str, tuple[int, int]],
                  refs: dict[str, tuple[int, int]]) -> list[RawComment]:
    """The comments of ``word/comments.xml`` with their body anchors, in body order."""
    w = f"{{{ns}}}"
    out = []
    prune(root, ns)
    walker = BodyWalker(ns, "word/comments.xml")
    walker._scanned = walker._scan(root)  # one pass over all comments
    for c in root.iter(f"{w}comment"):
        cid = c.get(f"{w}id", "")
        first = len(walker.paras)
        walker._blocks(c)
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
