from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrivacyConfig(AppConfig):
    name = "etage.privacy"
    verbose_name = _("Data protection")

    def ready(self) -> None:
        from etage.core.home import NEXT_STEP_PROVIDERS
        from etage.privacy.home import privacy_steps

        NEXT_STEP_PROVIDERS.append(privacy_steps)

        from etage.privacy.retention import register

        register()
