"""Page layout of the Word report: paper, template styles, sections only where orientation changes, captions.

Everything the report writes uses Word's built-in styles (Title, Subtitle,
Heading 1/2, Caption, Quote, Normal, a built-in table style), so a house
template restyles the whole report. A section break is made only when the
orientation changes *and* the current section already holds something, by
closing the current section at its last paragraph (no empty paragraph, no
page break before a section break): a report never gets an empty page.

Examples
--------
>>> doc = new_document(paper="a4")
>>> lay = Layout(doc)
>>> round(doc.sections[0].page_width.cm, 1), round(lay.usable_width().cm, 1)
(21.0, 16.0)
>>> lay.ensure(landscape=True)  # nothing written yet: the first section turns, no break
>>> len(doc.sections), doc.sections[0].page_width > doc.sections[0].page_height
(1, True)
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from ..errors import ExchangeError
from ._format import xml_safe
from .report_config import PAPERS

__all__ = ["new_document", "Layout", "caption", "field", "ensure_style", "BUILTIN_STYLES"]

#: paragraph styles the report uses (all built into Word)
BUILTIN_STYLES = ("Title", "Subtitle", "Heading 1", "Heading 2", "Caption", "Quote", "Intense Quote", "List Bullet",
                  "Normal")


def ensure_style(doc: Any, name: str, table: bool = False) -> Any:
    """The style ``name``; added (as Word's built-in of that name) when a template lacks it."""
    from docx.enum.style import WD_STYLE_TYPE

    try:
        return doc.styles[name]
    except KeyError:
        style = doc.styles.add_style(name, WD_STYLE_TYPE.TABLE if table else WD_STYLE_TYPE.PARAGRAPH)
        if not table:
            style.base_style = doc.styles["Normal"]
            if name == "Caption":
                style.font.italic = True
                style.font.size = doc.styles["Normal"].font.size
            elif name in ("Quote", "Intense Quote"):
                style.font.italic = True
            elif name == "Title":
                style.font.size = 28 * 12700
        return style


def _clear_body(doc: Any) -> None:
    body = doc.element.body
    for child in list(body):
        if not child.tag.endswith("}sectPr"):
            body.remove(child)


def new_document(template: str | Path | None = None, paper: str | None = None) -> Any:
    """An empty document: the template's styles, headers and page setup (body cleared), else python-docx's.

    ``paper`` (``"a4"`` or ``"letter"``) sets the page size (and, without a
    template, 2.5 cm / 1 inch margins); default A4, or the template's size.
    """
    import docx
    from docx.shared import Cm, Pt

    if paper is not None and str(paper).lower() not in PAPERS:
        raise ExchangeError("E623", f"paper={paper!r}; use 'a4' or 'letter'")
    if template is not None:
        t = Path(template)
        if not t.is_file():
            raise ExchangeError("E622", f"template {t} not found", path=t)
        try:
            doc = docx.Document(str(t))
        except Exception as exc:  # python-docx raises several kinds for a non-docx file
            raise ExchangeError("E622", f"template {t} is not a Word document ({type(exc).__name__}: {exc})",
                                path=t) from None
        _clear_body(doc)
        for sec in list(doc.sections)[:-1]:  # only the last section (the body's own) survives
            sec._sectPr.getparent().remove(sec._sectPr)
    else:
        doc = docx.Document()
        normal = doc.styles["Normal"]
        normal.font.name = "Calibri"
        normal.font.size = Pt(10.5)
        normal.paragraph_format.space_after = Pt(6)
        if paper is None:
            paper = "a4"
    sec = doc.sections[-1]
    if paper is not None:
        w, h = PAPERS[str(paper).lower()]
        sec.page_width, sec.page_height = Cm(w), Cm(h)
        if template is None:
            m = Cm(2.5) if str(paper).lower() == "a4" else Cm(2.54)
            sec.left_margin = sec.right_margin = sec.top_margin = sec.bottom_margin = m
    if sec.page_width > sec.page_height:  # a landscape template starts portrait
        sec.page_width, sec.page_height = sec.page_height, sec.page_width
    from docx.enum.section import WD_ORIENT

    sec.orientation = WD_ORIENT.PORTRAIT
    for name in BUILTIN_STYLES:
        ensure_style(doc, name)
    return doc


class Layout:
    """Tracks the current section, to break only where the orientation changes and the section holds content."""

    def __init__(self, doc: Any):
        self.doc = doc
        self.has_content = False

    @property
    def section(self) -> Any:
        return self.doc.sections[-1]

    @property
    def landscape(self) -> bool:
        s = self.section
        return s.page_width > s.page_height

    def usable_width(self, landscape: bool | None = None) -> Any:
        from docx.shared import Emu

        s = self.section
        w, h = int(s.page_width), int(s.page_height)
        wide = self.landscape if landscape is None else landscape
        page = max(w, h) if wide else min(w, h)
        return Emu(page - int(s.left_margin) - int(s.right_margin))

    def usable_height(self) -> Any:
        from docx.shared import Emu

        s = self.section
        return Emu(int(s.page_height) - int(s.top_margin) - int(s.bottom_margin))

    def wrote(self) -> None:
        self.has_content = True

    def ensure(self, landscape: bool) -> None:
        """Continue in this orientation: turn the section if it is still empty, else start a new one."""
        from docx.enum.section import WD_ORIENT, WD_SECTION

        if self.landscape == landscape:
            return
        body = self.doc.element.body
        if self.has_content:
            last = body[-2] if len(body) > 1 else None  # body[-1] is the final sectPr
            if last is None or not last.tag.endswith("}p"):
                last = self.doc.add_paragraph()._p
            p_pr = last.get_or_add_pPr()
            p_pr.append(copy.deepcopy(self.section._sectPr))  # closes the current section here
            self.section.start_type = WD_SECTION.NEW_PAGE
        s = self.section
        w, h = int(s.page_width), int(s.page_height)
        s.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        s.page_width, s.page_height = (max(w, h), min(w, h)) if landscape else (min(w, h), max(w, h))
        self.has_content = False


def field(paragraph: Any, instr: str, cached: str) -> None:
    """Append a field (``SEQ Table``) showing ``cached`` until Word updates it (F9)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def run_with(child) -> None:
        run = OxmlElement("w:r")
        run.append(child)
        paragraph._p.append(run)

    begin = OxmlElement("w:fldChar")
    begin.set(qn("w:fldCharType"), "begin")
    run_with(begin)
    code = OxmlElement("w:instrText")
    code.set(qn("xml:space"), "preserve")
    code.text = f" {instr} "
    run_with(code)
    sep = OxmlElement("w:fldChar")
    sep.set(qn("w:fldCharType"), "separate")
    run_with(sep)
    text = OxmlElement("w:t")
    text.text = cached
    run_with(text)
    end = OxmlElement("w:fldChar")
    end.set(qn("w:fldCharType"), "end")
    run_with(end)


def caption(doc: Any, kind: str, number: int, title: str, *, stamp: str = "", keep_with_next: bool | None = None):
    """``Table 3. <title>`` in the Caption style with a ``SEQ`` field; ``stamp`` follows on its own line."""
    p = doc.add_paragraph(style="Caption")
    p.add_run(f"{kind} ")
    field(p, f"SEQ {kind} \\* ARABIC", str(number))
    p.add_run(f". {xml_safe(title)}" if title else ".")
    if stamp:
        p.add_run().add_break()
        p.add_run(xml_safe(stamp)).bold = True
    p.paragraph_format.keep_with_next = (kind == "Table") if keep_with_next is None else keep_with_next
    return p


def header_stamp(doc: Any, text: str) -> None:
    """``text`` in the page header of every page (bold, centred): the provenance stamp."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    header = doc.sections[0].header
    header.is_linked_to_previous = False
    p = header.paragraphs[0] if header.paragraphs else header.add_paragraph()
    if p.text:
        p = header.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run(xml_safe(text)).bold = True
