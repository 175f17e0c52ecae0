from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupportConfig(AppConfig):
    name = "etage.support"
    verbose_name = _("Coordinated support")

    def ready(self) -> None:
        from etage.situations import selectors
        from etage.support import events

        selectors.EVENT_LABELS.update(events.LABELS)
        selectors.SOCIAL_EVENTS.update(events.SOCIAL)
        selectors.TIMELINE_HIDDEN_EVENTS.update(events.HIDDEN_FROM_TIMELINE)
