"""Forms of the customer pages (validation of input; the actions do the writing)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.accounts import roles
from portal.accounts.models import Department, User
from portal.records.customers.actions import CONTACT_FIELDS, CUSTOMER_FIELDS
from portal.records.customers.labels import SHEETS
from portal.records.customers.models import Contact, Customer, ImportJob


def _bootstrap(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select | forms.SelectMultiple):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class Bootstrapped:
    """Mixin for a form whose fields all wear Bootstrap's classes (`_bootstrap`) once built; a
    form that changes its fields in `__init__` calls `_bootstrap` itself after that."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        _bootstrap(self)


def reps() -> forms.ModelChoiceField:
    queryset = (
        User.objects.filter(is_active=True, groups__name__in=[roles.SALES, roles.MANAGERS])
        .distinct()
        .order_by("username")
    )
    return forms.ModelChoiceField(queryset=queryset, label=_("owner"))


class CustomerForm(forms.ModelForm):
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Customer
        fields = list(CUSTOMER_FIELDS)
        widgets = {"notes": forms.Textarea(attrs={"rows": 3}), "address": forms.TextInput()}

    def __init__(self, *args, with_owner: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["category"].required = False
        self.fields["category"].empty_label = _("Potential customer (default)")
        if with_owner:
            self.fields["owner"] = reps()
            self.fields["owner"].required = False
            self.fields["owner"].help_text = _("Leave empty to own it yourself.")
        self.fields["allow_duplicate"] = forms.BooleanField(
            required=False,
            label=_("Create it anyway, it is a different customer"),
            widget=forms.HiddenInput(),
        )
        _bootstrap(self)


class ContactForm(Bootstrapped, forms.ModelForm):
    class Meta:
        model = Contact
        fields = list(CONTACT_FIELDS)
        widgets = {
            "notes": forms.Textarea(attrs={"rows": 2}),
            "birthday": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


class ShareForm(Bootstrapped, forms.Form):
    user = forms.ModelChoiceField(
        queryset=User.objects.filter(is_active=True).order_by("username"),
        required=False,
        label=_("colleague"),
    )
    department = forms.ModelChoiceField(
        queryset=Department.objects.all(), required=False, label=_("or a department")
    )
    can_edit = forms.BooleanField(required=False, label=_("may edit"))

    def clean(self):
        data = super().clean()
        if bool(data.get("user")) == bool(data.get("department")):
            raise forms.ValidationError(_("Choose either a colleague or a department."))
        return data


class TransferForm(forms.Form):
    def __init__(self, *args, owners: list[User] | None = None, **kwargs):
        """`owners`: the reps already read for the page (the list's owner filter), so that
        rendering the form asks the database for them no second time; validation still
        checks against the query."""
        super().__init__(*args, **kwargs)
        field = self.fields["to_user"] = reps()
        field.label = _("new owner")
        if owners is not None:
            field.choices = [("", field.empty_label)] + [
                (user.pk, field.label_from_instance(user)) for user in owners
            ]
        _bootstrap(self)


class PurgeForm(Bootstrapped, forms.Form):
    confirm = forms.CharField(label=_("Type the customer code to confirm"))


class ImportForm(Bootstrapped, forms.Form):
    kind = forms.ChoiceField(choices=ImportJob.Kind.choices, label=_("What the file holds"))
    file = forms.FileField(label=_("File (.csv or .xlsx)"))


class LabelsForm(Bootstrapped, forms.Form):
    sheet = forms.ChoiceField(
        choices=[(s.key, s.label) for s in SHEETS.values()], label=_("label sheet")
    )


class MailForm(Bootstrapped, forms.Form):
    subject = forms.CharField(max_length=200, label=_("subject"))
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), label=_("message"))


class FaxForm(Bootstrapped, forms.Form):
    subject = forms.CharField(max_length=200, label=_("subject"))
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        label=_("cover note"),
        help_text=_("Sent with the document; most gateways print it as the cover page."),
    )
    document = forms.FileField(
        label=_("document (PDF)"),
        required=False,  # the action says what is missing, under this field
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,.pdf"}),
    )
