"""Names of the notifications app's audit actions, as history pages show them."""

from django.utils.translation import gettext_lazy as _

from portal.core.audit import label_actions

label_actions(
    {
        "notifications.announced": _("Announcement sent"),
        "notifications.follow_removed": _("Stopped following"),
        "notifications.follow_set": _("Following"),
        "notifications.interest_added": _("Interest added"),
        "notifications.interest_removed": _("Interest removed"),
        "notifications.onboarding_follows": _("Following the pages of an onboarding path"),
        "notifications.reminder_created": _("Reminder set"),
        "notifications.settings_changed": _("Notification settings changed"),
        "notifications.unsubscribed": _("Unsubscribed from email"),
    }
)
