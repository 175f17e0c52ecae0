"""Everything held about one person (data-protection.md #11), gathered once.

:func:`collect_person_file` reads every row of ETAGE about one household — the person's
household, its people and tenancies, each situation with everything attached to it, the
landlords' data on its leases, and who accessed it — into a :class:`PersonFile`. The JSON and
the PDF (:mod:`etage.privacy.documents`) are two layouts of that one structure and never
query the database, so nothing is in one and not the other.

Which models are read, and how each is reached from the household, is **declared** below
(:data:`HOUSEHOLD_PARTS`, :data:`SITUATION_PARTS`, :data:`LEASE_PARTS`); every other model of
the project is in :data:`EXCLUDED` with the reason it holds nothing about the person. A test
fails when a model is in neither (``tests/privacy/test_collector.py``).

Choices:

- **staff names are left out** — who recorded what appears as their organisation; the
  person's right of access covers their data and its recipients (organisations), not the
  identity of each employee (CNIL guidance on the right of access);
- **the access log** is given as organisation, date and action, without the login;
- **journal entries of every visibility** are included: they are the person's own data;
- **documents**: names, kinds, dates and sizes; their contents are added by hand by the
  officer when the request asks for copies;
- notifications are staff data (texts name the situation's reference only): left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from etage.core.models import AccessLogEntry
from etage.households.models import Household
from etage.organisations.models import Organisation

#: Household-level rows: (model label, lookup from the model to the household, title).
HOUSEHOLD_PARTS: tuple[tuple[str, str, str], ...] = (
    ("households.person", "household", "people"),
    ("households.tenancy", "household", "tenancies"),
    ("linkage.householdmerge", "kept", "household_merges"),
)

#: Rows of one situation: (model label, lookup from the model to the situation, key).
SITUATION_PARTS: tuple[tuple[str, str, str], ...] = (
    ("situations.situationdifficulty", "situation", "difficulties"),
    ("situations.pathwayevent", "situation", "pathway_events"),
    ("situations.consent", "situation", "consents"),
    ("situations.share", "situation", "shares"),
    ("intake.referral", "situation", "referrals"),
    ("procedures.procedureevent", "situation", "procedure_events"),
    ("procedures.arrearsbalance", "situation", "arrears_balances"),
    ("procedures.aid", "situation", "aids"),
    ("support.objective", "situation", "plan_objectives"),
    ("support.planaction", "objective__situation", "plan_actions"),
    ("support.actioncomment", "action__objective__situation", "action_comments"),
    ("support.journalentry", "situation", "journal_entries"),
    ("support.document", "situation", "documents"),
    ("support.review", "situation", "reviews"),
    ("support.reviewprogress", "review__situation", "review_progress"),
    ("meetings.agendaitem", "situation", "meeting_agenda_items"),
    ("meetings.decision", "agenda_item__situation", "meeting_decisions"),
    ("meetings.situationflag", "situation", "flags_for_the_platform"),
    ("privacy.objection", "situation", "objections"),
    ("privacy.legalhold", "situation", "legal_holds"),
    ("breakglass.breakglassgrant", "situation", "emergency_accesses"),
)

#: Landlords' data about the household's leases: linked to the household by record linkage,
#: or carrying the lease reference of one of its tenancies at that landlord.
LEASE_PARTS: tuple[tuple[str, str, str], ...] = (
    ("intake.arrearsline", "household", "arrears_lines"),
    ("intake.leasesignal", "household", "landlord_signals"),
    ("alerts.candidate", "household", "early_warning_candidates"),
    ("linkage.linkreview", "household", "record_linkage_reviews"),
)

#: Rows reached through a lease part: (model label, lookup to the lease part's row, key).
LEASE_CHILD_PARTS: tuple[tuple[str, str, str, str], ...] = (
    ("alerts.candidateevent", "candidate", "alerts.candidate", "early_warning_events"),
)

#: Covered by their own section: the household row, the situations, the access log.
SPECIAL: dict[str, str] = {
    "households.household": "the household itself",
    "situations.situation": "each situation",
    "core.accesslogentry": "who accessed the data: organisation, date, action",
}

#: Every other model, and why it holds nothing to give the person.
_EVALUATION = "pseudonymised evaluation material, linked to no situation nor household record"

EXCLUDED: dict[str, str] = {
    "admin.logentry": "back-office changes of configuration; no case model is registered",
    "auth.permission": "framework table, no personal data",
    "auth.group": "framework table, no personal data",
    "contenttypes.contenttype": "framework table, no personal data",
    "sessions.session": "staff sessions",
    "otp_totp.totpdevice": "staff second factor",
    "otp_static.staticdevice": "staff second factor",
    "otp_static.statictoken": "staff second factor",
    "axes.accessfailurelog": "staff login failures",
    "axes.accessattempt": "staff login attempts",
    "axes.accessattemptexpiration": "staff login attempts",
    "axes.accesslog": "staff logins",
    "analytics.indicatordefinition": "catalogue of indicator definitions, no case data",
    "analytics.indicatorvalue": "aggregated figures, linked to no situation nor household",
    "analytics.costparameter": "configuration: annual costs per support level",
    "analytics.referencerule": "configuration: reference-pathway rules",
    "evaluation.project": "evaluation project: staff data only",
    "evaluation.projectmember": "staff membership of an evaluation project",
    "evaluation.interview": _EVALUATION + " (stakeholder type only, never a name)",
    "evaluation.interviewconsent": "consent of a pseudonymised interviewee: " + _EVALUATION,
    "evaluation.transcript": _EVALUATION + " (names replaced before storage, the map never kept)",
    "evaluation.code": "codebook of the evaluation, no personal data",
    "evaluation.codeevent": "codebook history, staff data",
    "evaluation.segment": _EVALUATION,
    "evaluation.memo": "evaluators' analytic notes on pseudonymised material",
    "evaluation.casedraw": "draw over the pseudonymised snapshot: " + _EVALUATION,
    "evaluation.casestudy": "snapshot pseudonym, not reversible without the key: " + _EVALUATION,
    "evaluation.timelinepin": _EVALUATION,
    "evaluation.triangulationcell": "evaluators' judgement on pseudonymised sources",
    "evaluation.crosscasecell": "evaluators' judgement on pseudonymised sources",
    "evaluation.evaluativequestion": "evaluation design, no personal data",
    "evaluation.recommendation": "evaluation findings, no personal data",
    "evaluation.logicmodelnode": "evaluation design, no personal data",
    "evaluation.workshop": "collective workshop, attendees counted by type",
    "evaluation.workshopattendee": "attendee by stakeholder type (staff account if any)",
    "evaluation.card": "workshop proposals, no personal data",
    "evaluation.vote": "workshop ballots, staff or anonymous attendees",
    "evaluation.actionitem": "action plan, no personal data",
    "scenarios.contextfigure": "configuration: public context figures",
    "scenarios.prospectivevariable": "evaluation design, no personal data",
    "scenarios.hypothesis": "evaluation design, no personal data",
    "scenarios.scenario": "scenario parameters, no personal data",
    "scenarios.scenariorun": "simulated figures, no personal data",
    "django_tasks_database.dbtaskresult": "background jobs: identifiers only",
    "core.retentionreport": "counts only",
    "accounts.user": "staff accounts",
    "organisations.organisation": "reference data (organisations)",
    "territories.territory": "reference data",
    "territories.commune": "reference data",
    "territories.platform": "reference data",
    "territories.platformmembership": "reference data",
    "intake.importprofile": "a landlord's file layout",
    "intake.arrearsimport": "a landlord's whole file: its lines are given (arrears_lines)",
    "references.theme": "reference data",
    "references.actiontemplate": "reference data",
    "meetings.meeting": "the meeting itself; its decisions about the person are given",
    "meetings.meetingattendance": "organisations present at a meeting",
    "notifications.notification": "staff data: texts name the situation's reference only",
    "notifications.notificationpreference": "staff preferences",
    "notifications.digestrun": "staff e-mails sent",
    "alerts.warningrule": "configuration of the early-warning rules",
    "api.apiaccount": "landlords' API accounts",
    "api.apitoken": "landlords' API tokens",
    "privacy.accessrequest": "the register of requests: the answer itself",
    "privacy.requestreminder": "reminders to data-protection officers",
    "privacy.erasure": "record of an erasure already carried out (counts only)",
}

#: Columns never shown: internal keys, fingerprints, stored file paths, concurrency counters.
HIDDEN_FIELDS = frozenset(
    {
        "last_name_key",
        "address_key",
        "content_hash",
        "file",
        "version",
        "sha256",
        "rule_kinds",
        "updated_at",
        "key",
    }
)

#: Foreign keys to these models are staff: never shown (their organisation is).
STAFF_MODELS = frozenset({"accounts.user"})


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def declared_labels() -> set[str]:
    return (
        {label for label, _path, _key in HOUSEHOLD_PARTS}
        | {label for label, _path, _key in SITUATION_PARTS}
        | {label for label, _path, _key in LEASE_PARTS}
        | {label for label, _path, _parent, _key in LEASE_CHILD_PARTS}
        | set(SPECIAL)
        | set(EXCLUDED)
    )


# --- The structure --------------------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    """One column of one row: its key (JSON), its French label (PDF) and its value."""

    key: str
    label: str
    value: Any


@dataclass
class Record:
    model: str
    pk: Any
    items: list[Item]

    def as_dict(self) -> dict[str, Any]:
        return {item.key: item.value for item in self.items}


@dataclass
class Section:
    key: str
    title: str
    records: list[Record] = field(default_factory=list)


@dataclass
class SituationFile:
    record: Record
    sections: list[Section]


@dataclass
class PersonFile:
    generated_at: str
    household: Record
    sections: list[Section]
    situations: list[SituationFile]
    landlord_data: list[Section]
    accesses: Section
    #: model label -> primary keys of the rows given (what the coverage test checks).
    sources: dict[str, set[Any]] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        def section(s: Section) -> list[dict[str, Any]]:
            return [r.as_dict() for r in s.records]

        return {
            "generated_at": self.generated_at,
            "household": self.household.as_dict(),
            **{s.key: section(s) for s in self.sections},
            "situations": [
                {**f.record.as_dict(), **{s.key: section(s) for s in f.sections}}
                for f in self.situations
            ],
            "landlord_data": {s.key: section(s) for s in self.landlord_data},
            "accesses": section(self.accesses),
        }


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).isoformat(timespec="minutes")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def record_of(obj: models.Model) -> Record:
    """Every column of ``obj`` a person may read: choices by their French label, links by
    what they name (organisations, communes…), staff links left out."""
    items: list[Item] = [Item("id", "id", obj.pk)]
    for f in obj._meta.concrete_fields:
        if f.primary_key or f.name in HIDDEN_FIELDS:
            continue
        label = str(f.verbose_name)
        if f.is_relation:
            related = f.related_model
            if related is None or related._meta.label_lower in STAFF_MODELS:
                continue
            target = getattr(obj, f.name)
            if target is None:
                value: Any = None
            elif isinstance(target, Organisation | Household) or related._meta.app_label in (
                "territories",
                "references",
            ):
                value = str(target)
            else:
                value = target.pk
            items.append(Item(f.name, label, value))
            continue
        raw = getattr(obj, f.attname)
        if f.choices and raw not in (None, ""):
            display = getattr(obj, f"get_{f.name}_display")()
            items.append(Item(f.name, label, str(display)))
        else:
            items.append(Item(f.name, label, _plain(raw)))
    if obj._meta.label_lower == "situations.consent":
        scope = sorted(o.name for o in obj.scope.all())  # type: ignore[attr-defined]
        items.append(Item("scope", str(_("organisations covered")), scope))
    return Record(obj._meta.label_lower, obj.pk, items)


def _title(key: str) -> str:
    from etage.privacy.documents import SECTION_TITLES

    return str(SECTION_TITLES.get(key, key))


def _rows(label: str, **lookup: Any) -> list[models.Model]:
    model = _model(label)
    if model is None:
        return []
    return list(model._base_manager.filter(**lookup).order_by("pk"))


def collect_person_file(household: Household) -> PersonFile:
    """Everything ETAGE holds about ``household`` and its people, in one structure (labels
    in French, whatever the language of the request)."""
    with translation.override(settings.LANGUAGE_CODE):
        return _collect(household)


def _collect(household: Household) -> PersonFile:
    sources: dict[str, set[Any]] = {}

    def section(key: str, rows: list[models.Model]) -> Section:
        for row in rows:
            sources.setdefault(row._meta.label_lower, set()).add(row.pk)
        return Section(key, _title(key), [record_of(r) for r in rows])

    sources["households.household"] = {household.pk}
    sections = [
        section(key, _rows(label, **{path: household}))
        for label, path, key in HOUSEHOLD_PARTS
        if label != "linkage.householdmerge"
    ]
    merge = _model("linkage.householdmerge")
    if merge is not None:
        merges = list(
            merge._base_manager.filter(Q(kept=household) | Q(absorbed=household)).order_by("pk")
        )
        sections.append(section("household_merges", merges))

    from etage.situations.models import Situation

    situations = list(Situation.objects.filter(household=household).order_by("identified_on", "pk"))
    sources["situations.situation"] = {s.pk for s in situations}
    situation_files = [
        SituationFile(
            record_of(situation),
            [
                section(key, _rows(label, **{path: situation}))
                for label, path, key in SITUATION_PARTS
            ],
        )
        for situation in situations
    ]

    tenancies = list(household.tenancies.all())
    leases = Q()
    for tenancy in tenancies:
        if tenancy.lease_reference:
            leases |= Q(landlord_id=tenancy.landlord_id, lease_reference=tenancy.lease_reference)
    landlord_data: list[Section] = []
    found: dict[str, list[models.Model]] = {}
    for label, path, key in LEASE_PARTS:
        model = _model(label)
        if model is None:
            continue
        condition = Q(**{path: household})
        if leases and {"landlord", "lease_reference"} <= {f.name for f in model._meta.fields}:
            condition |= leases
        rows = list(model._base_manager.filter(condition).order_by("pk"))
        found[label] = rows
        landlord_data.append(section(key, rows))
    for label, path, parent, key in LEASE_CHILD_PARTS:
        if _model(label) is None:
            continue
        parents = [r.pk for r in found.get(parent, [])]
        landlord_data.append(section(key, _rows(label, **{f"{path}__in": parents})))

    accesses = Section("accesses", _title("accesses"), access_records(household, situations))
    sources["core.accesslogentry"] = {r.pk for r in accesses.records}
    return PersonFile(
        generated_at=timezone.localtime().isoformat(timespec="minutes"),
        household=record_of(household),
        sections=sections,
        situations=situation_files,
        landlord_data=landlord_data,
        accesses=accesses,
        sources=sources,
    )


def access_records(household: Household, situations: list[Any]) -> list[Record]:
    """Who read, exported or changed the household's data: organisation, when, what."""
    situation_ids = [s.pk for s in situations]
    objects = Q(object_type="households.household", object_id=str(household.pk))
    people = [str(pk) for pk in household.people.values_list("pk", flat=True)]
    tenancies = [str(pk) for pk in household.tenancies.values_list("pk", flat=True)]
    objects |= Q(object_type="households.person", object_id__in=people)
    objects |= Q(object_type="households.tenancy", object_id__in=tenancies)
    if situation_ids:
        objects |= Q(situation_id__in=situation_ids)
    names = dict(Organisation.objects.values_list("code", "name"))
    entries = AccessLogEntry.objects.filter(objects).order_by("at", "id")
    with_label = AccessLogEntry._meta
    records = []
    for entry in entries:
        records.append(
            Record(
                "core.accesslogentry",
                entry.pk,
                [
                    Item("at", str(with_label.get_field("at").verbose_name), _plain(entry.at)),
                    Item(
                        "organisation",
                        str(with_label.get_field("organisation_code").verbose_name),
                        names.get(entry.organisation_code, entry.organisation_code),
                    ),
                    Item(
                        "action",
                        str(with_label.get_field("action").verbose_name),
                        str(entry.get_action_display()),
                    ),
                    Item(
                        "object_type",
                        str(with_label.get_field("object_type").verbose_name),
                        _object_label(entry.object_type),
                    ),
                ],
            )
        )
    return records


def _object_label(label: str) -> str:
    model = _model(label)
    return str(model._meta.verbose_name) if model is not None else label
