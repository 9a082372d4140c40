"""App config of records: each domain wires its subscribers, worker jobs and panels."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RecordsConfig(AppConfig):
    name = "portal.records"
    label = "records"
    verbose_name = _("Customer and deal records")

    def ready(self) -> None:
        from portal.records.customers import subscribers as customers

        # My tasks: importing a domain's tasks module registers its source.
        from portal.records.customers import tasks as _customer_tasks  # noqa: F401
        from portal.records.deals import subscribers as deals
        from portal.records.deals import tasks as _deal_tasks  # noqa: F401

        # The customer list's "won in a period" filter (decision 1003) is the deals domain's.
        from portal.records.deals.statistics import customers as _analysis  # noqa: F401
        from portal.records.service import subscribers as service
        from portal.records.service import tasks as _service_tasks  # noqa: F401

        customers.connect()
        deals.connect()
        service.connect()
