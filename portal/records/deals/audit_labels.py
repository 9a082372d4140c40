"""Names of the deal audit actions, as the deal's history shows them (imported at ready)."""

from django.utils.translation import gettext_lazy as _

from portal.core.audit import label_actions, label_fields

label_actions(
    {
        "calendar.feed_created": _("Calendar feed turned on"),
        "calendar.feed_regenerated": _("Calendar feed address replaced"),
        "calendar.feed_revoked": _("Calendar feed turned off"),
        "customer.activity_cancelled": _("Activity cancelled"),
        "customer.activity_done": _("Activity done"),
        "customer.activity_logged": _("Activity logged"),
        "customer.activity_planned": _("Activity planned"),
        "deal.abandoned": _("Deal abandoned"),
        "deal.activity_cancelled": _("Activity cancelled"),
        "deal.activity_done": _("Activity done"),
        "deal.activity_logged": _("Activity logged"),
        "deal.activity_planned": _("Activity planned"),
        "deal.competitor_added": _("Competitor added"),
        "deal.competitor_changed": _("Competitor changed"),
        "deal.competitor_removed": _("Competitor removed"),
        "deal.completed": _("Deal completed"),
        "deal.contract_saved": _("Contract recorded"),
        "deal.created": _("Deal opened"),
        "deal.delivered": _("Delivered"),
        "deal.delivery_added": _("Delivery added"),
        "deal.document_uploaded": _("File uploaded"),
        "deal.faxed": _("Fax sent about the deal"),
        "deal.mailed": _("Mail sent about the deal"),
        "deal.handed_over": _("Handed over"),
        "deal.work_handed_over": _("Work of a leaver handed over"),
        "deal.installment_added": _("Payment plan entry added"),
        "deal.lost": _("Deal lost"),
        "deal.order_line_added": _("Order line added"),
        "deal.order_line_removed": _("Order line removed"),
        "deal.payment_received": _("Payment received"),
        "deal.reminder_removed": _("Reminder removed"),
        "deal.reminder_set": _("Reminder set"),
        "deal.reopened": _("Deal reopened"),
        "deal.updated": _("Details changed"),
        "deal.urge_answered": _("Urge answered"),
        "deal.urged": _("Urged"),
        "deal.won": _("Deal won"),
    }
)

# What an activity's entry records, in its deal's history or — an activity on a customer
# alone — in the customer's (decision 1001).
ACTIVITY_KEYS = {
    "activity": _("activity"),
    "time": _("time"),
    "place": _("place"),
    "people": _("people to remind"),
}
label_fields("records.customer", ACTIVITY_KEYS)

# What a deal's history records about its sub-records (not fields of the deal itself).
label_fields(
    "records.deal",
    {
        **ACTIVITY_KEYS,
        "reminder": _("reminder"),
        "competitor": _("competitor"),
        "price": _("price"),
        "document": _("document"),
        "version": _("version"),
        "file": _("file"),
        "message": _("message"),
        "due": _("answer by"),
        "answer": _("answer"),
        "item": _("order line"),
        "quantity": _("quantity"),
        "delivery": _("delivery"),
        "delivered": _("delivered on"),
        "installment": _("payment plan entry"),
        "payment": _("payment"),
        # The contract's own dates and total (save_contract names them so).
        "signed": _("signed on"),
        "starts": _("starts on"),
        "ends": _("ends on"),
        "total": _("contract total"),
    },
    amounts=["price"],
)
