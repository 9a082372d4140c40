"""Customer service pages: complaints and their steps, support questions, service records,
statistics, and the panels on customer and deal pages."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Model, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from portal.accounts.models import Department, User
from portal.core import audit
from portal.core.bounds import parse_id
from portal.core.dashboard import Panel
from portal.core.forms import form_errors
from portal.knowledge.permissions import is_knowledge_editor
from portal.records.customers.models import Contact, Customer
from portal.records.customers.policy import contacts_visible_to, customers_visible_to
from portal.records.customers.queries import name_contains
from portal.records.deals.policy import deals_visible_to
from portal.records.service import actions
from portal.records.service import statistics as statistics_service
from portal.records.service.forms import (
    AnswerForm,
    ComplaintForm,
    EscalateForm,
    ServiceRecordForm,
    StepForm,
    SupportQuestionForm,
    resolve_customer,
)
from portal.records.service.models import ServiceCase, ServiceCategory, SupportQuestion
from portal.records.service.policy import (
    access_case,
    access_question,
    cases_visible_to,
    is_responsible,
    is_service_desk,
    may_register,
    may_use_service,
    questions_visible_to,
    records_visible_to,
    whose_turn,
)
from portal.records.service.queries import PAGE_SIZE, CaseFilters, filtered_cases, qa_suggestions
from portal.records.service.wording import step_confirmation

STEP_LABELS = {
    "assess": gettext_lazy("Assess"),
    "pre_approve": gettext_lazy("Approve for assignment"),
    "assign": gettext_lazy("Assign"),
    "propose": gettext_lazy("Propose a resolution"),
    "approve": gettext_lazy("Approve the resolution"),
    "send_back": gettext_lazy("Send back"),
    "carry_out": gettext_lazy("Carried out"),
    "summarise": gettext_lazy("Write the summary"),
    "close": gettext_lazy("Close"),
    "urge": gettext_lazy("Urge"),
}


def _require_service(user: User) -> None:
    if not may_use_service(user):
        raise PermissionDenied(_("You do not have access to customer service."))


def _run(request: HttpRequest, act: Callable[[], Any], success: str = "") -> None:
    """Run one action for a POST button: its refusal (PermissionDenied, ValidationError) shown
    as messages, else `success`."""
    try:
        act()
    except (PermissionDenied, ValidationError) as exc:
        for message in getattr(exc, "messages", [str(exc)]):
            messages.error(request, message)
    else:
        if success:
            messages.success(request, success)


def _create(
    request: HttpRequest,
    form: forms.Form,
    act: Callable[[dict], Model],
    success: Callable[[Any], str],
    template: str,
) -> HttpResponse:
    """A "new …" page: on a valid POST run `act` on (a copy of) the form's data and go to what
    it made; its refusal (ValidationError) shows on the form."""
    if request.method == "POST" and form.is_valid():
        try:
            made = act(dict(form.cleaned_data))
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(request, success(made))
            return redirect(made)
    return render(request, template, {"form": form})


# --- complaints -----------------------------------------------------------------------------


@login_required
def service_case_list(request: HttpRequest) -> HttpResponse:
    _require_service(request.user)
    filters = CaseFilters.from_query(request.GET)
    paginator = Paginator(filtered_cases(request.user, filters), PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    context = {
        "page": page,
        "cases": list(page.object_list),
        "filters": filters,
        "query": filters.as_query(),
        "categories": ServiceCategory.objects.all(),
        "statuses": ServiceCase.Status.choices,
        "severities": ServiceCase._meta.get_field("severity").choices,
        "views": [
            ("all", _("All")),
            ("mine", _("My open cases")),
            ("department", _("My department's")),
            ("overdue", _("Overdue")),
            ("open", _("Open")),
            ("closed", _("Closed")),
        ],
        # Named only when the reader may see the customer: any id must not print a name.
        "filter_customer": (
            customers_visible_to(request.user).filter(pk=customer_id).only("name").first()
            if (customer_id := parse_id(filters.customer)) is not None
            else None
        ),
        "may_register": may_register(request.user),
        "now": timezone.now(),
    }
    return render(request, "records/service_case_list.html", context)


@login_required
def service_case_create(request: HttpRequest) -> HttpResponse:
    if not may_register(request.user):
        raise PermissionDenied(_("Registering complaints needs service → register."))
    initial = {}
    preset = request.GET.get("customer", "")
    if (preset_id := parse_id(preset)) is not None:
        customer = Customer.objects.filter(pk=preset_id).first()
        if customer:
            initial["customer"] = f"{customer.code} · {customer.name}"
            initial["deal"] = request.GET.get("deal", "")[:40]
    form = ComplaintForm(request.POST or None, request.FILES or None, initial=initial)

    def register(data: dict) -> ServiceCase:
        customer = data.pop("customer")
        contact = Contact.objects.filter(
            customer=customer, name=(data.get("contact_name") or "").strip()
        ).first()
        return actions.register_complaint(
            acting_user=request.user, customer=customer, contact=contact, **data
        )

    return _create(
        request,
        form,
        register,
        lambda case: _("Complaint %(number)s was registered.") % {"number": case.number},
        "records/service_case_form.html",
    )


def _step_forms(request: HttpRequest, case: ServiceCase, steps: list[str]) -> list[dict]:
    departments = Department.objects.all()
    people = User.objects.filter(is_active=True).order_by("username")
    return [
        {
            "name": step,
            "label": (
                gettext_lazy("Reassign")
                if step == "assign" and case.status == ServiceCase.Status.ASSIGNED
                else STEP_LABELS[step]
            ),
            "fields": StepForm.STEP_FIELDS[step],
            "departments": departments if step == "assign" else None,
            "people": people if step == "assign" else None,
        }
        for step in steps
    ]


@login_required
def service_case_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_service(request.user)
    case = access_case(request.user, pk)
    steps = actions.available_steps(request.user, case)
    context = {
        "case": case,
        "steps_log": case.steps.select_related("actor").order_by("at", "pk"),
        "attachments": case.attachments.all(),
        "step_forms": _step_forms(request, case, steps),
        "severities": ServiceCase._meta.get_field("severity").choices,
        "may_attach": case.is_open
        and (is_service_desk(request.user, case) or is_responsible(request.user, case)),
        "customer_visible": customers_visible_to(request.user).filter(pk=case.customer_id).exists(),
        "waiting_for": User.objects.filter(pk__in=whose_turn(case)).order_by("username")
        if case.is_open
        else [],
        "is_editor": is_knowledge_editor(request.user),
        "now": timezone.now(),
    }
    return render(request, "records/service_case_detail.html", context)


@login_required
@require_POST
def service_case_step(request: HttpRequest, pk: int, step: str) -> HttpResponse:
    _require_service(request.user)
    case = access_case(request.user, pk)
    action = actions.STEP_ACTIONS.get(step)
    if action is None:
        raise Http404("No such step.")
    form = StepForm(request.POST)
    form.is_valid()
    status_before = case.status
    arguments = {k: v for k, v in form.arguments(step).items() if v not in (None,)}
    try:
        action(case, acting_user=request.user, **arguments)
    except PermissionDenied as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        labels = {
            "assessment": _("Assessment"),
            "resolution": _("Proposed resolution"),
            "reason": _("Reason for sending it back"),
            "outcome": _("What was done"),
            "summary": _("Summary"),
            "department": _("Responsible department"),
            "assignee": _("responsible person"),
            "qa_question": _("Question for the Q&A entry"),
        }
        if hasattr(exc, "error_dict"):
            for field, errors in exc.message_dict.items():
                for message in errors:
                    label = labels.get(field)
                    messages.error(request, f"{label}: {message}" if label else message)
        else:
            for message in exc.messages:
                messages.error(request, message)
    else:
        messages.success(request, step_confirmation(step, case, was=status_before))
    target = request.GET.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)  # from My tasks: back to the list the step was taken from
    return redirect(case)


@login_required
@require_POST
def service_case_attach(request: HttpRequest, pk: int) -> HttpResponse:
    _require_service(request.user)
    case = access_case(request.user, pk)
    files = request.FILES.getlist("attachments")
    _run(request, lambda: actions.add_attachments(case, files, acting_user=request.user))
    return redirect(case)


@login_required
def service_attachment(request: HttpRequest, pk: int, attachment_pk: int) -> FileResponse:
    """Files are served only to people who may see the case, never from a public URL."""
    _require_service(request.user)
    case = access_case(request.user, pk)
    attachment = case.attachments.filter(pk=attachment_pk).first()
    if attachment is None:
        raise Http404("No such file.")
    inline = attachment.content_type.startswith("image/") or attachment.content_type == (
        "application/pdf"
    )
    response = FileResponse(
        attachment.file.open("rb"),
        as_attachment=not inline,
        filename=attachment.name,
        content_type=attachment.content_type or "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


@login_required
def service_customer_lookup(request: HttpRequest) -> HttpResponse:
    """HTMX: datalist options for the customer box (the service desk may pick any customer)."""
    if not may_register(request.user):
        raise PermissionDenied
    text = request.GET.get("customer", "").strip()
    customers = []
    if len(text) >= 1:
        customers = list(
            Customer.objects.filter(name_contains(text)).only("code", "name").order_by("name")[:15]
        ) or list(
            Customer.objects.filter(code__istartswith=text)
            .only("code", "name")
            .order_by("code")[:15]
        )
    return render(
        request, "records/includes/service_customer_options.html", {"customers": customers}
    )


@login_required
def service_customer_details(request: HttpRequest) -> HttpResponse:
    """HTMX: the chosen customer's details, contacts and deals come along into the form."""
    if not may_register(request.user):
        raise PermissionDenied
    customer = resolve_customer(request.GET.get("customer", ""))
    # The desk registers a complaint for any customer who calls, but contacts and deals come
    # along only as far as the desk person may see them (the policies decide).
    contacts = (
        list(contacts_visible_to(request.user).filter(customer=customer)[:50]) if customer else []
    )
    deals = (
        list(deals_visible_to(request.user).filter(customer=customer).order_by("-pk")[:30])
        if customer
        else []
    )
    return render(
        request,
        "records/includes/service_customer_details.html",
        {
            "customer": customer,
            "customer_visible": bool(customer)
            and customers_visible_to(request.user).filter(pk=customer.pk).exists(),
            "contacts": contacts,
            "deals": deals,
        },
    )


