"""Knowledge base app: relays, dashboard panels, the review job and the editorial setup."""

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class KnowledgeConfig(AppConfig):
    name = "portal.knowledge"
    label = "knowledge"
    verbose_name = _("Knowledge base")

    def ready(self) -> None:
        from portal.core.dashboard import register_panel
        from portal.core.worker import register_job

        from . import actions, panels, setup, signals
        from . import tasks as _tasks  # noqa: F401  (registers the My tasks source)

        signals.connect()
        register_panel(panels.onboarding_panel)
        register_panel(panels.team_onboarding_panel)
        register_panel(panels.overdue_reviews_panel)
        register_job("knowledge.flag_overdue_reviews", every_seconds=3600)(
            actions.flag_overdue_reviews
        )
        register_job("knowledge.publish_scheduled", every_seconds=60)(
            actions.publish_scheduled_pages
        )
        post_migrate.connect(
            setup.ensure_after_migrate, sender=self, dispatch_uid="knowledge.editorial_setup"
        )
