"""Households, the people in them and their tenancy: the nominative core, kept minimal
(data-protection.md, Minimisation). There is deliberately no national-identifier field."""

from __future__ import annotations

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from etage.households.text import address_key, name_key
from etage.households.validators import reject_national_identifier
from etage.organisations.models import Organisation, OrganisationKind
from etage.territories.models import Commune


class ResourcesBand(models.TextChoices):
    MINIMA = "minima", _("Social minima only (RSA, AAH, ASS…)")
    LOW = "low", _("Low income (below 1.5 × the minimum wage)")
    MODEST = "modest", _("Modest income")
    UNKNOWN = "unknown", _("Unknown")


class Household(models.Model):
    adults = models.PositiveSmallIntegerField(
        _("adults"), default=1, validators=[MinValueValidator(1), MaxValueValidator(20)]
    )
    children = models.PositiveSmallIntegerField(
        _("children"), default=0, validators=[MaxValueValidator(20)]
    )
    resources_band = models.CharField(
        _("resources"), max_length=12, choices=ResourcesBand.choices, default=ResourcesBand.UNKNOWN
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Optimistic concurrency, as on situations: two people editing the household at once
    # cannot silently overwrite each other.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("household")
        verbose_name_plural = _("households")

    def __str__(self) -> str:
        holder = self.main_person
        return holder.full_name if holder else _("Household #%(pk)s") % {"pk": self.pk}

    @property
    def main_person(self) -> Person | None:
        people = list(self.people.all())
        return people[0] if people else None

    @property
    def current_tenancy(self) -> Tenancy | None:
        tenancies = [t for t in self.tenancies.all() if t.is_current]
        return tenancies[0] if tenancies else None


class Relationship(models.TextChoices):
    HOLDER = "holder", _("Lease holder")
    CO_HOLDER = "co_holder", _("Co-holder")
    CHILD = "child", _("Child")
    OTHER = "other", _("Other occupant")


class Person(models.Model):
    household = models.ForeignKey(
        Household, verbose_name=_("household"), related_name="people", on_delete=models.CASCADE
    )
    last_name = models.CharField(
        _("last name"), max_length=120, validators=[reject_national_identifier]
    )
    first_name = models.CharField(
        _("first name"), max_length=120, blank=True, validators=[reject_national_identifier]
    )
    birth_year = models.PositiveSmallIntegerField(
        _("year of birth"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
    )
    relationship = models.CharField(
        _("relationship"), max_length=12, choices=Relationship.choices, default=Relationship.HOLDER
    )
    last_name_key = models.CharField(max_length=120, editable=False, db_index=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["household_id", "id"]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args: object, **kwargs: object) -> None:
        self.last_name_key = name_key(self.last_name)
        super().save(*args, **kwargs)  # type: ignore[arg-type]

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name.upper()}".strip()


class Tenancy(models.Model):
    household = models.ForeignKey(
        Household, verbose_name=_("household"), related_name="tenancies", on_delete=models.CASCADE
    )
    landlord = models.ForeignKey(
        Organisation,
        verbose_name=_("landlord"),
        related_name="tenancies",
        on_delete=models.PROTECT,
        limit_choices_to={"kind": OrganisationKind.LANDLORD},
    )
    lease_reference = models.CharField(
        _("lease reference"), max_length=40, blank=True, validators=[reject_national_identifier]
    )
    address = models.CharField(_("address"), max_length=250)
    commune = models.ForeignKey(
        Commune, verbose_name=_("commune"), related_name="tenancies", on_delete=models.PROTECT
    )
    lease_signed_on = models.DateField(_("lease signed on"), null=True, blank=True)
    monthly_rent = models.DecimalField(
        _("monthly rent (€)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    is_current = models.BooleanField(_("current tenancy"), default=True)
    address_key = models.CharField(max_length=250, editable=False, db_index=True)

    class Meta:
        verbose_name = _("tenancy")
        verbose_name_plural = _("tenancies")
        indexes = [models.Index(fields=["landlord", "lease_reference"])]

    def __str__(self) -> str:
        return f"{self.address}, {self.commune.name}"

    def save(self, *args: object, **kwargs: object) -> None:
        self.address_key = address_key(self.address)
        self.lease_reference = self.lease_reference.strip().upper()
        super().save(*args, **kwargs)  # type: ignore[arg-type]
