"""Controlled vocabularies of the pathway (domain.md §3). Codes are stable: the event log and
the evaluation's exports use them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Status(models.TextChoices):
    IDENTIFIED = "identified", _("Identified")
    INFORMED = "informed", _("Informed")
    CONTACTED = "contacted", _("Contact made")
    UNREACHABLE = "unreachable", _("Unreachable")
    ASSESSED = "assessed", _("Assessed by the platform")
    ORIENTED = "oriented", _("Oriented")
    IN_SUPPORT = "in_support", _("In support")
    SUSPENDED = "suspended", _("Suspended")
    CLOSED = "closed", _("Closed")
    ARCHIVED = "archived", _("Archived")


OPEN_STATUSES = frozenset(
    {
        Status.IDENTIFIED,
        Status.INFORMED,
        Status.CONTACTED,
        Status.UNREACHABLE,
        Status.ASSESSED,
        Status.ORIENTED,
        Status.IN_SUPPORT,
        Status.SUSPENDED,
    }
)
#: Before orientation: the reference pathway expects orientation within 30 days.
PRE_ORIENTATION_STATUSES = frozenset(
    {Status.IDENTIFIED, Status.INFORMED, Status.CONTACTED, Status.UNREACHABLE, Status.ASSESSED}
)


class Level(models.TextChoices):
    ADVICE = "advice", _("Appui conseil")
    COORDINATION = "coordination", _("Coordination")
    AGR = "agr", _("Accompagnement global renforcé (AGR)")


INTENSIVE_LEVELS = frozenset({Level.COORDINATION, Level.AGR})


class Orientation(models.TextChoices):
    ADVICE = "advice", _("Appui conseil")
    COORDINATION = "coordination", _("Coordination")
    AGR = "agr", _("Accompagnement global renforcé (AGR)")
    MAINSTREAM = "mainstream", _("Mainstream services (droit commun)")
    NO_ACTION = "no_action", _("No further action")


class Source(models.TextChoices):
    LANDLORD_AGENCY = "landlord_agency", _("Landlord agency")
    RENT_RECOVERY = "rent_recovery", _("Rent recovery")
    CARETAKER = "caretaker", _("Caretaker")
    CCAS = "ccas", _("CCAS")
    MDM = "mdm", _("Maison de la Métropole")
    ASSOCIATION = "association", _("Association")
    CCAPEX = "ccapex", _("CCAPEX")
    HEALTH = "health", _("Health partner")
    SELF = "self", _("The household itself")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent (risk to safety or imminent eviction)")


class Difficulty(models.TextChoices):
    RENT_ARREARS = "rent_arrears", _("Rent arrears")
    NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood trouble")
    SQUALOR = "squalor", _("Squalor / hoarding (incurie, Diogène)")
    MENTAL_HEALTH = "mental_health", _("Mental health")
    ADDICTION = "addiction", _("Addiction")
    ISOLATION = "isolation", _("Isolation")
    AUTONOMY = "autonomy", _("Loss of autonomy / ageing")
    DOMESTIC_VIOLENCE = "domestic_violence", _("Domestic violence")
    OCCUPANCY = "occupancy", _("Over- or under-occupation")
    NON_TAKE_UP = "non_take_up", _("Non-take-up of rights")
    BUDGET = "budget", _("Budget / over-indebtedness")
    OTHER = "other", _("Other")


#: data-protection.md #5: readable only by the sharing group's professionals.
SENSITIVE_DIFFICULTIES = frozenset(
    {Difficulty.MENTAL_HEALTH, Difficulty.ADDICTION, Difficulty.DOMESTIC_VIOLENCE}
)


class ContactOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    UNREACHABLE = "unreachable", _("Unreachable")
    REFUSED = "refused", _("Refused")


class InformationMethod(models.TextChoices):
    IN_PERSON = "in_person", _("In person")
    PHONE = "phone", _("By phone")
    LETTER = "letter", _("By letter or leaflet")
    EMERGENCY = "emergency", _("Not yet: documented emergency exception")


class Outcome(models.TextChoices):
    HOUSED_NO_PROCEDURE = "housed_no_procedure", _("Kept housed without procedure")
    HOUSED_AFTER_PROCEDURE = (
        "housed_after_procedure",
        _("Kept housed after procedure (plan respected, protocol, new lease)"),
    )
    REHOUSED = "rehoused", _("Rehoused / transfer")
    MAINSTREAM = "mainstream", _("Handed to mainstream services")
    LEFT = "left", _("Left voluntarily")
    EVICTED = "evicted", _("Evicted")
    REFUSED = "refused", _("Refused / dropped out")
    OTHER = "other", _("Deceased / other")


class HousingStatus(models.TextChoices):
    SAME_DWELLING = "same_dwelling", _("In the same dwelling")
    OTHER_SOCIAL = "other_social", _("Other social dwelling")
    PRIVATE = "private", _("Private housing")
    HOSTED = "hosted", _("Hosted / temporary accommodation")
    NO_HOUSING = "no_housing", _("Without housing")
    UNKNOWN = "unknown", _("Unknown")


class SuspensionReason(models.TextChoices):
    HOSPITALISATION = "hospitalisation", _("Hospitalisation")
    UNREACHABLE = "unreachable", _("Household unreachable")
    HOUSEHOLD_REQUEST = "household_request", _("At the household's request")
    OTHER = "other", _("Other")


class LegalBasis(models.TextChoices):
    ORIGIN = "origin", _("Organisation that identified the situation")
    CONSENT = "consent", _("Consent of the household")
    CASF = "casf", _("Shared professional secrecy (CASF L.121-6-2)")
    CCAPEX = "ccapex", _("CCAPEX (law 2023-668)")
    CARE_TEAM = "care_team", _("Care team (CSP L.1110-4)")


class EntryStage(models.TextChoices):
    """Stage of the eviction procedure when the situation was identified: the key
    'early identification' indicator (domain.md §4)."""

    NONE = "none", _("Before any formal demand")
    COMMANDEMENT = "commandement", _("After a commandement de payer")
    SUMMONS = "summons", _("After a summons (assignation)")
    JUDGMENT = "judgment", _("After judgment")
    ORDER_TO_LEAVE = "order_to_leave", _("After an order to leave")
    UNKNOWN = "unknown", _("Unknown")
