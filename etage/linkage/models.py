"""Record linkage: the matches a person must decide (:class:`LinkReview`) and the merges of
two records of one household (:class:`HouseholdMerge`), kept so that each can be undone.
Written only by :mod:`etage.linkage.services`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from etage.households.models import Household
from etage.intake.models.arrears import ArrearsImport
from etage.organisations.models import Organisation
from etage.situations.models import Situation


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("To review")
    RESOLVED = "resolved", _("Decided")


class ReviewDecision(models.TextChoices):
    NONE = "", _("Not decided yet")
    LINKED = "linked", _("Linked to a known household")
    NO_MATCH = "no_match", _("No known household")


class LinkReview(models.Model):
    """One lease of one landlord whose lines could not be matched with certainty. The
    decision applies to every line of that lease reference at that landlord, and to the lines
    of later imports."""

    landlord = models.ForeignKey(
        Organisation, verbose_name=_("landlord"), related_name="+", on_delete=models.PROTECT
    )
    lease_reference = models.CharField(_("lease reference"), max_length=40)
    batch = models.ForeignKey(
        ArrearsImport,
        verbose_name=_("import"),
        related_name="link_reviews",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    #: [{"household": id, "score": float, "name": float, "address": float}], best first.
    proposals = models.JSONField(_("proposed households"), default=list)
    status = models.CharField(
        _("status"), max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    decision = models.CharField(
        _("decision"), max_length=10, choices=ReviewDecision.choices, blank=True, default=""
    )
    household = models.ForeignKey(
        Household,
        verbose_name=_("household chosen"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("match to review")
        verbose_name_plural = _("matches to review")
        ordering = ["created_at", "id"]
        constraints = [
            # One open review per lease: re-running the linkage never queues it twice.
            models.UniqueConstraint(
                fields=["landlord", "lease_reference"],
                condition=models.Q(status="open"),
                name="link_review_one_open_per_lease",
            ),
            models.CheckConstraint(
                condition=models.Q(status__in=ReviewStatus.values), name="link_review_status"
            ),
            models.CheckConstraint(
                condition=models.Q(decision__in=ReviewDecision.values),
                name="link_review_decision",
            ),
        ]
        indexes = [models.Index(fields=["landlord", "status"])]

    def __str__(self) -> str:
        return f"{self.landlord_id} {self.lease_reference} ({self.status})"

    @property
    def proposed_ids(self) -> list[int]:
        return [int(p["household"]) for p in self.proposals]


class HouseholdMerge(models.Model):
    """Two records found to be one household: everything of ``absorbed`` moved onto ``kept``.
    ``moved`` lists exactly which rows moved, so that undoing puts back those rows and no
    others. The absorbed record stays (empty) so that the undo can restore onto it."""

    kept = models.ForeignKey(
        Household, verbose_name=_("kept household"), related_name="+", on_delete=models.PROTECT
    )
    absorbed = models.ForeignKey(
        Household,
        verbose_name=_("absorbed household"),
        related_name="+",
        on_delete=models.PROTECT,
    )
    #: {"people": [ids], "tenancies": [...], "situations": [...], "arrears_lines": [...],
    #:  "lease_signals": [...], "candidates": [...]}
    moved = models.JSONField(_("moved records"), default=dict)
    #: The situations of both households at the time of the merge: who may see and undo
    #: the merge follows them (the households themselves may have been emptied since).
    situations = models.ManyToManyField(Situation, verbose_name=_("situations"), related_name="+")
    reason = models.CharField(_("reason"), max_length=250)
    merged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("merged by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
    )
    merged_at = models.DateTimeField(_("merged at"), auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("undone by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        verbose_name = _("household merge")
        verbose_name_plural = _("household merges")
        ordering = ["-merged_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(kept=models.F("absorbed")), name="household_merge_two"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.absorbed_id} → {self.kept_id}"

    @property
    def is_active(self) -> bool:
        return self.undone_at is None

    def count(self, kind: str) -> int:
        return len(self.moved.get(kind, []))
