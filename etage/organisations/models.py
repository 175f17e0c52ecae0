from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

CODE_VALIDATOR = RegexValidator(
    r"^[A-Z0-9][A-Z0-9-]{1,23}$",
    _("Code court en majuscules, chiffres et tirets (2 à 24 caractères), par exemple EMH."),
)


class OrganisationKind(models.TextChoices):
    """Kinds of organisation of domain.md §2."""

    LANDLORD = "landlord", _("Bailleur social (OPH)")
    CCAS = "ccas", _("CCAS")
    MDM = "mdm", _("Maison de la Métropole")
    CCAPEX = "ccapex", _("CCAPEX")
    ASSOCIATION = "association", _("Association")
    HEALTH = "health", _("Partenaire santé")
    OTHER = "other", _("Autre")


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def active(self) -> "OrganisationQuerySet":
        return self.filter(is_active=True)

    def landlords(self) -> "OrganisationQuerySet":
        return self.filter(kind=OrganisationKind.LANDLORD)


class Organisation(models.Model):
    """A partner organisation. Its ``code`` is short and stable: other systems refer to it."""

    code = models.CharField(_("code"), max_length=24, unique=True, validators=[CODE_VALIDATOR])
    name = models.CharField(_("nom"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=OrganisationKind.choices)
    is_active = models.BooleanField(_("active"), default=True)
    email = models.EmailField(_("adresse électronique de contact"), blank=True)
    phone = models.CharField(_("téléphone de contact"), max_length=30, blank=True)

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
