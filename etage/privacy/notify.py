"""Who is told what about rights of the person.

- An objection: the professionals of the organisations already sharing the situation, who
  may see it, get an in-app notification (and e-mail as their "share" preference says)
  through :func:`etage.notifications.dispatch.deliver`, which checks their scope. The text
  names the situation's reference only. Kind "share": it is news about the sharing group.
- Access requests due within 7 days or overdue: every active data-protection officer gets a
  :class:`~etage.privacy.models.RequestReminder` once a day (``etage_privacy_reminders``).
  Notifications of ``etage.notifications`` are about situations a person may see; officers
  see none, hence reminders of their own, shown on the register and counted on the home page.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from etage.accounts.models import User
from etage.accounts.roles import Role
from etage.notifications.dispatch import PROFESSIONAL_ROLES, Draft, deliver
from etage.notifications.models import Notification, NotificationKind
from etage.privacy.models import Objection, ReminderKind, RequestReminder
from etage.privacy.selectors import due_soon_requests, overdue_requests


def objection_recorded(objection_id: int) -> list[Notification]:
    objection = (
        Objection.objects.select_related("situation__platform")
        .filter(pk=objection_id, lifted_on__isnull=True)
        .first()
    )
    if objection is None:
        return []
    situation = objection.situation
    organisations = list(
        situation.shares.filter(is_active=True).values_list("organisation_id", flat=True)
    )
    people = User.objects.filter(
        organisation_id__in=organisations,
        is_active=True,
        role__in=PROFESSIONAL_ROLES,
        territories=situation.platform.territory_id,
    ).distinct()
    with translation.override(settings.LANGUAGE_CODE):
        text = _(
            "The household of situation %(ref)s objects to the processing of its data: no new "
            "share is possible. Ask your data-protection officer before anything else."
        ) % {"ref": situation.reference}
    url = reverse("situations:detail", args=[situation.pk])
    return deliver(
        Draft(person, NotificationKind.SHARE, situation, text, url, f"objection:{objection.pk}")
        for person in people
    )


@transaction.atomic
def send_reminders(today: dt.date) -> int:
    """One reminder per officer, request and day; running it again that day creates
    nothing. Returns how many were created."""
    officers = list(User.objects.filter(role=Role.DPO, is_active=True))
    created = 0
    for kind, requests in (
        (ReminderKind.OVERDUE, overdue_requests(today)),
        (ReminderKind.DUE_SOON, due_soon_requests(today)),
    ):
        for request in requests:
            for officer in officers:
                _reminder, is_new = RequestReminder.objects.get_or_create(
                    access_request=request, recipient=officer, day=today, defaults={"kind": kind}
                )
                created += is_new
    return created
