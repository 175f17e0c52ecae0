"""The files of a retrieval (evaluation.md part C "Exchange"): the segments the current filter
keeps as CSV and XLSX (one row per segment), and as a Word document with the excerpts in their
context, grouped by code.

Spreadsheet cells go through :func:`etage.core.exports.safe_cell` (data-protection.md #22):
a code name or an excerpt starting with ``=``, ``+``, ``-`` or ``@`` is written as text, never
as a formula. Each row says whether the interviewee agreed to pseudonymised quotations; the
Word document marks the excerpts that must not be quoted.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from etage.core import exports as core_exports
from etage.core.exports import NOT_XML
from etage.evaluation.models import Project, Segment
from etage.evaluation.retrieval import Excerpt

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def header() -> tuple[str, ...]:
    return (
        _("interview"),
        _("stakeholder type"),
        _("territory"),
        _("interview format"),
        _("code"),
        _("code path"),
        _("code identifier"),
        _("coder"),
        _("reconciled coding"),
        _("start"),
        _("end"),
        _("quotation agreed"),
        _("excerpt"),
    )


def rows(segments: Iterable[Segment], paths: dict[int, str]) -> Iterator[tuple[Any, ...]]:
    """One row per segment (``segments`` from :func:`~etage.evaluation.retrieval.
    filtered_segments`, whose interviews all have a consent)."""
    for segment in segments:
        interview = segment.transcript.interview
        yield (
            interview.reference,
            interview.get_stakeholder_type_display(),
            interview.territory.name if interview.territory else "",
            interview.get_mode_display(),
            segment.code.name,
            paths.get(segment.code_id, segment.code.name),
            str(segment.code.guid).upper(),
            str(segment.coder),
            _("yes") if segment.consensus else _("no"),
            segment.start,
            segment.end,
            _("yes") if interview.consent.quotation else _("no"),
            segment.text,
        )


def csv_response(lines: Iterable[tuple[Any, ...]], filename: str) -> StreamingHttpResponse:
    return core_exports.csv_response(filename, header(), lines)


def xlsx_bytes(lines: Iterable[tuple[Any, ...]]) -> bytes:
    return core_exports.xlsx_bytes(_("Coded segments"), header(), lines)


def _clean(text: str) -> str:
    return NOT_XML.sub("", text)


def docx_bytes(
    project: Project, excerpts: Sequence[Excerpt], filters: list[tuple[str, str]]
) -> bytes:
    """The excerpts grouped by code (in the order given, the codebook's), each with its
    context, the excerpt itself in bold and highlighted."""
    from docx import Document
    from docx.enum.text import WD_COLOR_INDEX

    doc = Document()
    doc.core_properties.title = _("Coded excerpts")
    doc.core_properties.subject = project.name
    doc.core_properties.author = "ETAGE"
    doc.core_properties.language = "fr-FR"
    doc.add_heading(_clean(_("Coded excerpts — %(project)s") % {"project": project.name}), 0)
    doc.add_paragraph(
        ngettext(
            "Exported on %(date)s: %(count)s excerpt, from interviews whose consent is recorded.",
            "Exported on %(date)s: %(count)s excerpts, from interviews whose consent is recorded.",
            len(excerpts),
        )
        % {"date": date_format(timezone.localdate(), "j F Y"), "count": len(excerpts)}
    )
    if filters:
        doc.add_paragraph(_("Filters:"))
        for label, value in filters:
            doc.add_paragraph(_clean(f"{label} : {value}"), style="List Bullet")
    if not excerpts:
        doc.add_paragraph(_("No coded segment matches these filters."))
    groups: dict[str, list[Excerpt]] = {}
    for excerpt in sorted(excerpts, key=lambda e: (e.segment.code.position, e.path)):
        groups.setdefault(excerpt.path, []).append(excerpt)
    for path, items in groups.items():
        doc.add_heading(_clean(f"{path} ({len(items)})"), 1)
        for excerpt in items:
            segment = excerpt.segment
            interview = segment.transcript.interview
            facts = [
                interview.reference,
                interview.get_stakeholder_type_display(),
                _("coder: %(coder)s") % {"coder": segment.coder},
            ]
            if segment.consensus:
                facts.append(_("reconciled coding"))
            if not excerpt.quotable:
                facts.append(_("QUOTATION NOT AGREED — do not quote"))
            meta = doc.add_paragraph()
            meta.add_run(_clean(" — ".join(str(f) for f in facts))).italic = True
            quote = doc.add_paragraph(style="Quote")
            context = excerpt.context
            quote.add_run(("… " if context.clipped_before else "") + _clean(context.before))
            marked = quote.add_run(_clean(context.excerpt))
            marked.bold = True
            marked.font.highlight_color = WD_COLOR_INDEX.YELLOW
            quote.add_run(_clean(context.after) + (" …" if context.clipped_after else ""))
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
