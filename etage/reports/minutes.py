"""Minutes of a platform meeting, in French, as DOCX (python-docx) and PDF (WeasyPrint).

Two versions (data-protection.md #1, #7):

- **members' version**, built *for one reader*: every situation under its reference; the
  household's names and address, and the decision note, only for the situations whose sharing
  group includes the reader's organisation;
- **circulation version**: each situation under a stable per-meeting alias ("Situation 3");
  no name, address, phone number, date of birth, reference or decision note — the only free
  text a decision holds is that note, so nothing typed about a household can reach it.

:func:`minutes_for` gathers what may be shown (the only place that reads case data);
:func:`minutes_docx` and :func:`minutes_pdf` lay it out and never query the database.
WeasyPrint is imported inside :func:`minutes_pdf`, so the rest of ETAGE runs on a machine
without its system libraries (Pango).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from etage.accounts.models import User
from etage.meetings.choices import (
    AgendaReason,
    DecisionKind,
    ItemState,
    MinutesVersion,
    PostponementReason,
)
from etage.meetings.models import AgendaItem, Meeting
from etage.organisations.models import Organisation
from etage.situations.choices import Level, Orientation
from etage.situations.models import Share, Situation

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
LANGUAGE = "fr"


@dataclass(frozen=True)
class MinutesEntry:
    number: int
    label: str
    #: Names of the people in the household, and the address — empty unless shown.
    household: str
    address: str
    reason: str
    outcome: str
    details: tuple[tuple[str, str], ...]
    note: str


@dataclass(frozen=True)
class Minutes:
    version: MinutesVersion
    title: str
    version_label: str
    version_notice: str
    platform: str
    date: str
    time: str
    place: str
    present: tuple[str, ...]
    absent: tuple[str, ...]
    entries: tuple[MinutesEntry, ...]
    generated: str
    file_name: str
    #: The situations whose nominative details this document shows (for the access log).
    nominative_situations: tuple[Situation, ...]


def _shared_with(reader: Any, situation_ids: list[int]) -> set[int]:
    organisation_id = getattr(reader, "organisation_id", None)
    if organisation_id is None:
        return set()
    return set(
        Share.objects.filter(
            situation_id__in=situation_ids, organisation_id=organisation_id, is_active=True
        ).values_list("situation_id", flat=True)
    )


def _label(enum: Any, value: str) -> str:
    return str(enum(value).label) if value in enum.values else value


def _outcome(
    item: AgendaItem,
    *,
    member: bool,
    users: dict[int, User],
    organisations: dict[int, Organisation],
) -> tuple[str, list[tuple[str, str]]]:
    if item.state == ItemState.PENDING:
        return _("Not examined at this meeting."), []
    decision = getattr(item, "decision", None)
    if decision is None:  # pragma: no cover — decided items always have a decision
        return str(item.get_state_display()), []
    d = decision.details or {}
    lines: list[tuple[str, str]] = []
    if decision.kind == DecisionKind.ORIENTATION:
        outcome = _("Orientation: %(orientation)s") % {
            "orientation": _label(Orientation, d.get("orientation", ""))
        }
    elif decision.kind == DecisionKind.LEVEL_CHANGE:
        outcome = _("Support level changed from %(old)s to %(new)s") % {
            "old": _label(Level, d.get("previous_level", "")),
            "new": _label(Level, d.get("level", "")),
        }
    elif decision.kind == DecisionKind.CONTINUE:
        outcome = _("Support continues")
    elif decision.kind == DecisionKind.POSTPONEMENT:
        outcome = _("Postponed to the next meeting: %(reason)s") % {
            "reason": _label(PostponementReason, decision.postponement_reason)
        }
    else:
        outcome = _("Other decision")
    lead = users.get(d.get("lead_professional_id") or 0)
    referent = organisations.get(d.get("referent_organisation_id") or 0)
    if lead is not None and member:
        # Staff names are not household data, but the circulation version keeps to
        # organisations all the same (minimisation).
        lines.append((_("Lead professional"), f"{lead.get_full_name()} ({lead.organisation})"))
    if referent is not None:
        lines.append((_("Referent organisation"), referent.name))
    if decision.next_review_on:
        lines.append((_("Next review"), decision.next_review_on.strftime("%d/%m/%Y")))
    actions = d.get("actions") or []
    if actions:
        lines.append((_("Actions added to the shared plan"), str(len(actions))))
    return outcome, lines


def minutes_for(meeting: Meeting, *, version: MinutesVersion, reader: Any) -> Minutes:
    """Everything the document shows, for ``reader`` (who has already been checked to be a
    member or coordinator of the meeting's platform)."""
    with translation.override(LANGUAGE):
        return _minutes_for(meeting, version=version, reader=reader)


def _minutes_for(meeting: Meeting, *, version: MinutesVersion, reader: Any) -> Minutes:
    member = version == MinutesVersion.MEMBER
    items = list(
        meeting.items.exclude(state=ItemState.WITHDRAWN)
        .select_related("decision", "situation__tenancy__commune")
        .prefetch_related("situation__household__people")
        .order_by("order", "id")
    )
    shared = _shared_with(reader, [i.situation_id for i in items]) if member else set()
    details = [getattr(i, "decision", None) for i in items]
    user_ids = {(d.details or {}).get("lead_professional_id") for d in details if d}
    org_ids = {(d.details or {}).get("referent_organisation_id") for d in details if d}
    users = {
        u.pk: u
        for u in User.objects.filter(pk__in=[i for i in user_ids if i]).select_related(
            "organisation"
        )
    }
    organisations = {o.pk: o for o in Organisation.objects.filter(pk__in=[i for i in org_ids if i])}

    entries: list[MinutesEntry] = []
    nominative: list[Situation] = []
    for number, item in enumerate(items, start=1):
        situation = item.situation
        show = member and situation.pk in shared
        outcome, lines = _outcome(item, member=member, users=users, organisations=organisations)
        decision = getattr(item, "decision", None)
        if show:
            nominative.append(situation)
        entries.append(
            MinutesEntry(
                number=number,
                label=(
                    _("Situation %(ref)s") % {"ref": situation.reference}
                    if member
                    else _("Situation %(n)s") % {"n": item.alias_number}
                ),
                household=(
                    ", ".join(p.full_name for p in situation.household.people.all()) if show else ""
                ),
                address=(
                    f"{situation.tenancy.address}, {situation.tenancy.commune.name}" if show else ""
                ),
                reason=_label(AgendaReason, item.reason),
                outcome=outcome,
                details=tuple(lines),
                note=decision.note if (show and decision is not None) else "",
            )
        )

    rows = list(meeting.attendances.select_related("organisation").order_by("organisation__name"))
    local = timezone.localtime(meeting.starts_at)
    end = timezone.localtime(meeting.ends_at) if meeting.ends_at else None
    place = meeting.place or _("by video")
    if meeting.place and meeting.video_link:
        place = _("%(place)s and by video") % {"place": meeting.place}
    if member:
        version_notice = _(
            "Members' version, prepared for %(org)s: names and addresses appear only for the "
            "situations whose sharing group includes this organisation. Do not pass it on."
        ) % {"org": getattr(getattr(reader, "organisation", None), "name", "")}
    else:
        version_notice = _(
            "Circulation version: situations appear under an alias valid for this meeting "
            "only; no name, address or other detail identifies a household."
        )
    return Minutes(
        version=version,
        title=_("Minutes of the meeting of %(day)s") % {"day": local.strftime("%d/%m/%Y")},
        version_label=str(MinutesVersion(version).label),
        version_notice=version_notice,
        platform=meeting.platform.name,
        date=local.strftime("%d/%m/%Y"),
        time=local.strftime("%H:%M") + (f" – {end:%H:%M}" if end else ""),
        place=place,
        present=tuple(r.organisation.name for r in rows if r.present),
        absent=tuple(r.organisation.name for r in rows if r.invited and not r.present),
        entries=tuple(entries),
        generated=timezone.localtime().strftime("%d/%m/%Y %H:%M"),
        file_name=(
            f"compte-rendu-{meeting.platform.territory.code.lower()}-{local:%Y-%m-%d}-{version}"
        ),
        nominative_situations=tuple(nominative),
    )


# --- Layout ----------------------------------------------------------------------------------


def minutes_docx(minutes: Minutes) -> bytes:
    from docx import Document
    from docx.shared import Pt

    with translation.override(LANGUAGE):
        doc = Document()
        props = doc.core_properties
        # The file's own metadata says nothing about households either.
        props.title = minutes.title
        props.subject = minutes.platform
        props.author = "ETAGE"
        props.last_modified_by = "ETAGE"
        props.comments = minutes.version_label
        props.keywords = ""
        style = doc.styles["Normal"]
        style.font.name = "Arial"
        style.font.size = Pt(10.5)

        doc.add_heading(minutes.title, level=0)
        doc.add_paragraph().add_run(minutes.version_label).bold = True
        doc.add_paragraph().add_run(minutes.version_notice).italic = True
        table = doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in _header_rows(minutes):
            cells = table.add_row().cells
            cells[0].text, cells[1].text = label, value

        doc.add_heading(_("Decisions"), level=1)
        if not minutes.entries:
            doc.add_paragraph(_("No situation was on the agenda."))
        for entry in minutes.entries:
            doc.add_heading(f"{entry.number}. {entry.label}", level=2)
            if entry.household:
                doc.add_paragraph(f"{_('Household')} : {entry.household}")
                doc.add_paragraph(f"{_('Address')} : {entry.address}")
            doc.add_paragraph(f"{_('On the agenda because')} : {entry.reason}")
            doc.add_paragraph().add_run(entry.outcome).bold = True
            for label, value in entry.details:
                doc.add_paragraph(f"{label} : {value}", style="List Bullet")
            if entry.note:
                doc.add_paragraph(f"{_('Decision note')} : {entry.note}")
        doc.add_paragraph(_("Generated by ETAGE on %(when)s.") % {"when": minutes.generated})
        out = io.BytesIO()
        doc.save(out)
        return out.getvalue()


def _header_rows(minutes: Minutes) -> list[tuple[str, str]]:
    return [
        (_("Platform"), minutes.platform),
        (_("Date"), minutes.date),
        (_("Time"), minutes.time),
        (_("Place"), minutes.place),
        (_("Organisations present"), ", ".join(minutes.present) or _("none recorded")),
        (_("Organisations absent"), ", ".join(minutes.absent) or _("none")),
    ]


def minutes_pdf(minutes: Minutes) -> bytes:
    # Lazy: WeasyPrint needs Pango at import time (see docs/operations.md).
    from weasyprint import HTML

    with translation.override(LANGUAGE):
        html = render_to_string(
            "reports/minutes.html", {"minutes": minutes, "header": _header_rows(minutes)}
        )
        pdf = HTML(string=html).write_pdf()
    return bytes(pdf or b"")
