"""Search app configuration: discovers the apps' search adapters and subscribes to their events."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "portal.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from . import setup
        from .indexing import autodiscover

        autodiscover()
        post_migrate.connect(
            setup.ensure_after_migrate, sender=self, dispatch_uid="search.setup_after_migrate"
        )
