from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from etage.organisations.models import Organisation, OrganisationKind


class Territory(models.Model):
    """An experimental territory: one or more communes served by one platform.

    The network profile (local CCAPEX, CCAS and MDM grouped, landlords present) is what the
    evaluation compares territories on.
    """

    code = models.CharField(
        _("code"),
        max_length=12,
        unique=True,
        validators=[RegexValidator(r"^[A-Z0-9][A-Z0-9-]{0,11}$", _("Short code, e.g. T1."))],
    )
    name = models.CharField(_("name"), max_length=200, unique=True)
    has_local_ccapex = models.BooleanField(_("local CCAPEX sub-committee"), default=False)
    ccas_mdm_grouped = models.BooleanField(_("CCAS and MDM grouped"), default=False)
    landlords_present = models.ManyToManyField(
        Organisation,
        verbose_name=_("landlords present"),
        related_name="territories_with_housing",
        limit_choices_to={"kind": OrganisationKind.LANDLORD},
        blank=True,
    )

    class Meta:
        verbose_name = _("territory")
        verbose_name_plural = _("territories")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Commune(models.Model):
    insee_code = models.CharField(
        _("INSEE code"),
        max_length=5,
        unique=True,
        validators=[RegexValidator(r"^(\d{5}|2[AB]\d{3})$", _("5-character INSEE code."))],
    )
    name = models.CharField(_("name"), max_length=200)
    territory = models.ForeignKey(
        Territory,
        verbose_name=_("territory"),
        related_name="communes",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.insee_code})"


class Platform(models.Model):
    """The territorial platform: exactly one per territory, with its member organisations."""

    territory = models.OneToOneField(
        Territory, verbose_name=_("territory"), related_name="platform", on_delete=models.PROTECT
    )
    name = models.CharField(_("name"), max_length=200)
    members = models.ManyToManyField(
        Organisation,
        verbose_name=_("member organisations"),
        through="PlatformMembership",
        related_name="platforms",
    )
    review_interval_months = models.PositiveSmallIntegerField(
        _("review interval (months)"), default=3, validators=[MinValueValidator(1)]
    )
    started_on = models.DateField(_("start date"), null=True, blank=True)

    class Meta:
        verbose_name = _("territorial platform")
        verbose_name_plural = _("territorial platforms")
        ordering = ["territory__code"]

    def __str__(self) -> str:
        return self.name


class PlatformMembership(models.Model):
    platform = models.ForeignKey(
        Platform, verbose_name=_("platform"), on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="platform_memberships",
    )
    joined_on = models.DateField(_("member since"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("platform membership")
        verbose_name_plural = _("platform memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["platform", "organisation"], name="platform_membership_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.platform}"
