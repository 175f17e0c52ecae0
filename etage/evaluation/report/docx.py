"""The report as an editable Word document (python-docx): real headings (the navigation
pane and a table of contents work), tables with a header row repeated on each page, charts
as pictures with their alt text, a page break before each part. Evaluators edit it after
generation (architecture.md "Documents")."""

from __future__ import annotations

import io

from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.text import WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from etage.evaluation.report.blocks import (
    Block,
    Bullets,
    Facts,
    FigureBlock,
    Heading,
    Paragraph,
    Quote,
    TableBlock,
    report_blocks,
)
from etage.evaluation.report.content import LANGUAGE, ReportContent
from etage.evaluation.report.method import Table

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PICTURE_WIDTH = Cm(16)


def render_docx(content: ReportContent) -> bytes:
    doc = Document()
    props = doc.core_properties
    props.title = content.title
    props.subject = content.project
    props.author = "ETAGE"
    props.last_modified_by = "ETAGE"
    props.language = "fr-FR"
    props.comments = ""
    props.keywords = ""
    normal = doc.styles["Normal"]
    normal.font.name = "Arial"
    normal.font.size = Pt(10.5)
    _language(doc)

    with translation.override(LANGUAGE):
        first_part = True
        for block in report_blocks(content):
            if isinstance(block, Heading) and block.level == 2:
                if first_part:
                    _contents(doc)
                doc.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
                first_part = False
            _add(doc, block)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _language(doc: DocumentObject) -> None:
    """French spell-checking and hyphenation for the whole document (w:lang in the default
    run properties)."""
    rpr = doc.styles.element.find(qn("w:docDefaults"))
    if rpr is None:
        return
    run_defaults = rpr.find(qn("w:rPrDefault"))
    properties = run_defaults.find(qn("w:rPr")) if run_defaults is not None else None
    if properties is None:
        return
    lang = properties.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        properties.append(lang)
    lang.set(qn("w:val"), "fr-FR")


def _contents(doc: DocumentObject) -> None:
    """A table-of-contents field over the parts and their sections: Word and LibreOffice fill
    it in when fields are updated (the placeholder says how)."""
    doc.add_paragraph().add_run(_("Contents")).bold = True
    run = doc.add_paragraph().add_run()
    for kind, text in (
        ("begin", None),
        ("instr", 'TOC \\o "1-2" \\h \\z \\u'),
        ("separate", None),
        ("text", _("Right-click here and choose “Update field” to show the contents.")),
        ("end", None),
    ):
        if kind == "instr":
            element = OxmlElement("w:instrText")
            element.set(qn("xml:space"), "preserve")
            element.text = text
        elif kind == "text":
            element = OxmlElement("w:t")
            element.text = text
        else:
            element = OxmlElement("w:fldChar")
            element.set(qn("w:fldCharType"), kind)
        run._r.append(element)


def _add(doc: DocumentObject, block: Block) -> None:
    if isinstance(block, Heading):
        doc.add_heading(block.text, level=0 if block.level == 1 else min(block.level - 1, 4))
    elif isinstance(block, Paragraph):
        paragraph = doc.add_paragraph()
        run = paragraph.add_run(block.text)
        if block.style == "note":
            run.italic = True
        elif block.style == "meta":
            run.font.size = Pt(9)
    elif isinstance(block, Facts):
        _table(doc, Table("", ("", ""), block.items), header=False)
    elif isinstance(block, Bullets):
        for item in block.items:
            doc.add_paragraph(item, style="List Bullet")
    elif isinstance(block, Quote):
        doc.add_paragraph(f"« {block.text} »", style="Quote")
        source = doc.add_paragraph()
        source.add_run(block.source).font.size = Pt(9)
    elif isinstance(block, TableBlock):
        _table(doc, block.table, header=True)
    elif isinstance(block, FigureBlock):
        doc.add_picture(io.BytesIO(block.png), width=PICTURE_WIDTH)
        # python-docx has no API for the alt text: it is the picture's docPr/@descr.
        doc.inline_shapes[-1]._inline.docPr.set("descr", block.alt)
        doc.add_paragraph(block.caption, style="Caption")


def _table(doc: DocumentObject, table: Table, *, header: bool) -> None:
    if table.caption:
        doc.add_paragraph(table.caption, style="Caption")
    columns = len(table.header)
    grid = doc.add_table(rows=0, cols=columns)
    grid.style = "Table Grid"
    if header:
        cells = grid.add_row().cells
        for cell, text in zip(cells, table.header, strict=True):
            cell.text = ""
            cell.paragraphs[0].add_run(text).bold = True
        # Repeated at the top of each page the table runs over.
        row_properties = grid.rows[0]._tr.get_or_add_trPr()
        repeat = OxmlElement("w:tblHeader")
        repeat.set(qn("w:val"), "true")
        row_properties.append(repeat)
    for row in table.rows:
        cells = grid.add_row().cells
        for index, (cell, text) in enumerate(zip(cells, row, strict=True)):
            cell.text = text
            if index == 0 and not header:
                for run in cell.paragraphs[0].runs:
                    run.bold = True
    doc.add_paragraph()
