"""The start-up checklist of a platform: checked against the configuration; administrators
and the territory's coordinators only."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse

from etage.territories.checklist import checklist
from etage.territories.models import Territory

pytestmark = pytest.mark.django_db


def test_the_demo_territory_is_ready_and_a_bare_one_is_not(demo_reference):
    ready = checklist(Territory.objects.get(code="T1"))
    assert sum(step.done for step in ready) >= 8
    bare = checklist(Territory.objects.create(code="T9", name="Neuf"))
    assert not any(step.done for step in bare if "Commune" in str(step.title))
    assert sum(step.done for step in bare) <= 1  # only the DPO, who serves every territory


def test_the_coordinator_sees_their_territory_and_what_to_do(client_for):
    page = html.unescape(
        client_for("t1-coordination").get(reverse("territories:checklist")).content.decode()
    )
    assert "Démarrer une plateforme" in page
    assert "étapes faites" in page
    other = client_for("t1-coordination").get(reverse("territories:checklist") + "?territoire=T2")
    assert other.status_code == 404


def test_the_administrator_chooses_any_territory(client_for):
    response = client_for("t1-admin").get(reverse("territories:checklist") + "?territoire=T2")
    assert response.status_code == 200
    assert "T2" in response.content.decode()


@pytest.mark.parametrize("username", ["t1-professionnel", "t1-evaluation", "t1-pilotage", "t1-dpd"])
def test_other_roles_get_404(client_for, username):
    assert client_for(username).get(reverse("territories:checklist")).status_code == 404
