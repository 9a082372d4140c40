"""The search form: the query, an optional kind, the sort and the page."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from .backends.base import SORTS


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=500, required=False)
    type = forms.CharField(label=_("Type"), max_length=40, required=False)
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[("relevance", _("Relevance")), ("date", _("Newest first"))],
    )
    page = forms.IntegerField(
        label=pgettext_lazy("pagination", "Page"), min_value=1, max_value=10000, required=False
    )

    def options(self) -> dict:
        data = self.cleaned_data
        return {
            "text": data.get("q") or "",
            "kinds": [data["type"]] if data.get("type") else None,
            "sort": data.get("sort") if data.get("sort") in SORTS else "relevance",
            "page": data.get("page") or 1,
        }
