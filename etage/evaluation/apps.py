from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EvaluationConfig(AppConfig):
    name = "etage.evaluation"
    label = "evaluation"
    verbose_name = _("Evaluation workspace")

    def ready(self) -> None:
        from etage.core.home import NEXT_STEP_PROVIDERS
        from etage.evaluation.home import workshop_steps

        if workshop_steps not in NEXT_STEP_PROVIDERS:
            NEXT_STEP_PROVIDERS.append(workshop_steps)
