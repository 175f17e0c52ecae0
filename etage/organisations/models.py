from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

CODE_VALIDATOR = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{1,23}$",
    _("Short code of capital letters, digits and hyphens (2 to 24 characters), e.g. EMH."),
)


class OrganisationKind(models.TextChoices):
    """Kinds of organisation of domain.md §2."""

    LANDLORD = "landlord", _("Social landlord (OPH)")
    CCAS = "ccas", _("CCAS")
    MDM = "mdm", _("Metropole social services centre (MDM)")
    CCAPEX = "ccapex", _("CCAPEX")
    ASSOCIATION = "association", _("Association")
    HEALTH = "health", _("Health partner")
    OTHER = "other", _("Other")


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def active(self) -> "OrganisationQuerySet":
        return self.filter(is_active=True)

    def landlords(self) -> "OrganisationQuerySet":
        return self.filter(kind=OrganisationKind.LANDLORD)


class Organisation(models.Model):
    """A partner organisation. Its ``code`` is short and stable: other systems refer to it."""

    code = models.CharField(_("code"), max_length=24, unique=True, validators=[CODE_VALIDATOR])
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=20, choices=OrganisationKind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    email = models.EmailField(_("contact email address"), blank=True)
    phone = models.CharField(_("contact phone number"), max_length=30, blank=True)

    objects = OrganisationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    kind__in=[
                        "landlord",
                        "ccas",
                        "mdm",
                        "ccapex",
                        "association",
                        "health",
                        "other",
                    ]
                ),
                name="organisation_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"
