"""E-mails speak their recipient's interface language, not that of the person whose action
sent them (accounts: ``User.language``)."""

from __future__ import annotations

import pytest
from django.utils import timezone, translation

from etage.accounts.services import language_set
from etage.notifications.emails import send_digests
from etage.notifications.models import NotificationKind

pytestmark = pytest.mark.django_db

SHARE = NotificationKind.SHARE


def test_right_away_in_english_for_an_english_recipient_whoever_acts(
    new_situation, demo_reference, committed, prefer, mailoutbox
):
    english, french = demo_reference["t2-professionnel"], demo_reference["t2-coordination"]
    language_set(user=english, language="en")
    for person in (english, french):
        prefer(person, SHARE, "immediate")
    # The action happens in a French request; the English recipient still reads English.
    with translation.override("fr"), committed():
        new_situation("t2", "Langue")
    by_recipient = {email.to[0]: email for email in mailoutbox}
    assert (
        by_recipient[english.email].subject == "ETAGE — New situation shared with my organisation"
    )
    assert "Bonjour" not in by_recipient[english.email].body
    if french.email in by_recipient:  # the coordinator is told too when their organisation is
        assert "Nouvelle situation" in by_recipient[french.email].subject


def test_the_digest_in_english_for_an_english_recipient(
    new_situation, demo_reference, committed, prefer, mailoutbox
):
    english = demo_reference["t2-professionnel"]
    language_set(user=english, language="en")
    prefer(english, SHARE, "digest")
    with committed():
        new_situation("t2", "Resume")
    with translation.override("fr"):
        send_digests(timezone.localdate())
    (email,) = [e for e in mailoutbox if e.to == [english.email]]
    assert "digest" in email.subject
    assert "récapitulatif" not in email.subject
