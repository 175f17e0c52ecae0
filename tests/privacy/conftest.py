"""A household with something in every table the person's file covers, written through the
services where they exist (landlords' lines, meetings: directly), with distinctive invented
values so that a scan finds every copy of them."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from etage.accounts.models import User
from etage.households.models import Household
from etage.intake.models import ArrearsImport, ArrearsLine, LeaseSignal
from etage.meetings.models import AgendaItem, Decision, Meeting
from etage.organisations.models import Organisation
from etage.privacy import services as privacy
from etage.procedures import services as procedures
from etage.references.models import Theme
from etage.situations.models import Situation
from etage.situations.services import consent_record, share_grant
from etage.support import services as support
from etage.territories.models import Platform
from tests.support.conftest import ensure_partner

#: Invented, and unlike anything else in the demo, so that a scan cannot match by chance.
LAST_NAME = "Zorglubien"
FIRST_NAME = "Alix"
ADDRESS = "7 impasse des Ormes Fictifs"
PHONE = "06 39 98 12 34"
LEASE = "BAIL-ZX-991"
JOURNAL = "Visite chez Mme Zorglubien, appartement rangé."


@dataclass
class Rich:
    situation: Situation
    household: Household
    dpo: User


@pytest.fixture
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def dpo(demo_reference) -> User:
    return demo_reference["t1-dpd"]


@pytest.fixture
def dpo_client(dpo) -> Client:
    client = Client()
    client.force_login(dpo)
    return client


@pytest.fixture
def access_request(dpo):
    def make(kind: str = "access", name: str = f"{FIRST_NAME} {LAST_NAME}", **kw):
        return privacy.access_request_create(
            user=dpo,
            person_name=name,
            kind=kind,
            channel="letter",
            received_on=kw.pop("received_on", timezone.localdate()),
            **kw,
        )

    return make


@pytest.fixture
def rich(refer, advance, demo_reference, media_root, dpo, access_request) -> Rich:
    pro = demo_reference["t1-professionnel"]
    association = ensure_partner("t1-association")
    situation = advance(refer(last_name=LAST_NAME, address=ADDRESS, lease=LEASE), 5)
    Household.objects.filter(pk=situation.household_id).update(phone=PHONE)
    share_grant(
        user=pro,
        situation_id=situation.pk,
        organisation_id=Organisation.objects.get(code="CCAS-VAULX").pk,
        legal_basis="casf",
    )
    today = timezone.localdate()
    objective = support.objective_create(
        user=pro,
        situation_id=situation.pk,
        theme_id=Theme.objects.get(code="budget_debt").pk,
        title="Objectif Zorglubien : résorber la dette",
    )
    action = support.action_create(
        user=pro,
        objective_id=objective.pk,
        title="Monter le dossier FSL de Zorglubien",
        owner_organisation_id=pro.organisation_id,
    )
    support.action_comment_add(user=pro, action_id=action.pk, text="Pièces reçues de Zorglubien.")
    entry = support.journal_entry_add(
        user=association,
        situation_id=situation.pk,
        kind="home_visit",
        occurred_on=today,
        visibility="organisation",
        text=JOURNAL,
    )
    support.document_add(
        user=association,
        situation_id=situation.pk,
        upload=SimpleUploadedFile("zorglubien-avis.pdf", b"%PDF-1.4\n%fictif\n"),
        kind_label="Avis d'imposition",
        journal_entry_id=entry.pk,
    )
    situation.refresh_from_db()
    support.review_record(
        user=pro,
        situation_id=situation.pk,
        expected_version=situation.version,
        held_on=today,
        decision="continue",
        next_review_on=today + dt.timedelta(days=90),
        progress=[support.ProgressInput(objective.pk, "partial", "Zorglubien avance.")],
    )
    procedures.procedure_event_record(
        user=pro, situation_id=situation.pk, kind="reminder", occurred_on=today, source="landlord"
    )
    procedures.arrears_balance_record(
        user=pro, situation_id=situation.pk, on=today, amount=Decimal("1234.00"), source="landlord"
    )
    procedures.aid_create(
        user=pro,
        situation_id=situation.pk,
        kind="fsl_maintien",
        requested_on=today,
        requested_amount=Decimal("800"),
    )
    from etage.meetings.services import situation_flag

    situation_flag(
        user=pro, situation_id=situation.pk, reason="Zorglubien : dette en hausse, à revoir."
    )
    meeting = Meeting.objects.create(
        platform=Platform.objects.get(territory__code="T1"),
        starts_at=timezone.now(),
        place="Salle du CCAS",
        created_by=demo_reference["t1-coordination"],
    )
    item = AgendaItem.objects.create(
        meeting=meeting, situation=situation, reason="review_due", alias_number=1, state="decided"
    )
    Decision.objects.create(agenda_item=item, kind="continue", note="Zorglubien : poursuite.")
    landlord = Organisation.objects.get(code="EMH")
    batch = ArrearsImport.objects.create(landlord=landlord, file_name="emh.csv", status="done")
    ArrearsLine.objects.create(
        landlord=landlord,
        lease_reference=LEASE,
        balance_on=today,
        tenant_names=LAST_NAME.upper(),
        address=ADDRESS,
        commune=situation.tenancy.commune,
        monthly_rent=Decimal("450"),
        balance=Decimal("1234"),
        months_in_arrears=Decimal("2.7"),
        content_hash="x",
        first_import=batch,
        last_import=batch,
    )
    LeaseSignal.objects.create(
        landlord=landlord,
        external_id="S-1",
        lease_reference=LEASE,
        kind="complaint",
        occurred_on=today,
    )
    consent_record(
        user=pro,
        situation_id=situation.pk,
        given_on=today,
        organisation_ids=[Organisation.objects.get(code="MDM-BRON").pk],
        note="Recueilli auprès de Zorglubien",
    )
    privacy.objection_record(
        user=dpo, situation_id=situation.pk, request_id=access_request("objection").pk
    )
    privacy.legal_hold_set(user=dpo, situation_id=situation.pk, reason="Contentieux en cours")
    situation.refresh_from_db()
    return Rich(situation=situation, household=situation.household, dpo=dpo)
