from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SituationsConfig(AppConfig):
    name = "etage.situations"
    verbose_name = _("Situations and pathways")

    def ready(self) -> None:
        from etage.core.home import NEXT_STEP_PROVIDERS
        from etage.situations.home import situation_steps

        NEXT_STEP_PROVIDERS.append(situation_steps)
