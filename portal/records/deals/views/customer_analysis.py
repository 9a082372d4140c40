"""The customer analysis page (decision 1003): a two-dimension table and chart, CSV/XLSX."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from portal.accounts.permissions import has_module_perm
from portal.records.customers import imports
from portal.records.deals.statistics import customers as analysis


def _analysis(request: HttpRequest) -> analysis.Analysis:
    if not has_module_perm(request.user, "customers", "view"):
        raise PermissionDenied(_("You do not have access to customer records."))
    get = request.GET
    return analysis.analyse(
        request.user,
        rows=get.get("rows", ""),
        cols=get.get("cols", ""),
        measure=get.get("measure", ""),
        period=get.get("period", ""),
        rep=get.get("rep", ""),
        team=get.get("team", ""),
    )


@login_required
def analysis_page(request: HttpRequest) -> HttpResponse:
    data = _analysis(request)
    return render(
        request,
        "records/customer_analysis.html",
        {
            "analysis": data,
            "query": data.query(),
            "periods": data.period.choices(),
            "dimensions": list(analysis.DIMENSION_LABELS.items()),
            "measures": list(analysis.MEASURES.items()),
            "row_label": analysis.DIMENSION_LABELS[data.rows_dim],
            "measure_label": analysis.MEASURES[data.measure],
            "chart_data": analysis.chart_data(data),
            "period_last": data.period.end - datetime.timedelta(days=1),
        },
    )


@login_required
def analysis_export(request: HttpRequest) -> HttpResponse:
    """The page's figures (every measure), as CSV or XLSX: nothing beyond what it shows."""
    data = _analysis(request)
    rows = [[str(value) for value in row] for row in analysis.export_rows(data)]
    name = f"customer-analysis-{data.period.key}-{data.rows_dim}-{data.cols_dim}"
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            imports.xlsx_bytes(iter(rows)),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    response = StreamingHttpResponse(imports.csv_stream(iter(rows)), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response