def _page_of(request: HttpRequest, queryset: QuerySet, *ordering: str) -> Page:
    """The requested page of a list, in `ordering`; `?customer=<id>` keeps one customer's."""
    if (customer_id := parse_id(request.GET.get("customer"))) is not None:
        queryset = queryset.filter(customer_id=customer_id)
    return Paginator(queryset.order_by(*ordering), PAGE_SIZE).get_page(request.GET.get("page"))


# --- support questions ----------------------------------------------------------------------


@login_required
def support_question_list(request: HttpRequest) -> HttpResponse:
    _require_service(request.user)
    queryset = questions_visible_to(request.user).select_related(
        "customer", "qa_entry", "answered_by", "escalated_to", "created_by"
    )
    status = request.GET.get("status", "")
    if status in SupportQuestion.Status.values:
        queryset = queryset.filter(status=status)
    page = _page_of(request, queryset, "-asked_at", "-pk")
    return render(
        request,
        "records/service_question_list.html",
        {
            "page": page,
            "questions": list(page.object_list),
            "status": status,
            "query": f"status={status}" if status else "",
            "statuses": SupportQuestion.Status.choices,
            "may_register": may_register(request.user),
        },
    )


@login_required
def support_question_create(request: HttpRequest) -> HttpResponse:
    if not may_register(request.user):
        raise PermissionDenied(_("Registering questions needs service → register."))
    form = SupportQuestionForm(request.POST or None)

    def record(data: dict) -> SupportQuestion:
        entry = actions.create_support_question(
            acting_user=request.user,
            customer=data["customer"],
            question=data["question"],
            contact_name=data.get("contact_name", ""),
            product=data.get("product"),
        )
        if (data.get("answer") or "").strip():
            actions.answer_support_question(
                entry,
                acting_user=request.user,
                answer=data["answer"],
                qa_entry_id=data.get("qa_entry"),
                make_qa_draft=data.get("make_qa_draft", False),
            )
        return entry

    return _create(
        request,
        form,
        record,
        lambda entry: _("The question was recorded."),
        "records/service_question_form.html",
    )


