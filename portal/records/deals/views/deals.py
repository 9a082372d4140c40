"""Deal pages: list, detail (everything on one screen), create/edit, and the thin POST views
behind the detail page's forms (each parses input, calls one action, redirects or re-renders
the page with the form's errors and a 400)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts import roles
from portal.accounts.models import User
from portal.accounts.permissions import has_module_perm
from portal.core import audit
from portal.records.customers.permissions import access_customer
from portal.records.deals import actions
from portal.records.deals.forms import (
    ActivityForm,
    AnswerForm,
    CloseForm,
    CompetitorForm,
    CompleteActivityForm,
    ContractForm,
    DealForm,
    DeliveryForm,
    DocumentForm,
    HandoverAllForm,
    HandoverForm,
    InstallmentForm,
    NewVersionForm,
    OrderLineForm,
    PaymentForm,
    ReminderForm,
    UrgeForm,
)
from portal.records.deals.permissions import (
    access_deal,
    can_edit_deal,
    can_hand_over,
    can_see_urge_report,
    can_urge,
)
from portal.records.deals.queries import (
    DealFilters,
    deal_page,
    next_contact_due,
    open_urges_visible_to,
    visible_filtered_deals,
)
from portal.records.models import Activity, Contract, Deal, DealStage, DocumentVersion


def _require_view(user: User) -> None:
    if not has_module_perm(user, "deals", "view"):
        raise PermissionDenied(_("You do not have access to deal tracking."))


def _form_errors(form: forms.Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for field, errors in exc.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _reps():
    return (
        User.objects.filter(groups__name__in=[roles.SALES, roles.MANAGERS], is_active=True)
        .distinct()
        .order_by("username")
    )


# --- list ---------------------------------------------------------------------------------


@login_required
def deal_list(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    filters = DealFilters.from_query(request.GET)
    queryset = visible_filtered_deals(request.user, filters).select_related(
        "owner", "customer", "stage"
    )
    page = deal_page(
        queryset,
        filters.sort,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
    )
    context = {
        "page": page,
        "filters": filters,
        "query": filters.as_query(),
        "states": Deal.State.choices,
        "stages": DealStage.objects.all(),
        "owners": _reps(),
        "customer": (
            access_customer(request.user, filters.customer) if filters.customer.isdigit() else None
        ),
        "today": timezone.localdate(),
        "may_register": has_module_perm(request.user, "deals", "register"),
        "may_urge": can_see_urge_report(request.user),
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "deal-rows":
        return render(request, "records/includes/deal_rows.html", context)
    return render(request, "records/deal_list.html", context)


# --- create / edit ------------------------------------------------------------------------


@login_required
def deal_create(request: HttpRequest) -> HttpResponse:
    from portal.records.customers.permissions import customers_visible_to

    _require_view(request.user)
    if not has_module_perm(request.user, "deals", "register"):
        raise PermissionDenied(_("You may not open deals."))
    customer = None
    customer_id = request.GET.get("customer", "")
    if customer_id.isdigit():
        customer = customers_visible_to(request.user).filter(pk=int(customer_id)).first()
    actions.ensure_default_stages()
    form = DealForm(request.POST or None, user=request.user, customer=customer)
    if request.method == "POST" and form.is_valid():
        try:
            deal = actions.create_deal(
                acting_user=request.user,
                customer=form.customer,
                contacts=form.cleaned_data["contacts"],
                co_owners=form.cleaned_data["co_owners"],
                products=form.cleaned_data["products"],
                **form.action_data(),
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Deal %(number)s was opened for %(customer)s.")
                % {"number": deal.number, "customer": deal.customer.name},
            )
            return redirect(deal)
    status = 400 if request.method == "POST" else 200
    return render(request, "records/deal_form.html", _form_context(form), status=status)


@login_required
def deal_edit(request: HttpRequest, pk: int) -> HttpResponse:
    deal = access_deal(request.user, pk)
    if not can_edit_deal(request.user, deal):
        raise PermissionDenied(
            _("You may not change the deal %(number)s.") % {"number": deal.number}
        )
    form = DealForm(request.POST or None, instance=deal, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_deal(
                access_deal(request.user, pk),
                acting_user=request.user,
                contacts=form.cleaned_data["contacts"],
                co_owners=form.cleaned_data["co_owners"],
                products=form.cleaned_data["products"],
                **form.action_data(),
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The deal was saved."))
            return redirect(deal)
    status = 400 if request.method == "POST" else 200
    return render(request, "records/deal_form.html", _form_context(form, deal), status=status)


def _form_context(form: DealForm, deal: Deal | None = None) -> dict[str, Any]:
    customer = form.customer
    return {
        "form": form,
        "deal": deal,
        "customer": customer,
        "contact_due": next_contact_due(customer) if customer is not None else None,
        "wide_fields": ["name", "contacts", "notes"],
    }


# --- detail -------------------------------------------------------------------------------


def _detail_context(request: HttpRequest, deal: Deal) -> dict[str, Any]:
    user = request.user
    now = timezone.now()
    activities = list(
        deal.activities.select_related("owner").prefetch_related("contacts").order_by("-due_at")
    )
    planned = sorted(
        (a for a in activities if a.status == Activity.Status.PLANNED), key=lambda a: a.due_at
    )
    history = [a for a in activities if a.status != Activity.Status.PLANNED]
    installments = list(
        deal.installments.annotate(paid=Sum("payments__amount")).order_by("due_on", "pk")
    )
    contract = Contract.objects.filter(deal=deal).select_related("document").first()
    may_edit = can_edit_deal(user, deal)
    return {
        "deal": deal,
        "object": deal,
        "customer": deal.customer,
        "contacts": deal.contacts.all(),
        "co_owners": deal.co_owners.all(),
        "products": deal.products.all(),
        "planned": planned,
        "history": history,
        "reminders": deal.reminders.prefetch_related("people").order_by("due_at"),
        "competitors": deal.competitors.select_related("competitor"),
        "documents": deal.documents.prefetch_related(
            Prefetch(
                "versions",
                queryset=DocumentVersion.objects.select_related("uploaded_by").order_by("-number"),
            )
        ).order_by("-updated_at"),
        "urges": deal.urges.select_related("urged_by", "urged_user", "answered_by"),
        "order_lines": deal.order_lines.select_related("product"),
        "order_total": sum((line.total for line in deal.order_lines.all()), 0),
        "contract": contract,
        "deliveries": deal.deliveries.all(),
        "installments": installments,
        "payments": deal.payments.select_related("installment"),
        "fulfilment": actions.fulfilment(deal) if deal.is_won else None,
        "contact_due": next_contact_due(deal.customer),
        "entries": audit.history(deal)[:50],
        "now": now,
        "today": timezone.localdate(),
        "may_edit": may_edit,
        "may_hand_over": can_hand_over(user, deal),
        "may_urge": can_urge(user, deal),
        "stages": DealStage.objects.filter(is_active=True) if deal.is_open else [],
        "activity_form": ActivityForm(
            initial={"status": Activity.Status.DONE, "due_at": timezone.localtime(now)}
        ),
        "complete_form": CompleteActivityForm(),
        "reminder_form": ReminderForm(),
        "competitor_form": CompetitorForm(),
        "document_form": DocumentForm(),
        "version_form": NewVersionForm(),
        "close_form": CloseForm(),
        "handover_form": HandoverForm(),
        "urge_form": UrgeForm(),
        "answer_form": AnswerForm(),
        "order_line_form": OrderLineForm(),
        "contract_form": ContractForm(
            deal=deal,
            initial=(
                {
                    "number": contract.number,
                    "signed_on": contract.signed_on,
                    "starts_on": contract.starts_on,
                    "ends_on": contract.ends_on,
                    "amount": contract.amount,
                    "document": contract.document_id,
                }
                if contract
                else {"amount": deal.amount}
            ),
        ),
        "delivery_form": DeliveryForm(),
        "installment_form": InstallmentForm(),
        "payment_form": PaymentForm(deal=deal),
    }


@login_required
def deal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    deal = access_deal(request.user, pk)
    return render(request, "records/deal_detail.html", _detail_context(request, deal))


def _handle(
    request: HttpRequest,
    pk: int,
    form_class: type[forms.Form],
    context_name: str,
    run: Callable[[Deal, dict[str, Any]], Any],
    success: str,
    *,
    anchor: str = "",
    form_kwargs: Callable[[Deal], dict[str, Any]] | None = None,
) -> HttpResponse:
    """Bind the form, run the action; on refusal show the deal page with the form's errors."""
    deal = access_deal(request.user, pk)
    kwargs = form_kwargs(deal) if form_kwargs else {}
    form = form_class(request.POST, request.FILES, **kwargs)
    if form.is_valid():
        try:
            run(deal, form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, success)
            return redirect(deal.get_absolute_url() + (f"#{anchor}" if anchor else ""))
    context = _detail_context(request, access_deal(request.user, pk))
    context[context_name] = form
    context["failed_form"] = context_name
    return render(request, "records/deal_detail.html", context, status=400)


