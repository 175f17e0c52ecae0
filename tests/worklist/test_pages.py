"""The "My work" page: for every demo account, only situations the person may see; every
count links to the situation list whose total is that count; a fixed number of queries."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from etage.accounts.roles import Role
from etage.demo import reference as ref
from etage.situations.permissions import situations_visible_to
from etage.worklist.selectors import KINDS, my_work
from tests.worklist.conftest import references_in

pytestmark = pytest.mark.django_db

ROLE_ACCOUNTS = [
    f"{t.lower()}-{ref.ROLE_SLUGS[role]}" for t in ref.ROLE_ORGS for role in ref.ROLE_ORGS[t]
]
PARTNER_ACCOUNTS = [f"{t.lower()}-{p.slug}" for t, ps in ref.PARTNER_ACCOUNTS.items() for p in ps]
EVERY_DEMO_ACCOUNT = ROLE_ACCOUNTS + PARTNER_ACCOUNTS


def visible_references(user) -> set[str | None]:
    return set(situations_visible_to(user).values_list("reference", flat=True))


@pytest.mark.parametrize("username", EVERY_DEMO_ACCOUNT)
def test_my_work_shows_no_situation_the_person_may_not_see(
    world, client_for, demo_reference, username
):
    user = demo_reference[username]
    for url in (reverse("worklist:index"), reverse("core:home")):
        response = client_for(username).get(url)
        assert response.status_code == 200
        shown = references_in(response.content.decode())
        assert shown <= visible_references(user), (username, url, shown)


@pytest.mark.parametrize("username", EVERY_DEMO_ACCOUNT)
def test_every_count_links_to_a_list_of_that_many_situations(
    world, client_for, demo_reference, username
):
    user = demo_reference[username]
    client = client_for(username)
    work = my_work(user)
    for section in work.sections:
        response = client.get(section.url)
        assert response.status_code == 200
        assert response.context["total"] == section.count, (username, section.name)
        listed = references_in(response.content.decode())
        assert listed <= visible_references(user)
    for counted in work.referrals:
        response = client.get(counted.url)
        assert response.context["total"] == counted.count, (username, counted.status)


def test_the_lead_professional_sees_actions_review_and_first_contacts(world, client_for):
    page = client_for("t1-professionnel").get(reverse("worklist:index"))
    work = page.context["work"]
    counts = {s.name: s.count for s in work.sections}
    assert counts == {
        "action_due": 1,
        "review_due": 1,
        "follow_up_due": 0,
        "to_contact": 1,  # the T1 situation identified by EMH and not reached
        "consent_missing": 0,
        "deadline_soon": 1,
        "awaiting_decision": 0,
    }
    html = page.content.decode()
    assert "Constituer le dossier FSL" in html  # the action given to them, late
    assert "Rendez-vous budget" not in html  # given to the association, not to EMH
    assert world.t1_support.reference in html
    assert "en retard" in html
    assert "Fin du délai pour régler le commandement de payer" in html


def test_an_action_given_to_an_organisation_reaches_its_professionals(world, client_for):
    counts = {
        s.name: s.count
        for s in client_for("t1-association")
        .get(reverse("worklist:index"))
        .context["work"]
        .sections
    }
    assert counts["action_due"] == 1
    assert counts["review_due"] == 0  # not the lead professional


def test_organisation_wide_work_counts_only_on_the_persons_territories(world, demo_reference):
    # ASSO-TDL shares the T1 situation (it is the referent) and serves every platform: its T2
    # referent may open the situation, but the T1 action given to the association is not theirs.
    t2_referent = demo_reference["t2-association"]
    assert situations_visible_to(t2_referent).filter(pk=world.t1_support.pk).exists()
    counts = {s.name: s.count for s in my_work(t2_referent).sections}
    assert counts["action_due"] == 0


def test_the_coordinator_sees_what_waits_for_the_platform(world, client_for):
    t2 = {
        s.name: s.count
        for s in client_for("t2-coordination")
        .get(reverse("worklist:index"))
        .context["work"]
        .sections
    }
    assert t2["awaiting_decision"] == 1  # contact made, to assess
    assert t2["consent_missing"] == 1
    t1 = {
        s.name: s.count
        for s in my_work(
            world.t1_support.platform.territory.users.get(username="t1-coordination")
        ).sections
    }
    assert t1["review_due"] == 1  # the platform's review, whoever leads


def test_follow_ups_are_due_for_the_identifying_organisation(world, demo_reference):
    work = my_work(demo_reference["t2-professionnel"])
    section = next(s for s in work.sections if s.name == "follow_up_due")
    assert section.count == 1
    (row,) = section.rows
    assert row.reference == world.t2_closed.reference
    assert row.what == "Suivi à 6 mois"
    assert row.url == reverse("situations:step", args=[world.t2_closed.pk, "follow_up_6"])


def test_a_flag_of_my_organisation_waits_for_a_decision(world, demo_reference):
    work = my_work(demo_reference["t3-professionnel"])
    section = next(s for s in work.sections if s.name == "awaiting_decision")
    assert [r.reference for r in section.rows] == [world.t3_informed.reference]
    assert section.count == 1


def test_rent_recovery_sees_deadlines_and_flags_never_the_plan(world, client_for):
    response = client_for("t1-recouvrement").get(reverse("worklist:index"))
    work = response.context["work"]
    assert [s.name for s in work.sections] == ["deadline_soon", "awaiting_decision"]
    deadlines = work.sections[0]
    assert deadlines.count == 1
    assert {r.reference for r in deadlines.rows} == {world.t1_deadline.reference}
    html = response.content.decode()
    assert "Constituer le dossier FSL" not in html
    assert world.t1_support.reference not in html


def test_a_signaller_sees_only_the_status_of_their_referrals(world, client_for):
    response = client_for("t2-signalement").get(reverse("worklist:index"))
    work = response.context["work"]
    assert not work.sections
    by_status = {r.status.value: r.count for r in work.referrals}
    # T2: one identified, one contact made, one closed (each referred by t2-signalement).
    assert by_status == {"received": 1, "in_progress": 1, "supported": 0, "closed": 1}
    html = response.content.decode()
    assert references_in(html) == set()
    assert "Reçu par la plateforme" in html


@pytest.mark.parametrize(
    ("username", "expected"),
    [
        ("t1-pilotage", "indicateurs agrégés"),
        ("t2-evaluation", "données pseudonymisées"),
        ("t3-dpd", "journal des accès"),
        ("t1-admin", "administration"),
    ],
)
def test_roles_without_case_work_are_told_what_their_role_does_here(
    world, client_for, username, expected
):
    response = client_for(username).get(reverse("worklist:index"))
    html = response.content.decode()
    assert expected in html.lower()
    assert references_in(html) == set()
    assert reverse("accounts:password_change") in html
    if username.endswith("admin"):
        assert reverse("admin:accounts_user_changelist") in html


def test_the_home_page_opens_with_the_counts_of_my_work(world, client_for):
    html = client_for("t1-professionnel").get(reverse("core:home")).content.decode()
    summary = html[html.index('data-testid="work-summary"') :]
    assert summary.index("Actions du plan à échéance") < summary.index("Votre profil")
    assert f'href="{reverse("situations:list")}?review_due=on"' in html
    assert reverse("worklist:index") in html


def test_the_list_offers_the_work_filters_and_keeps_the_scope(world, client_for):
    client = client_for("t1-professionnel")
    response = client.get(reverse("situations:list"), {"review_due": "on"})
    assert response.context["total"] == 1
    html = response.content.decode()
    assert "Ce qui m’attend" in html or "Ce qui m'attend" in html
    assert 'id="id_review_due" checked' in html
    # A T2 professional filtering on the same thing sees nothing of T1.
    other = client_for("t2-professionnel").get(reverse("situations:list"), {"review_due": "on"})
    assert other.context["total"] == 0


@pytest.mark.parametrize("username", ["t1-professionnel", "t1-coordination", "t1-recouvrement"])
def test_my_work_query_count_is_pinned_and_does_not_grow(
    world, new_situation, client_for, demo_reference, django_assert_num_queries, username
):
    from tests.worklist.conftest import walk

    url = reverse("worklist:index")
    # Session, user, organisation (header), unread notifications; the keys of the platforms
    # of the person's territories, read once (permissions.territory_platform_ids); two per
    # kind of work (count, rows); four for the procedure deadlines (the situations' keys,
    # their events and balances, the situations that have some). The session itself is
    # written at most once a minute (the first request's, before counting; the clock stands).
    expected = {"t1-professionnel": 21, "t1-coordination": 21, "t1-recouvrement": 11}[username]
    with time_machine.travel(timezone.now(), tick=False):
        client = client_for(username)
        client.get(url)
        with django_assert_num_queries(expected):
            client.get(url)
        # More of everything: the same number of queries.
        for i in range(3):
            walk(new_situation("t1", f"Autre{i}"), "t1", demo_reference, ["inform"])
        with django_assert_num_queries(expected):
            client.get(url)


def test_the_kinds_of_work_are_the_list_filters():
    from etage.situations.selectors import WORK_FILTERS

    assert list(WORK_FILTERS) == [k.name for k in KINDS]


def test_my_work_is_computed_for_a_given_day(world, demo_reference):
    long_ago = timezone.localdate() - dt.timedelta(days=365)
    work = my_work(demo_reference["t1-professionnel"], today=long_ago)
    assert {s.name: s.count for s in work.sections}["review_due"] == 0


def test_accounts_of_every_role_are_covered():
    roles = {ref_role for t in ref.ROLE_ORGS.values() for ref_role in t}
    assert roles == set(Role.values)