@login_required
def support_question_detail(request: HttpRequest, pk: int) -> HttpResponse:
    _require_service(request.user)
    entry = access_question(request.user, pk)
    may_answer = entry.status != SupportQuestion.Status.ANSWERED and (
        may_register(request.user) or entry.escalated_to_id == request.user.pk
    )
    return render(
        request,
        "records/service_question_detail.html",
        {
            "entry": entry,
            "may_answer": may_answer,
            "answer_form": AnswerForm(),
            "escalate_form": EscalateForm(),
            "history": audit.history(entry)[:20],
        },
    )


def _question_step(
    request: HttpRequest,
    pk: int,
    form_class: type[forms.Form],
    missing: str,
    act: Callable[[SupportQuestion, dict], Any],
    success: str,
) -> HttpResponse:
    """A button on a question's page: its form, then the action (`_run`), back to the page."""
    _require_service(request.user)
    entry = access_question(request.user, pk)
    form = form_class(request.POST)
    if form.is_valid():
        _run(request, lambda: act(entry, form.cleaned_data), success)
    else:
        messages.error(request, missing)
    return redirect(entry)


@login_required
@require_POST
def support_question_answer(request: HttpRequest, pk: int) -> HttpResponse:
    return _question_step(
        request,
        pk,
        AnswerForm,
        _("Write the answer first."),
        lambda entry, data: actions.answer_support_question(
            entry,
            acting_user=request.user,
            answer=data["answer"],
            qa_entry_id=data.get("qa_entry"),
            make_qa_draft=data.get("make_qa_draft", False),
        ),
        _("The answer was recorded."),
    )


