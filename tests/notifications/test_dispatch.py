"""Who is notified of what: the organisation a situation is shared with, the people a
decision or an action concerns — and never someone who may not see the situation."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.utils import timezone

from etage.meetings.services import (
    DecisionInput,
    agenda_add,
    meeting_create,
    meeting_record_decision,
)
from etage.notifications import dispatch
from etage.notifications.models import Notification, NotificationKind
from etage.organisations.models import Organisation
from etage.references.models import Theme
from etage.situations.services import share_grant, situation_transition
from etage.support.services import action_create, action_update, objective_create
from etage.territories.models import Platform
from tests.notifications.conftest import walk

pytestmark = pytest.mark.django_db


def org(code: str) -> Organisation:
    return Organisation.objects.get(code=code)


def recipients(kind: str) -> set[str]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient__username", flat=True))


def test_a_share_notifies_that_organisations_professionals_only(
    new_situation, demo_reference, committed
):
    situation = walk(new_situation("t1", "Partage"), "t1", demo_reference, ["inform"])
    with committed():
        share_grant(
            user=demo_reference["t1-professionnel"],
            situation_id=situation.pk,
            organisation_id=org("CCAS-VAULX").pk,
            legal_basis="casf",
        )
    # CCAS-VAULX: its social worker and the T1 coordinator (who works there).
    assert recipients(NotificationKind.SHARE) == {"t1-ccas", "t1-coordination"}
    notification = Notification.objects.filter(kind=NotificationKind.SHARE).first()
    assert notification is not None
    assert notification.text == (
        f"La situation {situation.reference} est désormais partagée avec votre organisation."
    )
    assert "Fictif" not in notification.text
    assert "Partage" not in notification.text


def test_a_referral_tells_the_identifying_organisation_but_not_the_signaller(
    new_situation, demo_reference, committed
):
    with committed():
        situation = new_situation("t2", "Nouveau")
    assert recipients(NotificationKind.SHARE) == {"t2-professionnel"}
    assert Notification.objects.get().text == (
        f"Nouvelle situation {situation.reference} repérée par votre organisation."
    )


def test_nothing_is_announced_when_the_work_is_rolled_back(
    new_situation, demo_reference, committed
):
    situation = walk(new_situation("t1", "Annule"), "t1", demo_reference, ["inform"])

    def grant_then_fail() -> None:
        with transaction.atomic():
            share_grant(
                user=demo_reference["t1-professionnel"],
                situation_id=situation.pk,
                organisation_id=org("CCAS-VAULX").pk,
                legal_basis="casf",
            )
            raise RuntimeError("refused later in the same transaction")

    with committed(), pytest.raises(RuntimeError):
        grant_then_fail()
    assert not Notification.objects.exists()


def test_a_notification_never_reaches_someone_outside_the_situations_scope(
    new_situation, demo_reference
):
    situation = new_situation("t1", "Hors")
    drafts = [
        dispatch.Draft(demo_reference[u], NotificationKind.SHARE, situation, "x", "/", "test:1")
        for u in ("t1-professionnel", "t2-professionnel", "t2-coordination", "t1-signalement")
    ]
    created = dispatch.deliver(drafts)
    assert [n.recipient.username for n in created] == ["t1-professionnel"]


def test_an_orientation_notifies_the_lead_and_the_referent_organisation_once(
    new_situation, demo_reference, committed
):
    situation = walk(
        new_situation("t1", "Oriente"), "t1", demo_reference, ["inform", "contact_reached"]
    )
    coordinator = demo_reference["t1-coordination"]
    platform = Platform.objects.get(territory__code="T1")
    meeting = meeting_create(
        user=coordinator,
        platform_id=platform.pk,
        starts_at=timezone.now() - dt.timedelta(hours=1),
        place="Salle",
    )
    item = agenda_add(user=coordinator, meeting_id=meeting.pk, reference=situation.reference)
    situation.refresh_from_db()
    with committed():
        meeting_record_decision(
            user=coordinator,
            meeting_id=meeting.pk,
            item_id=item.pk,
            data=DecisionInput(
                kind="orientation",
                expected_version=situation.version,
                orientation="agr",
                lead_professional_id=demo_reference["t1-professionnel"].pk,
                referent_organisation_id=org("ASSO-TDL").pk,
            ),
        )
    # The orientation step and the meeting decision are one decision: one notification each.
    decisions = Notification.objects.filter(kind=NotificationKind.DECISION)
    assert sorted(decisions.values_list("recipient__username", flat=True)) == [
        "t1-association",
        "t1-professionnel",
    ]
    assert "orientation — Accompagnement global renforcé (AGR)" in decisions[0].text
    # The association also learns that the situation is now shared with it.
    assert recipients(NotificationKind.SHARE) == {"t1-association"}


def test_a_level_change_on_the_situation_page_notifies_the_lead(
    new_situation, demo_reference, committed
):
    situation = walk(
        new_situation("t1", "Niveau"),
        "t1",
        demo_reference,
        ["inform", "contact_reached", "assess", "orient", "start_support"],
    )
    with committed():
        situation_transition(
            user=demo_reference["t1-coordination"],
            situation_id=situation.pk,
            action="change_level",
            expected_version=situation.version,
            occurred_on=situation.support_started_on,
            payload={
                "level": "coordination",
                "lead_professional_id": demo_reference["t1-professionnel"].pk,
                "referent_organisation_id": org("ASSO-TDL").pk,
            },
        )
    assert recipients(NotificationKind.DECISION) == {"t1-professionnel", "t1-association"}


def _plan(situation, user):
    return objective_create(
        user=user,
        situation_id=situation.pk,
        theme_id=Theme.objects.order_by("order")[0].pk,
        title="Budget",
    )


def test_an_action_is_announced_to_its_person_without_its_wording(
    new_situation, demo_reference, committed
):
    situation = walk(
        new_situation("t1", "Action"),
        "t1",
        demo_reference,
        ["inform", "contact_reached", "assess", "orient", "start_support"],
    )
    lead = demo_reference["t1-professionnel"]
    share_grant(
        user=lead,
        situation_id=situation.pk,
        organisation_id=org("CCAS-VAULX").pk,
        legal_basis="casf",
    )
    objective = _plan(situation, lead)
    with committed():
        action = action_create(
            user=lead,
            objective_id=objective.pk,
            title="Dossier santé mentale CMP",
            owner_organisation_id=org("CCAS-VAULX").pk,
            owner_person_id=demo_reference["t1-ccas"].pk,
            due_on=dt.date(2027, 1, 15),
        )
    (notification,) = Notification.objects.filter(kind=NotificationKind.ACTION)
    assert notification.recipient.username == "t1-ccas"
    assert "CMP" not in notification.text
    assert "santé" not in notification.text
    assert "15/01/2027" in notification.text
    # Given to the association as a whole: its professionals; reassigning is announced again.
    with committed():
        action_update(
            user=lead,
            action_id=action.pk,
            expected_version=action.version,
            title=action.title,
            owner_organisation_id=org("ASSO-TDL").pk,
            owner_person_id=None,
            due_on=action.due_on,
            status=action.status,
        )
    assert recipients(NotificationKind.ACTION) == {"t1-ccas", "t1-association"}


def test_an_action_given_outside_the_sharing_group_notifies_nobody(
    new_situation, demo_reference, committed
):
    situation = walk(
        new_situation("t1", "Dehors"),
        "t1",
        demo_reference,
        ["inform", "contact_reached", "assess", "orient", "start_support"],
    )
    lead = demo_reference["t1-professionnel"]
    objective = _plan(situation, lead)
    with committed():
        # MDM-BRON is a member of the platform but does not share this situation.
        action_create(
            user=lead,
            objective_id=objective.pk,
            title="Appeler la MDM",
            owner_organisation_id=org("MDM-BRON").pk,
        )
    assert not Notification.objects.filter(kind=NotificationKind.ACTION).exists()


def test_nobody_is_notified_of_what_they_did_themselves(new_situation, demo_reference, committed):
    with committed():
        new_situation("t1", "Moi", **{})  # referred by the T1 signaller
    assert "t1-signalement" not in recipients(NotificationKind.SHARE)


def test_suppressed_work_notifies_nobody(new_situation, demo_reference, committed):
    with committed(), dispatch.suppressed():
        new_situation("t2", "Silence")
    assert not Notification.objects.exists()
