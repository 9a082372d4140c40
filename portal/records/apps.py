"""App config: subscribes to people moving department (their customers are re-keyed)."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "portal.records"
    label = "records"
    verbose_name = _("Customer and deal records")

    def ready(self) -> None:
        from portal.core.events import subscribe

        from . import subscribers

        subscribe("accounts.person_moved")(subscribers.person_moved)
