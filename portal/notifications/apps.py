"""Notifications app: finds the domains' notices modules and registers the worker's jobs."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "portal.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from portal.core import worker

        from . import actions, notices, panels

        # Each domain's notices module subscribes to its own events (ADR 0611).
        notices.autodiscover()
        panels.connect()

        worker.register_job("notifications.reminders", every_seconds=1.0)(
            actions.deliver_due_reminders
        )
        worker.register_job("notifications.emails", every_seconds=5.0)(actions.send_pending_emails)
        worker.register_job("notifications.digests", every_seconds=300.0)(actions.send_digests)
        worker.register_job("notifications.presence", every_seconds=60.0)(actions.prune_presence)
