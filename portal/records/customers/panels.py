"""Dashboard panel of the records app: the customers a person looked after most recently."""

from __future__ import annotations

from django.http import HttpRequest

from portal.accounts.permissions import has_module_perm
from portal.core.dashboard import Panel
from portal.records.customers.models import Customer


def my_customers_panel(request: HttpRequest) -> Panel | None:
    user = request.user
    if not has_module_perm(user, "customers", "view"):
        return None
    # Own customers need no visibility filter: the owner always holds the u:<id> key.
    customers = list(
        Customer.objects.filter(owner=user)
        .select_related("category")
        .order_by("-updated_at", "-pk")[:6]
    )
    # No link to an action the role cannot take (the editor's "Register one" answered 403).
    may_register = has_module_perm(user, "customers", "register")
    return Panel(
        "records/includes/dashboard_panel.html",
        {"customers": customers, "may_register": may_register},
        order=20,
    )
