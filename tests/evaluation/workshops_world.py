"""A small workshop world built with the ORM for the workshop tests (pages, services, browser):
one project led by t1-evaluation with t2-evaluation as a coder; a dot-voting workshop with
three cards and three attendees (t1-professionnel and t1-pilotage with their accounts, one
household without an account); a second workshop of the same project without them; and
another project (led by t3-evaluation) with its own workshop. Synthetic only."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from etage.accounts.models import User
from etage.evaluation.models import (
    Card,
    Project,
    ProjectMember,
    Workshop,
    WorkshopAttendee,
)
from etage.evaluation.models.choices import (
    CardKind,
    StakeholderType,
    VotingMethod,
    WorkshopKind,
)

CARD_TITLES = (
    "Un numéro unique pour les bailleurs",
    "Une visite à domicile sous 15 jours",
    "Un comité mensuel des situations bloquées",
)


@dataclass
class WorkshopWorld:
    project: Project
    lead: User
    coder: User
    workshop: Workshop
    cards: list[Card]
    voter: WorkshopAttendee
    steering_voter: WorkshopAttendee
    household: WorkshopAttendee
    sibling: Workshop
    other_project: Project
    other_workshop: Workshop


def build_workshop_world(people: dict[str, User]) -> WorkshopWorld:
    lead, coder = people["t1-evaluation"], people["t2-evaluation"]
    project = Project.objects.create(name="Évaluation des plateformes", created_by=lead)
    ProjectMember.objects.create(project=project, user=lead, role=ProjectMember.Role.LEAD)
    ProjectMember.objects.create(project=project, user=coder, role=ProjectMember.Role.CODER)
    workshop = Workshop.objects.create(
        project=project,
        kind=WorkshopKind.PLATFORM,
        title="Atelier plateforme de Vaulx",
        held_on=date(2026, 3, 12),
        agenda="1. Accueil\n2. Propositions\n3. Vote",
        facilitator=lead,
        voting_method=VotingMethod.DOTS,
        dots_per_person=3,
    )
    cards = [
        Card.objects.create(workshop=workshop, kind=CardKind.PROPOSAL, title=title, position=i)
        for i, title in enumerate(CARD_TITLES)
    ]
    voter = WorkshopAttendee.objects.create(
        workshop=workshop,
        stakeholder_type=StakeholderType.SOCIAL_SERVICE,
        user=people["t1-professionnel"],
        consent=True,
    )
    steering_voter = WorkshopAttendee.objects.create(
        workshop=workshop,
        stakeholder_type=StakeholderType.INSTITUTION,
        user=people["t1-pilotage"],
        consent=True,
    )
    household = WorkshopAttendee.objects.create(
        workshop=workshop, stakeholder_type=StakeholderType.HOUSEHOLD, consent=False
    )
    sibling = Workshop.objects.create(
        project=project,
        kind=WorkshopKind.PROSPECTIVE,
        title="Atelier prospectif",
        held_on=date(2026, 5, 4),
        facilitator=coder,
    )
    Card.objects.create(workshop=sibling, kind=CardKind.SCENARIO, title="Métropole entière")
    other_lead = people["t3-evaluation"]
    other_project = Project.objects.create(name="Autre évaluation", created_by=other_lead)
    ProjectMember.objects.create(
        project=other_project, user=other_lead, role=ProjectMember.Role.LEAD
    )
    other_workshop = Workshop.objects.create(
        project=other_project,
        kind=WorkshopKind.PROFESSIONALS,
        title="Atelier des professionnels",
        held_on=date(2026, 4, 2),
        facilitator=other_lead,
    )
    Card.objects.create(workshop=other_workshop, kind=CardKind.ACTION, title="Autre carte")
    return WorkshopWorld(
        project=project,
        lead=lead,
        coder=coder,
        workshop=workshop,
        cards=cards,
        voter=voter,
        steering_voter=steering_voter,
        household=household,
        sibling=sibling,
        other_project=other_project,
        other_workshop=other_workshop,
    )
