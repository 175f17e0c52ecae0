from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WorklistConfig(AppConfig):
    name = "etage.worklist"
    verbose_name = _("My work")

    def ready(self) -> None:
        from etage.situations import selectors
        from etage.worklist.selectors import register_list_filters

        # The situation list offers each kind of work as a filter (``?review_due=on``), so
        # that every count of "My work" links to the list it counts.
        register_list_filters(selectors.WORK_FILTERS)
