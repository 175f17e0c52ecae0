"""Changes the report page makes: the three texts the evaluators write (executive summary,
method and its limits, conclusions). Check (lead evaluator, no social-security number) →
execute with the version check (no lost update) → nothing half-saved."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from etage.accounts.models import User
from etage.evaluation.models import Project
from etage.evaluation.scope import is_lead
from etage.evaluation.services import EvaluationError, save_versioned
from etage.households.text import contains_nir


@transaction.atomic
def report_texts_save(
    project: Project,
    *,
    by: User,
    expected_version: int,
    summary: str,
    method_limits: str,
    conclusions: str,
) -> None:
    """Save the report's texts; raise :class:`EvaluationError` (French) and change nothing
    if ``by`` is not a lead evaluator of ``project``, if a text holds a social-security
    number, or if someone saved them since ``expected_version`` was read."""
    if not is_lead(by, project):
        raise EvaluationError(_("Only the project's lead evaluators may edit the report."))
    texts = {"summary": summary, "method_limits": method_limits, "conclusions": conclusions}
    if any(contains_nir(text) for text in texts.values()):
        raise EvaluationError(
            _(
                "This text looks like it contains a social-security number (NIR). ETAGE must "
                "not hold it: remove the number and save again."
            )
        )
    save_versioned(project, expected_version, **{k: v.strip() for k, v in texts.items()})
