"""The candidate pages: who sees them, the pre-filled referral, conversion and dismissal."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from etage.accounts.models import User
from etage.alerts.models import Candidate, CandidateStatus
from etage.alerts.services import evaluate_import
from etage.core.models import AccessLogEntry
from etage.intake.models import ArrearsImport, ArrearsLine, LinkStatus
from etage.situations.models import Situation
from tests.alerts.conftest import MONTHS

pytestmark = pytest.mark.django_db

LIST = reverse("alerts:candidate_list")


@pytest.fixture
def candidate(arrears: Callable[..., ArrearsImport]) -> Candidate:
    evaluate_import(
        batch=arrears(
            "EMH-0042",
            [(MONTHS[0], "700"), (MONTHS[1], "1280")],
            tenant_names="M. LAURIER Noé et Mme LAURIER Inès",
            address="12 avenue des Platanes",
            procedure_stage="commandement_de_payer",
        )
    )
    return Candidate.objects.get(lease_reference="EMH-0042")


def test_the_landlords_social_worker_sees_the_candidates_with_reasons_in_words(
    client_for: Callable[[str], Client], candidate: Candidate
) -> None:
    response = client_for("t1-professionnel").get(LIST)
    assert response.status_code == 200
    page = response.content.decode()
    assert "LAURIER" in page
    assert "EMH-0042" in page
    assert "Dette de 3,2 mois de loyer (seuil : 2)" in page
    assert "Stade de procédure atteint" in page
    assert AccessLogEntry.objects.filter(
        object_type="alerts.candidate", object_id=str(candidate.pk), action="read"
    ).exists()


@pytest.mark.parametrize(
    "username",
    [
        "t1-signalement",
        "t1-coordination",
        "t1-recouvrement",
        "t1-pilotage",
        "t1-evaluation",
        "t1-dpd",
        "t1-admin",
        "t1-ccas",
        "t1-association",
    ],
)
def test_everyone_but_the_landlords_social_workers_is_refused(
    client_for: Callable[[str], Client], candidate: Candidate, username: str
) -> None:
    client = client_for(username)
    assert client.get(LIST).status_code == 403
    assert client.get(reverse("alerts:candidate_dismiss", args=[candidate.pk])).status_code == 403
    assert client.get(reverse("alerts:candidate_convert", args=[candidate.pk])).status_code == 403


def test_another_landlords_social_worker_sees_none_and_gets_404(
    client_for: Callable[[str], Client], candidate: Candidate
) -> None:
    # t3-professionnel works for GLH; t2-professionnel for LMH on another territory.
    for username in ("t3-professionnel", "t2-professionnel"):
        client = client_for(username)
        assert "EMH-0042" not in client.get(LIST).content.decode()
        url = reverse("alerts:candidate_dismiss", args=[candidate.pk])
        assert client.get(url).status_code == 404
        assert (
            client.post(url, {"reason": "other", "comment": "x", "version": 1}).status_code == 404
        )
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.OPEN


def test_an_empty_list_says_what_to_do_next(client_for: Callable[[str], Client]) -> None:
    page = client_for("t1-professionnel").get(LIST).content.decode()
    assert "Aucun candidat" in page
    assert "importez" in page


def test_filters_by_rule_and_status_and_counts(
    client_for: Callable[[str], Client], candidate: Candidate
) -> None:
    client = client_for("t1-professionnel")
    assert "EMH-0042" in client.get(LIST, {"rule": "procedure_stage"}).content.decode()
    assert "EMH-0042" not in client.get(LIST, {"rule": "complaints"}).content.decode()
    assert "EMH-0042" not in client.get(LIST, {"status": "dismissed"}).content.decode()
    partial = client.get(LIST, {"rule": "debt_months"}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.content.decode()
    assert "EMH-0042" in partial.content.decode()


def test_the_referral_form_is_prefilled_from_the_candidate(
    client_for: Callable[[str], Client], candidate: Candidate
) -> None:
    response = client_for("t1-professionnel").get(
        reverse("alerts:candidate_convert", args=[candidate.pk])
    )
    form = response.context["form"]
    assert form.initial["last_name"] == "LAURIER"
    assert form.initial["first_name"] == "Noé"
    assert form.initial["address"] == "12 avenue des Platanes"
    assert form.initial["lease_reference"] == "EMH-0042"
    assert form.initial["landlord"] == candidate.landlord_id
    assert form.initial["commune"] == candidate.commune_id
    assert form.initial["difficulties"] == ["rent_arrears"]
    assert form.initial["entry_stage"] == "commandement"
    assert form.initial["entry_debt"] == Decimal("1280.00")
    assert form.initial["source"] == "landlord_agency"


def _referral_post(candidate: Candidate, **overrides: Any) -> dict[str, Any]:
    data = {
        "last_name": "LAURIER",
        "first_name": "Noé",
        "phone": "",
        "adults": 2,
        "children": 1,
        "address": candidate.address,
        "commune": candidate.commune_id,
        "difficulties": ["rent_arrears"],
        "source": "landlord_agency",
        "urgency": "normal",
        "entry_stage": "commandement",
        "entry_debt": "1280.00",
        "description": "Repérage précoce.",
        "version": candidate.version,
    }
    return data | overrides


def test_creating_the_situation_converts_the_candidate_and_links_the_lease(
    client_for: Callable[[str], Client], candidate: Candidate
) -> None:
    response = client_for("t1-professionnel").post(
        reverse("alerts:candidate_convert", args=[candidate.pk]), _referral_post(candidate)
    )
    situation = Situation.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("situations:detail", args=[situation.pk])
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.CONVERTED
    assert candidate.situation == situation
    assert situation.tenancy.lease_reference == "EMH-0042"
    assert situation.entry_debt == Decimal("1280.00")
    assert situation.entry_stage == "commandement"
    lines = ArrearsLine.objects.filter(lease_reference="EMH-0042")
    assert {(ln.household_id, ln.link_status) for ln in lines} == {
        (situation.household_id, LinkStatus.CONFIRMED)
    }
    # The household is followed now: a new extract raises no new candidate.
    evaluate_import(batch=ArrearsImport.objects.first())  # type: ignore[arg-type]
    assert Candidate.objects.filter(status=CandidateStatus.OPEN).count() == 0


def test_a_known_household_joins_its_open_situation_and_converts_the_candidate(
    client_for: Callable[[str], Client],
    candidate: Candidate,
    refer: Callable[..., Situation],
) -> None:
    existing = refer(
        "t1-signalement", last_name="Laurier", address="12 avenue des Platanes", lease=""
    )
    client = client_for("t1-professionnel")
    url = reverse("alerts:candidate_convert", args=[candidate.pk])
    first = client.post(url, _referral_post(candidate))
    assert first.status_code == 200
    assert first.context["duplicates"]
    response = client.post(url, _referral_post(candidate, decision=f"join:{existing.pk}"))
    assert response.status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.CONVERTED
    assert candidate.situation == existing
    assert Situation.objects.count() == 1


def test_dismissing_needs_a_reason_and_a_comment_for_other(
    client_for: Callable[[str], Client], candidate: Candidate
) -> None:
    client = client_for("t1-professionnel")
    url = reverse("alerts:candidate_dismiss", args=[candidate.pk])
    no_reason = client.post(url, {"version": candidate.version})
    assert no_reason.status_code == 200
    assert "error-summary" in no_reason.content.decode()
    other = client.post(url, {"reason": "other", "comment": " ", "version": candidate.version})
    assert "Dites en quelques mots" in other.content.decode()
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.OPEN
    done = client.post(url, {"reason": "repaying", "version": candidate.version})
    assert done.status_code == 302
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.DISMISSED
    assert candidate.dismissed_by is not None
    assert candidate.severity_at_dismissal == candidate.severity


def test_two_workers_dismissing_at_once_the_second_gets_a_clear_message(
    client_for: Callable[[str], Client],
    candidate: Candidate,
    demo_reference: dict[str, User],
) -> None:
    url = reverse("alerts:candidate_dismiss", args=[candidate.pk])
    first, second = client_for("t1-professionnel"), Client()
    colleague = User.objects.create_user(
        username="t1-cesf-2",
        organisation=demo_reference["t1-professionnel"].organisation,
        role="professional",
    )
    colleague.territories.set(demo_reference["t1-professionnel"].territories.all())
    second.force_login(colleague)
    version = candidate.version
    second.get(url)  # both opened the page at the same version
    assert first.post(url, {"reason": "repaying", "version": version}).status_code == 302
    late = second.post(url, {"reason": "refused", "version": version})
    assert late.status_code == 302  # no longer open: back to the list with a message
    candidate.refresh_from_db()
    assert candidate.dismissed_reason == "repaying"


def test_a_stale_version_is_refused_without_saving(
    demo_reference: dict[str, User], candidate: Candidate
) -> None:
    from etage.alerts.services import StaleCandidate, candidate_dismiss

    with pytest.raises(StaleCandidate):
        candidate_dismiss(
            user=demo_reference["t1-professionnel"],
            candidate_id=candidate.pk,
            expected_version=candidate.version - 1,
            reason="repaying",
        )
    candidate.refresh_from_db()
    assert candidate.status == CandidateStatus.OPEN


def test_the_home_page_counts_open_candidates_for_the_social_worker_only(
    client_for: Callable[[str], Client], candidate: Candidate
) -> None:
    page = client_for("t1-professionnel").get(reverse("core:home")).content.decode()
    assert reverse("alerts:candidate_list") in page
    other = client_for("t1-coordination").get(reverse("core:home")).content.decode()
    assert reverse("alerts:candidate_list") not in other
