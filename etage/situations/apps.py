from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SituationsConfig(AppConfig):
    name = "etage.situations"
    verbose_name = _("Situations and pathways")

    def ready(self) -> None:
        from etage.core.home import NEXT_STEP_PROVIDERS
        from etage.core.services import ACCESS_LOG_REASONS
        from etage.situations.archive import access_log_reason
        from etage.situations.home import situation_steps

        NEXT_STEP_PROVIDERS.append(situation_steps)
        if access_log_reason not in ACCESS_LOG_REASONS:
            ACCESS_LOG_REASONS.append(access_log_reason)
