"""Changes to the evaluation matrix and the logic model: check → execute (in one
transaction, with the version check against lost updates) → nothing half-saved."""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from etage.evaluation.forms_matrix import LogicNodeForm, QuestionForm, RecommendationForm
from etage.evaluation.models import (
    Code,
    EvaluativeQuestion,
    LogicModelNode,
    Project,
    Recommendation,
)
from etage.evaluation.services import EvaluationError, save_versioned

_QUESTION_FIELDS = ("number", "text", "criterion", "judgement_criteria", "findings")
_QUESTION_M2M = ("indicators", "case_studies", "workshops")


def _number_taken(number: Any) -> EvaluationError:
    return EvaluationError(
        _("Question %(number)s already exists in this project: choose another number.")
        % {"number": number}
    )


@transaction.atomic
def question_save(project: Project, form: QuestionForm) -> EvaluativeQuestion:
    """Create or update a question from a valid form (its M2M sources and the codes linked
    to it from the question side: ``Code.questions`` is the same relation)."""
    data = form.cleaned_data
    question = form.instance
    try:
        with transaction.atomic():
            if question.pk is None:
                question = EvaluativeQuestion.objects.create(
                    project=project, **{f: data[f] for f in _QUESTION_FIELDS}
                )
            else:
                save_versioned(
                    question, data.get("version") or 0, **{f: data[f] for f in _QUESTION_FIELDS}
                )
    except IntegrityError as exc:  # two people gave the same number at the same moment
        raise _number_taken(data["number"]) from exc
    for name in _QUESTION_M2M:
        getattr(question, name).set(data[name])
    codes = Code.objects.filter(project=project).filter(pk__in=[c.pk for c in data["codes"]])
    question.codes.set(codes)
    return question


@transaction.atomic
def question_delete(question: EvaluativeQuestion) -> None:
    if question.recommendations.exists():
        raise EvaluationError(
            _(
                "This question has recommendations: link them to another question or delete "
                "them first."
            )
        )
    question.delete()


@transaction.atomic
def recommendation_save(project: Project, form: RecommendationForm) -> Recommendation:
    data = form.cleaned_data
    fields = {f: data[f] for f in ("question", "text", "priority", "position")}
    recommendation = form.instance
    if recommendation.pk is None:
        return Recommendation.objects.create(project=project, **fields)
    save_versioned(recommendation, data.get("version") or 0, **fields)
    return recommendation


@transaction.atomic
def node_save(project: Project, form: LogicNodeForm) -> LogicModelNode:
    data = form.cleaned_data
    fields = {f: data[f] for f in ("stage", "text", "position")}
    node = form.instance
    if node.pk is None:
        node = LogicModelNode.objects.create(project=project, **fields)
    else:
        save_versioned(node, data.get("version") or 0, **fields)
    node.indicators.set(data["indicators"])
    return node
