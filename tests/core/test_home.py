"""Each role's home page shows the person's organisation, territories and next steps."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils.html import escape

from etage.accounts.roles import Role
from etage.demo import reference as ref

pytestmark = pytest.mark.django_db

ALL_DEMO_USERNAMES = [
    f"{t.lower()}-{ref.ROLE_SLUGS[role]}" for t in ref.ROLE_ORGS for role in ref.ROLE_ORGS[t]
]


@pytest.mark.parametrize("username", ALL_DEMO_USERNAMES)
def test_every_demo_account_sees_its_role_organisation_and_territory(
    client_for, demo_reference, username
):
    user = demo_reference[username]
    response = client_for(username).get(reverse("core:home"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'data-testid="role">{escape(user.get_role_display())}<' in html
    assert escape(user.organisation.name) in html
    territory = user.territories.get()
    assert f"Territoire {territory.code}" in html
    for commune in territory.communes.all():
        assert commune.insee_code in html
    assert reverse("accounts:password_change") in html


def test_territory_card_lists_platform_partners(client_for):
    html = client_for("t2-coordination").get(reverse("core:home")).content.decode()
    assert "CCAS de Vénissieux" in html
    assert "Maison de la Métropole de Vénissieux" in html
    assert escape("Association Trait d'Union Logement (fictive)") in html
    # GLH has no housing in the demo's Vénissieux, so it is not a member there.
    assert '<span class="code">LMH</span>' in html
    assert '<span class="code">GLH</span>' not in html


@pytest.mark.parametrize("username", ["t1-admin", "t3-admin"])
def test_administrators_are_offered_the_back_office(client_for, username):
    html = client_for(username).get(reverse("core:home")).content.decode()
    assert reverse("admin:organisations_organisation_changelist") in html
    assert reverse("admin:accounts_user_changelist") in html


@pytest.mark.parametrize("username", [u for u in ALL_DEMO_USERNAMES if not u.endswith("-admin")])
def test_only_administrators_reach_the_back_office(client_for, username):
    client = client_for(username)
    home = client.get(reverse("core:home")).content.decode()
    assert reverse("admin:index") not in home
    response = client.get(reverse("admin:organisations_organisation_changelist"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_administrator_can_edit_an_organisation_in_the_back_office(client_for, demo_reference):
    client = client_for("t1-admin")
    response = client.get(reverse("admin:organisations_organisation_changelist"))
    assert response.status_code == 200
    assert "Est Métropole Habitat" in response.content.decode()
    assert demo_reference["t1-admin"].role == Role.ADMIN
    assert demo_reference["t1-admin"].is_staff


def test_home_page_query_count_does_not_grow_with_partners(
    client_for, django_assert_max_num_queries
):
    client = client_for("t1-coordination")
    # 15 for the page itself (the open workshop votes included); + the "My work" summary at
    # its top (one count per kind of work and up to four queries for the procedure
    # deadlines: 10) and the header's unread notifications (1). tests/worklist pins the
    # summary's own count.
    with django_assert_max_num_queries(26):
        client.get(reverse("core:home"))
