"""The cast of the support tests: the demo personas plus the association referent
(``t1-association``, ASSO-TDL) and a CCAS social worker (``t1-ccas``, CCAS-VAULX), created
here when the demo does not have them yet, and a situation in support whose sharing group
holds the landlord (EMH), the association (referent, CASF) and the CCAS (CASF)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from etage.accounts.models import User
from etage.accounts.roles import Role
from etage.organisations.models import Organisation
from etage.situations.models import Situation
from etage.situations.services import share_grant
from etage.territories.models import Territory

PARTNERS = {
    "t1-association": ("ASSO-TDL", "Noa", "Référente"),
    "t1-ccas": ("CCAS-VAULX", "Sami", "Assistant"),
}


def ensure_partner(username: str) -> User:
    org_code, first, last = PARTNERS[username]
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "organisation": Organisation.objects.get(code=org_code),
            "role": Role.PROFESSIONAL,
            "is_demo": True,
        },
    )
    if created:
        user.territories.set([Territory.objects.get(code="T1")])
    return user


@pytest.fixture
def cast(demo_reference: dict[str, User]) -> dict[str, User]:
    people = dict(demo_reference)
    for username in PARTNERS:
        people[username] = ensure_partner(username)
    return people


@pytest.fixture
def client_as(cast: dict[str, User]) -> Callable[[str], Client]:
    def make(username: str) -> Client:
        client = Client()
        client.force_login(cast[username])
        return client

    return make


@pytest.fixture
def supported(refer, advance, cast) -> Situation:
    """A T1 situation in AGR support with ASSO-TDL as referent, shared with CCAS-VAULX."""
    situation = advance(refer(), 5)
    share_grant(
        user=cast["t1-professionnel"],
        situation_id=situation.pk,
        organisation_id=Organisation.objects.get(code="CCAS-VAULX").pk,
        legal_basis="casf",
    )
    situation.refresh_from_db()
    return situation


@pytest.fixture
def media_root(settings, tmp_path):
    """Documents go to a temporary MEDIA_ROOT, so a test can see every file left behind."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def files_under(root) -> list:
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []
