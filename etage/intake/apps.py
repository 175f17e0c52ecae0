from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IntakeConfig(AppConfig):
    name = "etage.intake"
    verbose_name = _("Intake and referrals")

    def ready(self) -> None:
        from etage.core.home import NEXT_STEP_PROVIDERS
        from etage.intake.arrears.home import import_steps

        NEXT_STEP_PROVIDERS.append(import_steps)
