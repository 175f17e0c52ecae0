"""Vocabularies of coordinated support. Codes are stable: the pathway events and the
evaluation's exports use them."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ObjectiveStatus(models.TextChoices):
    ACTIVE = "active", _("In progress")
    ACHIEVED = "achieved", _("Achieved")
    ABANDONED = "abandoned", _("Abandoned")


class ActionStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")
    ABANDONED = "abandoned", _("Abandoned")
    BLOCKED = "blocked", _("Blocked")


#: An action still expected to happen: it can be overdue.
OPEN_ACTION_STATUSES = frozenset(
    {ActionStatus.PLANNED, ActionStatus.IN_PROGRESS, ActionStatus.BLOCKED}
)


class JournalKind(models.TextChoices):
    PHONE_CALL = "phone_call", _("Phone call")
    HOME_VISIT = "home_visit", _("Home visit")
    OFFICE_MEETING = "office_meeting", _("Office meeting")
    EMAIL_LETTER = "email_letter", _("Email or letter")
    PARTNER_MEETING = "partner_meeting", _("Partner meeting")
    NOTE = "note", _("Note")


class Visibility(models.TextChoices):
    """data-protection.md #6."""

    ORGANISATION = "organisation", _("Private to my organisation")
    GROUP = "group", _("Shared with the sharing group")


class ReviewDecision(models.TextChoices):
    CONTINUE = "continue", _("Continue the support")
    CHANGE_LEVEL = "change_level", _("Change the support level")
    CLOSE = "close", _("Close the support")


class Progress(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    PARTIAL = "partial", _("Partly achieved")
    ACHIEVED = "achieved", _("Achieved")
    ABANDONED = "abandoned", _("Abandoned")
