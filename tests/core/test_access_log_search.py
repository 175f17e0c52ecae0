"""Data-protection officers search and export the access log (data-protection.md #10, #22);
nobody else reaches it."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from etage.core import audit
from etage.core.exports import safe_cell
from etage.core.models import AccessAction, AccessLogEntry
from etage.core.services import access_log_record
from tests.core.test_home import ALL_DEMO_USERNAMES

pytestmark = pytest.mark.django_db

URL = reverse("core:access_log")
EXPORT = reverse("core:access_log_export")


def _at(day: dt.date, **record):
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    with time_machine.travel(moment, tick=False):
        return access_log_record(**record)


@pytest.fixture
def log(demo_reference, refer):
    """A few entries: two people, two situations, one reason, over three days."""
    situation = refer()
    other = refer(last_name="Imaginaire", address="8 rue des Lilas")
    pro, coordination = demo_reference["t1-professionnel"], demo_reference["t1-coordination"]
    AccessLogEntry._base_manager.all()  # the referrals wrote nothing in the log
    return {
        "situation": situation,
        "other": other,
        "a": _at(
            dt.date(2026, 5, 1),
            user=pro,
            action=AccessAction.READ,
            obj=situation,
            situation_id=situation.pk,
        ),
        "b": _at(
            dt.date(2026, 5, 2),
            user=coordination,
            action=AccessAction.CHANGE,
            obj=other,
            situation_id=other.pk,
        ),
        "c": _at(
            dt.date(2026, 5, 3),
            user=pro,
            action=AccessAction.READ,
            obj=other,
            situation_id=other.pk,
            reason='=HYPERLINK("http://x")',
        ),
    }


def _shown(response) -> list[int]:
    return [e.pk for e in response.context["page"].entries]


@pytest.mark.parametrize("username", [u for u in ALL_DEMO_USERNAMES if not u.endswith("-dpd")])
def test_everyone_but_data_protection_officers_is_refused(client_for, username):
    client = client_for(username)
    assert client.get(URL).status_code == 403
    assert client.get(EXPORT).status_code == 403
    assert not AccessLogEntry.objects.filter(action=AccessAction.EXPORT).exists()


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    assert client.get(URL).status_code == 302
    assert client.get(EXPORT).status_code == 302


def test_the_officer_finds_entries_by_each_filter_newest_first(client_for, log):
    client = client_for("t2-dpd")
    assert _shown(client.get(URL)) == [log["c"].pk, log["b"].pk, log["a"].pk]
    cases = {
        "username=t1-coordination": [log["b"].pk],
        "organisation=" + log["b"].organisation_code: [log["b"].pk],
        "action=read": [log["c"].pk, log["a"].pk],
        "object_type=situations.situation": [log["c"].pk, log["b"].pk, log["a"].pk],
        "object_type=accounts.user": [],
        f"situation={log['other'].reference.lower()}": [log["c"].pk, log["b"].pk],
        "reason=yes": [log["c"].pk],
        "reason=no": [log["b"].pk, log["a"].pk],
        "date_from=2026-05-02&date_to=2026-05-02": [log["b"].pk],
        "date_from=2026-05-02": [log["c"].pk, log["b"].pk],
    }
    for query, expected in cases.items():
        response = client.get(f"{URL}?{query}")
        assert response.status_code == 200, query
        assert _shown(response) == expected, query


def test_the_page_shows_the_situations_reference_and_an_empty_state(client_for, log):
    client = client_for("t1-dpd")
    html = client.get(URL).content.decode()
    assert log["situation"].reference in html
    assert "<caption>" in html
    assert 'scope="col"' in html
    html = client.get(f"{URL}?username=personne").content.decode()
    assert "Aucune entrée ne correspond à ces filtres." in html


def test_bad_filters_get_a_french_message_and_show_nothing(client_for, log):
    client = client_for("t1-dpd")
    response = client.get(f"{URL}?situation=T9-99999&date_from=2026-05-03&date_to=2026-05-01")
    html = response.content.decode()
    assert response.status_code == 200
    assert "Aucune situation ne porte la référence T9-99999." in html
    assert "La fin de la période est avant son début." in html
    assert _shown(response) == []
    assert client.get(f"{URL}?date_from=hier").status_code == 200
    assert client.get(f"{URL}?before=abc").status_code == 200


def test_pages_follow_by_key_without_gaps_or_repeats(client_for, demo_reference, monkeypatch):
    monkeypatch.setattr(audit, "PAGE_SIZE", 2)
    user = demo_reference["t1-professionnel"]
    moment = timezone.make_aware(dt.datetime(2026, 5, 1, 10))
    with time_machine.travel(moment, tick=False):  # same instant: the id breaks the tie
        ids = [access_log_record(user=user, action="read", obj=user).pk for _ in range(5)]
    client = client_for("t1-dpd")
    seen: list[int] = []
    url = f"{URL}?username=t1-professionnel"
    while url:
        response = client.get(url)
        seen += _shown(response)
        following = response.context["page"].next_before
        url = f"{URL}?username=t1-professionnel&before={following}" if following else ""
    assert seen == sorted(ids, reverse=True)


def test_the_export_is_filtered_safe_for_spreadsheets_and_logged(client_for, log):
    client = client_for("t1-dpd")
    response = client.get(f"{EXPORT}?username=t1-professionnel")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    body = b"".join(response.streaming_content).decode("utf-8")
    assert body.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff")), delimiter=";"))
    assert rows[0][:4] == ["Quand", "Identifiant", "Organisation", "Action"]
    assert [r[6] for r in rows[1:]] == [log["other"].reference, log["situation"].reference]
    assert rows[1][7] == '\'=HYPERLINK("http://x")'
    export = AccessLogEntry.objects.get(action=AccessAction.EXPORT)
    assert (export.username, export.object_type) == ("t1-dpd", "core.accesslogentry")
    assert "username=t1-professionnel" in export.reason


def test_an_export_with_bad_filters_exports_nothing(client_for, log):
    response = client_for("t1-dpd").get(f"{EXPORT}?situation=inconnue")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    assert not AccessLogEntry.objects.filter(action=AccessAction.EXPORT).exists()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+33 6", "'+33 6"),
        ("-2", "'-2"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Dupont", "Dupont"),
        ("", ""),
        (None, ""),
        (12, "12"),
    ],
)
def test_safe_cell_neutralises_formulas(value, expected):
    assert safe_cell(value) == expected


def test_officers_get_a_home_card_and_a_navigation_link(client_for):
    html = client_for("t1-dpd").get(reverse("core:home")).content.decode()
    assert html.count(f'href="{URL}"') == 2
    html = client_for("t1-professionnel").get(reverse("core:home")).content.decode()
    assert URL not in html
