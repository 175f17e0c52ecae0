"""Same scope everywhere (issue 7, must-show; data-protection.md #1): for each demo persona,
the situations reached through every channel are the set the declared matrix gives,
``situations_visible_to(user)`` (or the relevant action's scope):

- the situation list, every page, with no filter (open ones), with "include closed" (all),
  and with a status, a territory and a level filter;
- the search by reference and by the holder's name;
- the home page's count of situations and the counts of "My work" (each section's list, all
  its pages);
- the exports that name situations: the members' version of the minutes (names only for the
  situations the reader's organisation shares, so within the scope); the access log's CSV
  holds no household data and the person's file is for data-protection officers, who see no
  situation (matrix rows empty; both are covered by the leak hunt);
- the API: the referrals an organisation's token reads are exactly the situations its
  members referred (the ``referrer`` relation of the matrix, coarse status only by design),
  and each person's "My referrals" is within it.

Dashboards (issue 8): the indicators computed from a snapshot of this world show, for each
persona with a dashboard, only the territories of its scope, and a coordinator's counts are
those of ``situations_visible_to`` within its territories; everyone else is refused.
"""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from etage.accounts.roles import Role
from etage.intake.models import Referral
from etage.meetings.choices import MeetingStatus, MinutesVersion
from etage.meetings.models import Meeting
from etage.meetings.permissions import member_platforms
from etage.organisations.models import Organisation
from etage.reports.minutes import minutes_for
from etage.situations.choices import Level, Status
from etage.situations.home import situation_steps
from etage.situations.models import Situation
from etage.situations.permissions_matrix import Action
from etage.worklist.selectors import my_work
from tests.security.world import PERSONAS, World, client_as

pytestmark = pytest.mark.django_db

LIST = reverse("situations:list")


def listed(client: Client, params: dict[str, Any]) -> tuple[set[int], int]:
    """Every situation of every page of the list for ``params``, and the total it states."""
    found: set[int] = set()
    number, total = 1, None
    while True:
        response = client.get(LIST, {**params, "page": number})
        assert response.status_code == 200, (params, response.status_code)
        page = response.context["page"]
        total = response.context["total"]
        found |= {s.pk for s in page.object_list}
        if not page.has_next():
            break
        number += 1
    assert len(found) == total, (params, len(found), total)
    return found, total


@pytest.mark.parametrize("username", PERSONAS)
def test_list_search_counts_and_exports_show_the_same_situations(world: World, username):
    user = world.users[username]
    client = client_as(world, username)
    visible = set(world.visible(user))
    rows = {s.pk: s for s in Situation.objects.filter(pk__in=visible).select_related("platform")}
    open_ones = {pk for pk, s in rows.items() if s.status not in (Status.CLOSED, Status.ARCHIVED)}

    # The list, unfiltered and with "include closed".
    assert listed(client, {})[0] == open_ones
    assert listed(client, {"include_closed": "on"})[0] == visible
    # With filters: the same scope, narrowed.
    for status in (Status.IDENTIFIED, Status.IN_SUPPORT, Status.CLOSED):
        expected = {pk for pk, s in rows.items() if s.status == status}
        assert listed(client, {"status": status})[0] == expected, status
    for code in ("T1", "T2"):
        territory = Situation.objects.filter(platform__territory__code=code).first()
        assert territory is not None
        tid = territory.platform.territory_id
        expected = {pk for pk, s in rows.items() if s.platform.territory_id == tid}
        assert listed(client, {"territory": tid, "include_closed": "on"})[0] == expected, code
    level = Level.values[0]
    expected = {pk for pk, s in rows.items() if s.level == level}
    assert listed(client, {"level": level, "include_closed": "on"})[0] == expected

    # Search by reference and by the holder's name, for situations inside and outside.
    sample = list(Situation.objects.order_by("pk").prefetch_related("household__people"))[::4]
    for situation in sample:
        found, _total = listed(client, {"q": situation.reference, "include_closed": "on"})
        assert found == ({situation.pk} if situation.pk in visible else set()), situation.reference
        holder = situation.household.people.order_by("pk").first()
        if holder is not None:
            found, _total = listed(client, {"q": holder.last_name, "include_closed": "on"})
            assert found <= visible
            assert (situation.pk in found) == (situation.pk in visible), holder.last_name

    # The home page's count of situations is the list's total.
    counts = {step.url: step.count for step in situation_steps(user)}
    if user.role in (Role.PROFESSIONAL, Role.COORDINATOR, Role.RENT_RECOVERY):
        assert counts[LIST] == len(open_ones)
        assert f">{len(open_ones)}<" in client.get(reverse("core:home")).content.decode()
    else:
        assert LIST not in counts
    # My work: every count is the total of its list, and every list is within the scope.
    for section in my_work(user).sections:
        response = client.get(section.url)
        assert response.status_code == 200
        assert response.context["total"] == section.count, section.name
        if "page" in response.context:
            assert {s.pk for s in response.context["page"].object_list} <= visible

    # The members' version of the minutes names only situations within the scope.
    for meeting in Meeting.objects.filter(
        status=MeetingStatus.HELD, platform__in=member_platforms(user)
    ).order_by("pk")[:3]:
        minutes = minutes_for(meeting, version=MinutesVersion.MEMBER, reader=user)
        named = {s.pk for s in minutes.nominative_situations}
        assert named <= visible, (meeting.pk, named - visible)


