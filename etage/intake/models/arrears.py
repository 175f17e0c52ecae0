"""What landlords send: monthly arrears extracts (one :class:`ArrearsLine` per lease and
balance date) and dated signals (complaints, procedure steps). These are *signals*, not
situations: nothing here is shared with a partner until a person creates a situation from a
candidate (etage.alerts). Writes go through :mod:`etage.intake.arrears` services only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from etage.households.models import Household
from etage.households.validators import reject_national_identifier
from etage.organisations.models import Organisation, OrganisationKind
from etage.procedures.choices import EventKind
from etage.territories.models import Commune


class ImportProfile(models.Model):
    """How one landlord's extract is laid out: which of its column headers holds each field
    of the ETAGE format (docs/imports.md). Fields absent from the mapping are looked up under
    their ETAGE name."""

    landlord = models.OneToOneField(
        Organisation,
        verbose_name=_("landlord"),
        related_name="import_profile",
        on_delete=models.CASCADE,
        limit_choices_to={"kind": OrganisationKind.LANDLORD},
    )
    #: ETAGE field name -> the landlord's column header, e.g. {"lease_reference": "N° bail"}.
    column_mapping = models.JSONField(_("column mapping"), default=dict, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("import profile")
        verbose_name_plural = _("import profiles")

    def __str__(self) -> str:
        return str(self.landlord)


class ImportSource(models.TextChoices):
    FILE = "file", _("File")
    API = "api", _("API")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("In progress")
    REJECTED = "rejected", _("Rejected")
    DONE = "done", _("Imported")
    CHECKED = "checked", _("Checked (trial run, nothing written)")
    FAILED = "failed", _("Failed")


class ArrearsImport(models.Model):
    """One extract (a file, or one API batch) and what became of it. A file is accepted whole
    or rejected whole: ``errors`` then says why, line by line, and no line was written."""

    landlord = models.ForeignKey(
        Organisation,
        verbose_name=_("landlord"),
        related_name="arrears_imports",
        on_delete=models.PROTECT,
        limit_choices_to={"kind": OrganisationKind.LANDLORD},
    )
    source = models.CharField(
        _("source"), max_length=8, choices=ImportSource.choices, default=ImportSource.FILE
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_sha256 = models.CharField(_("file fingerprint"), max_length=64, blank=True, db_index=True)
    file_size = models.PositiveBigIntegerField(_("file size (bytes)"), default=0)
    #: The uploaded file waiting for the worker; removed once the import has run.
    stored_file = models.FileField(_("stored file"), upload_to="imports/", blank=True)
    dry_run = models.BooleanField(_("trial run"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("submitted by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    #: Progress, updated while the file is read (shown on the import page).
    lines_read = models.PositiveIntegerField(_("lines read"), default=0)
    lines_total = models.PositiveIntegerField(_("lines in the file"), default=0)
    lines_created = models.PositiveIntegerField(_("new lines"), default=0)
    lines_updated = models.PositiveIntegerField(_("corrected lines"), default=0)
    lines_unchanged = models.PositiveIntegerField(_("lines already known"), default=0)
    #: [{"line": int | None, "column": str, "message": str}], French, capped; the full count
    #: is in ``error_count``.
    errors = models.JSONField(_("errors"), default=list, blank=True)
    error_count = models.PositiveIntegerField(_("number of errors"), default=0)

    class Meta:
        verbose_name = _("arrears import")
        verbose_name_plural = _("arrears imports")
        ordering = ["-submitted_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(status__in=ImportStatus.values), name="arrears_import_status"
            ),
            models.CheckConstraint(
                condition=models.Q(source__in=ImportSource.values), name="arrears_import_source"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.landlord.code} {self.file_name or self.source} {self.submitted_at:%Y-%m-%d}"


class LinkStatus(models.TextChoices):
    """How an imported line was matched to a known household (etage.linkage)."""

    PENDING = "pending", _("Not matched yet")
    EXACT = "exact", _("Same lease reference")
    PROBABLE = "probable", _("Similar name at the same address")
    REVIEW = "review", _("Uncertain: to review")
    CONFIRMED = "confirmed", _("Confirmed by a person")
    UNKNOWN = "unknown", _("No known household")


class ArrearsLine(models.Model):
    """One lease's account at one balance date, as the landlord reported it. The natural key
    (landlord, lease reference, balance date) makes re-imports idempotent: the same line again
    changes nothing; a different amount for the same key is a correction."""

    landlord = models.ForeignKey(
        Organisation,
        verbose_name=_("landlord"),
        related_name="arrears_lines",
        on_delete=models.PROTECT,
    )
    lease_reference = models.CharField(
        _("lease reference"), max_length=40, validators=[reject_national_identifier]
    )
    balance_on = models.DateField(_("balance date"))
    tenant_names = models.CharField(
        _("tenant name(s)"), max_length=250, validators=[reject_national_identifier]
    )
    address = models.CharField(_("address"), max_length=250)
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), related_name="+", on_delete=models.PROTECT
    )
    monthly_rent = models.DecimalField(_("monthly rent (€)"), max_digits=8, decimal_places=2)
    balance = models.DecimalField(_("balance due (€)"), max_digits=10, decimal_places=2)
    months_in_arrears = models.DecimalField(_("months in arrears"), max_digits=5, decimal_places=1)
    last_payment_on = models.DateField(_("last payment date"), null=True, blank=True)
    procedure_stage = models.CharField(
        _("procedure stage"), max_length=32, choices=EventKind.choices, blank=True
    )
    procedure_on = models.DateField(_("procedure stage date"), null=True, blank=True)
    #: Fingerprint of the reported values: an identical re-import is recognised without
    #: comparing every field.
    content_hash = models.CharField(max_length=32, editable=False)
    first_import = models.ForeignKey(
        ArrearsImport, related_name="created_lines", on_delete=models.PROTECT
    )
    last_import = models.ForeignKey(
        ArrearsImport, related_name="touched_lines", on_delete=models.PROTECT
    )
    # Record linkage (etage.linkage) fills these after the import.
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        related_name="arrears_lines",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    link_status = models.CharField(
        _("match"), max_length=10, choices=LinkStatus.choices, default=LinkStatus.PENDING
    )
    link_score = models.FloatField(_("match score"), null=True, blank=True)

    class Meta:
        verbose_name = _("arrears line")
        verbose_name_plural = _("arrears lines")
        ordering = ["landlord_id", "lease_reference", "balance_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["landlord", "lease_reference", "balance_on"],
                name="arrears_line_natural_key",
            ),
            models.CheckConstraint(
                condition=models.Q(link_status__in=LinkStatus.values),
                name="arrears_line_link_status",
            ),
        ]
        indexes = [
            models.Index(fields=["last_import"]),
            models.Index(fields=["link_status"]),
            models.Index(fields=["household", "balance_on"]),
        ]

    def __str__(self) -> str:
        return f"{self.landlord_id} {self.lease_reference} {self.balance_on}"


class SignalKind(models.TextChoices):
    COMPLAINT = "complaint", _("Neighbourhood complaint")
    PROCEDURE = "procedure", _("Procedure step")


class LeaseSignal(models.Model):
    """A dated fact about a lease pushed by the landlord (API or file): a complaint, a
    procedure step. ``external_id`` is the landlord's own identifier, so a repeated push is
    recognised and changes nothing."""

    landlord = models.ForeignKey(
        Organisation,
        verbose_name=_("landlord"),
        related_name="lease_signals",
        on_delete=models.PROTECT,
    )
    external_id = models.CharField(_("identifier at the landlord"), max_length=64)
    lease_reference = models.CharField(
        _("lease reference"), max_length=40, validators=[reject_national_identifier]
    )
    kind = models.CharField(_("kind"), max_length=10, choices=SignalKind.choices)
    #: For procedure steps: the procedure event code (etage.procedures.choices.EventKind).
    stage = models.CharField(
        _("procedure stage"), max_length=32, choices=EventKind.choices, blank=True
    )
    occurred_on = models.DateField(_("date of the fact"))
    received_at = models.DateTimeField(_("received at"), auto_now_add=True)
    household = models.ForeignKey(
        Household,
        verbose_name=_("household"),
        related_name="lease_signals",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("landlord signal")
        verbose_name_plural = _("landlord signals")
        ordering = ["occurred_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["landlord", "external_id"], name="lease_signal_external_id"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=SignalKind.values), name="lease_signal_kind"
            ),
        ]
        indexes = [models.Index(fields=["landlord", "lease_reference", "occurred_on"])]

    def __str__(self) -> str:
        return f"{self.landlord_id} {self.lease_reference} {self.kind} {self.occurred_on}"
