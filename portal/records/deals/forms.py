"""Forms of the deal pages (validation of input; the actions in actions/deals.py write)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.accounts import roles
from portal.accounts.models import User
from portal.core.bounds import (
    BoundedModelChoiceField,
    BoundedModelMultipleChoiceField,
    amount_form_field,
    parse_id,
)
from portal.core.widgets import SearchableSelectMultiple
from portal.records.customers.forms import Bootstrapped, _bootstrap
from portal.records.customers.models import Contact
from portal.records.customers.policy import customers_visible_to
from portal.records.customers.queries import name_contains
from portal.records.deals.actions import COMPETITOR_FIELDS
from portal.records.deals.models import (
    Activity,
    Contract,
    Deal,
    DealCompetitor,
    DealDocument,
    DealStage,
    OrderLine,
    Payment,
    PaymentInstallment,
)

DATE = {"type": "date"}
DATETIME = {"type": "datetime-local"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"


def _people(label) -> BoundedModelChoiceField:
    queryset = (
        User.objects.filter(is_active=True, groups__name__in=[roles.SALES, roles.MANAGERS])
        .distinct()
        .order_by("username")
    )
    return BoundedModelChoiceField(queryset=queryset, label=label)


def _products_queryset():
    from portal.knowledge.models import ProductPage

    return ProductPage.objects.live().order_by("title")


def _competitors_queryset():
    from portal.knowledge.models import CompetitorPage

    return CompetitorPage.objects.live().order_by("title")


def customers_matching(user: User, text: str) -> list:
    """The customers (that the user can see) a typed customer box means: a code, the picker's
    "code · name", or a name — exactly, else the one name containing it. At most two, so a
    caller can tell "one" from "ambiguous"."""
    text = (text or "").strip()
    if not text:
        return []
    visible = customers_visible_to(user)
    code = text.split(" · ", 1)[0].strip()
    by_code = list(visible.filter(code__iexact=code)[:1])
    if by_code:
        return by_code
    if (pk := parse_id(text)) is not None:
        by_pk = list(visible.filter(pk=pk)[:1])
        if by_pk:
            return by_pk
    exact = list(visible.filter(name__iexact=text)[:2])
    if exact:
        return exact
    return list(visible.filter(name_contains(text))[:2])


def resolve_deal_customer(user: User, text: str | None):
    matches = customers_matching(user, text or "")
    return matches[0] if len(matches) == 1 else None


class DealForm(forms.ModelForm):
    """Create and edit a deal; the customer is chosen by code (or preset from its page)."""

    customer_code = forms.CharField(
        label=_("customer"),
        max_length=240,
        help_text=_("Type the customer's name (or code) and pick it from the list."),
        widget=forms.TextInput(attrs={"list": "customer-options", "autocomplete": "off"}),
    )

    class Meta:
        model = Deal
        fields = [
            "name",
            "stage",
            "amount",
            "currency",
            "expected_close_date",
            "source",
            "opened_on",
            "contacts",
            "co_owners",
            "products",
            "notes",
        ]
        field_classes = {
            "stage": BoundedModelChoiceField,
            "contacts": BoundedModelMultipleChoiceField,
            "co_owners": BoundedModelMultipleChoiceField,
            "products": BoundedModelMultipleChoiceField,
        }
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 3}),
            "expected_close_date": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
            "opened_on": forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
            "contacts": forms.CheckboxSelectMultiple,
            "co_owners": SearchableSelectMultiple(attrs={"size": 4}),
            "products": SearchableSelectMultiple(attrs={"size": 5}),
        }

    def __init__(self, *args, user: User, customer=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.customer = customer or (self.instance.customer if self.instance.pk else None)
        if self.instance.pk:
            del self.fields["customer_code"]
        elif customer is not None:
            self.fields["customer_code"].initial = customer.code
            self.fields["source"].initial = customer.source
            self.fields["customer_code"].widget = forms.HiddenInput()
        self.fields["stage"].queryset = DealStage.objects.filter(is_active=True)
        self.fields["stage"].required = False
        if not self.instance.pk:
            self.fields["stage"].empty_label = None
            self.fields["stage"].initial = self.fields["stage"].queryset.first()
        self.fields["amount"].required = False
        self.fields["currency"].required = False
        self.fields["opened_on"].required = False
        if self.customer is None and self.is_bound and "customer_code" in self.fields:
            # Contacts are validated before the customer field; they belong to the customer typed.
            self.customer = resolve_deal_customer(
                user, self.data.get(self.add_prefix("customer_code"))
            )
        self.fields["contacts"].queryset = (
            Contact.objects.filter(customer=self.customer)
            if self.customer is not None
            else Contact.objects.none()
        )
        self.fields["co_owners"].queryset = _people(_("co-owners")).queryset
        self.fields["products"].queryset = _products_queryset()
        _bootstrap(self)
        self.fields["contacts"].widget.attrs["class"] = "form-check-input"
        if "customer_code" in self.fields:
            self.order_fields(["customer_code"])  # the customer first: the contacts follow it

    def customer_options(self):
        """A handful of the reader's own customers before anything is typed (the picker then
        asks `deal_customer_lookup` for every customer they can see)."""
        return (
            customers_visible_to(self.user)
            .filter(owner=self.user)
            .only("code", "name")
            .order_by("name")[:50]
        )

    def clean_customer_code(self):
        text = self.cleaned_data["customer_code"].strip()
        matches = customers_matching(self.user, text)
        if len(matches) > 1:
            raise forms.ValidationError(
                _("Several customers you can see match “%(text)s”: pick one from the list.")
                % {"text": text}
            )
        if not matches:
            raise forms.ValidationError(
                _("No customer you can see has this name or code: %(text)s") % {"text": text}
            )
        self.customer = matches[0]
        return text

    def action_data(self) -> dict:
        data = {
            name: self.cleaned_data.get(name)
            for name in (
                "name",
                "stage",
                "amount",
                "currency",
                "expected_close_date",
                "source",
                "opened_on",
                "notes",
            )
        }
        # Empty values go through: the action falls back to each field's default (and an
        # emptied expected close date is cleared).
        return data


class ActivityForm(forms.ModelForm):
    prefix = "activity"

    class Meta:
        model = Activity
        fields = ["kind", "status", "due_at", "subject", "participants", "outcome", "next_step"]
        widgets = {
            "due_at": forms.DateTimeInput(attrs=DATETIME, format=DATETIME_FORMAT),
            "outcome": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (Activity.Status.DONE, _("Done (log it)")),
            (Activity.Status.PLANNED, _("Planned")),
        ]
        _bootstrap(self)


class CompleteActivityForm(Bootstrapped, forms.Form):
    outcome = forms.CharField(
        label=_("outcome"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )
    next_step = forms.CharField(label=_("next step"), max_length=255, required=False)
    next_kind = forms.ChoiceField(
        label=_("next activity"), choices=[("", "—"), *Activity.Kind.choices], required=False
    )
    next_due_at = forms.DateTimeField(
        label=_("next activity at"),
        required=False,
        widget=forms.DateTimeInput(attrs=DATETIME, format=DATETIME_FORMAT),
    )

    def clean(self):
        data = super().clean()
        if data.get("next_kind") and not data.get("next_due_at"):
            self.add_error("next_due_at", _("Say when the next activity takes place."))
        return data


class ReminderForm(forms.Form):
    prefix = "reminder"

    due_at = forms.DateTimeField(
        label=_("time"), widget=forms.DateTimeInput(attrs=DATETIME, format=DATETIME_FORMAT)
    )
    subject = forms.CharField(label=_("subject"), max_length=200)
    people = BoundedModelMultipleChoiceField(
        queryset=User.objects.none(),
        label=_("people to remind"),
        required=False,
        help_text=_("Nobody chosen: only you."),
        widget=SearchableSelectMultiple(attrs={"size": 3}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["people"].queryset = User.objects.filter(is_active=True).order_by("username")
        _bootstrap(self)


class CompetitorForm(forms.ModelForm):
    prefix = "competitor"

    class Meta:
        model = DealCompetitor
        fields = list(COMPETITOR_FIELDS)
        field_classes = {"competitor": BoundedModelChoiceField}
        widgets = {
            "strategy": forms.Textarea(attrs={"rows": 2}),
            "strengths": forms.Textarea(attrs={"rows": 2}),
            "weaknesses": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["competitor"].queryset = _competitors_queryset()
        self.fields["competitor"].required = False
        self.fields["name"].required = False
        self.fields["name"].help_text = _("Leave empty to use the competitor page's title.")
        _bootstrap(self)

    def clean(self):
        data = super().clean()
        if not data.get("competitor") and not (data.get("name") or "").strip():
            self.add_error("name", _("Name the competitor or choose its page."))
        return data


class DocumentForm(Bootstrapped, forms.Form):
    prefix = "document"

    title = forms.CharField(label=_("title"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("kind"), choices=DealDocument.Kind.choices)
    file = forms.FileField(label=_("file"))
    note = forms.CharField(label=_("note"), max_length=255, required=False)


class NewVersionForm(Bootstrapped, forms.Form):
    file = forms.FileField(label=_("file"))
    note = forms.CharField(label=_("note"), max_length=255, required=False)


class CloseForm(Bootstrapped, forms.Form):
    prefix = "close"

    outcome = forms.ChoiceField(
        label=_("result"),
        choices=[
            (Deal.State.WON, _("Won")),
            (Deal.State.LOST, _("Lost")),
            (Deal.State.ABANDONED, _("Abandoned")),
        ],
    )
    closed_on = forms.DateField(
        label=_("closed on"),
        required=False,
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
    )
    reason = forms.CharField(
        label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}), required=False
    )


class HandoverForm(forms.Form):
    prefix = "handover"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_user"] = _people(_("new owner"))
        _bootstrap(self)


class HandoverAllForm(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["from_user"] = _people(_("leaving rep"))
        self.fields["to_user"] = _people(_("new owner"))
        self.fields["include_closed"] = forms.BooleanField(
            label=_("also lost, abandoned and completed deals"), required=False
        )
        _bootstrap(self)


class UrgeForm(Bootstrapped, forms.Form):
    prefix = "urge"

    message = forms.CharField(label=_("message"), widget=forms.Textarea(attrs={"rows": 2}))
    due_on = forms.DateField(
        label=_("answer by"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )


class AnswerForm(Bootstrapped, forms.Form):
    answer = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 2}))


class OrderLineForm(forms.Form):
    prefix = "line"

    product = BoundedModelChoiceField(
        queryset=None, label=_("product"), required=False, empty_label=_("(other item)")
    )
    description = forms.CharField(label=_("description"), max_length=200, required=False)
    quantity = amount_form_field(OrderLine, "quantity", label=_("quantity"), min_value=0)
    unit_price = amount_form_field(OrderLine, "unit_price", label=_("unit price"), min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["product"].queryset = _products_queryset()
        _bootstrap(self)


class ContractForm(forms.Form):
    prefix = "contract"

    number = forms.CharField(label=_("contract number"), max_length=60)
    signed_on = forms.DateField(
        label=_("signed on"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    starts_on = forms.DateField(
        label=_("starts on"),
        required=False,
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
    )
    ends_on = forms.DateField(
        label=_("ends on"), required=False, widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    amount = amount_form_field(Contract, "amount", label=_("contract amount"), min_value=0)
    document = BoundedModelChoiceField(
        queryset=DealDocument.objects.none(), label=_("contract file"), required=False
    )

    def __init__(self, *args, deal=None, **kwargs):
        super().__init__(*args, **kwargs)
        if deal is not None:
            self.fields["document"].queryset = deal.documents.all()
        _bootstrap(self)


class DeliveryForm(Bootstrapped, forms.Form):
    prefix = "delivery"

    description = forms.CharField(label=_("description"), max_length=200)
    planned_on = forms.DateField(
        label=_("planned for"),
        required=False,
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
    )
    delivered_on = forms.DateField(
        label=_("delivered on"),
        required=False,
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
    )


class InstallmentForm(Bootstrapped, forms.Form):
    prefix = "plan"

    due_on = forms.DateField(
        label=_("due on"), widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d")
    )
    amount = amount_form_field(PaymentInstallment, "amount", label=_("amount"), min_value=0)
    note = forms.CharField(label=_("note"), max_length=200, required=False)


class PaymentForm(forms.Form):
    prefix = "payment"

    amount = amount_form_field(Payment, "amount", label=_("amount"), min_value=0)
    received_on = forms.DateField(
        label=_("received on"),
        required=False,
        widget=forms.DateInput(attrs=DATE, format="%Y-%m-%d"),
    )
    installment = BoundedModelChoiceField(queryset=None, label=_("for plan entry"), required=False)
    reference = forms.CharField(label=_("reference"), max_length=100, required=False)

    def __init__(self, *args, deal=None, **kwargs):
        super().__init__(*args, **kwargs)
        from portal.records.deals.models import PaymentInstallment

        self.fields["installment"].queryset = (
            deal.installments.all() if deal is not None else PaymentInstallment.objects.none()
        )
        _bootstrap(self)


class DealMessageForm(forms.Form):
    """Mail the deal's contacts or fax its customer, with a deal document or an upload."""

    prefix = "message"

    channel = forms.ChoiceField(
        label=_("send as"),
        choices=[("fax", _("Fax to the customer")), ("mail", _("E-mail to the deal's contacts"))],
    )
    document = forms.TypedChoiceField(
        label=_("deal document"), coerce=int, required=False, empty_value=None
    )
    upload = forms.FileField(
        label=_("or upload a file"),
        required=False,
        help_text=_("A fax carries a PDF only."),
    )
    subject = forms.CharField(label=_("subject"), max_length=200)
    body = forms.CharField(
        label=_("message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, documents=(), **kwargs):
        """`documents`: (id, title) of the deal's documents; their latest version is sent."""
        super().__init__(*args, **kwargs)
        self.fields["document"].choices = [("", _("No document")), *documents]
        _bootstrap(self)
