"""The audit log: actions record who changed what; pages show an object's history."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models

from .models import AuditEntry


def _plain(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [_plain(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields`, as JSON-friendly primitives (FKs by their text)."""
    return {name: _plain(getattr(obj, name)) for name in fields}


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """``{"field": [old, new]}`` for every field whose value changed."""
    return {
        name: [before.get(name), value]
        for name, value in after.items()
        if before.get(name) != value
    }


def added(values: dict[str, Any]) -> dict[str, list[Any]]:
    """Changes of something new, in the history's {field: [old, new]} shape."""
    return {name: ["", value] for name, value in values.items()}


def removed(values: dict[str, Any]) -> dict[str, list[Any]]:
    """Changes of something taken away, in the history's {field: [old, new]} shape."""
    return {name: [value, ""] for name, value in values.items()}


def record(
    actor: Any,
    action: str,
    obj: models.Model,
    *,
    changes: dict[str, Any] | None = None,
    message: str = "",
) -> AuditEntry:
    """Write one audit row; call from inside the action's transaction."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        changes={k: _plain(v) for k, v in (changes or {}).items()},
        message=message,
    )


def history(obj: models.Model) -> models.QuerySet[AuditEntry]:
    """An object's audit entries, newest first, with the actor loaded."""
    return AuditEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(obj, for_concrete_model=True),
        object_id=str(obj.pk),
    ).select_related("actor")


def last_entry_id(obj: models.Model) -> int | None:
    """The newest audit row of `obj`: names "the change just made" (a notice's dedupe key)."""
    return history(obj).order_by("-pk").values_list("pk", flat=True).first()


# Each app names its actions in `<app>/audit_labels.py` (discovered when core is ready), so a
# history page says "Customer shared" / "客户已共享" rather than "customer.shared".
_action_labels: dict[str, Any] = {}


def label_actions(labels: Mapping[str, Any]) -> None:
    """Register human names (lazy translations) for audit action codes."""
    _action_labels.update(labels)


def action_label(action: str) -> str:
    """The translated name of an action; the code itself where no app named it."""
    label = _action_labels.get(action)
    return str(label) if label is not None else action


def labelled_actions() -> set[str]:
    return set(_action_labels)


# Change keys that are not fields of the audited model ("activity", "payment" on a deal's
# history) are named per model the same way: label_fields("records.deal", {...}).
_field_labels: dict[str, dict[str, Any]] = {}


def label_fields(model_label: str, labels: Mapping[str, Any]) -> None:
    _field_labels.setdefault(model_label.lower(), {}).update(labels)


def field_value(model: type[models.Model] | None, name: str, value: Any) -> Any:
    """A recorded value as the reader knows it: a choice's label ("Won"), not its code."""
    if model is None or value in (None, ""):
        return value
    try:
        choices = dict(model._meta.get_field(name).flatchoices)
    except (FieldDoesNotExist, AttributeError, TypeError):
        return value
    return str(choices[value]) if value in choices else value


def field_label(model: type[models.Model] | None, name: str) -> str:
    """A changed field's verbose name (translated), or its name for non-fields."""
    if model is None:
        return name
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        label = _field_labels.get(model._meta.label_lower, {}).get(name)
        return str(label) if label is not None else name
