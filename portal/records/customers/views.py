"""Customer pages: list, detail, edit, contacts, sharing, transfer, recycle bin, bulk actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.accounts.models import User
from portal.accounts.permissions import has_module_perm, require_module_perm
from portal.core import audit
from portal.core.bounds import parse_id
from portal.core.forms import form_errors
from portal.records.customers import actions, imports, labels, lists, protection
from portal.records.customers.forms import (
    ContactForm,
    CustomerForm,
    ImportForm,
    LabelsForm,
    PurgeForm,
    ShareForm,
    TransferForm,
    reps,
)
from portal.records.customers.mail_views import fax_compose_for, mail_compose_for
from portal.records.customers.models import (
    Contact,
    Customer,
    CustomerShare,
    ImportJob,
)
from portal.records.customers.policy import (
    access_contact,
    access_customer,
    binned_customers_visible_to,
    can_edit_customer,
    can_purge,
    can_share_customer,
    can_transfer_customers,
    customer_policy,
    customers_visible_to,
)
from portal.records.customers.queries import (
    CustomerFilters,
    drill_context,
    filter_choices,
    keyset_page,
    visible_filtered_customers,
)


def _require_view(user: User) -> None:
    if not has_module_perm(user, "customers", "view"):
        raise PermissionDenied(_("You do not have access to customer records."))


def _selected_customers(request: HttpRequest):
    ids = [pk for pk in map(parse_id, request.POST.getlist("ids")) if pk is not None]
    return customers_visible_to(request.user).filter(pk__in=ids)


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    filters = CustomerFilters.from_query(request.GET)
    queryset = visible_filtered_customers(request.user, filters).select_related("owner", "category")
    page = keyset_page(
        queryset,
        filters.sort,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
    )
    # One read of the reps serves the owner filter and the transfer form (ADR 0424).
    owners = list(reps().queryset)
    context = {
        "page": page,
        "filters": filters,
        "query": filters.as_query(),
        **drill_context(filters),
        **filter_choices(),
        "levels": Customer.Level.choices,
        "owners": owners,
        "may_register": has_module_perm(request.user, "customers", "register"),
        "may_transfer": can_transfer_customers(request.user),
        "transfer_form": TransferForm(owners=owners),
        "labels_form": LabelsForm(),
    }
    if request.headers.get("HX-Request") and request.headers.get("HX-Target") == "customer-rows":
        return render(request, "records/includes/customer_rows.html", context)
    return render(request, "records/customer_list.html", context)


@login_required
def customer_create(request: HttpRequest) -> HttpResponse:
    # Refused before the form is shown, not after it was filled in.
    require_module_perm(request.user, "customers", "register")
    with_owner = can_transfer_customers(request.user)
    form = CustomerForm(request.POST or None, with_owner=with_owner)
    duplicates, refusal = [], None
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        owner = data.pop("owner", None)
        allow_duplicate = bool(request.POST.get("allow_duplicate"))
        data.pop("allow_duplicate", None)
        try:
            customer = actions.create_customer(
                acting_user=request.user, owner=owner, allow_duplicate=allow_duplicate, **data
            )
        except actions.ProtectedDuplicate as exc:
            # Refused: the owner is named, nothing else of their customer is shown (ADR 1002).
            refusal = {
                "owner": exc.owner,
                "token": actions.share_request_token(exc.customer, request.user),
            }
        except actions.DuplicateCustomer as exc:
            duplicates = exc.duplicates
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                _("Customer %(name)s was registered with code %(code)s.")
                % {"name": customer.name, "code": customer.code},
            )
            return redirect(customer)
    visible_ids = (
        set(
            customers_visible_to(request.user)
            .filter(pk__in=[d.pk for d in duplicates])
            .values_list("pk", flat=True)
        )
        if duplicates
        else set()
    )
    return render(
        request,
        "records/customer_form.html",
        {
            "form": form,
            "duplicates": duplicates,
            "visible_duplicate_ids": visible_ids,
            "refusal": refusal,
            "creating": True,
        },
    )


@login_required
def customer_detail(request: HttpRequest, pk: int) -> HttpResponse:
    customer = access_customer(request.user, pk)
    may_edit = can_edit_customer(request.user, customer)
    return render(
        request,
        "records/customer_detail.html",
        {
            "customer": customer,
            "object": customer,
            "contacts": customer.contacts.all(),
            "shares": customer.shares.select_related("user", "department"),
            "mail_log": customer.mail_recipients.select_related("batch", "batch__sender", "contact")
            .defer("batch__attachment")
            .order_by("-batch__created_at", "id")[:50],
            "entries": audit.history(customer)[:50],
            "protection": protection.state_of(customer, protection.rules()),
            "may_claim": customer.in_pool and customer_policy.can_claim(request.user, customer),
            "may_edit": may_edit,
            "may_share": can_share_customer(request.user, customer),
            "may_transfer": can_transfer_customers(request.user),
            "contact_form": ContactForm(),
            "share_form": ShareForm(),
            "transfer_form": TransferForm(),
        },
    )


@login_required
def customer_edit(request: HttpRequest, pk: int) -> HttpResponse:
    customer = access_customer(request.user, pk)
    if not can_edit_customer(request.user, customer):
        raise PermissionDenied(
            _("You may not change the customer %(name)s.") % {"name": customer.name}
        )
    form = CustomerForm(request.POST or None, instance=customer)
    if request.method == "POST" and form.is_valid():
        data = {name: form.cleaned_data[name] for name in actions.CUSTOMER_FIELDS}
        try:
            actions.update_customer(
                access_customer(request.user, pk), acting_user=request.user, **data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The customer was saved."))
            return redirect(customer)
    return render(request, "records/customer_form.html", {"form": form, "customer": customer})


@require_POST
@login_required
def customer_delete(request: HttpRequest, pk: int) -> HttpResponse:
    customer = access_customer(request.user, pk)
    actions.delete_customer(customer, acting_user=request.user)
    messages.success(request, _("%(name)s was moved to the recycle bin.") % {"name": customer})
    return redirect("records:customer_list")


@require_POST
@login_required
def customer_restore(request: HttpRequest, pk: int) -> HttpResponse:
    customer = access_customer(request.user, pk, include_deleted=True)
    actions.restore_customer(customer, acting_user=request.user)
    messages.success(request, _("%(name)s was restored.") % {"name": customer})
    return redirect(customer)


@login_required
def customer_purge(request: HttpRequest, pk: int) -> HttpResponse:
    customer = access_customer(request.user, pk, include_deleted=True)
    if not can_purge(request.user):
        raise PermissionDenied(_("Only administrators can purge customers."))
    form = PurgeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.purge_customer(
                customer, acting_user=request.user, confirm=form.cleaned_data["confirm"]
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("%(name)s was deleted for good.") % {"name": customer})
            return redirect("records:recycle_bin")
    return render(request, "records/customer_purge.html", {"customer": customer, "form": form})


@login_required
def recycle_bin(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    customers = (
        binned_customers_visible_to(request.user)
        .select_related("owner", "deleted_by", "category")
        .order_by("-deleted_at", "-pk")[:200]
    )
    return render(
        request,
        "records/recycle_bin.html",
        {"customers": customers, "may_purge": can_purge(request.user)},
    )


@require_POST
@login_required
def customer_share(request: HttpRequest, pk: int) -> HttpResponse:
    customer = access_customer(request.user, pk)
    form = ShareForm(request.POST)
    if form.is_valid():
        try:
            actions.share_customer(
                customer,
                acting_user=request.user,
                user=form.cleaned_data["user"],
                department=form.cleaned_data["department"],
                can_edit=form.cleaned_data["can_edit"],
            )
            messages.success(request, _("The customer is now shared."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    else:
        messages.error(request, " ".join(e for errs in form.errors.values() for e in errs))
    return redirect(customer)


@require_POST
@login_required
def customer_unshare(request: HttpRequest, pk: int, share_pk: int) -> HttpResponse:
    customer = access_customer(request.user, pk)
    share = get_object_or_404(CustomerShare, pk=share_pk, customer=customer)
    actions.unshare_customer(share, acting_user=request.user)
    messages.success(request, _("Sharing was withdrawn."))
    return redirect(customer)


@require_POST
@login_required
def customer_transfer(request: HttpRequest, pk: int) -> HttpResponse:
    customer = access_customer(request.user, pk)
    form = TransferForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose the new owner."))
        return redirect(customer)
    try:
        actions.transfer_customer(
            customer, to_user=form.cleaned_data["to_user"], acting_user=request.user
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(customer)
    messages.success(
        request,
        _("%(name)s now belongs to %(owner)s.")
        % {"name": customer, "owner": form.cleaned_data["to_user"]},
    )
    if customers_visible_to(request.user).filter(pk=customer.pk).exists():
        return redirect(customer)
    return redirect("records:customer_list")


@require_POST
@login_required
def customers_bulk(request: HttpRequest) -> HttpResponse:
    """The list's bulk actions on the selected (and visible) customers."""
    _require_view(request.user)
    selected = _selected_customers(request)
    action = request.POST.get("action", "")
    if not selected.exists():
        messages.error(request, _("Select at least one customer first."))
        return redirect("records:customer_list")
    if action == "transfer":
        form = TransferForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose the new owner."))
            return redirect("records:customer_list")
        try:
            moved = actions.transfer_customers(
                selected, to_user=form.cleaned_data["to_user"], acting_user=request.user
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("records:customer_list")
        messages.success(
            request,
            _("%(count)s customers now belong to %(owner)s.")
            % {"count": moved, "owner": form.cleaned_data["to_user"]},
        )
        return redirect("records:customer_list")
    if action == "labels":
        form = LabelsForm(request.POST)
        sheet = form.cleaned_data["sheet"] if form.is_valid() else "a4-3x8"
        customers = list(selected.prefetch_related("contacts"))
        return _pdf_response(labels.render_pdf(labels.labels_for(customers, []), sheet))
    if action == "mail":
        return mail_compose_for(request, selected)
    if action == "fax":
        return fax_compose_for(request, selected)
    if action in ("address_list", "phone_list"):
        return _list_pdf(request, selected, action.removesuffix("_list"))
    raise Http404("Unknown bulk action.")


def _pdf_response(data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = 'inline; filename="labels.pdf"'
    return response


@require_POST
@login_required
def contact_labels(request: HttpRequest, pk: int) -> HttpResponse:
    """Labels for the contacts ticked on a customer's page."""
    customer = access_customer(request.user, pk)
    ids = [pk for pk in map(parse_id, request.POST.getlist("contacts")) if pk is not None]
    contacts = list(customer.contacts.filter(pk__in=ids).select_related("customer"))
    form = LabelsForm(request.POST)
    sheet = form.cleaned_data["sheet"] if form.is_valid() else "a4-3x8"
    return _pdf_response(
        labels.render_pdf(
            labels.labels_for([], contacts) if contacts else labels.labels_for([customer], []),
            sheet,
        )
    )


def _list_pdf(request: HttpRequest, customers, kind: str) -> HttpResponse:
    """A printable list of `customers` (already narrowed by the policy), bounded in size."""
    rows = list(
        customers.order_by("name", "pk").prefetch_related("contacts")[
            : lists.LIST_MAX_CUSTOMERS + 1
        ]
    )
    if len(rows) > lists.LIST_MAX_CUSTOMERS:
        messages.error(
            request,
            _(
                "A printed list holds at most %(limit)s customers; narrow the filter or select"
                " fewer customers."
            )
            % {"limit": lists.LIST_MAX_CUSTOMERS},
        )
        return redirect("records:customer_list")
    response = HttpResponse(lists.render_pdf(kind, rows), content_type="application/pdf")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'inline; filename="customers-{kind}-{stamp}.pdf"'
    return response


@login_required
def customer_lists(request: HttpRequest) -> HttpResponse:
    """The current filtered list (what the user sees) as a printable address or phone list."""
    _require_view(request.user)
    kind = request.GET.get("kind", "")
    if kind not in lists.KINDS:
        raise Http404("Unknown list.")
    filters = CustomerFilters.from_query(request.GET)
    return _list_pdf(request, visible_filtered_customers(request.user, filters), kind)


@login_required
def customer_export(request: HttpRequest) -> HttpResponse:
    """The current filtered list (what the user sees), as CSV or XLSX."""
    _require_view(request.user)
    filters = CustomerFilters.from_query(request.GET)
    queryset = visible_filtered_customers(request.user, filters)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    rows = imports.export_rows(queryset.order_by("name", "pk"))
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(
            imports.xlsx_bytes(rows),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        response["Content-Disposition"] = f'attachment; filename="customers-{stamp}.xlsx"'
        return response
    response = StreamingHttpResponse(imports.csv_stream(rows), content_type="text/csv")
    response["Content-Disposition"] = f'attachment; filename="customers-{stamp}.csv"'
    return response


# --- contacts -----------------------------------------------------------------------------


@login_required
def contact_create(request: HttpRequest, pk: int) -> HttpResponse:
    customer = access_customer(request.user, pk)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.create_contact(customer, acting_user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The contact was added."))
            return redirect(customer)
    return render(request, "records/contact_form.html", {"form": form, "customer": customer})


@login_required
def contact_edit(request: HttpRequest, pk: int) -> HttpResponse:
    contact = access_contact(request.user, pk)
    form = ContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            actions.update_contact(
                access_contact(request.user, pk), acting_user=request.user, **form.cleaned_data
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, _("The contact was saved."))
            return redirect(contact.customer)
    return render(
        request,
        "records/contact_form.html",
        {"form": form, "customer": contact.customer, "contact": contact},
    )


@require_POST
@login_required
def contact_delete(request: HttpRequest, pk: int) -> HttpResponse:
    contact = access_contact(request.user, pk)
    actions.delete_contact(contact, acting_user=request.user)
    messages.success(request, _("The contact was removed."))
    return redirect(contact.customer)


# --- import -------------------------------------------------------------------------------


@login_required
def import_start(request: HttpRequest) -> HttpResponse:
    _require_view(request.user)
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.start_import(
                kind=form.cleaned_data["kind"], upload=form.cleaned_data["file"], user=request.user
            )
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return redirect("records:import_job", pk=job.pk)
    return render(request, "records/import_start.html", {"form": form})


def _job(request: HttpRequest, pk: int) -> ImportJob:
    return get_object_or_404(ImportJob, pk=pk, created_by=request.user)


@login_required
def import_job(request: HttpRequest, pk: int) -> HttpResponse:
    return render(request, "records/import_job.html", {"job": _job(request, pk)})


@login_required
def import_progress(request: HttpRequest, pk: int) -> HttpResponse:
    """Polled by the page: checks the next chunk of rows and reports progress."""
    job = imports.check_next_chunk(_job(request, pk), request.user)
    return render(request, "records/includes/import_progress.html", {"job": job})


@require_POST
@login_required
def import_commit(request: HttpRequest, pk: int) -> HttpResponse:
    job = _job(request, pk)
    try:
        count = actions.import_job_commit(job, acting_user=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("records:import_job", pk=job.pk)
    if count:
        messages.success(request, _("%(count)s rows were imported.") % {"count": count})
    else:
        messages.error(request, _("Nothing was imported: some rows failed."))
    return redirect("records:import_job", pk=job.pk)


__all__ = ["Contact"]
