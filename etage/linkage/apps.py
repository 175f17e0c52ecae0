from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class LinkageConfig(AppConfig):
    name = "etage.linkage"
    verbose_name = _("Record linkage")

    def ready(self) -> None:
        from etage.core.home import NEXT_STEP_PROVIDERS
        from etage.linkage.home import linkage_steps

        NEXT_STEP_PROVIDERS.append(linkage_steps)
