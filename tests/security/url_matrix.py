"""The declared permission matrix of every URL of ETAGE, for the leak hunt (issue 7, "Leak
hunt"; ``tests/security/test_leak_hunt.py``).

For each URL pattern (``namespace:name``) a :class:`Route` says

- which objects of the demo world to request it with (``targets``: the URL's kwargs and the
  object they designate), sampled deterministically but across every territory, status and
  organisation, plus, for objects under a situation, a *crossed* pair (the object of one
  situation under the number of another the persona may open: always refused);
- who may reach it (``may(world, user, subject)``). This is the **oracle**, written from the
  declared rules, never from the view's code: the situation permission matrix
  (``etage/situations/permissions_matrix.py``, through ``world.visible(user, action)`` =
  ``situations_visible_to``), the journal's visibility rule (data-protection.md #6), and
  plain declarations ("data-protection officers only", "the landlord's own staff"...);
- whether the page answers GET (``post_only``: GET is 405 for everyone, and the hunt POSTs an
  empty body as every persona *not* allowed: refused, or sent back by a redirect with nothing
  changed — never a page, never a 500; what a well-formed forbidden POST does is proven by each
  service's own tests).

Adding a URL pattern
--------------------
``test_every_url_pattern_is_declared`` fails and names the pattern. Add an entry to
:data:`ROUTES` below:

1. ``targets``: :func:`none` for a page without kwargs; :func:`situations` (``{"pk": ...}``)
   or :func:`situations` with ``kwarg="situation_pk"``; :func:`children` for an object under
   a situation (``children(Aid, "aid_pk")``); :func:`objects` for any other model
   (``objects(Meeting)``), with ``kwargs=`` when the URL needs more than ``pk``;
2. ``may``: :func:`on_situation` with the matrix action the page needs; :func:`role_is` for
   a role-only page; or a small function of ``(world, user, subject)`` written from the rule
   the page must respect (``docs/data-protection.md``), not copied from its view;
3. ``post_only=True`` if GET is not allowed; ``reached`` when an allowed request is answered
   by something else than 200 (a redirect).

The configuration back-office (namespace ``admin``) is one declared group
(:func:`admin_targets`): administrators only; every registered model's list and add pages,
and the change page of its first row, are requested. The API (namespace ``api``) is hunted
with each organisation's token and with none (:data:`API_ROUTES`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse

from etage.accounts.models import User
from etage.accounts.roles import Role
from etage.alerts.models import Candidate
from etage.core.admin_site import admin_site
from etage.intake.models import ArrearsImport, Referral
from etage.linkage.models import HouseholdMerge, LinkReview
from etage.meetings.choices import MeetingStatus
from etage.meetings.models import AgendaItem, Meeting
from etage.notifications.models import Notification
from etage.organisations.models import OrganisationKind
from etage.privacy.models import AccessRequest, LegalHold, Objection
from etage.procedures.models import Aid, ProcedureEvent
from etage.situations.models import Consent, PathwayEvent, Share, Situation
from etage.situations.permissions_matrix import Action
from etage.support.choices import Visibility
from etage.support.models import Document, JournalEntry, Objective, PlanAction
from etage.territories.models import Platform
from tests.security.world import World

#: Refusals: never a page, never a file.
DENIED = frozenset({401, 403, 404, 405})


@dataclass(frozen=True)
class Target:
    kwargs: dict[str, Any]
    #: The object the URL designates (``None`` for pages without one; :data:`CROSSED` for a
    #: child requested under another situation's number).
    subject: Any = None
    query: str = ""


CROSSED = object()

Targets = Callable[[World, User | None], Iterable[Target]]
May = Callable[[World, User | None, Any], bool]


@dataclass(frozen=True)
class Route:
    targets: Targets
    may: May
    post_only: bool = False
    #: Statuses of an allowed request (a page: 200).
    reached: frozenset[int] = frozenset({200})
    note: str = ""
    #: Extra checks beyond the matrix, e.g. the situation's own rules.
    extra: dict[str, Any] = field(default_factory=dict)


# --- Samples ------------------------------------------------------------------------------


def situation_sample(world: World, user: User | None) -> list[Situation]:
    """Per territory, the first situation of each status (at most three), the archived one,
    the one under an emergency access, those with an objection and a legal hold; and the
    persona's own first two visible situations, so that allowed pages are requested too."""
    if "sample" not in world.cache:
        chosen: dict[int, Situation] = {}
        for code in ("T1", "T2", "T3"):
            statuses: set[str] = set()
            for situation in Situation.objects.filter(platform__territory__code=code).order_by(
                "pk"
            ):
                if situation.status not in statuses and len(statuses) < 3:
                    statuses.add(situation.status)
                    chosen[situation.pk] = situation
        for situation in (world.archived, world.break_glass):
            chosen[situation.pk] = situation
        for model in (Objection, LegalHold):
            for row in model.objects.select_related("situation"):
                chosen[row.situation_id] = row.situation
        world.cache["sample"] = chosen
    chosen = dict(world.cache["sample"])
    if user is not None:
        own = sorted(world.visible(user) - set(chosen))[:2]
        chosen.update(Situation.objects.in_bulk(own))
    return [chosen[pk] for pk in sorted(chosen)]


def none(world: World, user: User | None) -> Iterable[Target]:
    return [Target({})]


