"""Customer work waiting on a person, for My tasks (ADR 1000, 1002): the reader's protected
customers whose protection lapses within the warning window. Read through the customer policy;
two queries whatever it finds (the rules, the customers)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from portal.core.formatting import format_date
from portal.core.tasks import SOURCE_LIMIT, Task, TaskAction, register_source
from portal.records.customers import protection
from portal.records.customers.policy import customers_visible_to

if TYPE_CHECKING:
    from portal.accounts.models import User


@register_source("customers.protection")
def protection_lapsing(user: User) -> list[Task]:
    current = protection.rules()
    customers = protection.lapsing(customers_visible_to(user).filter(owner=user), current)
    tasks = []
    for customer in customers.order_by("last_activity_on", "pk")[:SOURCE_LIMIT]:
        until = protection.protected_until(customer, current)
        tasks.append(
            Task(
                kind="customers.protection",
                title=_("Protection of %(customer)s lapses on %(date)s")
                % {"customer": customer.name, "date": format_date(until)},
                detail=_("Log an activity or open a deal, or it moves to the public pool."),
                url=customer.get_absolute_url(),
                due=until,
                actions=(TaskAction(_("Open the customer"), customer.get_absolute_url()),),
                object_id=customer.pk,
            )
        )
    return tasks
