"""The report as one standalone HTML file: CSS embedded, charts as ``data:`` URIs, French
(``lang="fr"``), headings in order, table captions and header cells, alt texts. The same
file is what WeasyPrint turns into the PDF (its ``@page`` rules are ignored on screen)."""

from __future__ import annotations

from django.template.loader import render_to_string
from django.utils import translation

from etage.evaluation.report.blocks import Heading, report_blocks
from etage.evaluation.report.content import LANGUAGE, ReportContent

TEMPLATE = "evaluation/report_document.html"


def render_html(content: ReportContent) -> str:
    blocks = report_blocks(content)
    toc = [b for b in blocks if isinstance(b, Heading) and b.level == 2 and b.anchor]
    with translation.override(LANGUAGE):
        return render_to_string(TEMPLATE, {"content": content, "blocks": blocks, "toc": toc})
