from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from etage.intake.arrears.services import arrears_import_file
from etage.intake.models import ImportStatus
from etage.organisations.models import Organisation
from etage.situations.services import ServiceError


class Command(BaseCommand):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.help = _(
            "Import a landlord's arrears extract (CSV or XLSX, docs/imports.md): accepted whole "
            "or rejected whole."
        )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help=_("the extract, .csv or .xlsx"))
        parser.add_argument("--landlord", required=True, help=_("the landlord's code, e.g. LMH"))
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("check the file and count what would change, without writing anything"),
        )

    def handle(self, *args: Any, file: str, landlord: str, dry_run: bool, **options: Any) -> None:
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("File not found: %(path)s") % {"path": file})
        organisation = Organisation.objects.landlords().filter(code=landlord.upper()).first()
        if organisation is None:
            codes = ", ".join(Organisation.objects.landlords().values_list("code", flat=True))
            raise CommandError(
                _("Unknown landlord “%(code)s” (landlords: %(codes)s).")
                % {"code": landlord, "codes": codes or "—"}
            )
        try:
            batch = arrears_import_file(
                landlord=organisation,
                path=path,
                file_name=path.name,
                submitted_by=None,
                dry_run=dry_run,
            )
        except ServiceError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        counts = {
            "total": batch.lines_total,
            "created": batch.lines_created,
            "updated": batch.lines_updated,
            "unchanged": batch.lines_unchanged,
        }
        if batch.status == ImportStatus.DONE:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Import no. %(id)s done: %(total)s lines, %(created)s new, %(updated)s "
                        "corrected, %(unchanged)s already known."
                    )
                    % {"id": batch.pk, **counts}
                )
            )
            return
        if batch.status == ImportStatus.CHECKED:
            self.stdout.write(
                self.style.SUCCESS(
                    _(
                        "Trial run, nothing written: the file is valid (%(total)s lines); it "
                        "would add %(created)s lines, correct %(updated)s and leave %(unchanged)s "
                        "unchanged."
                    )
                    % counts
                )
            )
            return
        self.stderr.write(
            _("File rejected, nothing written (%(count)s errors):") % {"count": batch.error_count}
            if batch.status == ImportStatus.REJECTED
            else _("Import failed, nothing written:")
        )
        for error in batch.errors:
            line = error.get("line")
            where = _("line %(line)s") % {"line": line} if line else _("file")
            column = error.get("column") or ""
            self.stderr.write(
                f"  {where}{', ' + column if column else ''} : {error.get('message', '')}"
            )
        if batch.error_count > len(batch.errors):
            self.stderr.write(
                _("  … and %(more)s more errors.") % {"more": batch.error_count - len(batch.errors)}
            )
        sys.exit(1)
