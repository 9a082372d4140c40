"""The contract list across deals (decision 1003)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.core.bounds import page_number
from portal.records.deals import contracts
from portal.records.deals.views.common import _reps, _require_view


@login_required
def contract_list(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    filters = contracts.ContractFilters.from_query(request.GET)
    queryset = contracts.visible_filtered_contracts(request.user, filters)
    page = Paginator(queryset, contracts.PAGE_SIZE).get_page(
        page_number(request.GET.get("page"), contracts.PAGE_SIZE)
    )
    rows = [(contract, contracts.state_of(contract)) for contract in page.object_list]
    return render(
        request,
        "records/contract_list.html",
        {
            "page": page,
            "rows": rows,
            "filters": filters,
            "query": filters.as_query(),
            "states": list(contracts.STATES.items()),
            "windows": contracts.WINDOWS,
            "owners": _reps(),
        },
    )


@login_required
@require_POST
def contract_renew(request: HttpRequest, pk: int) -> HttpResponse:
    """Open the renewal deal of a contract the reader may see (and whose deal they may edit)."""
    from portal.records.deals.actions.renewal import renew_contract

    _require_view(request.user)
    try:
        contract = contracts.contracts_visible_to(request.user).select_related("deal").get(pk=pk)
    except contracts.Contract.DoesNotExist:
        raise Http404("No such contract.") from None
    try:
        deal = renew_contract(contract, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        if request.POST.get("from") == "deal":  # the deal page's button: back to its contract
            return redirect(contract.deal.get_absolute_url() + "#contract")
        return redirect("records:contract_list")
    messages.success(
        request,
        _("Renewal deal %(number)s opened for contract %(contract)s.")
        % {"number": deal.number, "contract": contract.number},
    )
    return redirect(deal.get_absolute_url())
