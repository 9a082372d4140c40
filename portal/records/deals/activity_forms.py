"""The form to log or plan an activity — or book an appointment — on a customer, with or
without one of its deals (decision 1001)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from portal.accounts.models import User
from portal.core.bounds import BoundedModelChoiceField, BoundedModelMultipleChoiceField
from portal.core.widgets import SearchableSelectMultiple
from portal.records.customers.forms import _bootstrap
from portal.records.deals.models import Activity, Deal

from .forms import DATETIME, DATETIME_FORMAT

REMIND_CHOICES = [
    ("", pgettext_lazy("reminder", "No reminder")),
    ("0", _("When it starts")),
    ("15", _("15 minutes before")),
    ("60", _("1 hour before")),
    ("1440", _("1 day before")),
]


class CustomerActivityForm(forms.ModelForm):
    prefix = "activity"

    deal = BoundedModelChoiceField(
        queryset=Deal.objects.none(),
        label=_("deal"),
        required=False,
        empty_label=_("— no deal —"),
    )
    attendees = BoundedModelMultipleChoiceField(
        queryset=User.objects.none(),
        label=_("colleagues invited"),
        required=False,
        widget=SearchableSelectMultiple(attrs={"size": 4}),
    )
    remind = forms.TypedChoiceField(
        label=_("reminder"),
        choices=REMIND_CHOICES,
        coerce=int,
        empty_value=None,
        required=False,
    )

    class Meta:
        model = Activity
        fields = [
            "kind",
            "status",
            "due_at",
            "ends_at",
            "subject",
            "place",
            "deal",
            "contacts",
            "attendees",
            "outcome",
        ]
        field_classes = {"contacts": BoundedModelMultipleChoiceField}
        widgets = {
            "due_at": forms.DateTimeInput(attrs=DATETIME, format=DATETIME_FORMAT),
            "ends_at": forms.DateTimeInput(attrs=DATETIME, format=DATETIME_FORMAT),
            "outcome": forms.Textarea(attrs={"rows": 2}),
            "contacts": SearchableSelectMultiple(attrs={"size": 3}),
        }

    def __init__(self, *args, customer, deals, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["status"].choices = [
            (Activity.Status.DONE, _("Done (log it)")),
            (Activity.Status.PLANNED, _("Planned")),
        ]
        self.fields["deal"].queryset = deals
        self.fields["contacts"].queryset = customer.contacts.order_by("name")
        self.fields["contacts"].required = False
        self.fields["attendees"].queryset = User.objects.filter(is_active=True).order_by("username")
        self.fields["ends_at"].help_text = _("Appointments: when it ends.")
        self.fields["place"].help_text = _("Appointments: where.")
        _bootstrap(self)

    def clean(self):
        data = super().clean()
        if data.get("status") == Activity.Status.PLANNED and data.get("remind") is not None:
            if data.get("due_at") is None:
                self.add_error("due_at", _("Say when it takes place."))
        return data
