"""Choice lists of the evaluation workspace (French labels through the catalogue)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class StakeholderType(models.TextChoices):
    HOUSEHOLD = "household", _("Household")
    ASSOCIATIVE_REFERENT = "associative_referent", _("Associative referent")
    LANDLORD_SOCIAL_WORKER = "landlord_social_worker", _("Landlord social worker")
    COORDINATOR = "coordinator", _("Platform coordinator")
    SOCIAL_SERVICE = "social_service", _("Social services professional")
    RENT_RECOVERY = "rent_recovery", _("Rent recovery / litigation")
    LANDLORD_MANAGEMENT = "landlord_management", _("Landlord management")
    INSTITUTION = "institution", _("Institution / funder / elected official")
    OTHER = "other", _("Other")


#: The three interviews of a case study (evaluation.md part B) and the pathway data: the four
#: sources a case is read from.
class CaseSource(models.TextChoices):
    PATHWAY = "pathway", _("Pathway data")
    HOUSEHOLD = "household", _("Household")
    ASSOCIATIVE_REFERENT = "associative_referent", _("Associative referent")
    LANDLORD_SOCIAL_WORKER = "landlord_social_worker", _("Landlord social worker")


#: The interviewee types a case-study interview may have (the last three sources).
CASE_INTERVIEW_SOURCES = (
    CaseSource.HOUSEHOLD,
    CaseSource.ASSOCIATIVE_REFERENT,
    CaseSource.LANDLORD_SOCIAL_WORKER,
)


class InterviewMode(models.TextChoices):
    INDIVIDUAL = "individual", _("Individual")
    COLLECTIVE = "collective", _("Collective")


class ConsentForm(models.TextChoices):
    WRITTEN = "written", _("Signed form")
    ORAL = "oral", _("Oral, recorded at the start of the interview")


class Criterion(models.TextChoices):
    RELEVANCE = "relevance", _("Relevance")
    COHERENCE = "coherence", _("Coherence")
    EFFECTIVENESS = "effectiveness", _("Effectiveness")
    EFFICIENCY = "efficiency", _("Efficiency")
    IMPACT = "impact", _("Impact")
    SUSTAINABILITY = "sustainability", _("Sustainability")


class LogicStage(models.TextChoices):
    INPUTS = "inputs", _("Inputs")
    ACTIVITIES = "activities", _("Activities")
    OUTPUTS = "outputs", _("Outputs")
    OUTCOMES = "outcomes", _("Outcomes")
    IMPACT = "impact", _("Impact")


class Verdict(models.TextChoices):
    CONVERGES = "converges", _("Converges")
    DIVERGES = "diverges", _("Diverges")
    SILENT = "silent", _("Silent")


class Priority(models.IntegerChoices):
    HIGH = 1, _("High")
    MEDIUM = 2, _("Medium")
    LOW = 3, _("Low")


class WorkshopKind(models.TextChoices):
    PLATFORM = "platform", _("Platform workshop")
    PROFESSIONALS = "professionals", _("Professionals' workshop")
    PROSPECTIVE = "prospective", _("Prospective workshop")


class CardKind(models.TextChoices):
    PROPOSAL = "proposal", _("Proposal")
    SCENARIO = "scenario", _("Scenario")
    ACTION = "action", _("Action")


class VotingMethod(models.TextChoices):
    DOTS = "dots", _("Dot voting")
    RANKING = "ranking", _("Ranking")
    SCORING = "scoring", _("Multi-criteria scoring")


#: Multi-criteria scoring (evaluation.md part D), each scored 1–5; for cost, 5 = cheapest.
class ScoreCriterion(models.TextChoices):
    IMPACT = "impact", _("Impact")
    FEASIBILITY = "feasibility", _("Feasibility")
    COST = "cost", _("Cost (5 = cheapest)")
    ACCEPTABILITY = "acceptability", _("Acceptability")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    DROPPED = "dropped", _("Dropped")


class CodeEventKind(models.TextChoices):
    CREATED = "created", pgettext_lazy("codebook change", "Created")
    EDITED = "edited", _("Edited")
    MOVED = "moved", _("Moved")
    MERGED = "merged", _("Merged into another code")
    SPLIT = "split", _("Split")
    IMPORTED = "imported", _("Imported")
