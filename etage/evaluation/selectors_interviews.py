"""Reads of the interview register, shared by its page and its CSV export: the same rows,
the same filters, the same words. The project comes from :func:`~etage.evaluation.scope.
require_project`; nothing here widens it. Interviewees are described by stakeholder type,
never by name (the model holds none)."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from etage.evaluation.models import Interview, Project
from etage.evaluation.models.choices import StakeholderType
from etage.evaluation.services_interviews import consent_status

#: Consent filter values (the URL's ``consentement``) and the condition each stands for.
CONSENT_FILTERS: dict[str, Q] = {
    "given": Q(consent__isnull=False, consent__withdrawn_on__isnull=True),
    "withdrawn": Q(consent__withdrawn_on__isnull=False),
    "missing": Q(consent__isnull=True),
}


def consent_words(status: str) -> str:
    """The consent status in words (the register never relies on colour)."""
    return {
        "given": pgettext("consent status", "Given"),
        "withdrawn": pgettext("consent status", "Withdrawn"),
        "missing": pgettext("consent status", "Missing"),
    }[status]


@dataclass(frozen=True)
class RegisterFilters:
    stakeholder_type: str = ""
    territory: int | None = None
    consent: str = ""

    @property
    def active(self) -> bool:
        return bool(self.stakeholder_type or self.territory or self.consent)


def interviews_of(project: Project) -> QuerySet[Interview]:
    """The register's rows with what the pages and the CSV show (one query)."""
    return (
        Interview.objects.filter(project=project)
        .select_related("organisation", "territory", "case_study", "consent", "transcript")
        .order_by("reference", "pk")
    )


def register(project: Project, filters: RegisterFilters) -> QuerySet[Interview]:
    rows = interviews_of(project)
    if filters.stakeholder_type:
        rows = rows.filter(stakeholder_type=filters.stakeholder_type)
    if filters.territory:
        rows = rows.filter(territory_id=filters.territory)
    if filters.consent:
        rows = rows.filter(CONSENT_FILTERS[filters.consent])
    return rows


def counts_by_type(rows: QuerySet[Interview]) -> list[tuple[str, int]]:
    """(stakeholder type label, number of interviews) in the order of the type list."""
    counted = {
        row["stakeholder_type"]: row["n"]
        for row in rows.order_by().values("stakeholder_type").annotate(n=Count("pk"))
    }
    return [
        (str(label), counted[value]) for value, label in StakeholderType.choices if value in counted
    ]


def csv_header() -> list[str]:
    return [
        _("Reference"),
        _("Stakeholder type"),
        _("Organisation"),
        _("Territory"),
        _("Date"),
        _("Format"),
        _("Participants"),
        _("Consent"),
        _("Consent given on"),
        _("Consent withdrawn on"),
        _("Recording agreed"),
        _("Pseudonymised quotations agreed"),
        _("Transcript"),
        _("Replacements made"),
        _("Case study"),
    ]


def _yes_no(value: bool) -> str:
    return _("yes") if value else _("no")


def _day(value: datetime.date | None) -> str:
    return date_format(value, "SHORT_DATE_FORMAT") if value else ""


def csv_rows(rows: QuerySet[Interview]) -> Iterator[list[object]]:
    for interview in rows:
        consent = getattr(interview, "consent", None)
        transcript = getattr(interview, "transcript", None)
        yield [
            interview.reference,
            interview.get_stakeholder_type_display(),
            interview.organisation.name if interview.organisation else "",
            interview.territory.name if interview.territory else "",
            _day(interview.held_on),
            interview.get_mode_display(),
            interview.participants,
            consent_words(consent_status(interview)),
            _day(consent.given_on) if consent else "",
            _day(consent.withdrawn_on) if consent else "",
            _yes_no(consent.recording) if consent else "",
            _yes_no(consent.quotation) if consent else "",
            _yes_no(transcript is not None),
            transcript.replacements if transcript else "",
            interview.case_study.title if interview.case_study else "",
        ]