def situations(kwarg: str = "pk") -> Targets:
    def make(world: World, user: User | None) -> Iterable[Target]:
        return [Target({kwarg: s.pk}, s) for s in situation_sample(world, user)]

    return make


def children(
    model: type, kwarg: str, path: str = "situation", crossed: Action = Action.VIEW
) -> Targets:
    """One ``model`` row per sampled situation, under its own situation's number; plus each
    row under the number of a situation the persona may ``crossed`` on (refused: IDOR)."""

    def make(world: World, user: User | None) -> Iterable[Target]:
        ids = [s.pk for s in situation_sample(world, user)]
        rows: dict[int, Any] = {}
        for row in model.objects.filter(**{f"{path}_id__in": ids}).order_by("pk"):  # type: ignore[attr-defined]
            rows.setdefault(situation_of(row), row)
        targets = [Target({"pk": sid, kwarg: row.pk}, row) for sid, row in sorted(rows.items())]
        mine = sorted(world.visible(user, crossed) - world.archived_ids()) if user else []
        if mine:
            for sid, row in sorted(rows.items())[:3]:
                other = next((pk for pk in mine if pk != sid), None)
                if other is not None:
                    targets.append(Target({"pk": other, kwarg: row.pk}, CROSSED))
        return targets

    return make


def situation_of(row: Any) -> int:
    if isinstance(row, Situation):
        return row.pk
    if isinstance(row, PlanAction):
        return row.objective.situation_id
    return int(row.situation_id)


def objects(
    model: type, kwargs: Callable[[Any], dict[str, Any]] | None = None, limit: int = 6
) -> Targets:
    """Up to ``limit`` rows of ``model``, spread over the table (first, last and between)."""

    def make(world: World, user: User | None) -> Iterable[Target]:
        rows = list(model.objects.order_by("pk"))  # type: ignore[attr-defined]
        if len(rows) > limit:
            step = len(rows) / limit
            rows = [rows[int(i * step)] for i in range(limit)] + [rows[-1]]
        to_kwargs = kwargs or (lambda row: {"pk": row.pk})
        return [Target(to_kwargs(row), row) for row in rows]

    return make


def with_query(base: Targets, query: Callable[[Any], str]) -> Targets:
    def make(world: World, user: User | None) -> Iterable[Target]:
        return [Target(t.kwargs, t.subject, query(t.subject)) for t in base(world, user)]

    return make


# --- Rules (the oracle) ---------------------------------------------------------------------


def nobody(world: World, user: User | None, subject: Any) -> bool:
    return False


def anyone(world: World, user: User | None, subject: Any) -> bool:
    """Every logged-in person (their own profile, settings, notifications list...)."""
    return user is not None


def role_is(*roles: str) -> May:
    def may(world: World, user: User | None, subject: Any) -> bool:
        return user is not None and user.role in roles

    return may


def on_situation(*actions: Action) -> May:
    """The matrix: ``user`` may do every one of ``actions`` on the subject's situation."""

    def may(world: World, user: User | None, subject: Any) -> bool:
        if subject is CROSSED or user is None:
            return False
        sid = situation_of(subject)
        return all(sid in world.visible(user, action) for action in actions)

    return may


def both(first: May, second: May) -> May:
    def may(world: World, user: User | None, subject: Any) -> bool:
        return first(world, user, subject) and second(world, user, subject)

    return may


def journal_entry_readable(world: World, user: User | None, entry: JournalEntry | None) -> bool:
    """data-protection.md #6: shared with the group, or private to the author's organisation;
    and never without ``view_social``."""
    if user is None or entry is None:
        return False
    if entry.situation_id not in world.visible(user, Action.VIEW_SOCIAL):
        return False
    return entry.visibility == Visibility.GROUP or (
        user.organisation_id is not None and entry.author_organisation_id == user.organisation_id
    )


def document_readable(world: World, user: User | None, document: Any) -> bool:
    if document is CROSSED or user is None:
        return False
    if document.journal_entry_id is None:
        return document.situation_id in world.visible(user, Action.VIEW_SOCIAL)
    return journal_entry_readable(world, user, document.journal_entry)


def _landlord_staff(user: User | None, roles: Iterable[str]) -> bool:
    return (
        user is not None
        and user.role in roles
        and user.organisation is not None
        and user.organisation.kind == OrganisationKind.LANDLORD
    )


def own_landlord_import(world: World, user: User | None, batch: ArrearsImport) -> bool:
    """Rent recovery and social workers of the landlord whose import it is."""
    return _landlord_staff(user, (Role.RENT_RECOVERY, Role.PROFESSIONAL)) and (
        batch is None or batch.landlord_id == user.organisation_id  # type: ignore[union-attr]
    )


def own_landlord_review(world: World, user: User | None, review: LinkReview | None) -> bool:
    return _landlord_staff(user, (Role.RENT_RECOVERY, Role.PROFESSIONAL)) and (
        review is None or review.landlord_id == user.organisation_id  # type: ignore[union-attr]
    )


def own_landlord_candidate(world: World, user: User | None, candidate: Candidate | None) -> bool:
    """data-protection.md #1, #8 (early warning): the landlord's own social workers, on
    their territories."""
    if not _landlord_staff(user, (Role.PROFESSIONAL,)):
        return False
    if candidate is None or user is None:
        return candidate is None
    return (
        candidate.landlord_id == user.organisation_id
        and user.territories.filter(pk=candidate.territory_id).exists()
    )


