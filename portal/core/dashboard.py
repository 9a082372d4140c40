"""Dashboard panels: each app registers the panels it contributes in `AppConfig.ready`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.http import HttpRequest


@dataclass(frozen=True)
class Panel:
    template: str
    context: dict = field(default_factory=dict)
    order: int = 100


PanelFactory = Callable[[HttpRequest], Panel | None]
_factories: list[PanelFactory] = []


def register_panel(factory: PanelFactory) -> PanelFactory:
    if factory not in _factories:
        _factories.append(factory)
    return factory


def panels_for(request: HttpRequest) -> list[Panel]:
    panels = [panel for factory in _factories if (panel := factory(request)) is not None]
    return sorted(panels, key=lambda panel: panel.order)
