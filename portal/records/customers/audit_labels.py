"""Names of the records' audit actions, as the customer, deal and case histories show them."""

from django.utils.translation import gettext_lazy as _

from portal.core.audit import label_actions

label_actions(
    {
        "contact.created": _("Contact added"),
        "contact.deleted": _("Contact deleted"),
        "contact.updated": _("Contact changed"),
        "customer.claimed": _("Claimed from the public pool"),
        "customer.created": _("Customer created"),
        "customer.deleted": _("Moved to the recycle bin"),
        "customer.faxed": _("Fax sent"),
        "customer.mailed": _("Mail sent to contacts"),
        "customer.pooled": _("Protection lapsed: moved to the public pool"),
        "customer.purged": _("Purged"),
        "customer.restored": _("Restored from the recycle bin"),
        "customer.share_asked": _("Asked the owner to share"),
        "customer.shared": _("Shared"),
        "customer.transferred": _("Transferred to another rep"),
        "customer.unshared": _("Sharing removed"),
        "customer.updated": _("Details changed"),
        "fax.composed": _("Fax composed"),
        "fax.gateway_set": _("Fax gateway set"),
        "fax.queued": _("Fax queued for sending"),
        "fax.sent": _("Fax sent"),
        "mail.composed": _("Mail composed"),
        "mail.queued": _("Mail queued for sending"),
        "mail.sent": _("Mail sent"),
    }
)
