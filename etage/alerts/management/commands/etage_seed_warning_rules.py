from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from etage.alerts.defaults import seed_default_rules
from etage.territories.models import Territory


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Give territories the default early-warning rules they do not have yet "
            "(existing rules are left as they are)."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "territories", nargs="*", help=_("territory codes (default: every territory)")
        )

    def handle(self, *args: Any, territories: list[str], **options: Any) -> None:
        queryset = Territory.objects.order_by("code")
        if territories:
            queryset = queryset.filter(code__in=territories)
            unknown = sorted(set(territories) - set(queryset.values_list("code", flat=True)))
            if unknown:
                raise CommandError(
                    _("Unknown territory: %(codes)s.") % {"codes": ", ".join(unknown)}
                )
        for territory in queryset:
            created = seed_default_rules(territory)
            self.stdout.write(
                _("%(territory)s: %(count)s rule(s) added.")
                % {"territory": territory.code, "count": created}
            )