# --- state --------------------------------------------------------------------------------


@login_required
@require_POST
def deal_close(request: HttpRequest, pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        if data["outcome"] == Deal.State.WON:
            actions.win_deal(
                deal, acting_user=request.user, closed_on=data["closed_on"], reason=data["reason"]
            )
        else:
            actions.lose_deal(
                deal,
                acting_user=request.user,
                reason=data["reason"],
                abandoned=data["outcome"] == Deal.State.ABANDONED,
                closed_on=data["closed_on"],
            )

    return _handle(request, pk, CloseForm, "close_form", run, _("The deal was closed."))


@login_required
@require_POST
def deal_stage(request: HttpRequest, pk: int) -> HttpResponse:
    """Move a tracked deal to another stage (the quick selector on the deal page)."""
    deal = access_deal(request.user, pk)
    stage = DealStage.objects.filter(pk=request.POST.get("stage") or 0, is_active=True).first()
    if stage is None:
        messages.error(request, _("Choose a stage."))
        return redirect(deal)
    try:
        actions.update_deal(deal, acting_user=request.user, stage=stage)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The deal moved to the stage %(stage)s.") % {"stage": stage})
    return redirect(deal)


@login_required
@require_POST
def deal_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    deal = access_deal(request.user, pk)
    try:
        actions.reopen_deal(deal, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The deal is being tracked again."))
    return redirect(deal)


@login_required
@require_POST
def deal_complete(request: HttpRequest, pk: int) -> HttpResponse:
    deal = access_deal(request.user, pk)
    try:
        actions.complete_deal(deal, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("The deal is completed."))
    return redirect(deal)


# --- activities ---------------------------------------------------------------------------


@login_required
@require_POST
def activity_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        fields = {name: data[name] for name in actions.ACTIVITY_FIELDS}
        actions.create_activity(deal, acting_user=request.user, status=data["status"], **fields)

    return _handle(
        request, pk, ActivityForm, "activity_form", run, _("The activity was saved."),
        anchor="activities",
    )  # fmt: skip


@login_required
@require_POST
def activity_complete(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        activity = get_object_or_404(deal.activities, pk=activity_pk)
        actions.complete_activity(
            activity,
            acting_user=request.user,
            outcome=data["outcome"],
            next_step=data["next_step"],
            next_kind=data["next_kind"],
            next_due_at=data["next_due_at"],
        )

    return _handle(
        request, pk, CompleteActivityForm, "complete_form", run, _("The activity is done."),
        anchor="activities",
    )  # fmt: skip


@login_required
@require_POST
def activity_cancel(request: HttpRequest, pk: int, activity_pk: int) -> HttpResponse:
    deal = access_deal(request.user, pk)
    activity = get_object_or_404(deal.activities, pk=activity_pk)
    try:
        actions.cancel_activity(activity, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(deal.get_absolute_url() + "#activities")


# --- reminders and competitors --------------------------------------------------------------


@login_required
@require_POST
def reminder_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        actions.create_deal_reminder(
            deal,
            acting_user=request.user,
            due_at=data["due_at"],
            subject=data["subject"],
            people=list(data["people"]),
        )

    return _handle(
        request, pk, ReminderForm, "reminder_form", run, _("The reminder was set."),
        anchor="reminders",
    )  # fmt: skip


@login_required
@require_POST
def reminder_delete(request: HttpRequest, pk: int, reminder_pk: int) -> HttpResponse:
    deal = access_deal(request.user, pk)
    reminder = get_object_or_404(deal.reminders, pk=reminder_pk)
    actions.delete_deal_reminder(reminder, acting_user=request.user)
    return redirect(deal.get_absolute_url() + "#reminders")


@login_required
@require_POST
def competitor_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        actions.add_competitor(deal, acting_user=request.user, **data)

    return _handle(
        request, pk, CompetitorForm, "competitor_form", run, _("The competitor was added."),
        anchor="competitors",
    )  # fmt: skip


@login_required
@require_POST
def competitor_remove(request: HttpRequest, pk: int, entry_pk: int) -> HttpResponse:
    deal = access_deal(request.user, pk)
    entry = get_object_or_404(deal.competitors, pk=entry_pk)
    actions.remove_competitor(entry, acting_user=request.user)
    return redirect(deal.get_absolute_url() + "#competitors")


# --- documents ----------------------------------------------------------------------------


@login_required
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        actions.upload_document(
            deal,
            acting_user=request.user,
            file=data["file"],
            title=data["title"],
            kind=data["kind"],
            note=data["note"],
        )

    return _handle(
        request, pk, DocumentForm, "document_form", run, _("The file was uploaded."),
        anchor="documents",
    )  # fmt: skip


@login_required
@require_POST
def document_version(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        document = get_object_or_404(deal.documents, pk=document_pk)
        actions.upload_document(
            deal, acting_user=request.user, file=data["file"], document=document, note=data["note"]
        )

    return _handle(
        request, pk, NewVersionForm, "version_form", run, _("A new version was uploaded."),
        anchor="documents",
    )  # fmt: skip


@login_required
def document_file(request: HttpRequest, pk: int, version_pk: int) -> FileResponse:
    """Serve a deal file to people who may see the deal (404 alike otherwise)."""
    deal = access_deal(request.user, pk)
    version = get_object_or_404(
        DocumentVersion.objects.select_related("document"), pk=version_pk, document__deal=deal
    )
    try:
        handle = version.file.open("rb")
    except FileNotFoundError:
        raise Http404("No such file.") from None
    inline = version.content_type in {"application/pdf", "image/png", "image/jpeg"}
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=version.filename,
        content_type=version.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- handover and urging ------------------------------------------------------------------


@login_required
@require_POST
def deal_handover(request: HttpRequest, pk: int) -> HttpResponse:
    deal = access_deal(request.user, pk)
    form = HandoverForm(request.POST)
    if form.is_valid():
        try:
            actions.handover_deal(
                deal, to_user=form.cleaned_data["to_user"], acting_user=request.user
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Deal %(number)s was handed over to %(name)s.")
                % {"number": deal.number, "name": form.cleaned_data["to_user"]},
            )
            # The former owner may no longer see it: go where they surely may.
            if can_edit_deal(request.user, deal) or _still_visible(request.user, pk):
                return redirect(deal)
            return redirect("records:deal_list")
    context = _detail_context(request, deal)
    context["handover_form"] = form
    context["failed_form"] = "handover_form"
    return render(request, "records/deal_detail.html", context, status=400)


def _still_visible(user: User, pk: int) -> bool:
    try:
        access_deal(user, pk)
    except Http404:
        return False
    return True


@login_required
def handover_all(request: HttpRequest) -> HttpResponse:
    """Hand every deal of a leaving rep to another rep."""
    if not has_module_perm(request.user, "deals", "transfer"):
        raise PermissionDenied(_("You may not hand over deals."))
    form = HandoverAllForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            moved = actions.handover_deals_of(
                data["from_user"],
                to_user=data["to_user"],
                acting_user=request.user,
                include_closed=data["include_closed"],
            )
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(count)s deals of %(from)s were handed over to %(to)s.")
                % {"count": moved, "from": data["from_user"], "to": data["to_user"]},
            )
            return redirect("records:deal_list")
    status = 400 if request.method == "POST" else 200
    return render(request, "records/deal_handover_all.html", {"form": form}, status=status)


@login_required
@require_POST
def deal_urge(request: HttpRequest, pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        actions.urge_deal(
            deal, acting_user=request.user, message=data["message"], due_on=data["due_on"]
        )

    return _handle(
        request, pk, UrgeForm, "urge_form", run, _("The owner was urged."), anchor="urges"
    )


@login_required
@require_POST
def urge_answer(request: HttpRequest, pk: int, urge_pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        urge = get_object_or_404(deal.urges.select_related("deal"), pk=urge_pk)
        actions.answer_urge(urge, acting_user=request.user, answer=data["answer"])

    return _handle(
        request, pk, AnswerForm, "answer_form", run, _("Your answer was sent."), anchor="urges"
    )


@login_required
def urge_report(request: HttpRequest) -> HttpResponse:
    """Open urges on the deals a manager can see, oldest answer date first."""
    if not can_see_urge_report(request.user):
        raise PermissionDenied(_("Only managers see the urge report."))
    urges = list(open_urges_visible_to(request.user)[:200])
    return render(
        request,
        "records/deal_urges.html",
        {"urges": urges, "today": timezone.localdate()},
    )


# --- won deals ----------------------------------------------------------------------------


@login_required
@require_POST
def order_line_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        actions.add_order_line(deal, acting_user=request.user, **data)

    return _handle(
        request, pk, OrderLineForm, "order_line_form", run, _("The order line was added."),
        anchor="order",
    )  # fmt: skip


@login_required
@require_POST
def order_line_remove(request: HttpRequest, pk: int, line_pk: int) -> HttpResponse:
    deal = access_deal(request.user, pk)
    line = get_object_or_404(deal.order_lines, pk=line_pk)
    try:
        actions.remove_order_line(line, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(deal.get_absolute_url() + "#order")


@login_required
@require_POST
def contract_save(request: HttpRequest, pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        actions.save_contract(deal, acting_user=request.user, **data)

    return _handle(
        request, pk, ContractForm, "contract_form", run, _("The contract was saved."),
        anchor="contract", form_kwargs=lambda deal: {"deal": deal},
    )  # fmt: skip


@login_required
@require_POST
def delivery_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        actions.add_delivery(deal, acting_user=request.user, **data)

    return _handle(
        request, pk, DeliveryForm, "delivery_form", run, _("The delivery was added."),
        anchor="deliveries",
    )  # fmt: skip


@login_required
@require_POST
def delivery_done(request: HttpRequest, pk: int, delivery_pk: int) -> HttpResponse:
    deal = access_deal(request.user, pk)
    delivery = get_object_or_404(deal.deliveries, pk=delivery_pk)
    try:
        actions.mark_delivered(delivery, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(deal.get_absolute_url() + "#deliveries")


@login_required
@require_POST
def installment_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        actions.add_installment(deal, acting_user=request.user, **data)

    return _handle(
        request, pk, InstallmentForm, "installment_form", run,
        _("The payment plan entry was added; a reminder falls due with it."),
        anchor="payments",
    )  # fmt: skip


@login_required
@require_POST
def payment_add(request: HttpRequest, pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        actions.record_payment(deal, acting_user=request.user, **data)

    return _handle(
        request, pk, PaymentForm, "payment_form", run, _("The payment was recorded."),
        anchor="payments", form_kwargs=lambda deal: {"deal": deal},
    )  # fmt: skip
