"""Form widgets shared by the apps: the searchable multi-select (static/core/multiselect.js)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _


class SearchableSelectMultiple(forms.SelectMultiple):
    """A plain <select multiple> that `core/multiselect.js` turns into chosen items and a text
    box filtering the options; the words the script shows come translated from here."""

    def __init__(self, attrs=None, choices=()):
        attrs = {"size": 4, **(attrs or {})}
        super().__init__(attrs, choices)

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["attrs"].update(
            {
                "data-multiselect": "",
                "data-placeholder": str(_("Type to search")),
                # "%s" is the chosen item's name, put in by the script
                "data-remove-label": str(_("Remove %s")),
                "data-no-matches": str(_("No matches")),
                "data-chosen-label": str(_("Chosen")),
            }
        )
        return context
