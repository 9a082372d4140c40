"""Forms of the customer service pages (complaints, workflow steps, questions, service records)."""

from __future__ import annotations

import re

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import Department, User
from portal.core.bounds import BoundedModelChoiceField, IdFormField, parse_id
from portal.records.customers.models import Customer
from portal.records.deals.models import Deal
from portal.records.service.models import ServiceCase, ServiceCategory, ServiceRecord, Severity

CODE_PREFIX = re.compile(r"^\s*([A-Za-z]*\d{4,})\b")


def resolve_customer(text: str) -> Customer | None:
    """A live customer from what the lookup put in the box: "C202600012 · name", a code or the
    exact name."""
    text = (text or "").strip()
    if not text:
        return None
    if (pk := parse_id(text)) is not None:
        found = Customer.objects.filter(pk=pk).first()
        if found:
            return found
    match = CODE_PREFIX.match(text)
    if match:
        found = Customer.objects.filter(code__iexact=match.group(1)).first()
        if found:
            return found
    return Customer.objects.filter(name__iexact=text.split(" · ")[-1].strip()).first()


def _products():
    from portal.knowledge.models import ProductPage

    return ProductPage.objects.live().order_by("title")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "form-control"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class CustomerLookupMixin(forms.Form):
    customer = forms.CharField(
        label=_("Customer"),
        max_length=255,
        help_text=_("Type a name or code and pick the customer."),
        widget=forms.TextInput(attrs={"list": "customer-options", "autocomplete": "off"}),
    )

    def clean_customer(self) -> Customer:
        customer = resolve_customer(self.cleaned_data.get("customer", ""))
        if customer is None:
            raise forms.ValidationError(_("No customer with this name or code."))
        return customer


class ComplaintForm(CustomerLookupMixin):
    title = forms.CharField(label=_("Subject"), max_length=200)
    contact_name = forms.CharField(
        label=_("Contact"),
        max_length=100,
        required=False,
        widget=forms.TextInput(attrs={"list": "contact-options", "autocomplete": "off"}),
    )
    contact_phone = forms.CharField(label=_("Contact phone"), max_length=40, required=False)
    category = BoundedModelChoiceField(
        label=_("Category"), queryset=ServiceCategory.objects.all(), empty_label=None
    )
    severity = forms.ChoiceField(
        label=_("Severity"), choices=Severity.choices, initial=Severity.NORMAL
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=ServiceCase.Channel.choices)
    product = BoundedModelChoiceField(label=_("About product"), queryset=None, required=False)
    deal = forms.CharField(
        label=_("About deal (number)"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"list": "deal-options", "autocomplete": "off"}),
    )
    about_person = BoundedModelChoiceField(
        label=_("About person"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
    )
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}))
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_("Up to 5 files of 10 MB: PDF, images, Office documents, text, audio."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not ServiceCategory.objects.exists():
            from portal.records.service.actions import default_service_category

            default_service_category()  # the default categories, until administrators add theirs
        self.fields["product"].queryset = _products()
        for name, field in self.fields.items():
            if name != "attachments":
                css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
                field.widget.attrs.setdefault("class", css)

    def clean(self):
        data = super().clean()
        customer = data.get("customer")
        number = (data.get("deal") or "").split(" · ")[0].strip()
        data["deal"] = None
        if number and isinstance(customer, Customer):
            deal = Deal.objects.filter(number__iexact=number, customer=customer).first()
            if deal is None:
                self.add_error("deal", _("No deal with this number for this customer."))
            data["deal"] = deal
        return data


class StepForm(forms.Form):
    """Every workflow step's fields; the view passes on only those its step takes."""

    assessment = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    severity = forms.ChoiceField(required=False, choices=[("", "—"), *Severity.choices])
    department = BoundedModelChoiceField(queryset=Department.objects.all(), required=False)
    assignee = BoundedModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"), required=False
    )
    resolution = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    reason = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
    outcome = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    summary = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 3}))
    make_qa_draft = forms.BooleanField(required=False)
    qa_question = forms.CharField(required=False, max_length=255)
    note = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    STEP_FIELDS = {
        "assess": ("assessment", "severity"),
        "pre_approve": ("note",),
        "assign": ("department", "assignee", "note"),
        "propose": ("resolution",),
        "approve": ("note",),
        "send_back": ("reason",),
        "carry_out": ("outcome",),
        "summarise": ("summary", "make_qa_draft", "qa_question"),
        "close": ("note",),
        "urge": ("note",),
    }

    def arguments(self, step: str) -> dict:
        return {name: self.cleaned_data.get(name) for name in self.STEP_FIELDS[step]}


class SupportQuestionForm(CustomerLookupMixin):
    contact_name = forms.CharField(label=_("Asked by"), max_length=100, required=False)
    product = BoundedModelChoiceField(label=_("Product"), queryset=None, required=False)
    question = forms.CharField(
        label=_("Question"),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    answer = forms.CharField(
        label=_("Answer"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    qa_entry = IdFormField(required=False, widget=forms.HiddenInput)
    make_qa_draft = forms.BooleanField(
        label=_("Offer this answer to the Q&A bank as a draft for the editors"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = _products()
        for name, field in self.fields.items():
            if name in ("qa_entry", "make_qa_draft"):
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("Answer"), widget=forms.Textarea(attrs={"rows": 5}))
    qa_entry = IdFormField(required=False, widget=forms.HiddenInput)
    make_qa_draft = forms.BooleanField(
        label=_("Offer this answer to the Q&A bank as a draft for the editors"), required=False
    )


class EscalateForm(forms.Form):
    to_user = BoundedModelChoiceField(
        label=_("Technical person"),
        queryset=User.objects.filter(is_active=True).order_by("username"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    note = forms.CharField(label=_("Why"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ServiceRecordForm(CustomerLookupMixin):
    kind = forms.ChoiceField(label=_("Kind"), choices=ServiceRecord.Kind.choices)
    served_at = forms.DateTimeField(
        label=_("Time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )
    engineer = BoundedModelChoiceField(
        label=_("Engineer"), queryset=User.objects.filter(is_active=True).order_by("username")
    )
    content = forms.CharField(label=_("What was done"), widget=forms.Textarea(attrs={"rows": 3}))
    result = forms.CharField(
        label=_("Result"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    satisfaction = forms.TypedChoiceField(
        label=_("Satisfaction (1–5)"),
        choices=[("", "—"), *[(str(n), str(n)) for n in range(1, 6)]],
        coerce=int,
        empty_value=None,
        required=False,
    )
    feedback = forms.CharField(
        label=_("Customer feedback"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
