"""Notifications app: subscribes to the domain events and registers the worker's jobs."""

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# The events of COMMON.md's catalogue that can notify someone (deal events are matched by
# prefix in portal.notifications.matching once records publishes them).
SUBSCRIBED_EVENTS = (
    "forum.topic_created",
    "forum.post_created",
    "forum.mentioned",
    "forum.answer_accepted",
    "knowledge.page_published",
    "knowledge.review_overdue",
    "records.customer_transferred",
    "records.customer_shared",
    "records.customer_updated",
    "records.contact_created",
    "records.contact_updated",
    "records.deal_created",
    "records.deal_updated",
    "records.deal_handed_over",
    "records.deal_urged",
    "records.deal_stage_changed",
    # Watchers of a deal (or of its customer) hear every change of its course, too.
    "records.deal_won",
    "records.deal_lost",
    "records.deal_abandoned",
    "records.deal_completed",
    "records.deal_reopened",
    "records.deal_competitor_added",
    "records.deal_contract_saved",
    "records.deal_payment_received",
    "records.deal_document_uploaded",
)


class NotificationsConfig(AppConfig):
    name = "portal.notifications"
    label = "notifications"
    verbose_name = _("Notifications")

    def ready(self) -> None:
        from portal.core import events, worker

        from . import actions, matching, panels

        events.subscribe(*SUBSCRIBED_EVENTS)(matching.on_event)
        panels.connect()

        @events.subscribe("accounts.person_registered")
        def give_default_follows(event):
            from django.contrib.auth import get_user_model

            user = get_user_model().objects.filter(pk=event.get("user_id")).first()
            if user is not None:
                actions.apply_default_follows(user)

        @events.subscribe("knowledge.path_assigned")
        def follow_onboarding_pages(event):
            from django.contrib.auth import get_user_model

            user = get_user_model().objects.filter(pk=event.get("user_id")).first()
            if user is not None and event.get("path_id"):
                actions.follow_onboarding_path(
                    user, int(event["path_id"]), actor_id=event.get("actor_id")
                )

        worker.register_job("notifications.reminders", every_seconds=1.0)(
            actions.deliver_due_reminders
        )
        worker.register_job("notifications.emails", every_seconds=5.0)(actions.send_pending_emails)
        worker.register_job("notifications.digests", every_seconds=300.0)(actions.send_digests)
        worker.register_job("notifications.presence", every_seconds=60.0)(actions.prune_presence)
