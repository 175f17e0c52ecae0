"""Preferences and e-mail: off → nothing; right away → an e-mail after the commit; digest →
in the daily digest, one e-mail per person with only what they may see, once a day."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from etage.notifications.emails import send_digests
from etage.notifications.models import DigestRun, Notification, NotificationKind
from etage.notifications.selectors import visible_notifications
from etage.organisations.models import Organisation
from etage.situations.permissions import situations_visible_to
from etage.situations.services import share_grant, share_revoke
from tests.notifications.conftest import walk
from tests.worklist.conftest import references_in

pytestmark = pytest.mark.django_db

SHARE = NotificationKind.SHARE


def test_off_means_no_notification_at_all(
    new_situation, demo_reference, committed, prefer, mailoutbox
):
    prefer(demo_reference["t2-professionnel"], SHARE, "off")
    with committed():
        new_situation("t2", "Rien")
    assert not Notification.objects.exists()
    assert mailoutbox == []


def test_right_away_sends_one_email_after_the_commit(
    new_situation, demo_reference, committed, prefer, mailoutbox
):
    prefer(demo_reference["t2-professionnel"], SHARE, "immediate")
    with committed():
        situation = new_situation("t2", "Immediat")
        # Still inside the work: nothing sent before the commit.
        assert mailoutbox == []
    (email,) = mailoutbox
    assert email.to == ["t2-professionnel@exemple.invalid"]
    assert email.subject == "ETAGE — Nouvelle situation partagée avec mon organisation"
    assert situation.reference in email.body
    assert f"/situations/{situation.pk}/" in email.body
    assert "Immediat" not in email.body
    assert "Alix" not in email.body
    assert "Bonjour" in email.body
    assert Notification.objects.get().emailed_at is not None


def test_digest_waits_for_the_daily_email(
    new_situation, demo_reference, committed, prefer, mailoutbox
):
    prefer(demo_reference["t2-professionnel"], SHARE, "digest")
    with committed():
        situation = new_situation("t2", "Plus tard")
    assert mailoutbox == []
    report = send_digests(timezone.localdate())
    assert (report.emails, report.notifications) == (1, 1)
    (email,) = mailoutbox
    assert situation.reference in email.body
    assert "récapitulatif" in email.subject


def test_the_digest_sends_each_person_one_email_with_only_what_they_may_see(
    new_situation, demo_reference, committed, prefer, mailoutbox
):
    emh, lmh = demo_reference["t1-professionnel"], demo_reference["t2-professionnel"]
    ccas, coordinator = demo_reference["t1-ccas"], demo_reference["t1-coordination"]
    for person in (emh, lmh, ccas, coordinator):  # the coordinator works at the CCAS
        prefer(person, SHARE, "digest")
    with committed():
        t1 = [new_situation("t1", f"Un{i}") for i in range(2)]
        t2 = [new_situation("t2", f"Deux{i}") for i in range(3)]
        shared = walk(new_situation("t1", "Ccas"), "t1", demo_reference, ["inform"])
        share = share_grant(
            user=emh,
            situation_id=shared.pk,
            organisation_id=Organisation.objects.get(code="CCAS-VAULX").pk,
            legal_basis="casf",
        )
    # The CCAS no longer shares it by the time the digest goes: it is not told about it.
    share_revoke(user=emh, situation_id=shared.pk, share_id=share.pk, reason="Erreur")
    report = send_digests(timezone.localdate())
    by_person = {m.to[0].split("@")[0]: m for m in mailoutbox}
    # One e-mail each. The CCAS worker gets none: the share ended, nothing left to tell. The
    # T1 coordinator (a CCAS account too) still sees the situation: they coordinate T1.
    assert sorted(by_person) == ["t1-coordination", "t1-professionnel", "t2-professionnel"]
    assert report.emails == len(mailoutbox) == 3
    for username, mail in by_person.items():
        visible = set(
            situations_visible_to(demo_reference[username]).values_list("reference", flat=True)
        )
        assert references_in(mail.body) <= visible, username
    assert references_in(by_person["t1-coordination"].body) == {shared.reference}
    emh_mail, lmh_mail = by_person["t1-professionnel"].body, by_person["t2-professionnel"].body
    for s in [*t1, shared]:
        assert s.reference in emh_mail
        assert s.reference not in lmh_mail
    for s in t2:
        assert s.reference in lmh_mail
        assert s.reference not in emh_mail
    # The CCAS's notification stays unsent and out of its pages.
    withheld = Notification.objects.get(recipient=ccas)
    assert withheld.emailed_at is None
    assert not visible_notifications(ccas).exists()


def test_digests_are_sent_once_a_day(new_situation, demo_reference, committed, prefer, mailoutbox):
    lmh = demo_reference["t2-professionnel"]
    prefer(lmh, SHARE, "digest")
    today = timezone.localdate()
    with committed():
        new_situation("t2", "Premier")
    assert send_digests(today).emails == 1
    assert send_digests(today).emails == 0
    with committed():
        later = new_situation("t2", "Second")
    # Still one e-mail for today; the new one goes tomorrow.
    assert send_digests(today).emails == 0
    assert len(mailoutbox) == 1
    assert send_digests(today + dt.timedelta(days=1)).emails == 1
    assert later.reference in mailoutbox[1].body
    assert DigestRun.objects.filter(user=lmh).count() == 2


def test_a_kind_turned_off_after_the_fact_is_left_out_of_the_digest(
    new_situation, demo_reference, committed, prefer, mailoutbox
):
    lmh = demo_reference["t2-professionnel"]
    prefer(lmh, SHARE, "digest")
    with committed():
        new_situation("t2", "Change")
    prefer(lmh, SHARE, "off")
    assert send_digests(timezone.localdate()).emails == 0


def test_the_digest_command_reports_and_checks_its_date(
    new_situation, demo_reference, committed, prefer, mailoutbox, capsys
):
    prefer(demo_reference["t2-professionnel"], SHARE, "digest")
    with committed():
        new_situation("t2", "Commande")
    day = timezone.localdate().isoformat()
    call_command("etage_send_digests", "--date", day)
    call_command("etage_send_digests", "--date", day)
    out = capsys.readouterr().out
    assert "1 courriel(s), 1 notification(s)" in out
    assert "0 courriel(s), 0 notification(s)" in out
    assert len(mailoutbox) == 1
    with pytest.raises(CommandError, match="AAAA-MM-JJ"):
        call_command("etage_send_digests", "--date", "26/11/2026")
