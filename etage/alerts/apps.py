from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AlertsConfig(AppConfig):
    name = "etage.alerts"
    verbose_name = _("Early warning")

    def ready(self) -> None:
        from etage.alerts.home import candidate_steps
        from etage.core.home import NEXT_STEP_PROVIDERS

        NEXT_STEP_PROVIDERS.append(candidate_steps)
