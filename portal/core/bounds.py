"""Bounded input, shared by every form, serializer and query-string filter: ids and page numbers
are positive 64-bit integers, amounts fit the model's column, and a stored value that does not
fit (written before these bounds existed) is read back without breaking the page (ADR 0801)."""

from __future__ import annotations

import decimal
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

#: The largest value a BIGINT (SQLite INTEGER, PostgreSQL bigint) holds. Python's int has no
#: limit; the database driver raises OverflowError (a 500) past this one.
MAX_ID = 2**63 - 1


def parse_id(raw: Any, *, minimum: int = 1) -> int | None:
    """A 64-bit integer ≥ `minimum` (an id: 1) from a string (query string, form data, the id
    of "kind:id"), or None when it is anything else: empty, signed, not digits, too big."""
    text = str(raw).strip() if raw is not None else ""
    if not text.isascii() or not text.isdigit():
        return None
    value = int(text)
    return value if minimum <= value <= MAX_ID else None


def id_param(params, name: str, *, minimum: int = 1) -> int | None:
    """The id in query parameter `name` (None when absent or empty); a 400 naming the
    parameter when it is not a 64-bit integer ≥ `minimum` — never a 500 from the database."""
    raw = params.get(name, "")
    if raw in {None, ""}:
        return None
    value = parse_id(raw, minimum=minimum)
    if value is None:
        message = _("Enter a whole number between %(min)s and %(max)s.")
        raise serializers.ValidationError({name: [message % {"min": minimum, "max": MAX_ID}]})
    return value


def id_parameter(name: str, description: str = "", *, minimum: int = 1) -> OpenApiParameter:
    """The OpenAPI description of an id filter read with `id_param` (bounds included, so that
    clients and schemathesis know what is accepted)."""
    return OpenApiParameter(
        name,
        {"type": "integer", "format": "int64", "minimum": minimum, "maximum": MAX_ID},
        OpenApiParameter.QUERY,
        required=False,
        description=description,
    )


def page_number(raw: Any, per_page: int) -> int:
    """A page number for an HTML list: 1 for anything that is not a positive number, and never
    so big that its offset overflows the database's 64-bit integers (the last possible page,
    empty, instead)."""
    last = MAX_ID // max(per_page, 1)
    text = str(raw).strip() if raw is not None else ""
    if text.isascii() and text.isdigit() and int(text) > last:
        return last  # past the end: an empty page, as for any page after the last
    return parse_id(text) or 1


