"""Vocabularies of platform meetings. Codes are stable: the indicators (meetings held,
attendance, decisions) and the evaluation's exports use them."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class MeetingStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("meeting", "Planned")
    HELD = "held", pgettext_lazy("meeting", "Held")
    CANCELLED = "cancelled", pgettext_lazy("meeting", "Cancelled")


class AgendaReason(models.TextChoices):
    """Why a situation is on the agenda (the first that applies, in this order)."""

    CARRIED_OVER = "carried_over", _("Postponed at the previous meeting")
    AWAITING_ORIENTATION = "awaiting_orientation", _("Assessed, waiting for orientation")
    REVIEW_DUE = "review_due", _("Review due")
    FLAGGED = "flagged", _("Flagged by a member")
    DEADLINE_SOON = "deadline_soon", _("Procedure deadline within 30 days")
    ADDED = "added", _("Added by the coordination")


class ItemState(models.TextChoices):
    PENDING = "pending", _("To be discussed")
    DECIDED = "decided", _("Decided")
    POSTPONED = "postponed", _("Postponed")
    WITHDRAWN = "withdrawn", _("Withdrawn from the agenda")


class DecisionKind(models.TextChoices):
    ORIENTATION = "orientation", _("Orientation")
    LEVEL_CHANGE = "level_change", _("Change of support level")
    CONTINUE = "continue", _("Support continues")
    POSTPONEMENT = "postponement", _("Postponed to the next meeting")
    OTHER = "other", _("Other decision")


class PostponementReason(models.TextChoices):
    """A closed list on purpose: the reason appears in every version of the minutes, so it
    must never carry free text about the household."""

    MISSING_INFORMATION = "missing_information", _("Information missing to decide")
    PARTNER_ABSENT = "partner_absent", _("A partner concerned was absent")
    HOUSEHOLD_NOT_MET = "household_not_met", _("The household has not been met yet")
    CONSENT_PENDING = "consent_pending", _("Consent to share still to be collected")
    NO_TIME = "no_time", _("Not enough time at the meeting")
    OTHER = "other", _("Other reason")


class MinutesVersion(models.TextChoices):
    #: Nominative details only for the situations whose sharing group includes the reader's
    #: organisation; pseudonymised aliases for the others.
    MEMBER = "membres", _("Members' version")
    #: Pseudonymised aliases only: no name, address, phone number or date of birth.
    CIRCULATION = "diffusion", _("Circulation version")
