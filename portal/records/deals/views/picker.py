"""The new deal form's customer picker: suggestions by name or code, then the chosen customer's
contacts (HTMX fragments; only customers the user can see)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from portal.records.customers.models import Contact
from portal.records.customers.policy import customers_visible_to
from portal.records.customers.queries import name_contains
from portal.records.deals.forms import resolve_deal_customer

from .common import _require_view

SUGGESTIONS = 15


@login_required
def deal_customer_lookup(request: HttpRequest) -> HttpResponse:
    """Datalist options: visible customers whose name contains, or code starts with, the text."""
    _require_view(request.user)
    text = request.GET.get("customer_code", "").strip()[:100]
    customers = []
    if text:
        customers = list(
            customers_visible_to(request.user)
            .filter(name_contains(text) | Q(code__istartswith=text))
            .only("code", "name")
            .order_by("name", "pk")[:SUGGESTIONS]
        )
    return render(request, "records/includes/deal_customer_options.html", {"customers": customers})


@login_required
def deal_customer_contacts(request: HttpRequest) -> HttpResponse:
    """The contacts of the customer typed in the picker, as the form's contact checkboxes."""
    _require_view(request.user)
    customer = resolve_deal_customer(request.user, request.GET.get("customer_code", "")[:240])
    contacts = (
        list(Contact.objects.filter(customer=customer).order_by("name", "pk")) if customer else []
    )
    return render(
        request,
        "records/includes/deal_contacts_field.html",
        {"picked": customer, "contacts": contacts},
    )
