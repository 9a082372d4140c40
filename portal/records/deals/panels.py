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
    return Panel(
        "records/includes/deal_related_panel.html",
        {
            "panel_id": "customer",
            "heading": _("Deals"),
            "deals": list(deals[:PANEL_ROWS]),
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


def customer_activities_panel(request: HttpRequest, customer) -> Panel | None:
    """The customer's activities — with or without a deal — as the activity policy lets the
    reader see them (planned ones first, then the latest done), and the form to log, plan or
    book one (decision 1001)."""
    from portal.records.deals.policy import activity_policy
    from portal.records.deals.views.customer_activities import activity_form

    user = request.user
    if not has_module_perm(user, "deals", "view"):
        return None
    visible = (
        activity_policy.visible_to(user)
        .filter(customer=customer)
        .select_related("deal", "owner")
        .prefetch_related("attendees", "contacts")
    )
    planned = list(
        visible.filter(status=Activity.Status.PLANNED).order_by("due_at", "pk")[:ACTIVITY_ROWS]
    )
    latest = list(
        visible.exclude(status=Activity.Status.PLANNED).order_by("-due_at", "-pk")[:ACTIVITY_ROWS]
    )
    may_add = activity_policy.can_add_to_customer(user, customer)
    return Panel(
        "records/includes/customer_activities_panel.html",
        {
            "customer": customer,
            "planned": planned,
            "latest": latest,
            "may_add": may_add,
            "form": activity_form(request, customer) if may_add else None,
        },
        order=5,
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


def calendar_feed_panel(request: HttpRequest, person) -> Panel | None:
    """On the reader's own profile page: their calendar's secret iCalendar URL (to subscribe
    from Outlook, Google or Apple calendars) and the button that replaces it (decision 1001)."""
    from portal.records.deals.models import CalendarFeed

    user = request.user
    if person.pk != user.pk or not has_module_perm(user, "deals", "view"):
        return None
    feed = CalendarFeed.objects.filter(user=user).first()
    return Panel(
        "records/includes/calendar_feed_panel.html",
        {
            "feed_url": request.build_absolute_uri(feed.get_absolute_url()) if feed else "",
            "calendar_url": reverse("records:calendar"),
        },
        order=50,
    )
