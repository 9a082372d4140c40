"""Discussion forum app: wires event subscribers, related panels, the worker job and the relay
of Wagtail's publish signals for category pages."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForumConfig(AppConfig):
    name = "portal.forum"
    label = "forum"
    verbose_name = _("Discussion forum")

    def ready(self) -> None:
        from . import signals, wiring

        wiring.connect()
        signals.connect()
