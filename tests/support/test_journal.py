"""The journal: typed, dated entries, private to the author's organisation or shared with the
group (data-protection.md #6), flagged when they touch sensitive categories (#16), and never
changed once written."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import Http404

from etage.situations.models import Situation
from etage.support import events
from etage.support.models import JournalEntry
from etage.support.selectors import journal_visible_to
from etage.support.services import SensitiveTermsFound, SupportRefused, journal_entry_add

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 4, 2)


def write(user, situation, text="Appel : rendez-vous fixé au 12.", **kw):
    return journal_entry_add(
        user=user,
        situation_id=situation.pk,
        kind=kw.pop("kind", "phone_call"),
        occurred_on=kw.pop("occurred_on", DAY),
        visibility=kw.pop("visibility", "group"),
        text=text,
        **kw,
    )


def test_a_private_note_of_the_association_is_invisible_to_the_landlord(supported, cast):
    private = write(
        cast["t1-association"], supported, "Visite : courriers triés.", visibility="organisation"
    )
    shared = write(cast["t1-association"], supported, "Visite : plan d'apurement proposé.")
    readers = {
        username: set(journal_visible_to(cast[username], supported).values_list("pk", flat=True))
        for username in ("t1-association", "t1-professionnel", "t1-ccas", "t1-coordination")
    }
    assert readers["t1-association"] == {private.pk, shared.pk}
    assert readers["t1-professionnel"] == {shared.pk}  # EMH, the landlord
    assert readers["t1-ccas"] == {shared.pk}
    assert readers["t1-coordination"] == {shared.pk}  # the platform, another organisation


@pytest.mark.parametrize("username", ["t1-recouvrement", "t1-signalement", "t2-coordination"])
def test_rent_recovery_and_outsiders_read_no_journal_at_all(supported, cast, username):
    write(cast["t1-association"], supported)
    if username == "t1-recouvrement":
        # In the sharing group (EMH) but without social access: nothing, not even shared.
        assert not journal_visible_to(cast[username], supported).exists()
    with pytest.raises(Http404):
        write(cast[username], supported)


def test_sensitive_terms_are_flagged_and_nothing_is_saved_until_confirmed(supported, cast):
    text = "Visite : Mme évoque son traitement psychiatrique et l'alcool de son fils."
    with pytest.raises(SensitiveTermsFound) as flagged:
        write(cast["t1-association"], supported, text)
    assert not JournalEntry.objects.exists()
    assert not supported.events.filter(action=events.JOURNAL_ENTRY).exists()
    found = {m.category: m.words for m in flagged.value.matches}
    assert found == {
        "health": ("traitement",),
        "mental_health": ("psychiatrique",),
        "addiction": ("alcool",),
    }
    assert "santé" in flagged.value.messages[0]
    entry = write(cast["t1-association"], supported, text, confirm_sensitive=True)
    event = supported.events.get(action=events.JOURNAL_ENTRY)
    assert event.payload == {
        "entry": entry.pk,
        "kind": "phone_call",
        "visibility": "group",
        "corrects": None,
        "sensitive_categories": ["addiction", "health", "mental_health"],
    }
    assert event.occurred_on == DAY


def test_entries_are_append_only_and_corrected_by_a_new_entry(supported, cast):
    original = write(
        cast["t1-association"], supported, "Visite le 2 : dette 1 200 €.", visibility="organisation"
    )
    original.text = "changé"
    with pytest.raises(PermissionError):
        original.save()
    with pytest.raises(PermissionError):
        original.delete()
    with pytest.raises(PermissionError):
        JournalEntry.objects.filter(pk=original.pk).update(text="changé")
    with pytest.raises(PermissionError):
        JournalEntry.objects.all().delete()
    with pytest.raises(SupportRefused, match="privée"):
        write(cast["t1-association"], supported, "Dette 1 020 €.", corrects_id=original.pk)
    correction = write(
        cast["t1-association"],
        supported,
        "Dette 1 020 €, pas 1 200 €.",
        visibility="organisation",
        corrects_id=original.pk,
    )
    assert correction.corrects == original
    original.refresh_from_db()
    assert original.text == "Visite le 2 : dette 1 200 €."
    with pytest.raises(SupportRefused, match="déjà été corrigée"):
        write(
            cast["t1-association"],
            supported,
            "Encore.",
            visibility="organisation",
            corrects_id=original.pk,
        )


def test_only_the_authors_organisation_corrects_an_entry(supported, cast):
    shared = write(cast["t1-association"], supported)
    with pytest.raises(SupportRefused, match="Seule l'organisation"):
        write(cast["t1-ccas"], supported, "Correction.", corrects_id=shared.pk)


@pytest.mark.parametrize(
    ("occurred_on", "message"),
    [(dt.date(2099, 1, 1), "futur"), (dt.date(2026, 3, 1), "repérage")],
)
def test_the_date_of_the_fact_is_neither_future_nor_before_identification(
    supported, cast, occurred_on, message
):
    with pytest.raises(SupportRefused, match=message):
        write(cast["t1-association"], supported, occurred_on=occurred_on)


def test_a_social_security_number_is_refused_in_a_note(supported, cast):
    with pytest.raises(SupportRefused, match="NIR"):
        write(cast["t1-association"], supported, "Son numéro : 2 84 12 76 451 089 46.")
    assert not JournalEntry.objects.exists()


def test_a_note_pushes_the_last_activity_without_making_open_forms_stale(supported, cast):
    # An earlier last activity, so that the note is what moves it.
    Situation.objects.filter(pk=supported.pk).update(last_activity_on=dt.date(2026, 3, 10))
    version = supported.version
    write(cast["t1-association"], supported, occurred_on=dt.date(2026, 11, 20))
    supported.refresh_from_db()
    assert supported.last_activity_on == dt.date(2026, 11, 20)
    assert supported.version == version
