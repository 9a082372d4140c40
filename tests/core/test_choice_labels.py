"""``get_<field>_display()`` translates only the label it returns (ADR 0426)."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.utils import translation

from portal.core.models import ChoiceLabels
from portal.records.models import Customer


def project_models_with_choices():
    return [
        model
        for model in apps.get_models()
        if model.__module__.startswith("portal.")
        and any(field.choices for field in model._meta.concrete_fields)
    ]


def test_every_project_model_with_choices_has_the_fast_display():
    slow = [m.__name__ for m in project_models_with_choices() if not issubclass(m, ChoiceLabels)]
    assert project_models_with_choices(), "no model with choices found: the check would pass"
    assert slow == []


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_same_labels_as_djangos_own_for_every_choice_and_for_unknown_values(language):
    field = Customer._meta.get_field("industry")
    with translation.override(language):
        for value, _label in field.flatchoices:
            customer = Customer(industry=value)
            # Django's implementation, called on the same instance, is the reference.
            assert customer.get_industry_display() == super(
                ChoiceLabels, customer
            )._get_FIELD_display(field)
        assert Customer(industry="no-such-value").get_industry_display() == "no-such-value"
    with translation.override("zh-hans"):
        first_value, first_label = field.flatchoices[1]
        assert Customer(industry=first_value).get_industry_display() == str(first_label)
        assert str(first_label) != first_value


def test_one_catalogue_lookup_per_label_shown(monkeypatch):
    from django.utils.translation import trans_real

    calls = []
    original = trans_real.gettext

    def counting(message):
        calls.append(message)
        return original(message)

    # Lazy labels call translation.gettext, which asks the active backend (``_trans``).
    monkeypatch.setattr(translation._trans, "gettext", counting, raising=False)
    customer = Customer(industry=Customer._meta.get_field("industry").flatchoices[-1][0])
    with translation.override("zh-hans"):
        calls.clear()
        customer.get_industry_display()
    assert len(calls) == 1
    calls.clear()
    with translation.override("zh-hans"):
        super(ChoiceLabels, customer)._get_FIELD_display(customer._meta.get_field("industry"))
    assert len(calls) > 1, "Django's own display no longer translates every label: drop the base"
