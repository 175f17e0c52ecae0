"""Administrators' break-glass (data-protection.md #8): a stated reason, read-only access to
one situation for a set time through the same permission doors, every read logged with the
reason, listed for the data-protection officer, who is notified."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from etage.breakglass.models import BreakGlassGrant
from etage.breakglass.services import BreakGlassError, break_glass_open
from etage.core.models import AccessLogEntry
from etage.notifications.models import Notification, NotificationKind
from etage.situations.permissions import allowed_actions, get_situation_for_user
from etage.situations.permissions_matrix import Action

pytestmark = pytest.mark.django_db

REASON = "Incident signalé par le CCAS : la page de la situation ne s'affiche plus."


@pytest.fixture
def situation(refer):
    return refer()  # T1, identified by EMH


def open_grant(client, situation, reason=REASON):
    return client.post(
        reverse("breakglass:open"), {"reference": situation.reference, "reason": reason}
    )


def test_without_a_grant_an_administrator_reads_no_situation(client_for, situation):
    client = client_for("t1-admin")
    assert client.get(reverse("situations:detail", args=[situation.pk])).status_code == 404


def test_with_a_grant_reads_work_and_are_logged_with_the_reason(
    client_for, demo_reference, situation
):
    client = client_for("t1-admin")
    response = open_grant(client, situation)
    assert response.status_code == 302
    assert response["Location"] == reverse("situations:detail", args=[situation.pk])
    grant = BreakGlassGrant.objects.get()
    assert grant.user.username == "t1-admin"
    assert grant.expires_at - grant.started_at == dt.timedelta(minutes=30)

    page = client.get(response["Location"])
    assert page.status_code == 200
    entry = AccessLogEntry.objects.get(username="t1-admin", situation_id=situation.pk)
    assert entry.action == "read"
    assert entry.reason == f"break-glass #{grant.pk}: {REASON}"

    admin = demo_reference["t1-admin"]
    actions = allowed_actions(admin, situation)
    assert actions == {Action.VIEW, Action.VIEW_SOCIAL, Action.VIEW_MILESTONES}
    assert Action.VIEW_SENSITIVE not in actions  # data-protection.md #5


def test_writes_stay_refused_under_a_grant(client_for, demo_reference, situation):
    client = client_for("t1-admin")
    open_grant(client, situation)
    admin = demo_reference["t1-admin"]
    for action in (Action.RECORD_STEP, Action.MANAGE_SHARING, Action.DECIDE):
        with pytest.raises(Http404):
            get_situation_for_user(admin, situation.pk, action)
    assert client.get(reverse("situations:sharing", args=[situation.pk])).status_code == 404
    assert client.post(reverse("situations:household", args=[situation.pk])).status_code in (
        403,
        404,
    )


def test_after_expiry_everything_is_refused_again(client_for, demo_reference, situation):
    admin = demo_reference["t1-admin"]
    client = client_for("t1-admin")
    past = timezone.now() - dt.timedelta(hours=2)
    break_glass_open(user=admin, reference=situation.reference, reason=REASON, now=past)
    assert client.get(reverse("situations:detail", args=[situation.pk])).status_code == 404
    assert allowed_actions(admin, situation) == frozenset()


def test_a_reason_and_a_real_reference_are_required(client_for, demo_reference, situation):
    client = client_for("t1-admin")
    short = open_grant(client, situation, reason="urgent")
    assert short.status_code == 200
    assert "au moins 20 caractères" in short.content.decode()
    unknown = client.post(reverse("breakglass:open"), {"reference": "T9-99999", "reason": REASON})
    assert "Aucune situation ne porte cette référence." in unknown.content.decode()
    assert not BreakGlassGrant.objects.exists()
    with pytest.raises(BreakGlassError):
        break_glass_open(
            user=demo_reference["t1-admin"], reference=situation.reference, reason=" " * 30
        )


@pytest.mark.parametrize(
    "username", ["t1-professionnel", "t1-coordination", "t1-dpd", "t1-pilotage", "t1-signalement"]
)
def test_other_roles_cannot_open_one(client_for, demo_reference, situation, username):
    client = client_for(username)
    assert client.get(reverse("breakglass:open")).status_code == 403
    assert open_grant(client, situation).status_code == 403
    with pytest.raises(PermissionError):
        break_glass_open(
            user=demo_reference[username], reference=situation.reference, reason=REASON
        )
    assert not BreakGlassGrant.objects.exists()


def test_the_dpo_is_notified_and_sees_the_grant_with_the_pages_read(
    client_for, demo_reference, situation, django_capture_on_commit_callbacks
):
    admin_client = client_for("t1-admin")
    with django_capture_on_commit_callbacks(execute=True):
        open_grant(admin_client, situation)
    admin_client.get(reverse("situations:detail", args=[situation.pk]))

    notice = Notification.objects.get(kind=NotificationKind.BREAK_GLASS)
    assert notice.recipient.username == "t1-dpd"
    assert situation.reference in notice.text
    assert "t1-admin" in notice.text

    dpo = client_for("t1-dpd")
    page = dpo.get(reverse("breakglass:register"))
    html = page.content.decode()
    assert page.status_code == 200
    assert situation.reference in html
    assert "Incident signalé par le CCAS" in html
    assert "situations.situation" in html  # the page read, from the access log
    assert len(page.context["rows"][0].reads) == 1
    assert "Accès d’urgence" in dpo.get(reverse("notifications:index")).content.decode()
    # Nobody else reads the register.
    for username in ("t1-admin", "t1-coordination", "t1-professionnel"):
        assert client_for(username).get(reverse("breakglass:register")).status_code == 403
