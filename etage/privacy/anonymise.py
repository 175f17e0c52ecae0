"""Irreversible anonymisation of one household and its situations (data-protection.md #12,
#14): names, address, phone, lease references and every free text are blanked; statuses,
codes, amounts and dates at month precision stay, so that indicators survive.

Used by the erasure on request (:func:`etage.privacy.services.household_erase`) and by the
retention job at the end of the archive period. The append-only tables (pathway events,
procedure events, journal entries, action comments) are changed only inside
:func:`etage.core.append_only.retention_purge`, through the base manager.

What becomes of each row:

- people: last name "ANONYME", first name blank, year of birth moved to the middle of the
  holder's age band at identification (the age band of indicators is kept);
- tenancies: address, lease reference blank; lease date at month precision;
- household: phone blank;
- situations: description blank; every date on the first of its month;
- pathway events: date on the first of its month; details reduced to closed-list codes;
- consents (note), shares (revocation reason), referrals (description), objectives, actions,
  comments, journal entries, review comments, decision notes, flags: text blank;
- documents: files deleted, rows deleted;
- landlords' arrears lines, signals and early-warning candidates of the household's leases:
  names, address blank, lease reference replaced by ``ANON-<row>``.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.apps import apps
from django.db import models
from django.db.models import Q

try:
    from etage.core.append_only import retention_purge
except ImportError:  # pragma: no cover — until the retention guard (issue 7, part F) lands
    from django.db import transaction as _transaction

    def retention_purge() -> Any:  # type: ignore[misc,unused-ignore]
        return _transaction.atomic()


from etage.households.models import Household
from etage.privacy.pseudonymise import _codes, age_band

ANONYMOUS = "ANONYME"

#: A year of birth inside each age band, used in place of the real one.
BAND_AGE = {"<25": 20, "25-39": 32, "40-59": 50, "60+": 70}

#: Free texts of rows attached to a situation: (model label, lookup to the situation,
#: fields blanked).
SITUATION_TEXTS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("situations.consent", "situation", ("note",)),
    ("situations.share", "situation", ("revocation_reason",)),
    ("intake.referral", "situation", ("description",)),
    ("support.objective", "situation", ("title", "theme_other")),
    ("support.planaction", "objective__situation", ("title",)),
    ("support.actioncomment", "action__objective__situation", ("text",)),
    ("support.journalentry", "situation", ("text",)),
    ("support.reviewprogress", "review__situation", ("comment",)),
    ("meetings.decision", "agenda_item__situation", ("note",)),
    ("meetings.situationflag", "situation", ("reason",)),
    ("breakglass.breakglassgrant", "situation", ("reason",)),
)

#: Dates put on the first of their month: (model label, lookup to the situation, fields).
SITUATION_DATES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("situations.pathwayevent", "situation", ("occurred_on",)),
    ("situations.consent", "situation", ("given_on", "withdrawn_on")),
    ("support.journalentry", "situation", ("occurred_on",)),
)

SITUATION_DATE_FIELDS = (
    "identified_on",
    "informed_on",
    "first_contact_on",
    "assessed_on",
    "oriented_on",
    "support_started_on",
    "next_review_on",
    "closed_on",
    "archived_on",
    "last_activity_on",
)

#: Landlords' rows about a lease: (model label, text fields blanked).
LEASE_ROWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("intake.arrearsline", ("tenant_names", "address")),
    ("intake.leasesignal", ()),
    ("alerts.candidate", ("tenant_names", "address", "dismissal_comment")),
    ("linkage.linkreview", ()),
)


def first_of_month(day: dt.date | None) -> dt.date | None:
    return day.replace(day=1) if day else None


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _has(model: type[models.Model], name: str) -> bool:
    return any(f.name == name for f in model._meta.get_fields())


def anonymise_household(household: Household) -> dict[str, int]:
    """Anonymise ``household``, its people, tenancies and situations, and the landlords'
    rows about its leases. Returns how many rows each step changed (counts only). Callers
    check legal holds first; this function does not."""
    from etage.situations.models import Situation

    counts: Counter[str] = Counter()
    situations = list(Situation.objects.filter(household=household))
    with retention_purge():
        # Landlords' rows are found by the lease references, read before they are blanked.
        leases = Q()
        for landlord_id, reference in household.tenancies.exclude(lease_reference="").values_list(
            "landlord_id", "lease_reference"
        ):
            leases |= Q(landlord_id=landlord_id, lease_reference=reference)
        for label, fields in LEASE_ROWS:
            model = _model(label)
            if model is None:
                continue
            condition = Q(household=household) if _has(model, "household") else Q(pk__in=[])
            if leases and _has(model, "lease_reference"):
                condition |= leases
            for row in model._base_manager.filter(condition):
                changes: dict[str, Any] = {name: "" for name in fields if _has(model, name)}
                if _has(model, "lease_reference"):
                    changes["lease_reference"] = f"ANON-{row.pk}"
                if _has(model, "proposals"):
                    changes["proposals"] = []
                if changes:
                    model._base_manager.filter(pk=row.pk).update(**changes)
                    counts[label] += 1

        holder = household.people.order_by("id").first()
        first_identified = min((s.identified_on for s in situations), default=None)
        for person in household.people.all():
            birth_year = person.birth_year
            if birth_year is not None and first_identified is not None:
                band = age_band(birth_year, first_identified)
                birth_year = first_identified.year - BAND_AGE[band]
            elif person != holder:
                birth_year = None
            type(person)._base_manager.filter(pk=person.pk).update(
                last_name=ANONYMOUS,
                first_name="",
                last_name_key="anonyme",
                birth_year=birth_year,
            )
            counts["households.person"] += 1
        for tenancy in household.tenancies.all():
            type(tenancy)._base_manager.filter(pk=tenancy.pk).update(
                address="",
                address_key="",
                lease_reference="",
                lease_signed_on=first_of_month(tenancy.lease_signed_on),
            )
            counts["households.tenancy"] += 1
        Household._base_manager.filter(pk=household.pk).update(phone="")
        counts["households.household"] += 1

        for situation in situations:
            counts.update(anonymise_situation(situation))
    return dict(counts)


def anonymise_situation(situation: Any) -> dict[str, int]:
    """Anonymise one situation and the rows attached to it (not its household: another
    situation of the household may still be active). Used alone by the retention job when the
    household has another situation still kept; inside :func:`anonymise_household` otherwise.
    Callers check legal holds first."""
    from etage.situations.models import PathwayEvent, Situation
    from etage.support.models import Document

    counts: Counter[str] = Counter()
    with retention_purge():
        Situation._base_manager.filter(pk=situation.pk).update(
            description="",
            **{name: first_of_month(getattr(situation, name)) for name in SITUATION_DATE_FIELDS},
        )
        counts["situations.situation"] += 1
        for event in PathwayEvent._base_manager.filter(situation=situation):
            PathwayEvent._base_manager.filter(pk=event.pk).update(payload=_codes(event.payload))
        for label, path, fields in SITUATION_TEXTS:
            model = _model(label)
            if model is None:
                continue
            changed = model._base_manager.filter(**{path: situation}).update(
                **dict.fromkeys(fields, "")
            )
            counts[label] += changed
        for label, path, fields in SITUATION_DATES:
            model = _model(label)
            if model is None:
                continue
            for row in model._base_manager.filter(**{path: situation}):
                model._base_manager.filter(pk=row.pk).update(
                    **{name: first_of_month(getattr(row, name)) for name in fields}
                )
        documents = list(Document._base_manager.filter(situation=situation))
        for document in documents:
            if document.file:
                document.file.storage.delete(str(document.file.name))
        counts["support.document"] += len(documents)
        Document._base_manager.filter(pk__in=[d.pk for d in documents]).delete()
    return dict(counts)
