"""The public pool's pages (ADR 1002): the list, claiming, and asking the owner of a protected
customer to share it."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.core.bounds import parse_id
from portal.core.formatting import format_date
from portal.records.customers import actions, protection
from portal.records.customers.policy import customer_policy, pool_customers_visible_to
from portal.records.customers.pool import PoolFilters, pool_page
from portal.records.customers.queries import filter_choices


@login_required
def pool_list(request: HttpRequest) -> HttpResponse:
    if not customer_policy.module_allows(request.user):
        raise PermissionDenied(_("You do not have access to customer records."))
    filters = PoolFilters.from_query(request.GET)
    page = pool_page(
        request.user,
        filters,
        after=request.GET.get("after", "")[:200],
        before=request.GET.get("before", "")[:200],
    )
    rules = protection.rules()
    may_claim = customer_policy.can_claim(request.user)
    context = {
        "page": page,
        "filters": filters,
        "query": filters.as_query(),
        **filter_choices(),
        "rules": rules,
        "may_claim": may_claim,
        "held": actions.held_from_pool(request.user) if may_claim else 0,
    }
    return render(request, "records/customer_pool.html", context)


@login_required
@require_POST
def pool_claim(request: HttpRequest, pk: int) -> HttpResponse:
    customer = pool_customers_visible_to(request.user).filter(pk=parse_id(pk)).first()
    if customer is None:
        raise Http404("No such customer in the pool.")
    try:
        customer = actions.claim_customer(customer, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("records:customer_pool")
    messages.success(
        request,
        _("Customer %(name)s is yours now, protected until %(date)s.")
        % {
            "name": customer.name,
            "date": format_date(protection.protected_until(customer, protection.rules())),
        },
    )
    return redirect(customer)


@login_required
@require_POST
def ask_to_share(request: HttpRequest) -> HttpResponse:
    if not customer_policy.can_ask_to_share(request.user):
        raise PermissionDenied(_("You may not register customers."))
    try:
        customer = actions.ask_owner_to_share(
            str(request.POST.get("token", ""))[:500], acting_user=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(owner)s was asked to share the customer with you.") % {"owner": customer.owner},
        )
    return redirect("records:customer_list")
