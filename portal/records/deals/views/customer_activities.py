"""Activities on a customer page (decision 1001): log, plan or book one — with or without a
deal — and complete or cancel a customer's activity."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.core.forms import form_errors, run_action
from portal.records.customers.policy import access_customer
from portal.records.deals import actions
from portal.records.deals.activity_forms import CustomerActivityForm
from portal.records.deals.models import Activity
from portal.records.deals.policy import activity_policy, deals_visible_to

#: Activities listed on the customer page (the latest; planned ones first).
CUSTOMER_ACTIVITY_ROWS = 10


def activity_form(request: HttpRequest, customer, data=None) -> CustomerActivityForm:
    deals = deals_visible_to(request.user).filter(customer=customer).order_by("-updated_at", "-pk")
    initial = {"status": Activity.Status.DONE, "due_at": timezone.localtime().replace(second=0)}
    return CustomerActivityForm(data, customer=customer, deals=deals, initial=initial)


@login_required
def customer_activity_add(request: HttpRequest, pk: int) -> HttpResponse:
    """GET: the form on its own page; POST: log or plan it, back to the customer page."""
    customer = access_customer(request.user, pk)
    if not activity_policy.can_add_to_customer(request.user, customer):
        raise PermissionDenied(_("You may not log activities on this customer."))
    form = activity_form(request, customer, request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            actions.create_activity(
                data["deal"],
                customer=customer,
                acting_user=request.user,
                status=data["status"],
                contacts=list(data["contacts"]),
                attendees=list(data["attendees"]),
                remind_minutes=data["remind"] if data["status"] == "planned" else None,
                **{
                    name: data[name]
                    for name in ("kind", "due_at", "ends_at", "subject", "place", "outcome")
                },
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The activity was saved."))
            return redirect(customer.get_absolute_url() + "#activities")
    return render(
        request,
        "records/customer_activity_form.html",
        {"customer": customer, "form": form},
        status=400 if request.method == "POST" else 200,
    )


def _customer_activity(request: HttpRequest, pk: int, activity_pk: int) -> Activity:
    customer = access_customer(request.user, pk)
    try:
        return (
            activity_policy.visible_to(request.user)
            .select_related("deal", "customer", "owner")
            .get(pk=activity_pk, customer=customer)
        )
    except (Activity.DoesNotExist, ValueError):
        from django.http import Http404

        raise Http404("No such activity.") from None


@login_required
@require_POST
def customer_activity_done(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    activity = _customer_activity(request, pk, activity_pk)
    outcome = request.POST.get("outcome", "")[:5000]
    run_action(
        request,
        lambda: actions.complete_activity(activity, acting_user=request.user, outcome=outcome),
        _("The activity is done."),
    )
    return redirect(activity.customer.get_absolute_url() + "#activities")


@login_required
@require_POST
def customer_activity_cancel(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    activity = _customer_activity(request, pk, activity_pk)
    run_action(
        request,
        lambda: actions.cancel_activity(activity, acting_user=request.user),
        _("The activity was cancelled."),
    )
    return redirect(activity.customer.get_absolute_url() + "#activities")
