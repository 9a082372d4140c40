"""Search app configuration: discovers the apps' search adapters and subscribes to their events."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "portal.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from .indexing import autodiscover

        autodiscover()
