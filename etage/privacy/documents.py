"""The person's file as JSON (machine-readable) and PDF (printable, French), both laid out
from the one :class:`~etage.privacy.collector.PersonFile`; neither queries the database.
WeasyPrint is imported inside :func:`person_file_pdf` (it needs Pango, see
docs/operations.md)."""

from __future__ import annotations

import json
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from etage.privacy.collector import PersonFile, Record, Section

LANGUAGE = "fr"

SECTION_TITLES: dict[str, Any] = {
    "people": _("People"),
    "tenancies": _("Tenancies"),
    "household_merges": _("Merges of duplicate records"),
    "difficulties": _("Difficulties"),
    "pathway_events": _("Pathway events"),
    "consents": _("Consents"),
    "shares": _("Shares and their legal bases"),
    "referrals": _("Referrals"),
    "procedure_events": _("Procedure events"),
    "arrears_balances": _("Arrears balances"),
    "aids": _("Financial aids"),
    "plan_objectives": _("Objectives of the shared plan"),
    "plan_actions": _("Actions of the shared plan"),
    "action_comments": _("Comments on actions"),
    "journal_entries": _("Journal entries"),
    "documents": _("Documents (names and dates; contents on request)"),
    "reviews": _("Reviews"),
    "review_progress": _("Progress of objectives at reviews"),
    "meeting_agenda_items": _("Platform meetings: agenda"),
    "meeting_decisions": _("Platform meetings: decisions"),
    "flags_for_the_platform": _("Flags for the platform"),
    "objections": _("Objections"),
    "legal_holds": _("Legal holds"),
    "emergency_accesses": _("Emergency accesses (break-glass)"),
    "arrears_lines": _("Arrears reported by the landlord"),
    "landlord_signals": _("Signals from the landlord"),
    "early_warning_candidates": _("Early-warning candidates"),
    "early_warning_events": _("Early-warning follow-up"),
    "record_linkage_reviews": _("Record linkage reviews"),
    "accesses": _("Organisations that accessed the data"),
}


def person_file_json(person_file: PersonFile) -> bytes:
    return json.dumps(
        person_file.as_dict(), ensure_ascii=False, indent=2, sort_keys=False, default=str
    ).encode("utf-8")


def _display(value: Any) -> str:
    if value is None or value == "":
        return "—"
    if value is True:
        return str(_("yes"))
    if value is False:
        return str(_("no"))
    if isinstance(value, list):
        return ", ".join(_display(v) for v in value) or "—"
    if isinstance(value, dict):
        return "; ".join(f"{k} : {_display(v)}" for k, v in value.items()) or "—"
    return str(value)


def _rows(record: Record) -> list[tuple[str, str]]:
    return [(item.label, _display(item.value)) for item in record.items]


def _section(section: Section) -> dict[str, Any]:
    return {"title": section.title, "records": [_rows(r) for r in section.records]}


def person_file_html(person_file: PersonFile, *, reason: str = "") -> str:
    """The printable layout: every section of the file, empty ones said so."""
    with translation.override(LANGUAGE):
        context = {
            "generated_at": person_file.generated_at,
            "reason": reason,
            "household": _rows(person_file.household),
            "sections": [_section(s) for s in person_file.sections],
            "situations": [
                {
                    "reference": f.record.as_dict().get("reference", ""),
                    "rows": _rows(f.record),
                    "sections": [_section(s) for s in f.sections],
                }
                for f in person_file.situations
            ],
            "landlord_data": [_section(s) for s in person_file.landlord_data],
            "accesses": _section(person_file.accesses),
        }
        return render_to_string("privacy/person_file_pdf.html", context)


def person_file_pdf(person_file: PersonFile, *, reason: str = "") -> bytes:
    from weasyprint import HTML

    html = person_file_html(person_file, reason=reason)
    return bytes(HTML(string=html).write_pdf() or b"")
