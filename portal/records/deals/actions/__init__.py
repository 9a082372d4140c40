"""Writes to deals, one module per write family (decision 0600); the public names are
re-exported here, so callers write `deal_actions.handover_deal(...)`."""

from .activities import (
    ACTIVITY_FIELDS,
    APPOINTMENT_FIELDS,
    DEFAULT_CONTACT_DAYS,
    cancel_activity,
    complete_activity,
    create_activity,
)
from .calendar_feed import regenerate_calendar_feed, revoke_calendar_feed
from .common import (
    DEAL_FIELDS,
    apply_deal_keys,
)
from .competitors import (
    COMPETITOR_FIELDS,
    add_competitor,
    remove_competitor,
    update_competitor,
)
from .contract_expiry import cancel_contract_expiry, schedule_contract_expiry
from .documents import (
    DOCUMENT_EXTENSIONS,
    check_upload,
    max_document_bytes,
    upload_document,
)
from .fulfilment import (
    add_delivery,
    add_installment,
    add_order_line,
    check_completion,
    complete_deal,
    fulfilment,
    mark_delivered,
    payment_reminder_time,
    record_payment,
    remove_order_line,
    save_contract,
)
from .handover import (
    answer_urge,
    hand_over_work,
    handover_deal,
    handover_deals_of,
    handover_preview,
    urge_deal,
)
from .keys import (
    follow_customer_transfer,
    rekey_deals_of_customer,
    rekey_deals_owned_by,
)
from .lifecycle import (
    DEFAULT_STAGES,
    create_deal,
    ensure_default_stages,
    lose_deal,
    reopen_deal,
    update_deal,
    win_deal,
)
from .reminders import (
    create_deal_reminder,
    delete_deal_reminder,
)

__all__ = [
    "DEAL_FIELDS",
    "apply_deal_keys",
    "DEFAULT_STAGES",
    "ensure_default_stages",
    "create_deal",
    "update_deal",
    "win_deal",
    "lose_deal",
    "reopen_deal",
    "ACTIVITY_FIELDS",
    "DEFAULT_CONTACT_DAYS",
    "create_activity",
    "regenerate_calendar_feed",
    "revoke_calendar_feed",
    "APPOINTMENT_FIELDS",
    "complete_activity",
    "cancel_activity",
    "create_deal_reminder",
    "delete_deal_reminder",
    "COMPETITOR_FIELDS",
    "add_competitor",
    "update_competitor",
    "remove_competitor",
    "DOCUMENT_EXTENSIONS",
    "max_document_bytes",
    "check_upload",
    "upload_document",
    "handover_deal",
    "handover_deals_of",
    "hand_over_work",
    "handover_preview",
    "urge_deal",
    "answer_urge",
    "fulfilment",
    "check_completion",
    "complete_deal",
    "add_order_line",
    "remove_order_line",
    "save_contract",
    "add_delivery",
    "mark_delivered",
    "payment_reminder_time",
    "cancel_contract_expiry",
    "schedule_contract_expiry",
    "add_installment",
    "record_payment",
    "follow_customer_transfer",
    "rekey_deals_of_customer",
    "rekey_deals_owned_by",
]