def _coordinates(user: User | None, platform: Platform) -> bool:
    return (
        user is not None
        and user.role == Role.COORDINATOR
        and user.territories.filter(pk=platform.territory_id).exists()
    )


def platform_member(world: World, user: User | None, subject: Any) -> bool:
    """Meetings reach the platform's coordinators and its member organisations'
    professionals (docs/data-protection.md, "1 (meetings)")."""
    if user is None or user.role not in (Role.PROFESSIONAL, Role.COORDINATOR):
        return False
    platform = _platform(subject)
    return _coordinates(user, platform) or (
        user.organisation_id is not None
        and platform.memberships.filter(
            organisation_id=user.organisation_id, is_active=True
        ).exists()
    )


def platform_coordinator(world: World, user: User | None, subject: Any) -> bool:
    return _coordinates(user, _platform(subject))


def _platform(subject: Any) -> Platform:
    if isinstance(subject, Platform):
        return subject
    if isinstance(subject, Meeting):
        return subject.platform
    return subject.meeting.platform  # an agenda item


def held_minutes(world: World, user: User | None, meeting: Meeting) -> bool:
    return meeting.status == MeetingStatus.HELD and platform_member(world, user, meeting)


def decision_page(world: World, user: User | None, item: AgendaItem) -> bool:
    return platform_coordinator(world, user, item) and item.situation_id in world.visible(
        user, Action.DECIDE
    )


def merge_visible(world: World, user: User | None, merge: HouseholdMerge) -> bool:
    if user is None or user.role != Role.COORDINATOR:
        return False
    decide = world.visible(user, Action.DECIDE)
    return merge.situations.filter(pk__in=decide).exists()


def own_notification(world: World, user: User | None, notification: Notification) -> bool:
    """Opened by its recipient only, and only while the situation is still visible."""
    return (
        user is not None
        and notification.recipient_id == user.pk
        and (notification.situation_id is None or notification.situation_id in world.visible(user))
    )


def dpo_with_answer(world: World, user: User | None, request: AccessRequest) -> bool:
    return role_is(Role.DPO)(world, user, request) and bool(request.answer_file)


def administrator(world: World, user: User | None, subject: Any) -> bool:
    return user is not None and user.role == Role.ADMIN


DPO = role_is(Role.DPO)
SIGNAL = "inform"


def _minutes(version: str, fmt: str) -> Targets:
    def make(world: World, user: User | None) -> Iterable[Target]:
        held = Meeting.objects.filter(status=MeetingStatus.HELD).order_by("pk")
        rows = [
            m
            for code in ("T1", "T2", "T3")
            for m in held.filter(platform__territory__code=code)[:1]
        ]
        return [Target({"pk": m.pk, "version": version, "fmt": fmt}, m) for m in rows]

    return make


def _minutes_all(world: World, user: User | None) -> Iterable[Target]:
    targets = list(_minutes("membres", "docx")(world, user))
    targets += list(_minutes("diffusion", "docx")(world, user))
    targets += list(_minutes("membres", "pdf")(world, user))[:1]
    return targets


def _steps(world: World, user: User | None) -> Iterable[Target]:
    targets = []
    for s in situation_sample(world, user):
        targets.append(Target({"pk": s.pk, "action": SIGNAL}, s))
    some = next(s for s in situation_sample(world, user) if s.pk not in world.archived_ids())
    targets.append(Target({"pk": some.pk, "action": "inconnue"}, CROSSED))
    return targets


def _journal_corrections(world: World, user: User | None) -> Iterable[Target]:
    """The journal's "correct this entry" link names an entry: a private entry of another
    organisation must stay a 404 even on a situation the persona reads."""
    ids = [s.pk for s in situation_sample(world, user)]
    targets = []
    for entry in JournalEntry.objects.filter(situation_id__in=ids).order_by("pk")[:12]:
        targets.append(Target({"pk": entry.situation_id}, entry, f"corriger={entry.pk}"))
    return targets


# --- The matrix ----------------------------------------------------------------------------

V, S, MS, RS, RP, D, MG = (
    Action.VIEW,
    Action.VIEW_SOCIAL,
    Action.VIEW_MILESTONES,
    Action.RECORD_STEP,
    Action.RECORD_PROCEDURE,
    Action.DECIDE,
    Action.MANAGE_SHARING,
)


def dashboard_reader(world: World, user: User | None, subject: Any) -> bool:
    """Indicator dashboards (data-protection.md #7): evaluators, and steering and coordinators
    with a territory assigned."""
    if user is None:
        return False
    if user.role == Role.EVALUATOR:
        return True
    return user.role in (Role.STEERING, Role.COORDINATOR) and user.territories.exists()


def _indicator_codes(world: World, user: User | None) -> Iterable[Target]:
    return [Target({"code": "identified"}), Target({"code": "cost_per_household"})]


def _process_targets(kwarg: str, values: Iterable[str]) -> Targets:
    """Pseudonyms of the snapshot (a stale one gets the page's "not in this snapshot")."""

    def make(world: World, user: User | None) -> Iterable[Target]:
        return [Target({kwarg: value}) for value in [*values, *_snapshot_values(kwarg)]]

    return make


def _snapshot_values(kwarg: str) -> list[str]:
    """Real pseudonyms of the world's snapshot: a case and the most frequent variant."""
    from etage.analytics import process, store
    from etage.analytics.filters import Filters

    try:
        con = store.connect()
    except store.SnapshotMissing:
        return []
    if kwarg == "case_id":
        return [row[0] for row in con.execute("SELECT min(case_id) FROM situations").fetchall()]
    if kwarg == "variant":
        return [v.id for v in process.variants(con, Filters(), limit=1)]
    return []


