from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BreakglassConfig(AppConfig):
    name = "etage.breakglass"
    verbose_name = _("Emergency access")

    def ready(self) -> None:
        from etage.breakglass.home import break_glass_steps
        from etage.breakglass.selectors import access_log_reason
        from etage.core.home import NEXT_STEP_PROVIDERS
        from etage.core.services import ACCESS_LOG_REASONS

        NEXT_STEP_PROVIDERS.append(break_glass_steps)
        ACCESS_LOG_REASONS.append(access_log_reason)
