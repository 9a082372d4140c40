"""Who hears about a deal, and in which words (ADR 0611): the new owner of a created or
handed-over deal, the urged owner, and everyone watching the deal or its customer for every
change of its course, handed to notifications' one delivery API.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.core import events
from portal.notifications.notices import Kind, message, someone_did, target_of
from portal.records.customers.notifications import change_key, someone_did_message, tell
from portal.records.deals.models import Deal

# --- words --------------------------------------------------------------------------------


someone_did_message(
    "records.deal_urged", gettext_noop("%(name)s urged you about deal %(deal)s"), "deal"
)
someone_did_message(
    "records.deal_handed_over", gettext_noop("%(name)s handed deal %(deal)s to you"), "deal"
)
someone_did_message("records.deal_updated", gettext_noop("%(name)s updated deal %(deal)s"), "deal")


@message("records.deal_urge_answered")
def _urge_answered(p) -> tuple[str, str]:
    return someone_did(
        _("%(name)s answered your urge on deal %(deal)s"), p, "deal", body=p["answer"]
    )


@message("records.contract_expiring")
def _contract_expiring(p) -> tuple[str, str]:
    """A scheduled reminder (contract_expiry): the date is formatted for the reader."""
    import datetime

    from portal.core.formatting import format_date

    ends_on = datetime.date.fromisoformat(p["ends_on"])
    title = _("Contract %(number)s with %(customer)s ends on %(date)s") % {
        "number": p["number"],
        "customer": p["customer"],
        "date": format_date(ends_on),
    }
    body = _("Deal %(deal)s: renew it from the contracts list or let it end.") % {"deal": p["deal"]}
    return title, body


# --- who ----------------------------------------------------------------------------------

# The event, and who besides the watchers is told directly (a payload field naming them).
TOLD_DIRECTLY = {
    "records.deal_created": "owner_id",
    "records.deal_handed_over": "to_user_id",
    "records.deal_urged": "to_user_id",
}
# Watchers of a deal (or of its customer) hear every change of its course, too.
WATCHED = (
    "records.deal_updated",
    "records.deal_stage_changed",
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
MESSAGES = {
    "records.deal_handed_over": "records.deal_handed_over",
    "records.deal_urged": "records.deal_urged",
}


def deal_changed(event: events.Event) -> None:
    deal = Deal.objects.filter(pk=event["deal_id"]).first()
    if deal is None:
        return
    field = TOLD_DIRECTLY.get(event.name)
    direct = {event[field]} if field else set()
    targets = [target_of(deal)]
    if deal.customer_id:
        targets.append(("records.customer", str(deal.customer_id)))
    tell(
        deal,
        "deal",
        event,
        kind=Kind.DEAL,
        message=MESSAGES.get(event.name, "records.deal_updated"),
        # Saving a deal whose stage moved publishes `updated` and `stage_changed`: one notice.
        dedupe_key=change_key(deal, "deal"),
        recipients=direct,
        targets=targets,
    )


events.subscribe(*TOLD_DIRECTLY, *WATCHED)(deal_changed)


def urge_answered(event: events.Event) -> None:
    """The owner answered an urge → whoever urged them."""
    deal = Deal.objects.filter(pk=event["deal_id"]).first()
    urge = deal.urges.filter(pk=event["urge_id"]).first() if deal else None
    if urge is None:
        return
    tell(
        deal,
        "deal",
        event,
        kind=Kind.DEAL,
        message="records.deal_urge_answered",
        dedupe_key=f"records.deal_urge_answered:{urge.pk}",
        recipients={event["user_id"]},
        answer=urge.answer,
    )


events.subscribe("records.deal_urge_answered")(urge_answered)