EVALUATOR = role_is(Role.EVALUATOR)


def _eval(model_name: str, kwarg: str = "pk") -> Targets:
    """:func:`project_objects` of ``etage.evaluation.models.<model_name>``, resolved when the
    hunt runs (the evaluation models import after Django is set up)."""

    def make(world: World, user: User | None) -> Iterable[Target]:
        from etage.evaluation import models as evaluation_models

        return project_objects(getattr(evaluation_models, model_name), kwarg)(world, user)

    return make


def _project_of(subject: Any) -> Any:
    """The evaluation project a subject belongs to (the project itself, or through
    ``project``, ``workshop``, ``interview``, ``transcript``, ``case_study`` or ``card``)."""
    if getattr(subject, "project_id", None) is not None:
        # First: an interview and its transcript point at each other (a loop otherwise).
        return subject.project
    for attr in ("scenario", "card", "workshop", "case_study", "transcript", "interview"):
        if hasattr(subject, attr) and getattr(subject, attr) is not None:
            return _project_of(getattr(subject, attr))
    return getattr(subject, "project", subject)


def _scenario_targets(model_name: str = "Scenario", **extra: str) -> Targets:
    """Scenarios (or their runs) as ``{"project_pk", "pk"}`` (+ ``extra`` kwargs)."""

    def make(world: World, user: User | None) -> Iterable[Target]:
        from etage.scenarios import models as scenario_models

        model = getattr(scenario_models, model_name)

        def project_of(row: Any) -> Any:
            return row.scenario.project if model_name == "ScenarioRun" else row.project

        return objects(
            model, lambda row: {"project_pk": project_of(row).pk, "pk": row.pk, **extra}
        )(world, user)

    return make


def project_member(world: World, user: User | None, subject: Any) -> bool:
    """Declared rule (etage/evaluation/scope.py): the project's members who are evaluators."""
    if user is None or subject is None or user.role != Role.EVALUATOR:
        return False
    from etage.evaluation.models import ProjectMember

    return ProjectMember.objects.filter(project=_project_of(subject), user=user).exists()


def project_lead(world: World, user: User | None, subject: Any) -> bool:
    """Declared rule: the project's lead evaluators."""
    if not project_member(world, user, subject):
        return False
    from etage.evaluation.models import ProjectMember

    return ProjectMember.objects.filter(
        project=_project_of(subject), user=user, role=ProjectMember.Role.LEAD
    ).exists()


def workshop_voter(world: World, user: User | None, subject: Any) -> bool:
    """Declared rule (scope.py, evaluation.md part D): a workshop's voting page is open to the
    project's members and to the workshop's attendees registered with their ETAGE account,
    whatever their role."""
    if user is None or subject is None or not user.is_active:
        return False
    if project_member(world, user, subject):
        return True
    from etage.evaluation.models import WorkshopAttendee

    return WorkshopAttendee.objects.filter(workshop=subject, user=user).exists()


def workshop_facilitator(world: World, user: User | None, subject: Any) -> bool:
    """Declared rule: running a workshop's vote (open, close, hand votes, retaining a card) is
    for its facilitator, while a member of the project, and for the lead evaluators."""
    if not project_member(world, user, subject):
        return False
    workshop = getattr(subject, "workshop", subject)
    return workshop.facilitator_id == user.pk or project_lead(world, user, subject)  # type: ignore[union-attr]


def memo_author(world: World, user: User | None, subject: Any) -> bool:
    """Declared rule (etage/evaluation/views_coding.py): a memo is edited by its author,
    while a member of the project; the other members read it on the coding page."""
    return project_member(world, user, subject) and subject.author_id == user.pk  # type: ignore[union-attr]


def project_objects(model: type, kwarg: str = "pk", limit: int = 4) -> Targets:
    """Rows of an evaluation model as ``{"project_pk": ..., kwarg: ...}`` (the project itself
    when ``model`` is Project: ``{"project_pk": ...}``)."""

    def to_kwargs(row: Any) -> dict[str, Any]:
        project = _project_of(row)
        if project is row:
            return {"project_pk": row.pk}
        return {"project_pk": project.pk, kwarg: row.pk}

    return objects(model, to_kwargs, limit=limit)


def _project_fmt(fmt: str) -> Targets:
    """Each project with a file format: ``{"project_pk", "fmt"}``."""

    def make(world: World, user: User | None) -> Iterable[Target]:
        return [Target({**t.kwargs, "fmt": fmt}, t.subject) for t in _eval("Project")(world, user)]

    return make


# The report in HTML, the lightest format.
_report_targets = _project_fmt("html")


def _triangulation_query(case: Any) -> str:
    """A case's triangulation cell (its project's first theme, household source); "" (→ 302
    back to the matrix) when the project has no theme yet."""
    theme = case.project.codes.filter(parent__isnull=True).order_by("pk").first()
    return f"theme={theme.pk}&source=household" if theme else ""


def _cross_case_query(project: Any) -> str:
    """A project's first cross-case cell; "" (→ 302 back to the matrix) when it has none."""
    case = project.case_studies.order_by("pk").first()
    question = project.questions.order_by("pk").first()
    return f"case={case.pk}&question={question.pk}" if case and question else ""


