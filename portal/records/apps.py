"""App config: re-keys customers when people move department; the dashboard panel."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "portal.records"
    label = "records"
    verbose_name = _("Customer and deal records")

    def ready(self) -> None:
        from portal.core.dashboard import register_panel
        from portal.core.events import subscribe
        from portal.records.customers import panels, subscribers

        subscribe("accounts.person_moved")(subscribers.person_moved)
        from portal.core.worker import register_job
        from portal.records.customers.actions import send_queued_mail

        register_job("records.send_queued_mail", every_seconds=5.0)(send_queued_mail)
        register_panel(panels.my_customers_panel)
        from portal.records.deals.panels import connect as connect_deals

        connect_deals()
        from portal.records.service.subscribers import connect as connect_service

        connect_service()
        from portal.records.deals import dashboard as dashboard_deals  # noqa: F401 (registers the deal dashboard panels)
