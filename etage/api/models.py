"""API tokens and the technical accounts they act through.

A token belongs to one organisation and acts through that organisation's *technical account*
(one per organisation, shared by its tokens): a user of the organisation with the signaller
role, no usable password and refused by the login page (etage.accounts.backends). Every read
the API makes therefore goes through the same access functions as the pages, for that
account. Only the SHA-256 of a token's secret is stored; the secret is shown once, when the
token is created.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from etage.organisations.models import Organisation


class ApiAccount(models.Model):
    """Marks ``user`` as the technical account of ``organisation`` for the API."""

    organisation = models.OneToOneField(
        Organisation,
        verbose_name=_("organisation"),
        related_name="api_account",
        on_delete=models.PROTECT,
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("technical account"),
        related_name="api_account",
        on_delete=models.PROTECT,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("API technical account")
        verbose_name_plural = _("API technical accounts")

    def __str__(self) -> str:
        return str(self.user.username)


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> ApiTokenQuerySet:
        """Neither revoked nor expired."""
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiToken(models.Model):
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("organisation"),
        related_name="api_tokens",
        on_delete=models.PROTECT,
    )
    name = models.CharField(_("name"), max_length=100)
    #: The first 8 characters of the secret, shown to people to tell tokens apart.
    prefix = models.CharField(_("prefix"), max_length=8, unique=True)
    #: SHA-256 (hex) of the whole secret; the secret itself is never stored.
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    account = models.ForeignKey(
        ApiAccount,
        verbose_name=_("technical account"),
        related_name="tokens",
        on_delete=models.PROTECT,
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        related_name="+",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["organisation__code", "-created_at"]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name})"

    @property
    def is_usable(self) -> bool:
        if self.revoked_at is not None:
            return False
        return self.expires_at is None or self.expires_at > timezone.now()