ROUTES: dict[str, Route] = {
    # Analytics: indicator dashboards (aggregates; scoped in tests/analytics/test_dashboards*)
    "analytics:dashboard": Route(none, dashboard_reader),
    "analytics:compare": Route(none, dashboard_reader),
    "analytics:definitions": Route(none, dashboard_reader),
    "analytics:definition": Route(_indicator_codes, dashboard_reader),
    "analytics:export_csv": Route(none, dashboard_reader),
    "analytics:export_xlsx": Route(none, dashboard_reader),
    # Analytics: the evaluator's process analytics (tests/analytics/test_views_process.py)
    "analytics:process_hub": Route(none, EVALUATOR),
    "analytics:process_map": Route(none, EVALUATOR),
    "analytics:variants": Route(none, EVALUATOR),
    "analytics:variant_cases": Route(_process_targets("variant", ["0123456789"]), EVALUATOR),
    "analytics:timeline": Route(_process_targets("case_id", ["AAAAAAAAAAAA"]), EVALUATOR),
    "analytics:survival": Route(none, EVALUATOR),
    "analytics:compliance": Route(none, EVALUATOR),
    "analytics:quality": Route(none, EVALUATOR),
    "analytics:typology": Route(none, EVALUATOR),
    "analytics:process_export": Route(
        _process_targets("table", ["edges", "variants", "survival", "compliance"]), EVALUATOR
    ),
    # Evaluation workspace (issue 9; tests/evaluation/)
    "evaluation:index": Route(none, EVALUATOR),
    "evaluation:project": Route(_eval("Project"), project_member),
    "evaluation:members": Route(_eval("Project"), project_lead),
    "evaluation:member_remove": Route(_eval("ProjectMember"), project_lead, post_only=True),
    "evaluation:interviews": Route(_eval("Project"), project_member),
    "evaluation:interviews_csv": Route(_eval("Project"), project_member),
    "evaluation:interview_create": Route(_eval("Project"), project_member),
    "evaluation:interview": Route(_eval("Interview"), project_member),
    "evaluation:interview_edit": Route(_eval("Interview"), project_member),
    "evaluation:interview_consent": Route(_eval("Interview"), project_member),
    "evaluation:interview_consent_withdraw": Route(_eval("Interview"), project_member),
    "evaluation:transcript_upload": Route(_eval("Interview"), project_member),
    "evaluation:matrix": Route(_eval("Project"), project_member),
    "evaluation:question_create": Route(_eval("Project"), project_member),
    "evaluation:question": Route(_eval("EvaluativeQuestion"), project_member),
    "evaluation:question_edit": Route(_eval("EvaluativeQuestion"), project_member),
    "evaluation:question_delete": Route(_eval("EvaluativeQuestion"), project_member),
    "evaluation:recommendation_create": Route(_eval("Project"), project_member),
    "evaluation:recommendation_edit": Route(_eval("Recommendation"), project_member),
    "evaluation:recommendation_delete": Route(_eval("Recommendation"), project_member),
    "evaluation:logic_model": Route(_eval("Project"), project_member),
    "evaluation:logic_node_create": Route(_eval("Project"), project_member),
    "evaluation:logic_node_edit": Route(_eval("LogicModelNode"), project_member),
    "evaluation:logic_node_delete": Route(_eval("LogicModelNode"), project_member),
    "evaluation:codebook": Route(_eval("Project"), project_member),
    "evaluation:code_create": Route(_eval("Project"), project_member),
    "evaluation:codebook_history": Route(_eval("Project"), project_member),
    "evaluation:codebook_qdc": Route(
        _eval("Project"),
        project_member,
        reached=frozenset({200, 302}),
        note="an empty codebook sends back to the codebook page with a message",
    ),
    "evaluation:codebook_import": Route(_eval("Project"), project_member),
    "evaluation:code_edit": Route(_eval("Code"), project_member),
    "evaluation:code_history": Route(_eval("Code"), project_member),
    "evaluation:code_merge": Route(_eval("Code"), project_lead),
    "evaluation:code_split": Route(_eval("Code"), project_lead),
    "evaluation:cases": Route(_eval("Project"), project_member),
    "evaluation:case_draw": Route(_eval("Project"), project_member),
    "evaluation:case_draw_verify": Route(_eval("CaseDraw"), project_member, post_only=True),
    "evaluation:case": Route(_eval("CaseStudy"), project_member),
    "evaluation:case_summary": Route(_eval("CaseStudy"), project_member, post_only=True),
    "evaluation:case_attach": Route(_eval("CaseStudy"), project_member, post_only=True),
    "evaluation:case_detach": Route(_eval("Interview"), project_member, post_only=True),
    "evaluation:case_pin": Route(_eval("CaseStudy"), project_member, post_only=True),
    "evaluation:case_unpin": Route(_eval("TimelinePin"), project_member, post_only=True),
    "evaluation:case_triangulation": Route(_eval("CaseStudy"), project_member),
    "evaluation:case_triangulation_cell": Route(
        with_query(_eval("CaseStudy"), _triangulation_query),
        project_member,
        reached=frozenset({200, 302}),
        note="302 back to the matrix when the project has no theme",
    ),
    "evaluation:cross_case": Route(_eval("Project"), project_member),
    "evaluation:cross_case_cell": Route(
        with_query(_eval("Project"), _cross_case_query),
        project_member,
        reached=frozenset({200, 302}),
        note="302 back to the matrix when there is no case or no question",
    ),
    "evaluation:report": Route(
        _eval("Project"), project_member, note="editing the texts: lead evaluators only"
    ),
    "evaluation:report_download": Route(_report_targets, project_member),
    "evaluation:report_bundle": Route(_eval("Project"), project_member),
    "evaluation:workshops": Route(_eval("Project"), project_member),
    "evaluation:workshop_create": Route(_eval("Project"), project_member),
    "evaluation:workshop": Route(_eval("Workshop"), project_member),
    "evaluation:workshop_edit": Route(_eval("Workshop"), project_member),
    "evaluation:workshop_attendee_add": Route(_eval("Workshop"), project_member),
    "evaluation:workshop_attendee_remove": Route(
        _eval("WorkshopAttendee"), project_member, post_only=True
    ),
    "evaluation:card_create": Route(_eval("Workshop"), project_member),
    "evaluation:card_edit": Route(_eval("Card"), project_member),
    "evaluation:card_delete": Route(_eval("Card"), project_member),
    "evaluation:card_retain": Route(_eval("Card"), workshop_facilitator, post_only=True),
    "evaluation:workshop_voting_open": Route(
        _eval("Workshop"), workshop_facilitator, post_only=True
    ),
    "evaluation:workshop_voting_close": Route(
        _eval("Workshop"), workshop_facilitator, post_only=True
    ),
    "evaluation:workshop_vote": Route(
        _eval("Workshop"), workshop_voter, note="attendees of any role: this page only"
    ),
    "evaluation:workshop_hand_votes": Route(_eval("Workshop"), workshop_facilitator),
    "evaluation:workshop_results": Route(_eval("Workshop"), project_member),
    "evaluation:actions": Route(_eval("Project"), project_member),
    "evaluation:action_create": Route(_eval("Project"), project_member),
    "evaluation:actions_export": Route(_project_fmt("xlsx"), project_member),
    "evaluation:action_edit": Route(_eval("ActionItem"), project_member),
    "evaluation:retrieval": Route(_eval("Project"), project_member),
    "evaluation:segments_csv": Route(_eval("Project"), project_member),
    "evaluation:segments_xlsx": Route(_eval("Project"), project_member),
    "evaluation:segments_docx": Route(_eval("Project"), project_member),
    "evaluation:code_matrix": Route(_eval("Project"), project_member),
    "evaluation:cooccurrence": Route(_eval("Project"), project_member),
    "evaluation:project_qdpx": Route(_eval("Project"), project_member),
    "evaluation:coding": Route(_eval("Project"), project_member),
    "evaluation:coding_transcript": Route(_eval("Transcript"), project_member),
    "evaluation:segment_create": Route(_eval("Transcript"), project_member, post_only=True),
    "evaluation:segment_delete": Route(_eval("Segment"), project_member, post_only=True),
    "evaluation:memo_create": Route(_eval("Project"), project_member),
    "evaluation:memo_edit": Route(_eval("Memo"), memo_author),
    "evaluation:agreement": Route(_eval("Project"), project_member),
    "evaluation:reconcile": Route(_eval("Transcript"), project_member),
    # Scale-up scenarios, inside an evaluation project (issue 10; tests/scenarios/)
    "scenarios:list": Route(_eval("Project"), project_member),
    "scenarios:upload": Route(_eval("Project"), project_member, post_only=True),
    "scenarios:prospective": Route(_eval("Project"), project_member),
    "scenarios:detail": Route(_scenario_targets(), project_member),
    "scenarios:combine": Route(_scenario_targets(), project_member, post_only=True),
    "scenarios:json": Route(_scenario_targets(), project_member),
    "scenarios:run_start": Route(_scenario_targets(), project_member, post_only=True),
    "scenarios:run": Route(_scenario_targets("ScenarioRun"), project_member),
    "scenarios:run_export": Route(_scenario_targets("ScenarioRun", fmt="csv"), project_member),
    # Start-up checklist of a platform (issue 10; tests/configuration/test_checklist.py)
    "territories:checklist": Route(
        none, role_is(Role.ADMIN, Role.COORDINATOR), note="coordinators: their territories"
    ),
    # Core
    "core:home": Route(none, anyone),
    "core:accessibility": Route(none, lambda w, u, s: True, note="open to everyone (RGAA)"),
    "core:access_log": Route(none, DPO),
    "core:access_log_export": Route(none, DPO),
    # Accounts: open pages (a logged-in person reaching the login page is sent home).
    "accounts:login": Route(
        none, lambda w, u, s: True, reached=frozenset({200, 302}), note="open to everyone"
    ),
    "accounts:logout": Route(none, nobody, note="POST only (Django 5): GET is 405"),
    "accounts:second_factor_enrol": Route(
        none, anyone, reached=frozenset({200, 302}), note="own factor; closed once enrolled"
    ),
    "accounts:second_factor_verify": Route(
        none, anyone, reached=frozenset({200, 302}), note="own factor; done once verified"
    ),
    "accounts:password_change": Route(none, anyone),
    "accounts:password_change_done": Route(none, anyone),
    "accounts:language": Route(none, anyone, note="the person's own interface language"),
    # Situations
    "situations:list": Route(
        none, anyone, note="the list is scoped: tests/security/test_same_scope.py"
    ),
    "situations:detail": Route(situations(), on_situation(V)),
    "situations:archive_reason": Route(
        situations(), on_situation(V), reached=frozenset({200, 302}), note="302 when not archived"
    ),
    "situations:step": Route(
        _steps, on_situation(V), note="form shown read-only without the step's right"
    ),
    "situations:sharing": Route(situations(), on_situation(MG)),
    "situations:household": Route(situations(), on_situation(RS)),
    "situations:event_correct": Route(
        children(PathwayEvent, "event_pk", crossed=RS), on_situation(RS)
    ),
    "situations:consent_withdraw": Route(
        children(Consent, "consent_pk", crossed=MG), on_situation(MG), post_only=True
    ),
    "situations:share_revoke": Route(
        children(Share, "share_pk", crossed=MG), on_situation(MG), post_only=True
    ),
    # Procedures
    "procedures:event_record": Route(situations(), on_situation(RP)),
    "procedures:event_correct": Route(
        children(ProcedureEvent, "event_pk", crossed=RP), on_situation(RP)
    ),
    "procedures:balance_record": Route(situations(), on_situation(RP)),
    "procedures:aid_create": Route(situations(), on_situation(RS)),
    "procedures:aid_update": Route(children(Aid, "aid_pk", crossed=RS), on_situation(RS)),
    # Support
    "support:plan": Route(situations(), on_situation(S)),
    "support:objective_edit": Route(
        children(Objective, "objective_pk", crossed=RS), on_situation(S, RS)
    ),
    "support:action_add": Route(
        children(Objective, "objective_pk", crossed=RS), on_situation(S, RS)
    ),
    "support:action_detail": Route(
        children(PlanAction, "action_pk", "objective__situation", crossed=S), on_situation(S)
    ),
    "support:action_status": Route(
        children(PlanAction, "action_pk", "objective__situation", crossed=RS),
        on_situation(S, RS),
        post_only=True,
    ),
    "support:journal": Route(situations(), on_situation(S)),
    "support:documents": Route(situations(), on_situation(S)),
    "support:document_download": Route(
        children(Document, "document_pk", crossed=S), document_readable
    ),
    "support:reviews": Route(situations(), on_situation(S)),
    # Intake
    "intake:my_referrals": Route(none, anyone, note="one's own referrals only"),
    "intake:referral_create": Route(
        none,
        anyone,
        note="an empty form, for every account of an organisation (duplicates are announced "
        "without any detail)",
    ),
    "arrears:list": Route(none, own_landlord_import),
    "arrears:detail": Route(objects(ArrearsImport), own_landlord_import),
    "arrears:status": Route(objects(ArrearsImport), own_landlord_import),
    # Meetings
    "meetings:index": Route(
        none,
        role_is(Role.PROFESSIONAL, Role.COORDINATOR),
        reached=frozenset({200, 302}),
        note="302 to the platform when there is only one",
    ),
    "meetings:platform": Route(objects(Platform, lambda p: {"platform_pk": p.pk}), platform_member),
    "meetings:create": Route(
        objects(Platform, lambda p: {"platform_pk": p.pk}), platform_coordinator
    ),
    "meetings:calendar": Route(objects(Platform, lambda p: {"platform_pk": p.pk}), platform_member),
    "meetings:detail": Route(objects(Meeting), platform_member),
    "meetings:edit": Route(objects(Meeting), platform_coordinator),
    "meetings:attendance": Route(objects(Meeting, limit=4), platform_coordinator, post_only=True),
    "meetings:agenda_add": Route(objects(Meeting, limit=4), platform_coordinator, post_only=True),
    "meetings:agenda_refresh": Route(
        objects(Meeting, limit=4), platform_coordinator, post_only=True
    ),
    **{
        f"meetings:agenda_{verb}": Route(
            objects(AgendaItem, lambda i: {"pk": i.meeting_id, "item_pk": i.pk}, limit=4),
            platform_coordinator,
            post_only=True,
        )
        for verb in ("up", "down", "withdraw")
    },
    "meetings:decision": Route(
        objects(AgendaItem, lambda i: {"pk": i.meeting_id, "item_pk": i.pk}), decision_page
    ),
    "meetings:minutes": Route(_minutes_all, held_minutes),
    "meetings:flag": Route(situations("situation_pk"), on_situation(V), post_only=True),
    # My work, notifications
    "worklist:index": Route(none, anyone, note="counts scoped: tests/security/test_same_scope.py"),
    "notifications:index": Route(none, anyone),
    "notifications:preferences": Route(none, anyone),
    "notifications:mark_all_read": Route(none, anyone, post_only=True),
    "notifications:open": Route(
        objects(Notification, limit=40), own_notification, reached=frozenset({302})
    ),
    "notifications:mark_read": Route(
        objects(Notification, limit=8), own_notification, post_only=True
    ),
    # Rights of the person (data-protection officers only)
    "privacy:register": Route(none, DPO),
    "privacy:request_create": Route(none, DPO),
    "privacy:request_detail": Route(objects(AccessRequest), DPO),
    "privacy:answer_download": Route(objects(AccessRequest), dpo_with_answer),
    "privacy:search": Route(none, DPO),
    "privacy:person_file": Route(
        objects(Situation, lambda s: {"pk": s.household_id}, limit=4), DPO, post_only=True
    ),
    "privacy:erase": Route(
        objects(Situation, lambda s: {"pk": s.household_id}, limit=4), DPO, post_only=True
    ),
    "privacy:objection": Route(situations(), DPO, post_only=True),
    "privacy:objection_lift": Route(objects(Objection), DPO, post_only=True),
    "privacy:legal_hold": Route(situations(), DPO, post_only=True),
    "privacy:legal_hold_lift": Route(objects(LegalHold), DPO, post_only=True),
    # Emergency access
    "breakglass:open": Route(none, administrator),
    "breakglass:register": Route(none, DPO),
    # Record linkage and merges
    "linkage:queue": Route(none, own_landlord_review),
    "linkage:decide": Route(objects(LinkReview), own_landlord_review, post_only=True),
    "linkage:merges": Route(none, role_is(Role.COORDINATOR)),
    "linkage:merge_start": Route(
        situations("situation_pk"), both(role_is(Role.COORDINATOR), on_situation(D))
    ),
    "linkage:merge_undo": Route(objects(HouseholdMerge), merge_visible, post_only=True),
    # Early warning
    "alerts:candidate_list": Route(none, own_landlord_candidate),
    "alerts:candidate_convert": Route(objects(Candidate, limit=9), own_landlord_candidate),
    "alerts:candidate_dismiss": Route(objects(Candidate, limit=9), own_landlord_candidate),
}


