from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MeetingsConfig(AppConfig):
    name = "etage.meetings"
    verbose_name = _("Platform meetings")

    def ready(self) -> None:
        from etage.core.home import NEXT_STEP_PROVIDERS
        from etage.meetings.home import meeting_steps

        NEXT_STEP_PROVIDERS.append(meeting_steps)
