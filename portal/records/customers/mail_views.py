"""Bulk mail and fax pages: compose for the selected customers, the batch page, sending."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.core.bounds import parse_id
from portal.core.forms import form_errors
from portal.records.customers import actions
from portal.records.customers.forms import FaxForm, MailForm
from portal.records.customers.models import Channel, MailBatch
from portal.records.customers.policy import contacts_visible_to, customers_visible_to


def _ids(request: HttpRequest, name: str) -> list[int]:
    return [pk for pk in map(parse_id, request.POST.getlist(name)) if pk is not None]


def mail_compose_for(request: HttpRequest, customers) -> HttpResponse:
    contacts = (
        contacts_visible_to(request.user)
        .filter(customer__in=customers)
        .select_related("customer")
        .order_by("customer__name", "name")
    )
    return render(request, "records/mail_compose.html", {"form": MailForm(), "contacts": contacts})


@require_POST
@login_required
def mail_compose(request: HttpRequest) -> HttpResponse:
    form = MailForm(request.POST)
    ids = _ids(request, "contacts")
    contacts = contacts_visible_to(request.user).filter(pk__in=ids)
    if form.is_valid():
        try:
            batch = actions.compose_mail(
                acting_user=request.user, contacts=contacts, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return redirect("records:mail_batch", pk=batch.pk)
    return render(
        request,
        "records/mail_compose.html",
        {
            "form": form,
            "selected": set(ids),
            "contacts": contacts_visible_to(request.user)
            .filter(pk__in=ids)
            .select_related("customer"),
        },
    )


def fax_compose_for(request: HttpRequest, customers) -> HttpResponse:
    """The fax form for the selected customers; refused at once when faxing is not set up."""
    if not actions.fax_gateway_domain():
        messages.error(request, actions.NoFaxGateway().messages[0])
        return redirect("records:customer_list")
    return _fax_page(request, FaxForm(), customers)


def _fax_page(request: HttpRequest, form: FaxForm, customers) -> HttpResponse:
    return render(
        request,
        "records/fax_compose.html",
        {"form": form, "customers": customers.order_by("name", "pk")},
    )


@require_POST
@login_required
def fax_compose(request: HttpRequest) -> HttpResponse:
    form = FaxForm(request.POST, request.FILES)
    customers = customers_visible_to(request.user).filter(pk__in=_ids(request, "customers"))
    if form.is_valid():
        try:
            batch = actions.compose_fax(
                acting_user=request.user,
                customers=customers,
                subject=form.cleaned_data["subject"],
                body=form.cleaned_data["body"],
                attachment=actions.checked_fax_upload(form.cleaned_data["document"]),
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return redirect("records:mail_batch", pk=batch.pk)
    return _fax_page(request, form, customers)


def _batch(request: HttpRequest, pk: int) -> MailBatch:
    batch = get_object_or_404(
        MailBatch.objects.select_related("sender", "deal").defer("attachment"), pk=pk
    )
    if not actions.may_handle_batch(request.user, batch):
        raise Http404("No such message.")
    return batch


@login_required
def mail_batch(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    recipients = batch.recipients.select_related("contact", "customer")
    return render(
        request,
        "records/mail_batch.html",
        {"batch": batch, "recipients": recipients, "is_fax": batch.channel == Channel.FAX},
    )


@require_POST
@login_required
def mail_send(request: HttpRequest, pk: int) -> HttpResponse:
    batch = _batch(request, pk)
    try:
        counts = actions.send_or_queue_mail_batch(batch, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("records:mail_batch", pk=batch.pk)
    if counts is None:
        messages.info(
            request, _("The message is being sent; this page shows each copy as it goes out.")
        )
    else:
        messages.success(
            request, _("Sent: %(sent)s, skipped: %(skipped)s, failed: %(failed)s.") % counts
        )
    return redirect("records:mail_batch", pk=batch.pk)