# --- The API: hunted with tokens -------------------------------------------------------------


@dataclass(frozen=True)
class ApiRoute:
    targets: Callable[[], Iterable[Target]]
    #: Whether the token of ``organisation`` (an Organisation) reads the subject.
    may: Callable[[Any, Any], bool]
    path: str = ""


def _is_landlord(org: Any) -> bool:
    return org is not None and org.kind == OrganisationKind.LANDLORD


def _api_objects(model: type) -> Callable[[], Iterable[Target]]:
    def make() -> Iterable[Target]:
        return [Target({"pk": row.pk}, row) for row in model.objects.order_by("pk")]  # type: ignore[attr-defined]

    return make


def _api_none() -> Iterable[Target]:
    return [Target({})]


API_ROUTES: dict[str, ApiRoute] = {
    "api:schema": ApiRoute(_api_none, lambda org, _s: True),
    "api:referrals": ApiRoute(_api_none, lambda org, _s: org is not None),
    "api:referral": ApiRoute(
        _api_objects(Referral),
        lambda org, r: org is not None and r.organisation_id == org.pk,
    ),
    # POST only (a landlord pushes a batch): GET never reads.
    "api:arrears_batches": ApiRoute(_api_none, lambda org, _s: False),
    "api:arrears_batch": ApiRoute(
        _api_objects(ArrearsImport),
        lambda org, b: _is_landlord(org) and b.landlord_id == org.pk,
    ),
    "api:signals": ApiRoute(_api_none, lambda org, _s: False),  # POST only: GET never reads
    "api:?": ApiRoute(_api_none, lambda org, _s: False, path="/api/v1/inconnu/"),
}