def _referred_by_members(organisation: Organisation) -> set[int]:
    """The matrix's ``referrer`` relation, for every member of the organisation."""
    ids: set[int] = set()
    for member in organisation.users.all():
        ids |= set(
            Situation.objects.filter(referrals__submitted_by=member).values_list("pk", flat=True)
        )
    return ids


@pytest.mark.parametrize("code", ["EMH", "LMH", "GLH", "CCAS-VAULX", "ASSO-TDL"])
def test_the_api_reads_the_referrals_of_the_tokens_organisation(world: World, code):
    organisation = Organisation.objects.get(code=code)
    client = Client(headers={"Authorization": f"Bearer {world.tokens[code]}"})
    references: set[str] = set()
    url: str | None = reverse("api:referrals")
    while url:
        response = client.get(url)
        assert response.status_code == 200
        body = response.json()
        references |= {row["situation_reference"] for row in body["results"]}
        url = body["next"]
    through_api = set(
        Situation.objects.filter(reference__in=references).values_list("pk", flat=True)
    )
    assert through_api == _referred_by_members(organisation)
    expected_rows = Referral.objects.filter(organisation=organisation).exclude(situation=None)
    assert through_api == set(expected_rows.values_list("situation_id", flat=True))
    # Each member's "My referrals" is within what the organisation's token reads, and is the
    # member's own referral scope.
    for username in PERSONAS:
        user = world.users[username]
        if user.organisation_id != organisation.pk:
            continue
        mine = set(world.visible(user, Action.VIEW_REFERRAL_STATUS))
        assert mine <= through_api, username
        page = client_as(world, username).get(reverse("intake:my_referrals"))
        shown = {r.situation_id for r in page.context["referrals"] if r.situation_id}
        assert shown == mine, username


def test_the_dashboards_show_figures_of_the_same_scope(world: World, settings, tmp_path):
    from collections import Counter

    from etage.analytics.indicators import refresh_indicators
    from etage.analytics.scope import analytics_scope
    from etage.analytics.snapshot import write_snapshot

    settings.ETAGE_SNAPSHOT_DIR = tmp_path / "snapshot"
    write_snapshot(full=True)
    refresh_indicators()
    for username in PERSONAS:
        user = world.users[username]
        client = client_as(world, username)
        response = client.get(reverse("analytics:dashboard"))
        scope = analytics_scope(user)
        if user.role not in (Role.EVALUATOR, Role.STEERING, Role.COORDINATOR):
            assert response.status_code == 403, username
            continue
        assert response.status_code == 200, username
        choices = {value for value, _label in response.context["form"].fields["territoire"].choices}
        if user.role == Role.EVALUATOR:
            assert "" in choices
            continue
        own = set(user.territories.values_list("code", flat=True))
        assert choices == own, username
        if user.role != Role.COORDINATOR:
            continue
        visible = Situation.objects.filter(pk__in=world.visible(user))
        for code in sorted(own):
            in_territory = visible.filter(platform__territory__code=code)
            years = Counter(f"{d:%Y}" for d in in_territory.values_list("identified_on", flat=True))
            for year, count in years.items():
                page = client.get(
                    reverse("analytics:dashboard"), {"annee": year, "territoire": code}
                )
                board = page.context["board"]
                tables = {t.indicator.code: t for _f, _l, ts in board.sections for t in ts}
                assert tables["identified"].lines[0][2]["year"].number == count, (username, code)
        assert scope.territories == own
