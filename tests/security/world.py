"""The demo world the leak hunt and the same-scope proof run in: the demo reference data, a
short demo history (40 situations over the three territories, at every status), the
landlords' arrears extracts, and what the history does not make, added through the services
or as the services store it: documents (of private and shared journal entries), record-linkage
reviews, a household merge, an administrator's emergency access, access requests (one
answered), an objection, a legal hold, notifications, an archived situation and one API token
per organisation of the personas; then the analytics snapshot and the demo evaluation project.

Built once per test module (``tests/security/conftest.py``) inside a transaction rolled back
at the end, so nothing leaks into other tests.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from etage.accounts.models import User
from etage.accounts.roles import STRONG_AUTH_ROLES
from etage.api.services import api_token_create
from etage.breakglass.services import break_glass_open
from etage.demo import reference as ref
from etage.demo.analytics import demo_build_analytics
from etage.demo.evaluation import demo_build_evaluation
from etage.demo.imports import demo_import_extracts
from etage.households.models import Household
from etage.intake.models import ArrearsLine
from etage.linkage.models import LinkReview
from etage.linkage.services import household_merge
from etage.notifications.dispatch import suppressed as notifications_suppressed
from etage.notifications.models import Notification
from etage.organisations.models import Organisation
from etage.privacy.models import RequestChannel, RequestKind
from etage.privacy.services import access_request_create, legal_hold_set, objection_record
from etage.situations.choices import Status
from etage.situations.models import Situation
from etage.situations.permissions import situations_visible_to
from etage.situations.permissions_matrix import Action
from etage.support.models import Document, JournalEntry
from tests import replay

#: Every demo account: one per role and territory, then the partners' professionals.
PERSONAS: tuple[str, ...] = tuple(
    [f"{t.lower()}-{ref.ROLE_SLUGS[role]}" for t, roles in ref.ROLE_ORGS.items() for role in roles]
    + [f"{t.lower()}-{p.slug}" for t, partners in ref.PARTNER_ACCOUNTS.items() for p in partners]
)
ANONYMOUS = "anonyme"

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@dataclass
class World:
    users: dict[str, User]
    #: API token secret per organisation code.
    tokens: dict[str, str]
    archived: Situation
    break_glass: Situation
    _visible: dict[tuple[int, str], frozenset[int]] = field(default_factory=dict)
    #: Samples computed once (tests/security/url_matrix.py).
    cache: dict[str, Any] = field(default_factory=dict)

    def archived_ids(self) -> frozenset[int]:
        if "archived" not in self.cache:
            self.cache["archived"] = frozenset(
                Situation.objects.filter(status=Status.ARCHIVED).values_list("pk", flat=True)
            )
        return frozenset(self.cache["archived"])

    def visible(self, user: User | None, action: Action = Action.VIEW) -> frozenset[int]:
        """Ids of the situations ``user`` may ``action`` on, by the declared matrix
        (:func:`situations_visible_to`, the oracle of both proofs)."""
        if user is None:
            return frozenset()
        key = (user.pk, str(action))
        if key not in self._visible:
            self._visible[key] = frozenset(
                situations_visible_to(user, action).values_list("pk", flat=True)
            )
        return self._visible[key]


def build_world() -> World:
    replay.demo_reference(seed=1)
    with notifications_suppressed():
        replay.demo_history(seed=5, count=40)
        demo_import_extracts(seed=5)
        users = {u.username: u for u in User.objects.filter(username__in=PERSONAS)}
        assert set(users) == set(PERSONAS), set(PERSONAS) - set(users)
        _documents()
        _link_reviews()
        _merge(users["t1-coordination"])
        archived = _archive_one()
        opened = _break_glass(users["t1-admin"])
        _privacy(users["t1-dpd"])
        _notifications(users)
    # A snapshot and stored indicator figures, so that the analytics pages are probed with
    # data (not only their empty state).
    demo_build_analytics()
    # The evaluation workspace (interviews, coding, case studies drawn from that snapshot, a
    # workshop), so that its pages are probed with objects to request.
    demo_build_evaluation(seed=5)
    tokens = {}
    for code in sorted({u.organisation.code for u in users.values() if u.organisation}):
        _token, secret = api_token_create(
            organisation=Organisation.objects.get(code=code), name=f"SI {code}"
        )
        tokens[code] = secret
    for user in users.values():
        if user.role in STRONG_AUTH_ROLES:
            TOTPDevice.objects.create(user=user, name="Téléphone", confirmed=True)
    return World(users=users, tokens=tokens, archived=archived, break_glass=opened)


def client_as(world: World, username: str) -> Client:
    """A client logged in as the persona, with its second factor verified when its role needs
    one (the hunt runs with the demo waiver off, as in production)."""
    client = Client()
    if username == ANONYMOUS:
        return client
    user = world.users[username]
    client.force_login(user)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


def _documents() -> None:
    """A document on a private entry and one on a shared entry of several situations, and a
    document attached to no entry."""
    for visibility in ("organisation", "group"):
        entries = JournalEntry.objects.filter(visibility=visibility).order_by("situation_id", "pk")
        seen: set[int] = set()
        for entry in entries:
            if entry.situation_id in seen or len(seen) >= 4:
                continue
            seen.add(entry.situation_id)
            _document(entry.situation, entry)
    for situation in Situation.objects.order_by("pk")[:3]:
        _document(situation, None)


def _document(situation: Situation, entry: JournalEntry | None) -> None:
    author = entry.author if entry else None
    document = Document(
        situation=situation,
        journal_entry=entry,
        original_name=f"attestation-{situation.pk}.pdf",
        content_type="application/pdf",
        size=len(PDF),
        sha256="0" * 64,
        uploaded_by=author,
        uploaded_by_organisation=author.organisation if author else None,
    )
    document.file.save("x", ContentFile(PDF), save=False)
    document.save()


def _link_reviews() -> None:
    """Two open reviews per landlord, proposing one of its own tenants' households."""
    for landlord in Organisation.objects.filter(code__in=["EMH", "LMH", "GLH"]):
        leases = (
            ArrearsLine.objects.filter(landlord=landlord)
            .order_by("lease_reference")
            .values_list("lease_reference", flat=True)
            .distinct()[:2]
        )
        household = Household.objects.filter(tenancies__landlord=landlord).order_by("pk").first()
        for lease in leases:
            LinkReview.objects.create(
                landlord=landlord,
                lease_reference=lease,
                proposals=[{"household": household.pk, "score": 0.8, "name": 0.8, "address": 0.9}]
                if household
                else [],
            )


