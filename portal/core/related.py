"""Panels about related items on a record's page ("discussions about this deal", "open deals
naming this competitor"). The app that owns the related items registers a panel factory for
the model it relates to; the page showing the record asks `related_panels(request, obj)`."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable

from django.db import models
from django.http import HttpRequest

from .dashboard import Panel

RelatedFactory = Callable[[HttpRequest, models.Model], Panel | None]
_factories: dict[str, list[RelatedFactory]] = defaultdict(list)


def register_related(*model_labels: str) -> Callable[[RelatedFactory], RelatedFactory]:
    """@register_related("records.customer", "records.deal") on a factory(request, obj)."""

    def decorator(factory: RelatedFactory) -> RelatedFactory:
        for label in model_labels:
            if factory not in _factories[label.lower()]:
                _factories[label.lower()].append(factory)
        return factory

    return decorator


def related_panels(request: HttpRequest, obj: models.Model) -> list[Panel]:
    label = obj._meta.label_lower
    panels = [p for factory in _factories.get(label, []) if (p := factory(request, obj))]
    return sorted(panels, key=lambda panel: panel.order)
