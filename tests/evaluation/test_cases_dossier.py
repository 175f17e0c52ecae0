"""A case's dossier: the pseudonymised timeline, the three interview slots (consent enforced,
data-protection.md #18), excerpts pinned to moments, and the versioned summary."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.urls import reverse

from etage.accounts.models import User
from etage.evaluation import services_cases
from etage.evaluation.models import (
    CaseStudy,
    Interview,
    InterviewConsent,
    Project,
    Segment,
    TimelinePin,
)
from etage.evaluation.services import EvaluationError
from tests.analytics.logs import BuiltLog
from tests.evaluation.cases_world import (
    EARLY,
    CasesWorld,
    build_cases_world,
    case_from,
    with_events,
)

pytestmark = pytest.mark.django_db
#: The snapshot fixtures (built, snapshot, no_snapshot).
pytest_plugins = ["tests.evaluation.cases_fixtures"]


@pytest.fixture
def world(demo_reference: dict[str, User]) -> CasesWorld:
    return build_cases_world(demo_reference)


@pytest.fixture
def case(world: CasesWorld, snapshot: BuiltLog) -> CaseStudy:
    return case_from(world, with_events(snapshot))


def _url(name: str, world: CasesWorld, **kwargs: Any) -> str:
    return reverse(f"evaluation:{name}", kwargs={"project_pk": world.project.pk, **kwargs})


def _attach(case: CaseStudy, world: CasesWorld, reference: str) -> Interview:
    interview = world.interviews[reference]
    return services_cases.case_attach_interview(
        case=case, interview_pk=interview.pk, slot=interview.stakeholder_type
    )


def _first_event(built: BuiltLog, case: CaseStudy) -> dict[str, Any]:
    events = sorted(
        (e for e in built.events if e["case_id"] == case.case_id),
        key=lambda e: (e["timestamp"], e["seq"]),
    )
    return events[0]


# -- the timeline ----------------------------------------------------------------------------


def test_the_dossier_shows_the_pathway_in_days_never_dates_nor_pseudonyms_of_people(
    client, world, case, snapshot
):
    client.force_login(world.coder)
    page = client.get(_url("case", world, pk=case.pk)).content.decode()
    events = [e for e in snapshot.events if e["case_id"] == case.case_id]
    assert page.count('data-testid="timeline-event"') == len(events)
    assert f"jour {_first_event(snapshot, case)['day']}" in page
    assert not re.search(r"\b20\d\d-\d\d-\d\d\b", page), "no calendar date"
    row = next(r for r in snapshot.situations if r["case_id"] == case.case_id)
    for column in ("household", "dwelling", "referent"):
        if row[column]:
            assert row[column] not in page, f"{column} pseudonym shown"


def test_a_case_missing_from_the_snapshot_says_so(client, world, snapshot):
    gone = CaseStudy.objects.create(project=world.project, case_id="PURGED", title="Cas 9")
    client.force_login(world.lead)
    response = client.get(_url("case", world, pk=gone.pk))
    assert response.status_code == 200
    assert 'data-testid="not-in-snapshot"' in response.content.decode()


# -- interview slots -------------------------------------------------------------------------


def test_a_consented_interview_is_attached_to_its_slot(client, world, case):
    client.force_login(world.lead)
    interview = world.interviews["E01"]
    response = client.post(
        _url("case_attach", world, pk=case.pk), {"slot": "household", "interview": interview.pk}
    )
    assert response.status_code == 302
    interview.refresh_from_db()
    assert interview.case_study == case
    page = client.get(_url("cases", world)).content.decode()
    assert "1 sur 3" in page
    assert "E01" in page


@pytest.mark.parametrize(
    ("reference", "slot", "message"),
    [
        ("E04", "household", "aucun consentement enregistré"),
        ("E05", "household", "a retiré son consentement"),
        ("E06", "household", "ne peut pas être l’entretien"),
        ("E01", "associative_referent", "ne peut pas être l’entretien"),
        ("E06", "coordinator", "trois entretiens"),
    ],
)
def test_attaching_is_refused_without_consent_or_in_the_wrong_slot(
    client, world, case, reference, slot, message
):
    interview = world.interviews[reference]
    with pytest.raises(EvaluationError):
        services_cases.case_attach_interview(case=case, interview_pk=interview.pk, slot=slot)
    client.force_login(world.lead)
    response = client.post(
        _url("case_attach", world, pk=case.pk), {"slot": slot, "interview": interview.pk}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Interview.objects.filter(case_study=case).exists()


def test_a_taken_slot_is_refused_until_its_interview_is_detached(client, world, case):
    _attach(case, world, "E01")
    client.force_login(world.lead)
    spare = world.interviews["E07"]
    response = client.post(
        _url("case_attach", world, pk=case.pk), {"slot": "household", "interview": spare.pk}
    )
    assert "déjà rattaché" in response.content.decode()
    spare.refresh_from_db()
    assert spare.case_study is None
    client.post(_url("case_detach", world, pk=world.interviews["E01"].pk))
    client.post(
        _url("case_attach", world, pk=case.pk), {"slot": "household", "interview": spare.pk}
    )
    spare.refresh_from_db()
    assert spare.case_study == case


def test_an_interview_belongs_to_one_case_only(world, case, snapshot):
    other = case_from(world, snapshot.situations[-1], title="Cas 2")
    _attach(case, world, "E01")
    with pytest.raises(EvaluationError, match="E01"):
        _attach(other, world, "E01")


def test_an_interview_of_another_project_cannot_be_attached(world, case, demo_reference):
    stranger = build_cases_world(demo_reference, name="Autre projet").interviews["E01"]
    with pytest.raises(EvaluationError):
        services_cases.case_attach_interview(case=case, interview_pk=stranger.pk, slot="household")
    stranger.refresh_from_db()
    assert stranger.case_study is None


# -- pins ------------------------------------------------------------------------------------


def _segment_of(world: CasesWorld, reference: str) -> Segment:
    return Segment.objects.get(transcript__interview=world.interviews[reference], text=EARLY)


def test_an_excerpt_of_the_case_is_pinned_to_a_moment_and_shown_there(
    client, world, case, snapshot
):
    _attach(case, world, "E01")
    event = _first_event(snapshot, case)
    client.force_login(world.lead)
    response = client.post(
        _url("case_pin", world, pk=case.pk),
        {"moment": f"{event['day']}:{event['activity']}", "segment": _segment_of(world, "E01").pk},
    )
    assert response.status_code == 302
    pin = TimelinePin.objects.get(case_study=case)
    assert (pin.activity, pin.day) == (event["activity"], event["day"])
    page = client.get(_url("case", world, pk=case.pk)).content.decode()
    row = page.split(f'id="moment-{event["day"]}-{event["activity"]}"')[1].split("</tr>")[0]
    assert EARLY in row


def test_only_excerpts_of_the_case_s_interviews_at_its_moments_can_be_pinned(
    client, world, case, snapshot
):
    _attach(case, world, "E01")
    event = _first_event(snapshot, case)
    moments = {(event["activity"], event["day"])}
    with pytest.raises(EvaluationError, match="entretiens rattachés"):
        services_cases.case_pin(
            case=case,
            segment_pk=_segment_of(world, "E02").pk,
            activity=event["activity"],
            day=event["day"],
            moments=moments,
        )
    with pytest.raises(EvaluationError, match="moment"):
        services_cases.case_pin(
            case=case,
            segment_pk=_segment_of(world, "E01").pk,
            activity=event["activity"],
            day=event["day"] + 1000,
            moments=moments,
        )
    client.force_login(world.lead)
    response = client.post(
        _url("case_pin", world, pk=case.pk),
        {"moment": f"{event['day']}:{event['activity']}", "segment": _segment_of(world, "E02").pk},
    )
    assert response.status_code == 200
    assert "Sélectionnez un choix valide" in response.content.decode()
    assert not TimelinePin.objects.exists()


def test_an_excerpt_whose_consent_was_withdrawn_is_neither_pinned_nor_shown(
    client, world, case, snapshot
):
    _attach(case, world, "E01")
    event = _first_event(snapshot, case)
    segment = _segment_of(world, "E01")
    services_cases.case_pin(
        case=case,
        segment_pk=segment.pk,
        activity=event["activity"],
        day=event["day"],
        moments={(event["activity"], event["day"])},
    )
    InterviewConsent.objects.filter(interview=world.interviews["E01"]).update(
        withdrawn_on=date(2025, 1, 2)
    )
    with pytest.raises(EvaluationError, match="retiré son consentement"):
        services_cases.case_pin(
            case=case,
            segment_pk=segment.pk,
            activity=event["activity"],
            day=event["day"],
            moments={(event["activity"], event["day"])},
            note="autre",
        )
    client.force_login(world.lead)
    page = client.get(_url("case", world, pk=case.pk)).content.decode()
    assert EARLY not in page
    assert "Extrait masqué" in page


def test_detaching_an_interview_unpins_its_excerpts(client, world, case, snapshot):
    _attach(case, world, "E01")
    event = _first_event(snapshot, case)
    services_cases.case_pin(
        case=case,
        segment_pk=_segment_of(world, "E01").pk,
        activity=event["activity"],
        day=event["day"],
        moments={(event["activity"], event["day"])},
    )
    client.force_login(world.lead)
    response = client.post(_url("case_detach", world, pk=world.interviews["E01"].pk), follow=True)
    assert "désépinglé" in response.content.decode()
    assert not TimelinePin.objects.exists()
    assert Interview.objects.get(pk=world.interviews["E01"].pk).case_study is None


def test_unpinning_removes_the_pin(client, world, case, snapshot):
    _attach(case, world, "E01")
    event = _first_event(snapshot, case)
    pin = services_cases.case_pin(
        case=case,
        segment_pk=_segment_of(world, "E01").pk,
        activity=event["activity"],
        day=event["day"],
        moments={(event["activity"], event["day"])},
    )
    client.force_login(world.coder)
    assert client.post(_url("case_unpin", world, pk=pin.pk)).status_code == 302
    assert not TimelinePin.objects.exists()


# -- summary ---------------------------------------------------------------------------------


def test_the_summary_is_saved_once_and_a_stale_form_changes_nothing(client, world, case):
    client.force_login(world.lead)
    url = _url("case_summary", world, pk=case.pk)
    response = client.post(url, {"summary": "Les trois sources convergent.", "version": 1})
    assert response.status_code == 302
    response = client.post(url, {"summary": "Version périmée", "version": 1})
    assert response.status_code == 200
    assert "entre-temps" in response.content.decode()
    case.refresh_from_db()
    assert (case.summary, case.version) == ("Les trois sources convergent.", 2)


def test_a_summary_with_a_social_security_number_is_refused(client, world, case):
    client.force_login(world.lead)
    url = _url("case_summary", world, pk=case.pk)
    response = client.post(url, {"summary": "NIR 1 84 12 75 123 456 78", "version": 1})
    assert response.status_code == 200
    assert "sécurité sociale" in response.content.decode()
    case.refresh_from_db()
    assert case.summary == ""


def test_the_project_of_another_member_is_not_reached_through_a_case(client, world, case):
    other = Project.objects.create(name="Autre", created_by=world.outsider)
    assert other.pk != world.project.pk
    client.force_login(world.lead)
    url = reverse("evaluation:case", kwargs={"project_pk": other.pk, "pk": case.pk})
    assert client.get(url).status_code == 404
