from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "etage.notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from etage.notifications import receivers

        receivers.connect()
