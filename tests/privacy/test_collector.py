"""Everything held about one person (data-protection.md #11): one collector, two layouts."""

from __future__ import annotations

import io
import json

import pytest
from django.apps import apps
from django.urls import reverse
from pypdf import PdfReader

from etage.core.models import AccessLogEntry
from etage.privacy.collector import (
    HOUSEHOLD_PARTS,
    LEASE_CHILD_PARTS,
    LEASE_PARTS,
    SITUATION_PARTS,
    collect_person_file,
    declared_labels,
)
from etage.privacy.documents import person_file_json, person_file_pdf
from tests.privacy.conftest import ADDRESS, JOURNAL, LAST_NAME, LEASE, PHONE

pytestmark = pytest.mark.django_db


def test_every_model_is_either_collected_or_excluded_with_a_reason():
    every = {m._meta.label_lower for m in apps.get_models()}
    missing = every - declared_labels()
    assert not missing, (
        "These models are neither read by the person's file nor excluded: add each to "
        "etage/privacy/collector.py — to HOUSEHOLD_PARTS / SITUATION_PARTS / LEASE_PARTS with "
        "its lookup to the household or situation if it holds data about a person, else to "
        f"EXCLUDED with the reason: {sorted(missing)}"
    )


def test_the_file_gives_every_row_of_every_covered_table_and_no_other(rich):
    person_file = collect_person_file(rich.household)
    situation = rich.situation
    expected_paths = [
        *((label, {path: rich.household}) for label, path, _k in HOUSEHOLD_PARTS),
        *((label, {path: situation}) for label, path, _k in SITUATION_PARTS),
    ]
    for label, lookup in expected_paths:
        model = apps.get_model(label)
        rows = set(model._base_manager.filter(**lookup).values_list("pk", flat=True))
        assert person_file.sources.get(label, set()) == rows, label
    # The fixture fills every table but the ones other features write (merges, alerts…).
    filled = {label for label, rows in person_file.sources.items() if rows}
    for label, _path, _key in SITUATION_PARTS:
        if label not in ("breakglass.breakglassgrant",):
            assert label in filled, f"the fixture should give a row of {label}"
    for label in ("intake.arrearsline", "intake.leasesignal", "core.accesslogentry"):
        assert label in filled, label
    assert {label for label, *_ in LEASE_PARTS} | {label for label, *_ in LEASE_CHILD_PARTS}


def test_json_and_pdf_say_the_same_things(rich):
    person_file = collect_person_file(rich.household)
    data = json.loads(person_file_json(person_file))
    pdf = PdfReader(io.BytesIO(person_file_pdf(person_file)))
    text = " ".join(" ".join((page.extract_text() or "").split()) for page in pdf.pages)
    assert data["people"][0]["last_name"] == LAST_NAME
    assert data["household"]["phone"] == PHONE
    assert data["tenancies"][0]["lease_reference"] == LEASE
    situation = data["situations"][0]
    assert situation["journal_entries"][0]["text"] == JOURNAL
    assert situation["documents"][0]["original_name"] == "zorglubien-avis.pdf"
    assert data["landlord_data"]["arrears_lines"][0]["address"] == ADDRESS
    for value in (
        LAST_NAME,
        PHONE,
        LEASE,
        JOURNAL,
        ADDRESS,
        "zorglubien-avis.pdf",
        situation["reference"],
        "Contentieux en cours",
        "Zorglubien : poursuite.",
        "Pièces reçues de Zorglubien.",
    ):
        assert value in text, value
    # Staff are named by organisation only; the access log by organisation, date, action.
    assert "t1-professionnel" not in json.dumps(data)
    assert data["accesses"]
    assert set(data["accesses"][0]) == {
        "at",
        "organisation",
        "action",
        "object_type",
    }


def test_a_dpo_produces_the_file_and_each_production_is_logged_with_its_reason(rich, dpo_client):
    url = reverse("privacy:person_file", args=[rich.household.pk])
    before = AccessLogEntry.objects.count()
    response = dpo_client.post(url, {"format": "json", "reason": "DA-2026-0001"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    assert (
        json.loads(
            b"".join(response.streaming_content) if response.streaming else response.content
        )["people"][0]["last_name"]
        == LAST_NAME
    )
    entries = AccessLogEntry.objects.order_by("id")[before:]
    assert {(e.action, e.object_type, e.reason) for e in entries} == {
        ("export", "households.household", "DA-2026-0001"),
        ("export", "situations.situation", "DA-2026-0001"),
    }
    pdf = dpo_client.post(url, {"format": "pdf", "reason": "DA-2026-0001"})
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_without_a_reason_nothing_is_produced(rich, dpo_client):
    before = AccessLogEntry.objects.count()
    response = dpo_client.post(
        reverse("privacy:person_file", args=[rich.household.pk]), {"format": "json", "reason": " "}
    )
    assert response.status_code == 302
    assert AccessLogEntry.objects.count() == before


@pytest.mark.parametrize(
    "username",
    ["t1-professionnel", "t1-coordination", "t1-admin", "t1-evaluation", "t1-pilotage"],
)
def test_nobody_but_a_dpo_searches_or_produces(rich, client_for, username):
    client = client_for(username)
    assert (
        client.get(reverse("privacy:search"), {"last_name": LAST_NAME, "reason": "x"}).status_code
        == 403
    )
    assert (
        client.post(
            reverse("privacy:person_file", args=[rich.household.pk]),
            {"format": "json", "reason": "x"},
        ).status_code
        == 403
    )
    assert client.get(reverse("privacy:register")).status_code == 403


def test_a_search_finds_the_person_across_organisations_and_logs_each_household(rich, dpo_client):
    before = AccessLogEntry.objects.count()
    response = dpo_client.get(
        reverse("privacy:search"), {"last_name": "zorglubien", "reason": "DA-2026-0001"}
    )
    assert response.status_code == 200
    assert rich.situation.reference in response.content.decode()
    entries = list(AccessLogEntry.objects.order_by("id")[before:])
    assert [(e.action, e.object_id, e.reason) for e in entries] == [
        ("read", str(rich.household.pk), "DA-2026-0001")
    ]
    # A search without a reason shows and logs nothing.
    response = dpo_client.get(reverse("privacy:search"), {"last_name": "zorglubien"})
    assert rich.situation.reference not in response.content.decode()
    assert AccessLogEntry.objects.count() == before + 1
