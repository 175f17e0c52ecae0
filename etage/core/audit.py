"""Searching and exporting the access log, for data-protection officers only
(data-protection.md #10).

The log grows with every read: the search filters on indexed columns (``at``, and
``username`` / ``organisation_code`` / ``object_type`` / ``situation_id`` each with ``at``) and
pages by key (``before``: the last entry shown), newest first, never counting the whole table.

Data-protection officers of every partner organisation search the whole log: they share the
control of one processing. The log holds who, which organisation, when, which object (type and
number), which situation and why — no household data.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django import forms
from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from etage.accounts.roles import Role
from etage.core.models import AccessAction, AccessLogEntry
from etage.organisations.models import Organisation
from etage.situations.models import Situation

PAGE_SIZE = 50
EXPORT_CHUNK = 1000


def may_search_access_log(user: Any) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.role == Role.DPO)


def _any() -> list[tuple[str, Any]]:
    return [("", pgettext_lazy("filter: any value", "All"))]


def object_type_choices() -> list[tuple[str, str]]:
    """Every model of ETAGE, by the name the log stores (``app.model``)."""
    choices = [
        (model._meta.label_lower, f"{str(model._meta.verbose_name).capitalize()}")
        for model in apps.get_models()
        if model.__module__.startswith("etage.") or model._meta.app_label == "accounts"
    ]
    return sorted(set(choices), key=lambda choice: choice[1].lower())


class AccessLogFilterForm(forms.Form):
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To (included)"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    username = forms.CharField(label=_("Login"), required=False, max_length=150)
    organisation = forms.ChoiceField(label=_("Organisation"), required=False)
    action = forms.ChoiceField(label=_("Action"), required=False)
    object_type = forms.ChoiceField(label=_("Object type"), required=False)
    situation = forms.CharField(
        label=_("Situation reference"),
        required=False,
        max_length=20,
        help_text=_("For example T1-00012."),
    )
    reason = forms.ChoiceField(
        label=_("Reason"),
        required=False,
        choices=[
            ("", pgettext_lazy("filter: any value", "All")),
            ("yes", _("With a reason")),
            ("no", _("Without a reason")),
        ],
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organisations = Organisation.objects.order_by("code").values_list("code", "name")
        self.fields["organisation"].choices = _any() + [  # type: ignore[attr-defined]
            (code, f"{code} — {name}") for code, name in organisations
        ]
        self.fields["action"].choices = _any() + list(AccessAction.choices)  # type: ignore[attr-defined]
        self.fields["object_type"].choices = _any() + object_type_choices()  # type: ignore[attr-defined]

    def clean_situation(self) -> int | None:
        reference = self.cleaned_data["situation"].strip().upper()
        if not reference:
            return None
        pk = Situation.objects.filter(reference=reference).values_list("pk", flat=True).first()
        if pk is None:
            raise forms.ValidationError(
                _("No situation has the reference %(reference)s."),
                params={"reference": reference},
            )
        return pk

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end of the period is before its start."))
        return data


@dataclass(frozen=True)
class AccessLogFilters:
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    username: str = ""
    organisation: str = ""
    action: str = ""
    object_type: str = ""
    situation_id: int | None = None
    reason: str = ""

    @classmethod
    def from_form(cls, form: AccessLogFilterForm) -> AccessLogFilters:
        d = form.cleaned_data
        return cls(
            date_from=d.get("date_from"),
            date_to=d.get("date_to"),
            username=(d.get("username") or "").strip(),
            organisation=d.get("organisation") or "",
            action=d.get("action") or "",
            object_type=d.get("object_type") or "",
            situation_id=d.get("situation"),
            reason=d.get("reason") or "",
        )

    def describe(self) -> str:
        """The filters in one line (the reason of the export's own log entry)."""
        parts = [f"{name}={value}" for name, value in vars(self).items() if value not in ("", None)]
        return ("; ".join(parts) or "-")[:250]


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def search_access_log(filters: AccessLogFilters) -> QuerySet[AccessLogEntry]:
    """The entries matching ``filters``, newest first."""
    qs = AccessLogEntry.objects.all()
    if filters.date_from:
        qs = qs.filter(at__gte=_midnight(filters.date_from))
    if filters.date_to:
        qs = qs.filter(at__lt=_midnight(filters.date_to + dt.timedelta(days=1)))
    if filters.username:
        qs = qs.filter(username=filters.username)
    if filters.organisation:
        qs = qs.filter(organisation_code=filters.organisation)
    if filters.action:
        qs = qs.filter(action=filters.action)
    if filters.object_type:
        qs = qs.filter(object_type=filters.object_type)
    if filters.situation_id is not None:
        qs = qs.filter(situation_id=filters.situation_id)
    if filters.reason == "yes":
        qs = qs.exclude(reason="")
    elif filters.reason == "no":
        qs = qs.filter(reason="")
    return qs.order_by("-at", "-id")


@dataclass(frozen=True)
class LogPage:
    entries: list[AccessLogEntry]
    #: The ``before`` key of the next (older) page, or None on the last one.
    next_before: int | None


def access_log_page(filters: AccessLogFilters, *, before: int | None = None) -> LogPage:
    """One page of :func:`search_access_log`, starting after the entry ``before`` (keyset:
    no OFFSET, no COUNT of the whole log)."""
    qs = search_access_log(filters)
    if before is not None:
        anchor = AccessLogEntry.objects.filter(pk=before).values_list("at", flat=True).first()
        if anchor is not None:
            qs = qs.filter(Q(at__lt=anchor) | Q(at=anchor, id__lt=before))
    entries = list(qs[: PAGE_SIZE + 1])
    more = len(entries) > PAGE_SIZE
    entries = entries[:PAGE_SIZE]
    situation_ids = {e.situation_id for e in entries if e.situation_id is not None}
    references = dict(Situation.objects.filter(pk__in=situation_ids).values_list("pk", "reference"))
    for entry in entries:
        if entry.situation_id is not None:
            entry.situation_reference = (  # type: ignore[attr-defined]
                references.get(entry.situation_id) or f"#{entry.situation_id}"
            )
    return LogPage(entries=entries, next_before=entries[-1].pk if more else None)


EXPORT_HEADER = [
    _("When"),
    _("Login"),
    _("Organisation"),
    _("Action"),
    _("Object type"),
    _("Object"),
    _("Situation"),
    _("Reason"),
]


def export_rows(filters: AccessLogFilters) -> Iterator[list[object]]:
    """The rows of the CSV export, read in chunks (the log may be large), each chunk's
    situation references in one query."""
    actions = dict(AccessAction.choices)
    batch: list[AccessLogEntry] = []

    def flush() -> Iterator[list[object]]:
        ids = {e.situation_id for e in batch if e.situation_id is not None}
        references = dict(Situation.objects.filter(pk__in=ids).values_list("pk", "reference"))
        for entry in batch:
            situation = ""
            if entry.situation_id is not None:
                situation = references.get(entry.situation_id) or f"#{entry.situation_id}"
            yield [
                timezone.localtime(entry.at).strftime("%d/%m/%Y %H:%M:%S"),
                entry.username,
                entry.organisation_code,
                str(actions.get(entry.action, entry.action)),
                entry.object_type,
                entry.object_id,
                situation,
                entry.reason,
            ]
        batch.clear()

    for entry in search_access_log(filters).iterator(chunk_size=EXPORT_CHUNK):
        batch.append(entry)
        if len(batch) == EXPORT_CHUNK:
            yield from flush()
    yield from flush()
