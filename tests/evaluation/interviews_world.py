"""Helpers of the interview-register tests: add interviews, consents and transcripts with the
ORM, build a .docx. Every name below is invented (synthetic data only). The fixtures are in
``interviews_fixtures.py``."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from etage.evaluation.models import (
    CaseStudy,
    Interview,
    InterviewConsent,
    Project,
    Transcript,
)
from etage.evaluation.models.choices import ConsentForm, StakeholderType
from etage.territories.models import Territory

#: A transcript whose speakers and mentions are (invented) names, with an e-mail and a phone.
RAW = (
    "Enquêtrice : Bonjour, pouvez-vous vous présenter ?\n"
    "Aïcha Benali : Oui, je suis Aïcha, je vis ici avec mon fils Noé.\n"
    "Enquêtrice : Qui vous a contactée ?\n"
    "Aïcha Benali : Madame Durandal du bailleur, son courriel est m.durandal@example.org "
    "et son numéro 06 12 34 56 78.\n"
)
ORIGINALS = ("Aïcha", "Benali", "Noé", "Durandal", "m.durandal@example.org", "06 12 34 56 78")


def add_interview(
    project: Project,
    reference: str,
    *,
    stakeholder_type: str = StakeholderType.HOUSEHOLD,
    territory: Territory | None = None,
    consent: str = "given",
    transcript: str | None = None,
    case_study: CaseStudy | None = None,
    **fields: Any,
) -> Interview:
    """An interview; ``consent``: "given", "withdrawn" or "missing"."""
    interview = Interview.objects.create(
        project=project,
        reference=reference,
        stakeholder_type=stakeholder_type,
        territory=territory,
        held_on=fields.pop("held_on", dt.date(2025, 3, 12)),
        interviewer=project.created_by,
        case_study=case_study,
        **fields,
    )
    if consent != "missing":
        InterviewConsent.objects.create(
            interview=interview,
            given_on=dt.date(2025, 3, 12),
            form=ConsentForm.WRITTEN,
            recorded_by=project.created_by,
            withdrawn_on=dt.date(2025, 4, 1) if consent == "withdrawn" else None,
        )
    if transcript is not None:
        Transcript.objects.create(
            interview=interview, text=transcript, replacements=2, uploaded_by=project.created_by
        )
    return interview


def docx_bytes(text: str) -> bytes:
    """A real .docx whose paragraphs are the lines of ``text`` (python-docx)."""
    import docx

    document = docx.Document()
    for line in text.splitlines():
        document.add_paragraph(line)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
