"""portal.core.bounds: ids, page numbers and amounts that fit the database."""

from __future__ import annotations

import decimal

import pytest
from django import forms
from django.db import connection
from rest_framework import serializers

from portal.core import bounds
from portal.knowledge.models import ProductPage


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", 1),
        (" 42 ", 42),
        (str(2**63 - 1), 2**63 - 1),
        (str(2**63), None),
        ("9" * 40, None),
        ("0", None),
        ("-1", None),
        ("+1", None),
        ("1.0", None),
        ("١٢", None),  # Arabic-Indic digits: isdigit() says yes, the database would not
        ("", None),
        (None, None),
    ],
)
def test_parse_id(raw, expected):
    assert bounds.parse_id(raw) == expected


def test_page_number_never_overflows_an_offset():
    assert bounds.page_number("abc", 25) == 1
    assert bounds.page_number("3", 25) == 3
    assert bounds.page_number("-2", 25) == 1
    for huge in [str(2**63), "9" * 40, str(2**62)]:
        page = bounds.page_number(huge, 25)
        assert page > 1 and page * 25 <= bounds.MAX_ID


def test_id_param_names_the_field():
    with pytest.raises(serializers.ValidationError) as caught:
        bounds.id_param({"topic": str(2**64)}, "topic")
    assert "topic" in caught.value.detail
    assert bounds.id_param({}, "topic") is None
    assert bounds.id_param({"after": "0"}, "after", minimum=0) == 0


def test_the_id_error_is_in_the_users_language():
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(serializers.ValidationError) as caught:
        bounds.id_param({"topic": "x"}, "topic")
    assert "Enter a whole number" not in str(caught.value.detail["topic"][0])


def test_amount_form_field_takes_the_columns_bounds():
    field = bounds.amount_form_field(ProductPage, "list_price", required=False)
    assert (field.max_digits, field.decimal_places) == (12, 2)
    for hostile in ["1e309", "1e26", "9.2e18", "NaN", "Infinity", "1" * 11]:
        with pytest.raises(forms.ValidationError):
            field.clean(hostile)
    assert field.clean("9999999999.99") == decimal.Decimal("9999999999.99")
    serializer_field = bounds.amount_serializer_field(ProductPage, "list_price")
    with pytest.raises(serializers.ValidationError):
        serializer_field.run_validation("1e26")


def test_bounded_decimal_field_refuses_what_the_column_cannot_hold():
    field = ProductPage._meta.get_field("list_price")
    with pytest.raises(forms.ValidationError):
        field.run_validators(decimal.Decimal("1e26"))
    field.run_validators(decimal.Decimal("9999999999.99"))
    assert bounds.decimal_bound(12, 2) == decimal.Decimal("9999999999.99")


@pytest.mark.django_db
@pytest.mark.parametrize("stored", [1e26, 9.2e18, float("inf")])
def test_a_stored_out_of_range_amount_reads_back_without_an_error(people, stored):
    from wagtail.models import Page

    root = Page.get_first_root_node()
    product = ProductPage(
        title="Widget", slug="widget", product_line="terminals", list_price=decimal.Decimal("10.00")
    )
    root.add_child(instance=product)
    if connection.vendor != "sqlite":
        pytest.skip("only SQLite stores a value its column cannot hold")
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE knowledge_productpage SET list_price = %s WHERE page_ptr_id = %s",
            [stored, product.pk],
        )
    read = ProductPage.objects.get(pk=product.pk).list_price
    assert read is not None
    assert not bounds.is_sane_amount(read) or read > bounds.decimal_bound(12, 2)


@pytest.mark.django_db
@pytest.mark.parametrize("posted", [str(2**63), "9" * 40, "-1", "a\x00b", "1e309"])
def test_bounded_choice_fields_refuse_keys_the_database_cannot_hold(people, posted):
    from portal.accounts.models import User

    single = bounds.BoundedModelChoiceField(queryset=User.objects.all())
    many = bounds.BoundedModelMultipleChoiceField(queryset=User.objects.all())
    with pytest.raises(forms.ValidationError):
        single.clean(posted)
    with pytest.raises(forms.ValidationError):
        many.clean([str(people["sales1"].pk), posted])
    assert single.clean(str(people["sales1"].pk)) == people["sales1"]
    assert list(many.clean([str(people["sales1"].pk)])) == [people["sales1"]]
