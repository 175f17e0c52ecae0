"""The evaluator's view (data-protection.md #7): no personal value, stable identifiers."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import transaction

from etage.households.models import Household, Person, Tenancy
from etage.privacy.pseudonymise import (
    age_band,
    as_records,
    month,
    pseudonym,
    pseudonymise_events,
    pseudonymise_situations,
)
from etage.situations.models import Situation
from tests import replay

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def history(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        replay.demo_reference(seed=1)
        yield replay.demo_history(seed=7, count=40)
        transaction.set_rollback(True)


def _personal_values() -> set[str]:
    values: set[str] = set()
    for last, first in Person.objects.values_list("last_name", "first_name"):
        values |= {last, last.upper(), f"{first} {last.upper()}".strip()}
    values |= {p for p in Household.objects.values_list("phone", flat=True) if p}
    for address, lease in Tenancy.objects.values_list("address", "lease_reference"):
        values |= {v for v in (address, lease) if v}
    values |= {d for d in Situation.objects.values_list("description", flat=True) if d}
    return {v for v in values if len(v) >= 4}


def test_no_personal_value_of_the_demo_appears_in_the_evaluators_view(history):
    situations = as_records(pseudonymise_situations())
    events = as_records(pseudonymise_events())
    assert len(situations) == Situation.objects.count() >= 40
    assert len(events) > len(situations)
    dumped = json.dumps([situations, events], ensure_ascii=False)
    leaks = {v for v in _personal_values() if v in dumped}
    assert not leaks, sorted(leaks)[:10]
    # Dates at month precision only, and no birth year.
    assert all(len(s["identified"]) == 7 for s in situations)
    assert all(len(e["occurred"]) == 7 for e in events)
    assert not any("birth" in key for key in situations[0])


def test_identifiers_are_stable_typed_and_depend_on_the_secret(history):
    first = [r.situation for r in pseudonymise_situations()]
    again = [r.situation for r in pseudonymise_situations()]
    other = [r.situation for r in pseudonymise_situations(secret="another-deployment-secret")]
    assert first == again
    assert len(set(first)) == len(first)
    assert not set(first) & set(other)
    assert pseudonym("situation", 1) != pseudonym("pathway_event", 1)
    assert len(pseudonym("situation", 1)) == 12


def test_age_bands_and_months():
    on = dt.date(2024, 3, 18)
    assert [age_band(y, on) for y in (2001, 1999, 1985, 1984, 1965, 1964, None)] == [
        "<25",
        "25-39",
        "25-39",
        "40-59",
        "40-59",
        "60+",
        "",
    ]
    assert month(on) == "2024-03"


def test_pseudonyms_keep_their_published_form_whatever_the_encoder():
    """A pseudonym is the first 12 characters of the base32 of the keyed HMAC-SHA-256 of
    ``kind:pk``: snapshots written before and after any speed-up must join on the same
    identifiers, so the fast encoder must give exactly that text, for one key and for many."""
    import base64
    import hashlib
    import hmac

    from etage.privacy.pseudonymise import pseudonymiser

    secret = "clé-de-test-pseudonymes"
    many = pseudonymiser("pathway_event", secret=secret)
    for pk in [*range(0, 2_000), 2**31 - 1, 10**12 + 7]:
        mac = hmac.new(secret.encode(), f"pathway_event:{pk}".encode(), hashlib.sha256)
        expected = base64.b32encode(mac.digest()).decode("ascii")[:12]
        assert pseudonym("pathway_event", pk, secret=secret) == expected
        assert many(pk) == expected
    assert many(None) == pseudonym("situation", None) == ""
