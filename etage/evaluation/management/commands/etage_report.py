"""``python manage.py etage_report --format docx|pdf|html --out FILE [--project ID]
[--user USERNAME]``: the evaluation report of a project, as the report page's downloads.

Without ``--project``, the only project is taken; with several, the command lists them with
their ids and stops. With ``--user``, only that evaluator's projects are reachable (the same
door as the pages, :func:`etage.evaluation.scope.projects_for`); without it the command runs
with the server's own access (whoever runs it can already read the database).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from etage.accounts.models import User
from etage.evaluation.models import Project
from etage.evaluation.report.content import LANGUAGE, build_report
from etage.evaluation.scope import projects_for

FORMATS = ("docx", "pdf", "html")


class Command(BaseCommand):
    help = "Generate the evaluation report of a project (DOCX, PDF or HTML)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=FORMATS, default="docx", dest="fmt")
        parser.add_argument("--out", type=Path, required=True, help="File to write.")
        parser.add_argument("--project", type=int, help="Project id (default: the only one).")
        parser.add_argument("--user", help="Only the projects of this evaluator (username).")

    def handle(self, *args: Any, **options: Any) -> None:
        with translation.override(LANGUAGE):
            project = self._project(options["project"], options["user"])
            out: Path = options["out"]
            if not out.parent.is_dir():
                raise CommandError(
                    _("The folder %(folder)s does not exist.") % {"folder": out.parent}
                )
            content = build_report(project)
            fmt = options["fmt"]
            if fmt == "docx":
                from etage.evaluation.report.docx import render_docx

                data = render_docx(content)
            elif fmt == "pdf":
                from etage.evaluation.report.pdf import render_pdf

                data = render_pdf(content)
            else:
                from etage.evaluation.report.html import render_html

                data = render_html(content).encode("utf-8")
            try:
                out.write_bytes(data)
            except OSError as exc:
                raise CommandError(
                    _("Cannot write %(file)s: %(error)s") % {"file": out, "error": exc.strerror}
                ) from exc
            self.stdout.write(
                _("Report of “%(project)s” written to %(file)s.")
                % {"project": project.name, "file": out}
            )

    def _project(self, pk: int | None, username: str | None) -> Project:
        projects: QuerySet[Project] = Project.objects.all()
        if username is not None:
            user = User.objects.filter(username=username).first()
            if user is None:
                raise CommandError(_("Unknown user: %(user)s.") % {"user": username})
            projects = projects_for(user)
        projects = projects.order_by("pk")
        if pk is not None:
            project = projects.filter(pk=pk).first()
            if project is None:
                raise CommandError(
                    _("No evaluation project with id %(id)s.") % {"id": pk}
                    + self._listing(projects)
                )
            return project
        found = list(projects[:2])
        if not found:
            raise CommandError(_("There is no evaluation project yet."))
        if len(found) > 1:
            raise CommandError(
                _("There are several evaluation projects: choose one with --project ID.")
                + self._listing(projects)
            )
        return found[0]

    @staticmethod
    def _listing(projects: QuerySet[Project]) -> str:
        rows = [f"\n  {p.pk} : {p.name}" for p in projects]
        return ("\n" + _("Projects:") + "".join(rows)) if rows else ""
