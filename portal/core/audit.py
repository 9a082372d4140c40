"""The audit log: actions record who changed what; pages show an object's history."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.translation import gettext, pgettext

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


_amount_keys: dict[str, set[str]] = {}


def label_fields(
    model_label: str, labels: Mapping[str, Any], *, amounts: Iterable[str] = ()
) -> None:
    """Name a model's non-field change keys; `amounts` are shown as amounts (grouped)."""
    _field_labels.setdefault(model_label.lower(), {}).update(labels)
    _amount_keys.setdefault(model_label.lower(), set()).update(amounts)


# A change to a field of a sub-record shown in its parent's history (a contact's phone on the
# customer's) is keyed "@<model label>:<field>:<which one>" and named when read, in the
# reader's language, as "<which one>: <field's verbose name>" (ADR 0902).
SUB_RECORD_MARK = "@"


def sub_record_changes(
    instance: models.Model, title: str, changes: Mapping[str, Any]
) -> dict[str, Any]:
    """`changes` of `instance`'s fields, keyed for its parent's history."""
    label = instance._meta.label_lower
    return {f"{SUB_RECORD_MARK}{label}:{name}:{title}": change for name, change in changes.items()}


def _sub_record(name: str) -> tuple[type[models.Model], str, str] | None:
    """(model, field, title) of a sub-record key, or None for any other key."""
    from django.apps import apps

    if not name.startswith(SUB_RECORD_MARK):
        return None
    label, _sep, rest = name[1:].partition(":")
    field, _sep, title = rest.partition(":")
    try:
        return apps.get_model(label), field, title
    except (LookupError, ValueError):
        return None


# A recorded value may be a structured one, {"$": kind, ...params}, rendered when the history
# is read so that it comes out in the reader's language (ADR 0902): a choice by its label, an
# amount with the reader's grouping, "Email: Sent the quote" as "邮件：Sent the quote".
def value(kind: str, **params: Any) -> dict[str, Any]:
    """A structured history value of `kind` ("choice", "money", "amount", "date", "datetime",
    "labelled", "parts"), stored as JSON and rendered at read time."""
    return {"$": kind, **{name: _plain(v) for name, v in params.items()}}


def choice(model: type[models.Model], field: str, code: Any) -> dict[str, Any]:
    """A choice field's value, stored by its code and shown by its label when read."""
    return value("choice", model=model._meta.label_lower, field=field, value=code)


def labelled(label: Any, text: Any) -> dict[str, Any]:
    """ "label: text" — e.g. an activity's kind and its subject."""
    return value("labelled", label=label, text=text)


def parts(*values: Any) -> dict[str, Any]:
    """Several values shown as one, "CN¥1,000.00 · 2026-11-30"."""
    return value("parts", parts=list(values))


def _choice_label(model_label: str, field: str, code: Any) -> str:
    from django.apps import apps

    try:
        model = apps.get_model(model_label)
        choices = dict(model._meta.get_field(field).flatchoices)
    except (LookupError, ValueError, FieldDoesNotExist, AttributeError, TypeError):
        return str(code)
    return str(choices.get(code, code))


def render_value(stored: Any) -> Any:
    """A stored history value as text in the active language ("" and None kept as they are)."""
    from . import formatting

    if stored is None or stored == "":
        return stored
    if isinstance(stored, bool):
        return gettext("yes") if stored else gettext("no")
    if isinstance(stored, list | tuple):
        # A list of people or labels: "张伟 Zhang Wei, 李娜 Li Na" / "张伟 Zhang Wei、李娜 Li Na".
        return pgettext("list separator", ", ").join(str(render_value(v)) for v in stored)
    if not isinstance(stored, dict) or "$" not in stored:
        return stored
    kind = stored["$"]
    if kind == "choice":
        return _choice_label(stored.get("model", ""), stored.get("field", ""), stored.get("value"))
    if kind == "money":
        return formatting.format_money(stored.get("amount"), stored.get("currency", ""))
    if kind == "amount":
        return formatting.format_amount(stored.get("amount"), stored.get("places", 2))
    if kind in ("date", "datetime"):
        return _render_moment(kind, stored.get("value"))
    if kind == "labelled":
        return pgettext("history value", "%(label)s: %(text)s") % {
            "label": render_value(stored.get("label")),
            "text": render_value(stored.get("text")),
        }
    if kind == "parts":
        return " · ".join(
            str(render_value(v)) for v in stored.get("parts", []) if v not in ("", None)
        )
    return stored.get("text", "")


def _render_moment(kind: str, text: Any) -> str:
    from . import formatting

    try:
        moment = (
            datetime.datetime.fromisoformat(text)
            if kind == "datetime"
            else datetime.date.fromisoformat(text)
        )
    except (TypeError, ValueError):
        return str(text or "")
    return (
        formatting.format_datetime(moment) if kind == "datetime" else formatting.format_date(moment)
    )


def field_value(model: type[models.Model] | None, name: str, value: Any) -> Any:
    """A recorded value as the reader knows it: a choice's label ("Won"), not its code; an
    amount grouped; a list joined; a structured value rendered in the active language."""
    if value in (None, "") or isinstance(value, list | tuple | dict | bool):
        return render_value(value)
    if model is None:
        return value
    sub = _sub_record(name)
    if sub is not None:
        model, name = sub[0], sub[1]
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        if name in _amount_keys.get(model._meta.label_lower, ()):
            return render_value({"$": "amount", "amount": value})
        return value
    except (AttributeError, TypeError):
        return value
    choices = dict(getattr(field, "flatchoices", None) or [])
    if choices:
        return str(choices[value]) if value in choices else value
    if isinstance(field, models.DecimalField):
        return render_value({"$": "amount", "amount": value})
    return value


def field_label(model: type[models.Model] | None, name: str) -> str:
    """A changed field's verbose name (translated), or its name for non-fields."""
    if model is None:
        return name
    sub = _sub_record(name)
    if sub is not None:
        return pgettext("history value", "%(label)s: %(text)s") % {
            "label": sub[2],
            "text": field_label(sub[0], sub[1]),
        }
    try:
        return str(model._meta.get_field(name).verbose_name)
    except FieldDoesNotExist:
        label = _field_labels.get(model._meta.label_lower, {}).get(name)
        return str(label) if label is not None else name
