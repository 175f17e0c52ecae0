"""Situation pages through the test client: list, search, filters, detail, steps, sharing —
each person sees exactly their scope, and bad input gets a message, never a 500."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils.html import escape

from etage.situations.choices import Status

pytestmark = pytest.mark.django_db


def html(response) -> str:
    return response.content.decode()


def test_list_shows_only_the_users_scope_with_counts(refer, client_for):
    mine = refer(last_name="Dupont")
    other = refer("t2-signalement", insee="69259", landlord="LMH", last_name="Durand")
    t1 = html(client_for("t1-coordination").get(reverse("situations:list")))
    assert mine.reference in t1
    assert other.reference not in t1
    t2 = client_for("t2-coordination").get(reverse("situations:list"))
    assert other.reference in html(t2)
    assert mine.reference not in html(t2)
    assert t2.context["total"] == 1


def test_search_finds_by_name_reference_and_lease_within_scope(refer, client_for):
    situation = refer(last_name="Bérénice-Martin", lease="EMH-778899")
    refer("t2-signalement", insee="69259", landlord="LMH", last_name="Bérénice-Martin")
    client = client_for("t1-coordination")
    for term in ("berenice", "EMH-778899", situation.reference, "tilleuls"):
        response = client.get(reverse("situations:list"), {"q": term})
        assert response.context["total"] == 1, term
    # The T2 namesake is never found by a T1 coordinator, whatever the search.
    assert client.get(reverse("situations:list"), {"q": "Martin"}).context["total"] == 1


def test_other_territory_gets_404_and_finds_nothing(refer, client_for):
    situation = refer(last_name="Secret")
    outsider = client_for("t2-coordination")
    assert outsider.get(reverse("situations:detail", args=[situation.pk])).status_code == 404
    assert (
        outsider.get(reverse("situations:step", args=[situation.pk, "inform"])).status_code == 404
    )
    assert outsider.get(reverse("situations:sharing", args=[situation.pk])).status_code == 404
    listing = outsider.get(reverse("situations:list"), {"q": "Secret", "include_closed": "on"})
    assert listing.context["total"] == 0
    home = html(outsider.get(reverse("core:home")))
    assert 'href="/situations/">Situations <span class="badge">0</span>' in home


def test_filters_by_status_level_and_overdue(refer, advance, client_for):
    supported = advance(refer(last_name="Suivi"), 5)
    waiting = refer(last_name="Attente", identified_on=dt.date(2026, 1, 2))
    client = client_for("t1-coordination")
    by_level = client.get(reverse("situations:list"), {"level": "agr"})
    assert [s.pk for s in by_level.context["page"]] == [supported.pk]
    by_status = client.get(reverse("situations:list"), {"status": Status.IDENTIFIED})
    assert [s.pk for s in by_status.context["page"]] == [waiting.pk]
    overdue = client.get(reverse("situations:list"), {"overdue": "on"})
    assert waiting.pk in [s.pk for s in overdue.context["page"]]


def test_needs_my_action_for_the_coordinator_is_what_waits_for_the_platform(
    refer, advance, client_for
):
    to_assess = advance(refer(last_name="Aevaluer"), 2)
    refer(last_name="Nouveau")
    response = client_for("t1-coordination").get(reverse("situations:list"), {"mine": "on"})
    assert [s.pk for s in response.context["page"]] == [to_assess.pk]


def test_rent_recovery_sees_level_and_referent_but_no_social_or_sensitive_data(
    refer, advance, client_for
):
    situation = advance(
        refer(difficulties=("rent_arrears", "mental_health"), description="Propos confidentiels."),
        5,
    )
    page = html(
        client_for("t1-recouvrement").get(reverse("situations:detail", args=[situation.pk]))
    )
    assert "Propos confidentiels." not in page
    assert "Rent arrears" in page or "Impayés de loyer" in page
    assert "Mental health" not in page
    assert "Santé mentale" not in page
    assert 'data-testid="level"' in page
    assert reverse("situations:sharing", args=[situation.pk]) not in page
    # Filtering on a sensitive difficulty reveals nothing either.
    listing = client_for("t1-recouvrement").get(
        reverse("situations:list"), {"difficulty": "mental_health"}
    )
    assert listing.context["total"] == 0


def test_group_professional_sees_description_and_sensitive_difficulties(refer, client_for):
    situation = refer(
        difficulties=("rent_arrears", "mental_health"), description="Propos confidentiels."
    )
    page = html(
        client_for("t1-professionnel").get(reverse("situations:detail", args=[situation.pk]))
    )
    assert escape("Propos confidentiels.") in page
    listing = client_for("t1-professionnel").get(
        reverse("situations:list"), {"difficulty": "mental_health"}
    )
    assert listing.context["total"] == 1


def test_signaller_never_opens_the_situation(refer, client_for):
    situation = refer()
    client = client_for("t1-signalement")
    assert client.get(reverse("situations:detail", args=[situation.pk])).status_code == 404
    assert client.get(reverse("situations:list")).context["total"] == 0


def test_detail_offers_the_next_steps_the_person_may_take(refer, advance, client_for):
    situation = advance(refer(), 2)  # contacted
    coordinator = html(
        client_for("t1-coordination").get(reverse("situations:detail", args=[situation.pk]))
    )
    professional = html(
        client_for("t1-professionnel").get(reverse("situations:detail", args=[situation.pk]))
    )
    assess = reverse("situations:step", args=[situation.pk, "assess"])
    assert assess in coordinator
    assert assess not in professional


def test_a_step_form_records_the_move_and_shows_it_on_the_timeline(refer, client_for):
    situation = refer()
    client = client_for("t1-professionnel")
    url = reverse("situations:step", args=[situation.pk, "inform"])
    response = client.post(url, {"occurred_on": "2026-03-03", "version": 1, "method": "in_person"})
    assert response.status_code == 302
    situation.refresh_from_db()
    assert (situation.status, situation.informed_on) == (Status.INFORMED, dt.date(2026, 3, 3))
    detail = html(client.get(reverse("situations:detail", args=[situation.pk])))
    assert "03/03/2026" in detail


@pytest.mark.parametrize(
    "form",
    [
        {},
        {"occurred_on": "pas une date", "version": "1", "method": "phone"},
        {"occurred_on": "2999-01-01", "version": "1", "method": "phone"},
        {"occurred_on": "2026-03-03", "version": "x", "method": "phone"},
        {"occurred_on": "2026-03-03", "version": "1", "method": "carrier-pigeon"},
        {
            "occurred_on": "2026-03-03",
            "version": "1",
            "method": "emergency",
            "emergency_reason": " ",
        },
        {"occurred_on": "2020-01-01", "version": "1", "method": "phone"},
    ],
)
def test_bad_step_input_is_explained_and_changes_nothing(refer, client_for, form):
    situation = refer()
    response = client_for("t1-professionnel").post(
        reverse("situations:step", args=[situation.pk, "inform"]), form
    )
    assert response.status_code == 200
    assert 'role="alert"' in html(response)
    situation.refresh_from_db()
    assert situation.status == Status.IDENTIFIED
    assert situation.events.count() == 1


def test_unknown_step_is_404_and_impossible_step_is_explained(refer, client_for):
    situation = refer()
    client = client_for("t1-coordination")
    assert (
        client.get(reverse("situations:step", args=[situation.pk, "teleport"])).status_code == 404
    )
    response = client.get(reverse("situations:step", args=[situation.pk, "start_support"]))
    assert response.status_code == 200
    assert 'role="alert"' in html(response)


def test_orientation_form_lists_platform_professionals_and_records_the_referent(
    refer, advance, client_for, demo_reference
):
    situation = advance(refer(), 3)  # assessed
    client = client_for("t1-coordination")
    url = reverse("situations:step", args=[situation.pk, "orient"])
    missing_lead = client.post(
        url, {"occurred_on": "2026-03-20", "version": situation.version, "orientation": "agr"}
    )
    assert 'role="alert"' in html(missing_lead)
    lead = demo_reference["t1-professionnel"]
    response = client.post(
        url,
        {
            "occurred_on": "2026-03-20",
            "version": situation.version,
            "orientation": "coordination",
            "lead_professional": lead.pk,
        },
    )
    assert response.status_code == 302
    situation.refresh_from_db()
    assert (situation.level, situation.lead_professional, situation.referent_organisation.code) == (
        "coordination",
        lead,
        "EMH",
    )


def test_sharing_page_records_consent_and_withdrawal(refer, advance, client_for):
    from etage.organisations.models import Organisation

    situation = advance(refer(), 1)
    client = client_for("t1-professionnel")
    url = reverse("situations:sharing", args=[situation.pk])
    ccas = Organisation.objects.get(code="CCAS-VAULX")
    response = client.post(
        url,
        {"form": "consent", "consent-given_on": "2026-03-06", "consent-organisations": [ccas.pk]},
    )
    assert response.status_code == 302
    assert situation.shares.filter(organisation=ccas, is_active=True).exists()
    consent = situation.consents.get()
    client.post(
        reverse("situations:consent_withdraw", args=[situation.pk, consent.pk]),
        {"withdrawn_on": "2026-04-01"},
    )
    assert not situation.shares.filter(organisation=ccas, is_active=True).exists()


def test_sharing_before_information_is_refused_with_a_message(refer, client_for):
    from etage.organisations.models import Organisation

    situation = refer()
    response = client_for("t1-professionnel").post(
        reverse("situations:sharing", args=[situation.pk]),
        {
            "form": "share",
            "share-organisation": Organisation.objects.get(code="CCAPEX").pk,
            "share-legal_basis": "ccapex",
        },
    )
    assert response.status_code == 200
    assert 'role="alert"' in html(response)
    assert situation.shares.count() == 1


def test_rent_recovery_cannot_open_the_sharing_page(refer, client_for):
    situation = refer()
    assert (
        client_for("t1-recouvrement")
        .get(reverse("situations:sharing", args=[situation.pk]))
        .status_code
        == 404
    )


def test_list_page_query_count_is_bounded(refer, client_for, django_assert_max_num_queries):
    for i in range(8):
        refer(last_name=f"Nom{i}", address=f"{i} rue des Lilas")
    client = client_for("t1-coordination")
    with django_assert_max_num_queries(16):
        response = client.get(reverse("situations:list"))
    assert response.context["total"] == 8


def test_htmx_filter_returns_only_the_results_fragment(refer, client_for):
    refer()
    response = client_for("t1-coordination").get(reverse("situations:list"), HTTP_HX_REQUEST="true")
    assert "<html" not in html(response)
    assert "<table" in html(response)


def test_correcting_a_date_through_the_page_shows_both_dates(refer, advance, client_for):
    situation = advance(refer(), 2)
    contact = situation.events.get(action="contact_reached")
    client = client_for("t1-professionnel")
    url = reverse("situations:event_correct", args=[situation.pk, contact.pk])
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {"occurred_on": "2026-03-07", "reason": "Date de l'appel", "version": situation.version},
    )
    assert response.status_code == 302
    page = html(client.get(reverse("situations:detail", args=[situation.pk])))
    assert "07/03/2026" in page
    assert "08/03/2026" in page  # the first recorded date stays visible
    assert client_for("t1-recouvrement").get(url).status_code == 404


def test_reading_a_situation_is_written_to_the_access_log(refer, client_for):
    from etage.core.models import AccessLogEntry

    situation = refer()
    client_for("t1-coordination").get(reverse("situations:detail", args=[situation.pk]))
    entry = AccessLogEntry.objects.get(situation_id=situation.pk)
    assert (entry.username, entry.organisation_code, entry.action) == (
        "t1-coordination",
        "CCAS-VAULX",
        "read",
    )
    client_for("t2-coordination").get(reverse("situations:detail", args=[situation.pk]))
    assert AccessLogEntry.objects.count() == 1  # a refused read shows nothing and logs nothing here
    with pytest.raises(PermissionError):
        AccessLogEntry.objects.filter(pk=entry.pk).delete()


def test_orientation_offers_only_professionals_working_on_the_territory(
    refer, advance, client_for, demo_reference
):
    situation = advance(refer(), 3)
    form = (
        client_for("t1-coordination")
        .get(reverse("situations:step", args=[situation.pk, "orient"]))
        .context["form"]
    )
    leads = set(form.fields["lead_professional"].queryset.values_list("username", flat=True))
    assert "t1-professionnel" in leads
    assert not any(name.startswith(("t2-", "t3-")) for name in leads)
