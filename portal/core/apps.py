from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "portal.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        # Each app names its audit actions in <app>/audit_labels.py.
        autodiscover_modules("audit_labels")

        # daphne reads a whole request body before the application sees it: its request
        # object refuses over-limit bodies at the headers instead (ADR 0801).
        from .bodylimit import install_daphne_guard

        install_daphne_guard()

        # Work too large for a request, done by the worker in chunks (ADR 0142).
        from .background import run_next
        from .worker import register_job

        register_job("core.background_jobs", every_seconds=1.0)(run_next)

        from . import lookups

        lookups.register()
