"""The RGAA accessibility statement: open to everyone, linked in every page's footer, with a
way to report a problem that reaches the accessibility contact."""

from __future__ import annotations

import html

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse


def test_the_statement_is_open_without_signing_in_and_linked_from_the_login_page(client: Client):
    page = html.unescape(client.get(reverse("core:accessibility")).content.decode())
    assert "Déclaration d'accessibilité" in page
    assert "partiellement conforme au RGAA" in page
    assert "Défenseur des droits" in page
    login = client.get(reverse("accounts:login")).content.decode()
    assert reverse("core:accessibility") in login


@pytest.mark.django_db
def test_a_signed_in_page_links_to_it_too(client_for):
    page = client_for("t1-professionnel").get(reverse("core:home")).content.decode()
    assert reverse("core:accessibility") in page


def test_a_reported_problem_is_mailed_to_the_contact(client: Client, settings):
    settings.ETAGE_ACCESSIBILITY_CONTACT = "referent.accessibilite@exemple.invalid"
    response = client.post(
        reverse("core:accessibility"),
        {"page": "Mon travail", "description": "Le bouton n'a pas d'intitulé vocalisé."},
        follow=True,
    )
    assert "votre signalement a été envoyé" in html.unescape(response.content.decode())
    [message] = mail.outbox
    assert message.to == ["referent.accessibilite@exemple.invalid"]
    assert "Mon travail" in message.body


def test_an_incomplete_or_nir_bearing_report_is_refused_and_not_sent(client: Client):
    empty = client.post(reverse("core:accessibility"), {"page": "", "description": ""})
    assert "Ce champ est obligatoire" in empty.content.decode()
    nir = client.post(
        reverse("core:accessibility"),
        {"page": "Accueil", "description": "Le ménage 1 85 05 78 006 084 36 ne peut pas lire."},
    )
    assert nir.status_code == 200
    assert not mail.outbox


def test_the_checks_made_are_those_the_browser_tests_run(client: Client):
    """The statement says what tests/browser checks: axe-core on the pages of the journeys,
    two keyboard-only journeys with visible focus, 200 % zoom."""
    page = html.unescape(client.get(reverse("core:accessibility")).content.decode())
    checks = page.split('data-testid="checks-made"')[1].split("</ul>")[0]
    assert "axe-core" in checks
    assert "au clavier seul" in checks
    assert "indicateur de focus visible" in checks
    assert "zoom de 200 %" in checks
    assert "ne remplacent ni un audit complet" in page
