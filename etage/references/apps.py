from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferencesConfig(AppConfig):
    name = "etage.references"
    verbose_name = _("Reference lists")

    def ready(self) -> None:
        from etage.core.home import NEXT_STEP_PROVIDERS
        from etage.references.home import reference_steps

        NEXT_STEP_PROVIDERS.append(reference_steps)
