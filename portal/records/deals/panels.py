"""Deal panels on other records' pages: the customer page, and the product and competitor
pages of the knowledge base (registered through core's related-panel registry)."""

from __future__ import annotations

from django.db.models import Q
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.accounts.permissions import has_module_perm
from portal.core.dashboard import Panel
from portal.records.deals.models import Activity, Deal

PANEL_ROWS = 10


ACTIVITY_ROWS = 5


def customer_deals_panel(request: HttpRequest, customer) -> Panel | None:
    """The customer's deals (those the reader may see) and when the next contact is due."""
    from portal.records.deals.policy import deals_visible_to
    from portal.records.deals.queries import next_contact_due

    user = request.user
    if not has_module_perm(user, "deals", "view"):
        return None
    deals = (
        deals_visible_to(user)
        .filter(customer=customer)
        .select_related("stage")
        .order_by("-updated_at", "-pk")
    )
    # The latest calls, visits and meetings on those deals: what happened with this customer.
    activities = (
        Activity.objects.filter(customer=customer, deal__in=deals.values("pk"))
        .select_related("deal", "owner")
        .order_by("-due_at", "-pk")[:ACTIVITY_ROWS]
    )
    return Panel(
        "records/includes/deal_related_panel.html",
        {
            "panel_id": "customer",
            "heading": _("Deals"),
            "deals": list(deals[:PANEL_ROWS]),
            "activities": list(activities),
            "contact_due": next_contact_due(customer),
            "new_url": (
                reverse("records:deal_create") + f"?customer={customer.pk}"
                if has_module_perm(user, "deals", "register")
                else ""
            ),
            "more_url": reverse("records:deal_list") + f"?customer={customer.pk}",
        },
        order=10,
    )


def knowledge_deals_panel(request: HttpRequest, page) -> Panel | None:
    """Deals naming this product (of interest or ordered) or this competitor, with the
    won/lost record, among the deals the reader may see (decision 0203)."""
    from portal.knowledge.models import CompetitorPage
    from portal.records.deals.policy import deals_visible_to

    user = request.user
    if not has_module_perm(user, "deals", "view"):
        return None
    visible = deals_visible_to(user)
    if isinstance(page.specific, CompetitorPage):
        deals = visible.filter(competitors__competitor_id=page.pk)
        heading = _("Deals against this competitor")
    else:
        deals = visible.filter(Q(products__id=page.pk) | Q(order_lines__product_id=page.pk))
        heading = _("Deals for this product")
    ids = deals.values("pk").distinct()
    matching = Deal.objects.filter(pk__in=ids)
    rows = list(
        matching.select_related("customer", "stage").order_by("-updated_at", "-pk")[:PANEL_ROWS]
    )
    return Panel(
        "records/includes/deal_related_panel.html",
        {
            "panel_id": f"page-{page.pk}",
            "heading": heading,
            "deals": rows,
            "show_customer": True,
        },
        order=30,
    )
