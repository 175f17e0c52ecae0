"""The reproducible data bundle of an evaluation (evaluation.md part F): one zip with what
someone needs to redo or check the analysis elsewhere —

- ``livre-de-codes.qdc``: the codebook in REFI-QDA (NVivo, ATLAS.ti, MAXQDA, QualCoder…);
- ``segments.csv``: every coded segment (interview reference, code, coder number, offsets,
  reconciled or not); the excerpt's words only where the interview's consent allows
  quotation;
- ``indicateurs.csv``: every figure of the indicators the report uses (all territories), small
  cells masked as in the report;
- ``tirages.json``: the recorded case-study draws (seed, parameters, population fingerprint,
  cases drawn), which :func:`etage.evaluation.sampling.verify_draw` replays;
- ``LISEZMOI.md``: what each file holds and the rules applied.

Coders are numbered (C1, C2…), never named; interviews are referred to by reference.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections import defaultdict
from typing import Any

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from etage.analytics.models import IndicatorDefinition, IndicatorValue
from etage.core.exports import csv_lines
from etage.evaluation import refiqda
from etage.evaluation.models import CaseDraw, Project, Segment
from etage.evaluation.qdpx import project_codebook
from etage.evaluation.report.content import LANGUAGE, SMALL_CELL, hidden_figure

ZIP_CONTENT_TYPE = "application/zip"


def _codebook(project: Project) -> bytes | None:
    # The same codebook as the project's .qdc export: closed codes stay, marked not codable,
    # so that segments coded before a merge still find their code.
    codebook = project_codebook(project)
    return refiqda.codebook_to_qdc(codebook) if codebook.codes else None


def _segments(project: Project) -> str:
    segments = (
        Segment.objects.filter(transcript__interview__project=project)
        .select_related("transcript__interview__consent", "code")
        .order_by("transcript__interview__reference", "start", "end", "pk")
    )
    coders: dict[int, str] = {}
    rows = []
    for segment in segments:
        interview = segment.transcript.interview
        coder = coders.setdefault(segment.coder_id, f"C{len(coders) + 1}")
        consent = getattr(interview, "consent", None)
        quotable = consent is not None and consent.withdrawn_on is None and consent.quotation
        rows.append(
            (
                interview.reference,
                interview.get_stakeholder_type_display(),
                segment.code.name,
                str(segment.code.guid).upper(),
                coder,
                segment.start,
                segment.end,
                _("yes") if segment.consensus else _("no"),
                _("yes") if quotable else _("no"),
                segment.text if quotable else "",
            )
        )
    header = (
        _("interview"),
        _("stakeholder type"),
        _("code"),
        _("code identifier"),
        _("coder"),
        _("start"),
        _("end"),
        _("reconciled coding"),
        _("quotable"),
        _("excerpt"),
    )
    return "".join(csv_lines(header, rows))


def _indicators(project: Project) -> str:
    definitions = {
        d.code: d
        for d in IndicatorDefinition.objects.filter(
            Q(pk__in=project.questions.values("indicators"))
            | Q(pk__in=project.logic_model.values("indicators"))
        )
    }
    rows: list[tuple[Any, ...]] = []
    values: dict[str, list[IndicatorValue]] = defaultdict(list)
    for value in IndicatorValue.objects.filter(
        code__in=list(definitions), territory="", dimension="all"
    ).order_by("code", "period"):
        values[value.code].append(value)
    for code in sorted(definitions):
        for value in values[code]:
            hidden = hidden_figure(code, value.value, value.cases)
            rows.append(
                (
                    code,
                    definitions[code].name,
                    definitions[code].unit,
                    value.period,
                    f"< {SMALL_CELL}" if hidden else ("" if value.value is None else value.value),
                    value.snapshot,
                )
            )
    header = (_("code"), _("indicator"), _("unit"), _("period"), _("value"), _("snapshot"))
    return "".join(csv_lines(header, rows))


def _draws(project: Project) -> str:
    return json.dumps(
        [
            {"id": d.pk, "seed": d.seed, "snapshot": d.snapshot, "draw": d.draw}
            for d in CaseDraw.objects.filter(project=project).order_by("pk")
        ],
        ensure_ascii=False,
        indent=2,
    )


def _readme(project: Project, *, codebook: bool, codebook_error: str = "") -> str:
    lines = [
        "# " + _("Data bundle of the evaluation “%(project)s”") % {"project": project.name},
        "",
        _("Generated by ETAGE on %(date)s.") % {"date": date_format(timezone.localdate(), "j F Y")},
        "",
        _(
            "Everything here is pseudonymised: interviews are referred to by their reference, "
            "coders by a number (C1, C2…); no name, address or date of birth."
        ),
        "",
        (
            _(
                "- `livre-de-codes.qdc`: the codebook in REFI-QDA format (NVivo, ATLAS.ti, "
                "MAXQDA, QualCoder, Taguette)."
            )
            if codebook
            else codebook_error or _("- No codebook file: the codebook is empty.")
        ),
        _(
            "- `segments.csv`: the coded segments (offsets in the pseudonymised transcript); "
            "the excerpt's words only when the interview's consent allows quotation."
        ),
        _(
            "- `indicateurs.csv`: the figures of the indicators the report uses, all territories "
            "together; a figure about fewer than %(n)s people is masked “< %(n)s”."
        )
        % {"n": SMALL_CELL},
        _(
            "- `tirages.json`: the recorded case-study draws (seed, parameters, population "
            "fingerprint, cases drawn): the same snapshot and seed give the same cases."
        ),
        "",
        _("CSV files: UTF-8 with BOM, “;”-separated, for French spreadsheets."),
        "",
    ]
    return "\n".join(lines)


def build_bundle(project: Project) -> bytes:
    with translation.override(LANGUAGE):
        error = ""
        try:
            codebook = _codebook(project)
        except refiqda.QdcError as exc:
            codebook, error = None, f"- {exc}"
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(
                "LISEZMOI.md",
                _readme(project, codebook=codebook is not None, codebook_error=error),
            )
            if codebook is not None:
                archive.writestr("livre-de-codes.qdc", codebook)
            archive.writestr("segments.csv", _segments(project))
            archive.writestr("indicateurs.csv", _indicators(project))
            archive.writestr("tirages.json", _draws(project))
        return out.getvalue()
