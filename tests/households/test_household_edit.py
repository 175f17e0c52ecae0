"""Household details are completed by the professionals of the sharing group, without lost
updates, and without a national identifier."""

from __future__ import annotations

import pytest
from django.urls import reverse

from etage.households.models import Person

pytestmark = pytest.mark.django_db


def post_data(situation, **overrides):
    household = situation.household
    person = household.people.get()
    data = {
        "version": household.version,
        "adults": 2,
        "children": 1,
        "phone": "04 00 00 00 00",
        "resources_band": "minima",
        "personnes-TOTAL_FORMS": 2,
        "personnes-INITIAL_FORMS": 1,
        "personnes-MIN_NUM_FORMS": 1,
        "personnes-MAX_NUM_FORMS": 1000,
        "personnes-0-id": person.pk,
        "personnes-0-household": household.pk,
        "personnes-0-last_name": person.last_name,
        "personnes-0-first_name": person.first_name,
        "personnes-0-birth_year": 1971,
        "personnes-0-relationship": "holder",
        "personnes-1-household": household.pk,
        "personnes-1-last_name": "Fictif",
        "personnes-1-first_name": "Dominique",
        "personnes-1-birth_year": 1975,
        "personnes-1-relationship": "co_holder",
    }
    data.update(overrides)
    return data


def test_a_group_professional_completes_the_household(refer, client_for):
    situation = refer()
    client = client_for("t1-professionnel")
    url = reverse("situations:household", args=[situation.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, post_data(situation))
    assert response.status_code == 302
    household = situation.household
    household.refresh_from_db()
    assert (household.adults, household.resources_band, household.version) == (2, "minima", 2)
    assert sorted(household.people.values_list("birth_year", flat=True)) == [1971, 1975]
    event = situation.events.get(action="household_updated")
    assert "Dominique" not in str(event.payload)  # no nominative data in the event log


def test_a_stale_household_form_is_refused(refer, client_for):
    situation = refer()
    url = reverse("situations:household", args=[situation.pk])
    first, second = client_for("t1-professionnel"), client_for("t1-coordination")
    stale = post_data(situation)
    assert first.post(url, post_data(situation)).status_code == 302
    response = second.post(url, {**stale, "adults": 5})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    situation.household.refresh_from_db()
    assert situation.household.adults == 2


def test_a_nir_in_a_name_is_refused(refer, client_for):
    situation = refer()
    response = client_for("t1-professionnel").post(
        reverse("situations:household", args=[situation.pk]),
        post_data(situation, **{"personnes-1-last_name": "1 84 12 76 451 089 46"}),
    )
    assert response.status_code == 200
    assert Person.objects.count() == 1


@pytest.mark.parametrize("username", ["t1-recouvrement", "t1-signalement", "t2-coordination"])
def test_people_outside_the_group_cannot_edit(refer, client_for, username):
    situation = refer()
    url = reverse("situations:household", args=[situation.pk])
    assert client_for(username).get(url).status_code == 404
    assert client_for(username).post(url, post_data(situation)).status_code == 404
