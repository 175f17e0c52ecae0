from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _

from etage.accounts.roles import Role, can_administer
from etage.organisations.models import Organisation
from etage.territories.models import Territory

#: Interface languages a person may choose (settings.LANGUAGES holds the same codes). Each is
#: named in its own language, as language choosers do, so that someone who does not read the
#: current one still finds theirs.
LANGUAGE_CHOICES = [("fr", "Français"), ("en", "English")]


class User(AbstractUser):
    """A named individual account. It belongs to exactly one organisation and has one role;
    a person working for two organisations has two accounts (domain.md §2)."""

    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        related_name="users",
        on_delete=models.PROTECT,
        null=True,  # only for the installation's first superuser, before any organisation
        blank=True,
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.SIGNALLER)
    territories = models.ManyToManyField(
        Territory, verbose_name=_("assigned territories"), related_name="users", blank=True
    )
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    language = models.CharField(
        _("interface language"), max_length=8, choices=LANGUAGE_CHOICES, default="fr"
    )
    is_demo = models.BooleanField(
        _("demo account"),
        default=False,
        help_text=_("Refused at login under production settings."),
    )

    objects = UserManager()  # type: ignore[misc]

    class Meta:
        verbose_name = _("user account")
        verbose_name_plural = _("user accounts")
        ordering = ["last_name", "first_name", "username"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(
                    role__in=[
                        "signaller",
                        "professional",
                        "coordinator",
                        "rent_recovery",
                        "steering",
                        "evaluator",
                        "dpo",
                        "admin",
                    ]
                ),
                name="user_role_valid",
            ),
            models.CheckConstraint(
                condition=models.Q(language__in=["fr", "en"]), name="user_language_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False) | models.Q(is_superuser=True),
                name="user_belongs_to_an_organisation",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username

    @property
    def is_administrator(self) -> bool:
        return self.is_active and (self.is_superuser or can_administer(self.role))

    def save(self, *args: object, **kwargs: object) -> None:
        # The back-office is reached by role, not by a flag edited separately.
        self.is_staff = self.is_superuser or can_administer(self.role)
        super().save(*args, **kwargs)  # type: ignore[arg-type]