@login_required
@require_POST
def support_question_escalate(request: HttpRequest, pk: int) -> HttpResponse:
    return _question_step(
        request,
        pk,
        EscalateForm,
        _("Choose the technical person."),
        lambda entry, data: actions.escalate_support_question(
            entry, acting_user=request.user, to_user=data["to_user"], note=data.get("note", "")
        ),
        _("The question was escalated."),
    )


@login_required
def qa_suggest(request: HttpRequest) -> HttpResponse:
    """HTMX, while the question is typed: the Q&A bank's best matches, each insertable."""
    _require_service(request.user)
    text = request.GET.get("question", "")[:2000]
    entries = qa_suggestions(request.user, text)
    return render(
        request,
        "records/includes/service_qa_suggestions.html",
        {"entries": entries, "text": text},
    )


# --- service records ------------------------------------------------------------------------


@login_required
def service_record_list(request: HttpRequest) -> HttpResponse:
    _require_service(request.user)
    queryset = records_visible_to(request.user).select_related("customer", "engineer", "case")
    page = _page_of(request, queryset, "-served_at", "-pk")
    return render(
        request,
        "records/service_record_list.html",
        {
            "page": page,
            "records": list(page.object_list),
            "may_register": may_register(request.user),
        },
    )


@login_required
def service_record_create(request: HttpRequest) -> HttpResponse:
    if not may_register(request.user):
        raise PermissionDenied(_("Recording service needs service → register."))
    initial = {
        "served_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "engineer": request.user,
    }
    preset = request.GET.get("customer", "")
    preset_id = parse_id(preset)
    if preset_id is not None and (customer := Customer.objects.filter(pk=preset_id).first()):
        initial["customer"] = f"{customer.code} · {customer.name}"
    form = ServiceRecordForm(request.POST or None, initial=initial)
    return _create(
        request,
        form,
        lambda data: actions.create_service_record(acting_user=request.user, **data),
        lambda record: _("The service record was saved."),
        "records/service_record_form.html",
    )


# --- statistics -----------------------------------------------------------------------------


@login_required
def service_statistics(request: HttpRequest) -> HttpResponse:
    _require_service(request.user)
    data = statistics_service.compute(request.user)
    return render(request, "records/service_statistics.html", data)


@login_required
def service_statistics_export(request: HttpRequest) -> HttpResponse:
    _require_service(request.user)
    table = request.GET.get("table", "category")
    if table not in statistics_service.TABLES:
        raise Http404("No such table.")
    return statistics_service.csv_response(request.user, table)


# --- panels on customer and deal pages ------------------------------------------------------


def related_cases_panel(request: HttpRequest, obj) -> Panel | None:
    """The service cases of a customer or deal, as the reader may see them."""
    user = request.user
    if not may_use_service(user):
        return None
    field = "deal" if obj._meta.model_name == "deal" else "customer"
    cases = list(
        cases_visible_to(user)
        .filter(**{field: obj})
        .select_related("category")
        .order_by("-created_at", "-pk")[:8]
    )
    customer_id = obj.pk if field == "customer" else getattr(obj, "customer_id", None)
    return Panel(
        "records/includes/service_related_panel.html",
        {
            "cases": cases,
            "field": field,
            "obj": obj,
            "customer_id": customer_id,
            "may_register": may_register(user),
            "now": timezone.now(),
        },
        order=40,
    )


def my_cases_panel(request: HttpRequest) -> Panel | None:
    """Dashboard: the open complaints a person registered or is responsible for."""
    user = request.user
    if not may_use_service(user):
        return None
    filters = CaseFilters(view="mine")
    cases = list(filtered_cases(user, filters)[:6])
    if not cases and not may_register(user):
        return None
    return Panel(
        "records/includes/service_dashboard_panel.html",
        {"cases": cases, "now": timezone.now(), "may_register": may_register(user)},
        order=30,
    )
