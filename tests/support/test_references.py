"""The themes of the plan and their suggested actions are configuration that administrators
edit in the back-office; case data never appears there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from etage.accounts.backends import CONFIGURATION_APPS
from etage.core.admin_site import admin_site
from etage.references.models import ActionTemplate, Theme

pytestmark = pytest.mark.django_db


def test_themes_are_seeded_in_order_with_suggestions():
    assert list(Theme.objects.values_list("code", flat=True)) == [
        "budget_debt",
        "rights",
        "housing",
        "health",
        "social_ties",
        "neighbourhood",
        "hygiene",
        "employment_training",
        "other",
    ]
    assert ActionTemplate.objects.filter(theme__code="budget_debt").count() >= 3


def test_administrators_edit_the_reference_lists_and_never_see_case_data(client_for):
    assert "references" in CONFIGURATION_APPS
    assert "support" not in CONFIGURATION_APPS
    registered = {model._meta.app_label for model in admin_site._registry}
    assert "support" not in registered
    client = client_for("t1-admin")
    response = client.get(reverse("admin:references_theme_changelist"))
    assert response.status_code == 200
    assert "Budget et dettes" in response.content.decode()
    home = client.get(reverse("core:home")).content.decode()
    assert reverse("admin:references_theme_changelist") in home
    theme = Theme.objects.get(code="other")
    response = client.post(
        reverse("admin:references_theme_change", args=[theme.pk]),
        {
            "code": "other",
            "label": "Autre thème",
            "order": 99,
            "active": "on",
            "action_templates-TOTAL_FORMS": 1,
            "action_templates-INITIAL_FORMS": 0,
            "action_templates-0-label": "Faire le point",
            "action_templates-0-active": "on",
        },
    )
    assert response.status_code == 302
    assert ActionTemplate.objects.filter(theme=theme, label="Faire le point").exists()


@pytest.mark.parametrize("username", ["t1-professionnel", "t1-coordination"])
def test_other_roles_do_not_edit_reference_lists(client_for, username):
    response = client_for(username).get(reverse("admin:references_theme_changelist"))
    assert response.status_code == 302
