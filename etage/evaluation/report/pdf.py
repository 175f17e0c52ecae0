"""The report as PDF: WeasyPrint over the standalone HTML (as the meeting minutes do,
``etage/reports/minutes.py``). WeasyPrint is imported here only, so the rest of ETAGE runs
on a machine without its system libraries (Pango)."""

from __future__ import annotations

from etage.evaluation.report.content import ReportContent
from etage.evaluation.report.html import render_html


def render_pdf(content: ReportContent) -> bytes:
    # Lazy: WeasyPrint needs Pango at import time (see docs/operations.md).
    from weasyprint import HTML

    return bytes(HTML(string=render_html(content)).write_pdf() or b"")
