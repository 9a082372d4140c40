"""The contract list across deals (decision 1003)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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
