"""Customer service's wiring, called once from RecordsConfig.ready: re-keying cases when a
customer's access changes, the overdue worker job, the customer-transfer hook, the related
panels on customer and deal pages and a dashboard panel. (Who is told, and in which words:
`service/notifications.py`.)"""

from __future__ import annotations

from portal.core import events


def connect() -> None:
    from portal.core import worker
    from portal.core.dashboard import register_panel
    from portal.core.related import register_related
    from portal.records.customers.actions import customers as customer_actions
    from portal.records.deals.actions.handover import register_handover_part
    from portal.records.service import actions as service
    from portal.records.service.views import my_cases_panel, related_cases_panel

    events.subscribe("records.customer_access_changed")(service.customer_access_changed)
    register_handover_part(
        "service_cases", count=service.count_open_cases, move=service.hand_over_open_cases
    )
    if service.transfer_follower not in customer_actions.TRANSFER_FOLLOWERS:
        customer_actions.TRANSFER_FOLLOWERS.append(service.transfer_follower)
    worker.register_job("records.service_overdue", every_seconds=300.0)(service.flag_overdue_cases)
    register_related("records.customer", "records.deal")(related_cases_panel)
    register_panel(my_cases_panel)
