"""Qualitative coding (evaluation.md part C): a hierarchical codebook whose merges and splits
are kept in history, segments of transcripts coded by several evaluators (double coding), and
memos."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from etage.evaluation.models.choices import CodeEventKind
from etage.evaluation.models.interviews import Transcript
from etage.evaluation.models.project import Project


class Code(models.Model):
    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="codes"
    )
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent code"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    name = models.CharField(_("name"), max_length=120)
    definition = models.TextField(_("definition"), blank=True)
    include = models.TextField(_("inclusion criteria"), blank=True)
    exclude = models.TextField(_("exclusion criteria"), blank=True)
    example = models.TextField(_("example"), blank=True)
    color = models.CharField(_("colour"), max_length=7, blank=True)
    #: REFI-QDA identity, kept across export and import.
    guid = models.UUIDField(_("identifier"), default=uuid.uuid4, editable=False)
    #: Whether segments may still be coded with it; a merged code is closed, never deleted,
    #: so its history and the segments it had stay readable.
    is_active = models.BooleanField(_("active"), default=True)
    merged_into = models.ForeignKey(
        "self",
        verbose_name=_("merged into"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_from",
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    questions = models.ManyToManyField(
        "evaluation.EvaluativeQuestion",
        verbose_name=_("evaluative questions"),
        blank=True,
        related_name="codes",
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("code")
        verbose_name_plural = _("codes")
        ordering = ["project", "position", "name"]
        constraints = [
            models.UniqueConstraint(fields=["project", "guid"], name="evaluation_code_guid_once"),
        ]

    def __str__(self) -> str:
        return self.name


class CodeEvent(models.Model):
    """One change of the codebook (append-only): creation, edit, move, merge, split, import."""

    code = models.ForeignKey(
        Code, verbose_name=_("code"), on_delete=models.CASCADE, related_name="history"
    )
    kind = models.CharField(_("change"), max_length=16, choices=CodeEventKind.choices)
    #: The other code of a merge or split, if any.
    other = models.ForeignKey(
        Code,
        verbose_name=_("other code"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("by"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("codebook change")
        verbose_name_plural = _("codebook changes")
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.code} {self.kind}"


class Segment(models.Model):
    """A span of a transcript (character offsets, end excluded) coded with one code by one
    coder. ``consensus`` segments are the reconciled coding, written in the reconciliation
    view after double coding."""

    transcript = models.ForeignKey(
        Transcript,
        verbose_name=_("transcript"),
        on_delete=models.CASCADE,
        related_name="segments",
    )
    code = models.ForeignKey(
        Code, verbose_name=_("code"), on_delete=models.PROTECT, related_name="segments"
    )
    coder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coder"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    start = models.PositiveIntegerField(_("start"))
    end = models.PositiveIntegerField(_("end"))
    #: The coded words, copied for retrieval and exports.
    text = models.TextField(_("excerpt"))
    consensus = models.BooleanField(_("reconciled coding"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("coded segment")
        verbose_name_plural = _("coded segments")
        ordering = ["transcript", "start", "end", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="evaluation_segment_span"
            ),
            models.UniqueConstraint(
                fields=["transcript", "code", "coder", "start", "end", "consensus"],
                name="evaluation_segment_once",
            ),
        ]
        indexes = [models.Index(fields=["code", "coder"], name="evaluation_segment_code")]

    def __str__(self) -> str:
        return f"{self.code} [{self.start}:{self.end}]"


class Memo(models.Model):
    """An analytic memo, about the project, a transcript, a code or a segment."""

    project = models.ForeignKey(
        Project, verbose_name=_("project"), on_delete=models.CASCADE, related_name="memos"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("author"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("text"))
    transcript = models.ForeignKey(
        Transcript,
        verbose_name=_("transcript"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memos",
    )
    code = models.ForeignKey(
        Code,
        verbose_name=_("code"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memos",
    )
    segment = models.ForeignKey(
        Segment,
        verbose_name=_("segment"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="memos",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("memo")
        verbose_name_plural = _("memos")
        ordering = ["-updated_at", "pk"]

    def __str__(self) -> str:
        return self.title
