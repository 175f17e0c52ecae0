from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.translation import gettext as _

from etage.api.models import ApiToken
from etage.api.services import api_token_create, api_token_revoke
from etage.organisations.models import Organisation
from etage.situations.services import ServiceError


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Manage the API tokens of organisations: create (the secret is printed once), "
            "revoke, list."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help=_("create a token"))
        create.add_argument("--organisation", required=True, help=_("code of the organisation"))
        create.add_argument("--name", required=True, help=_("what the token is for"))
        create.add_argument(
            "--expires", default=None, help=_("last day of validity, YYYY-MM-DD (default: none)")
        )
        revoke = actions.add_parser("revoke", help=_("revoke a token"))
        revoke.add_argument("prefix", help=_("the first 8 characters of the token"))
        actions.add_parser("list", help=_("list the tokens"))

    def handle(self, *args: Any, action: str, **options: Any) -> None:
        try:
            if action == "create":
                self._create(options["organisation"], options["name"], options["expires"])
            elif action == "revoke":
                token = api_token_revoke(prefix=options["prefix"])
                self.stdout.write(
                    _("Token %(prefix)s of %(org)s revoked.")
                    % {"prefix": token.prefix, "org": token.organisation.code}
                )
            else:
                self._list()
        except ServiceError as exc:
            raise CommandError(" ".join(exc.messages)) from None

    def _create(self, code: str, name: str, expires: str | None) -> None:
        organisation = Organisation.objects.filter(code=code.strip().upper()).first()
        if organisation is None:
            raise CommandError(_("No organisation has the code %(code)s.") % {"code": code})
        expires_at = None
        if expires:
            try:
                day = dt.date.fromisoformat(expires)
            except ValueError:
                raise CommandError(
                    _("“%(value)s” is not a date (expected YYYY-MM-DD).") % {"value": expires}
                ) from None
            # Valid through the whole of that day, Paris time.
            expires_at = timezone.make_aware(dt.datetime.combine(day, dt.time.max))
        token, secret = api_token_create(
            organisation=organisation, name=name, expires_at=expires_at
        )
        self.stdout.write(
            _("Token %(prefix)s created for %(org)s. Its secret, shown only this once:")
            % {"prefix": token.prefix, "org": organisation.code}
        )
        self.stdout.write(secret)

    def _list(self) -> None:
        tokens = ApiToken.objects.select_related("organisation").order_by(
            "organisation__code", "created_at"
        )
        for token in tokens:
            state = (
                _("revoked")
                if token.revoked_at
                else (_("expired") if not token.is_usable else _("active"))
            )
            last = (
                timezone.localtime(token.last_used_at).strftime("%d/%m/%Y %H:%M")
                if token.last_used_at
                else "—"
            )
            self.stdout.write(
                f"{token.prefix}  {token.organisation.code:<12} {state:<8} {last:<16} {token.name}"
            )