class IdFormField(forms.IntegerField):
    """A form field for an id typed or posted by hand (1 … 2^63−1)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


def _keyed_by_integer(queryset, to_field_name: str | None) -> bool:
    """The choices are looked up by an integer column (the pk, or the parent page's pk that a
    Page subclass's `page_ptr` points to): a posted key must then be a 64-bit id."""
    options = queryset.model._meta
    field = options.pk if to_field_name in {None, "pk"} else options.get_field(to_field_name)
    while field.is_relation:
        field = field.target_field
    return isinstance(field, models.IntegerField)


class BoundedModelChoiceField(forms.ModelChoiceField):
    """ModelChoiceField whose posted key is checked as an id before it reaches the database:
    a key ≥ 2^63 is "not one of the choices", not an OverflowError."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if _keyed_by_integer(self.queryset, self.to_field_name) and parse_id(value) is None:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class BoundedModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """ModelMultipleChoiceField whose posted keys are checked as ids first: a key ≥ 2^63 is
    "not one of the available choices", not an OverflowError in the `IN (…)` query."""

    def _check_values(self, value):
        if _keyed_by_integer(self.queryset, self.to_field_name):
            for pk in value:
                if parse_id(pk) is None:
                    raise ValidationError(
                        self.error_messages["invalid_pk_value"],
                        code="invalid_pk_value",
                        params={"pk": pk},
                    )
        return super()._check_values(value)


class IdSerializerField(serializers.IntegerField):
    """A serializer field for an id (1 … 2^63−1); documented as int64 with those bounds."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(**kwargs)


def decimal_bound(max_digits: int, decimal_places: int) -> decimal.Decimal:
    """The largest absolute value a DECIMAL(max_digits, decimal_places) column holds."""
    places = decimal.Decimal(1).scaleb(-decimal_places)
    return (decimal.Decimal(10) ** (max_digits - decimal_places) - places).quantize(places)


def amount_form_field(model: type[models.Model], name: str, **kwargs) -> forms.DecimalField:
    """A form field for `model.name` with the model column's max_digits/decimal_places, so a
    form outside a ModelForm cannot accept what the column cannot store (1e26, 1e309)."""
    column = model._meta.get_field(name)
    kwargs.setdefault("max_digits", column.max_digits)
    kwargs.setdefault("decimal_places", column.decimal_places)
    kwargs.setdefault("label", column.verbose_name)
    return forms.DecimalField(**kwargs)


def amount_serializer_field(
    model: type[models.Model], name: str, **kwargs
) -> serializers.DecimalField:
    """The serializer counterpart of `amount_form_field`."""
    column = model._meta.get_field(name)
    kwargs.setdefault("max_digits", column.max_digits)
    kwargs.setdefault("decimal_places", column.decimal_places)
    return serializers.DecimalField(**kwargs)


class BoundedDecimalField(models.DecimalField):
    """DecimalField that refuses what its column cannot hold on the way in (a validator, so
    every ModelForm and ModelSerializer says so in the user's language) and never raises on
    the way out: a value stored out of range before the bound existed (SQLite keeps 1e26 as a
    float) reads as itself or as NaN instead of making the row — and every page showing it —
    unreadable."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.max_digits is not None and self.decimal_places is not None:
            bound = decimal_bound(self.max_digits, self.decimal_places)
            self.validators.append(
                MaxValueValidator(bound, message=gettext_lazy("This amount is too large."))
            )
            self.validators.append(
                MinValueValidator(-bound, message=gettext_lazy("This amount is too small."))
            )

    @cached_property
    def context(self) -> decimal.Context:
        # SQLite's converter quantizes stored values with this context: give it room for any
        # float and no traps, so an impossible value is shown (or NaN), not an exception.
        return decimal.Context(prec=max(self.max_digits or 0, 400), traps=[])

    def deconstruct(self):
        name, _path, args, kwargs = super().deconstruct()
        return name, "portal.core.bounds.BoundedDecimalField", args, kwargs


#: Early in the 20th century many time zones had no whole-minute offset (Shanghai kept local
#: mean time, +08:05:43, until 1901; Liberia −00:44:30 until 1972), which RFC 3339 cannot
#: write: the API would answer with an invalid date-time. Nobody plans a meeting before 1970.
EARLIEST_YEAR = 1970
LATEST_YEAR = 9000


def plausible_moment(value: Any) -> None:
    """Validator for a date or date-time a person plans with (a due time, a meeting): years
    EARLIEST_YEAR … LATEST_YEAR."""
    if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(
            _("Enter a date between the years %(min)s and %(max)s.")
            % {"min": EARLIEST_YEAR, "max": LATEST_YEAR},
            code="implausible_date",
        )


def moment_serializer_field(**kwargs) -> serializers.DateTimeField:
    """A DateTimeField for a planned moment (see `plausible_moment`)."""
    kwargs.setdefault("validators", []).append(plausible_moment)
    return serializers.DateTimeField(**kwargs)


def is_sane_amount(value: Any) -> bool:
    """True for a finite Decimal (what templates may format); False for NaN, ±Infinity."""
    return isinstance(value, decimal.Decimal) and value.is_finite()


__all__ = [
    "EARLIEST_YEAR",
    "LATEST_YEAR",
    "MAX_ID",
    "BoundedDecimalField",
    "BoundedModelChoiceField",
    "BoundedModelMultipleChoiceField",
    "IdFormField",
    "IdSerializerField",
    "amount_form_field",
    "amount_serializer_field",
    "decimal_bound",
    "id_param",
    "id_parameter",
    "is_sane_amount",
    "moment_serializer_field",
    "page_number",
    "parse_id",
    "plausible_moment",
]
