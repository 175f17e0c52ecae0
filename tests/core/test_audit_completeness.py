"""Audit completeness (issue 7, must-show): every page, download, export and API endpoint that
returns household data writes an access-log entry. Every URL pattern must be declared in
``tests/core/audit_registry.py``."""

# ruff: noqa: F811 (the fixtures imported from other packages' conftest are parameters below)
from __future__ import annotations

from typing import Any

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db.models import Q
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from etage.alerts.models import Candidate
from etage.alerts.services import evaluate_import
from etage.api.services import api_token_create
from etage.core.models import AccessLogEntry
from etage.intake.models import ArrearsImport
from etage.linkage.models import LinkReview
from etage.linkage.services import household_merge, link_import
from etage.meetings.choices import MeetingStatus
from etage.meetings.models import AgendaItem, Meeting
from etage.organisations.models import Organisation
from etage.privacy import services as privacy
from etage.support.models import PlanAction
from tests.alerts.conftest import MONTHS, arrears, new_batch  # noqa: F401 (fixtures)
from tests.core import audit_registry as registry
from tests.linkage.conftest import add_line, known  # noqa: F401 (fixtures)
from tests.privacy.conftest import (  # noqa: F401 (fixtures)
    FIRST_NAME,
    LAST_NAME,
    access_request,
    dpo,
    media_root,
    rich,
)

pytestmark = pytest.mark.django_db


def url_names(resolver: URLResolver | None = None, namespace: str = "") -> list[str]:
    """``namespace:name`` of every pattern of the project (``namespace:?`` when unnamed)."""
    names: list[str] = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names += url_names(pattern, inner)
        elif isinstance(pattern, URLPattern):
            names.append(f"{namespace}{pattern.name or '?'}")
    return names


def test_every_url_pattern_is_declared_nominative_or_not():
    declared = (
        set(registry.PROBES) | set(registry.NOMINATIVE_NOT_PROBED) | set(registry.NOT_NOMINATIVE)
    )
    missing = sorted(
        {
            name
            for name in url_names()
            if name not in declared
            and name.split(":", 1)[0] not in registry.NOT_NOMINATIVE_NAMESPACES
        }
    )
    assert not missing, (
        "These URL patterns are not declared in tests/core/audit_registry.py: "
        + ", ".join(missing)
        + ". Add each to PROBES (it returns household data: its view must call "
        "access_log_record, and the probe says which demo persona requests it) or to "
        "NOT_NOMINATIVE with the reason it holds none."
    )


def test_the_registry_names_only_existing_patterns():
    existing = set(url_names())
    stale = (
        set(registry.PROBES) | set(registry.NOMINATIVE_NOT_PROBED) | set(registry.NOT_NOMINATIVE)
    ) - existing
    assert not stale, f"Remove from tests/core/audit_registry.py: {sorted(stale)}"


@pytest.fixture
def context(rich, demo_reference, known, new_batch, add_line, arrears, refer) -> dict[str, Any]:
    """One situation with something in every table (tests/privacy/conftest.py ``rich``), and
    the sub-objects the probes' URLs need, built through the services where they exist."""
    situation = rich.situation
    officer = rich.dpo
    request = privacy.access_request_create(
        user=officer,
        person_name=f"{FIRST_NAME} {LAST_NAME}",
        kind="access",
        channel="letter",
        received_on=timezone.localdate(),
    )
    request = privacy.access_request_update(
        user=officer,
        request_id=request.pk,
        expected_version=request.version,
        status="answered",
        answer=SimpleUploadedFile("reponse.pdf", b"%PDF-1.4\n%fictif\n"),
    )
    item = AgendaItem.objects.get(situation=situation)
    Meeting.objects.filter(pk=item.meeting_id).update(status=MeetingStatus.HELD)
    # Linkage: a lease waiting for a person, and a merge of two households.
    known("EMH", ("Dupont", "Marie"), lease="EMH-0100")
    known("EMH", ("Dupond", "Marie"), lease="EMH-0101")
    link_batch = new_batch("EMH")
    add_line(link_batch, "EMH-0999", "DUPONS Marie")
    link_import(batch=link_batch)
    assert LinkReview.objects.exists()
    twin = refer(last_name="Fictive")
    household_merge(
        user=demo_reference["t1-coordination"],
        kept=twin.household,
        absorbed=refer(last_name="Fictivo").household,
        reason="Doublon",
    )
    # Early warning: a candidate from two months of a growing debt.
    evaluate_import(
        batch=arrears(
            "EMH-0042",
            [(MONTHS[0], "700"), (MONTHS[1], "1280")],
            tenant_names="M. LAURIER Noé",
            address="12 avenue des Platanes",
            procedure_stage="commandement_de_payer",
        )
    )
    return {
        "situation": situation,
        "household": rich.household,
        "last_name": LAST_NAME,
        "pathway_event": situation.events.order_by("id").last(),
        "objective": situation.objectives.get(),
        "plan_action": PlanAction.objects.get(objective__situation=situation),
        "document": situation.documents.get(),
        "procedure_event": situation.procedure_events.first(),
        "aid": situation.aids.get(),
        "meeting": item.meeting,
        "item": item,
        "access_request": request,
        # A rejected import: its report quotes the file's values (done ones show counts only).
        "batch": ArrearsImport.objects.create(
            landlord=Organisation.objects.get(code="EMH"),
            file_name="rejete.csv",
            status="rejected",
            errors=[{"line": 3, "column": "locataires", "message": "« FICTIF Alix » : date"}],
            error_count=1,
        ),
        "candidate": Candidate.objects.get(lease_reference="EMH-0042"),
        "referral": situation.referrals.get(),
    }


def _client(probe: registry.Probe, user: Any, client_for: Any) -> tuple[Client, Any]:
    """The client and the filter of the entries it must write."""
    if not probe.api:
        return client_for(probe.username), Q(user=user)
    cache.clear()  # full rate-limit budgets
    _token, secret = api_token_create(organisation=user.organisation, name="Audit probe")
    client = Client(headers={"Authorization": f"Bearer {secret}"})
    return client, Q(organisation_code=user.organisation.code)


@pytest.mark.parametrize("name", sorted(registry.PROBES))
def test_each_nominative_page_writes_an_access_log_entry(name, context, client_for, demo_reference):
    probe = registry.PROBES[name]
    user = demo_reference[probe.username]
    client, by = _client(probe, user, client_for)
    before = AccessLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0
    request = getattr(client, probe.method)
    response = request(reverse(name, kwargs=probe.kwargs(context)), probe.data(context))
    assert response.status_code == probe.status, (name, response.status_code)
    written = AccessLogEntry.objects.filter(by, id__gt=before)
    assert written.exists(), f"{name} returned household data without an access-log entry"
    if probe.about_situation:
        assert written.filter(situation_id=context["situation"].pk).exists(), name