def _merge(coordinator: User) -> None:
    situations = list(situations_visible_to(coordinator, Action.DECIDE).order_by("pk")[:2])
    kept, absorbed = (s.household for s in situations)
    household_merge(
        user=coordinator, kept=kept, absorbed=absorbed, reason="Même ménage saisi deux fois."
    )


def _archive_one() -> Situation:
    situation = Situation.objects.filter(status=Status.CLOSED).order_by("pk").first()
    assert situation is not None
    Situation.objects.filter(pk=situation.pk).update(status=Status.ARCHIVED)
    situation.refresh_from_db()
    return situation


def _break_glass(admin: User) -> Situation:
    situation = (
        Situation.objects.filter(platform__territory__code="T1")
        .exclude(status=Status.ARCHIVED)
        .order_by("-pk")
        .first()
    )
    assert situation is not None
    assert situation.reference
    break_glass_open(
        user=admin,
        reference=situation.reference,
        reason="Appel du tribunal sur une expulsion imminente ce jour.",
    )
    return situation


def _privacy(dpo: User) -> None:
    today = dt.date.today()
    access_request_create(
        user=dpo,
        person_name="Ménage Fictif",
        kind=RequestKind.ACCESS,
        channel=RequestChannel.LETTER,
        received_on=today,
    )
    objection = access_request_create(
        user=dpo,
        person_name="Autre Ménage Fictif",
        kind=RequestKind.OBJECTION,
        channel=RequestChannel.EMAIL,
        received_on=today,
    )
    answered = access_request_create(
        user=dpo,
        person_name="Troisième Ménage",
        kind=RequestKind.ACCESS,
        channel=RequestChannel.PHONE,
        received_on=today,
    )
    answered.answer_file.save("x", ContentFile(PDF), save=False)
    answered.answer_file_name = "reponse.pdf"
    answered.save()
    situations = list(Situation.objects.exclude(status=Status.ARCHIVED).order_by("pk")[:2])
    objection_record(user=dpo, situation_id=situations[0].pk, request_id=objection.pk)
    legal_hold_set(user=dpo, situation_id=situations[1].pk, reason="Contentieux en cours.")


def _notifications(users: dict[str, User]) -> None:
    """For each professional and coordinator: one notification about a situation they may see
    and one about a situation they may not (shown to nobody: a share ended, say)."""
    for user in users.values():
        visible = situations_visible_to(user).order_by("pk")
        inside = visible.first()
        outside = Situation.objects.exclude(pk__in=visible.values("pk")).order_by("pk").first()
        for situation, key in ((inside, "in"), (outside, "out")):
            if situation is None:
                continue
            Notification.objects.create(
                recipient=user,
                kind="share",
                situation=situation,
                text=f"Situation {situation.reference}",
                url=f"/situations/{situation.pk}/",
                key=f"hunt-{key}-{situation.pk}",
                delivery="digest",
            )
