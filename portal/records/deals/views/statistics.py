"""Sales statistics pages: the report (tables and charts) and its CSV export."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from portal.accounts.permissions import has_module_perm
from portal.records.customers import imports
from portal.records.deals import statistics


def _report(request: HttpRequest) -> statistics.Report:
    if not has_module_perm(request.user, "deals", "view"):
        raise PermissionDenied(_("You do not have access to deal tracking."))
    period = statistics.Period.parse(request.GET.get("period", ""))
    scope = statistics.scope_for(
        request.user, rep=request.GET.get("rep", ""), team=request.GET.get("team", "")
    )
    return statistics.report(request.user, scope, period)


@login_required
def statistics_page(request: HttpRequest) -> HttpResponse:
    report = _report(request)
    query = {"period": report.period.key, **report.scope.as_query()}
    return render(
        request,
        "records/statistics.html",
        {
            "report": report,
            "query": query,
            "periods": report.period.choices(),
            "chart_data": statistics.chart_data(report),
        },
    )


@login_required
def statistics_export(request: HttpRequest) -> HttpResponse:
    """The same figures as the page, as CSV: nothing beyond what the reader may see."""
    report = _report(request)
    response = StreamingHttpResponse(
        imports.csv_stream(iter(statistics.report_rows(report))), content_type="text/csv"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="sales-statistics-{report.period.key}.csv"'
    )
    return response
