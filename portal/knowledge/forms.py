"""Forms of the knowledge tools: assigning an onboarding path."""

from django import forms
from django.utils.translation import gettext_lazy as _

from portal.accounts.models import User

from .models import OnboardingPath


class AssignPathForm(forms.Form):
    path = forms.ModelChoiceField(
        OnboardingPath.objects.all(),
        label=_("Onboarding path"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    user = forms.ModelChoiceField(
        User.objects.filter(is_active=True).select_related("department"),
        label=_("Person"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    due_on = forms.DateField(
        label=_("Due on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date", "class": "form-control"}),
    )