# --- The back-office: one declared group ----------------------------------------------------

ADMIN_OPEN = {
    "admin:login": "the back-office's login form (logged-in non-administrators see a refusal)",
    "admin:jsi18n": "translations of the back-office's scripts",
    "admin:logout": "POST only",
}
ADMIN_SUFFIXES = ("_changelist", "_add", "_change", "_delete", "_history")
ADMIN_OTHERS = {
    "admin:index",
    "admin:app_list",
    "admin:password_change",
    "admin:password_change_done",
    "admin:autocomplete",
    "admin:view_on_site",
    "admin:?",
}


def admin_declared(name: str) -> bool:
    return name in ADMIN_OPEN or name in ADMIN_OTHERS or name.endswith(ADMIN_SUFFIXES)


def admin_targets() -> list[tuple[str, str]]:
    """(name, url) of the back-office pages requested: its index, each application's page,
    each registered model's list and add pages and the change page of its first row, and
    the "view on site" shortcut towards a situation."""
    urls = [
        ("admin:index", reverse("admin:index")),
        ("admin:password_change", reverse("admin:password_change")),
    ]
    labels: set[str] = set()
    for model in admin_site._registry:
        meta = model._meta
        labels.add(meta.app_label)
        prefix = f"admin:{meta.app_label}_{meta.model_name}"
        for suffix in ("changelist", "add"):
            with contextlib.suppress(NoReverseMatch):
                urls.append((f"{prefix}_{suffix}", reverse(f"{prefix}_{suffix}")))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            for suffix in ("change", "history", "delete"):
                with contextlib.suppress(NoReverseMatch):
                    urls.append(
                        (f"{prefix}_{suffix}", reverse(f"{prefix}_{suffix}", args=[first.pk]))
                    )
    for label in sorted(labels):
        urls.append(("admin:app_list", reverse("admin:app_list", kwargs={"app_label": label})))
    from django.contrib.contenttypes.models import ContentType

    situation = Situation.objects.order_by("pk").first()
    if situation is not None:
        ctype = ContentType.objects.get_for_model(Situation)
        urls.append(
            ("admin:view_on_site", reverse("admin:view_on_site", args=[ctype.pk, situation.pk]))
        )
    # The back-office's catch-all (unknown addresses under it).
    urls.append(("admin:?", reverse("admin:index") + "inconnu/"))
    return urls


__all__ = [
    "ADMIN_OPEN",
    "API_ROUTES",
    "CROSSED",
    "DENIED",
    "ROUTES",
    "Route",
    "Target",
    "admin_declared",
    "admin_targets",
]
