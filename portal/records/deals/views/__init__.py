"""Deal pages, one module per area (decision 0600); the views are re-exported for the URLs."""

from .activities import (
    activity_add,
    activity_cancel,
    activity_complete,
    competitor_add,
    competitor_remove,
    reminder_add,
    reminder_delete,
)
from .deals import (
    deal_close,
    deal_complete,
    deal_create,
    deal_detail,
    deal_edit,
    deal_list,
    deal_reopen,
    deal_stage,
)
from .documents import (
    document_file,
    document_upload,
    document_version,
)
from .fulfilment import (
    contract_save,
    delivery_add,
    delivery_done,
    installment_add,
    order_line_add,
    order_line_remove,
    payment_add,
)
from .handover import (
    deal_handover,
    deal_urge,
    handover_all,
    urge_answer,
    urge_report,
)
from .messaging import deal_message
from .picker import deal_customer_contacts, deal_customer_lookup

__all__ = [
    "deal_message",
    "deal_customer_contacts",
    "deal_customer_lookup",
    "deal_list",
    "deal_create",
    "deal_edit",
    "deal_detail",
    "deal_close",
    "deal_stage",
    "deal_reopen",
    "deal_complete",
    "activity_add",
    "activity_complete",
    "activity_cancel",
    "reminder_add",
    "reminder_delete",
    "competitor_add",
    "competitor_remove",
    "document_upload",
    "document_version",
    "document_file",
    "deal_handover",
    "handover_all",
    "deal_urge",
    "urge_answer",
    "urge_report",
    "order_line_add",
    "order_line_remove",
    "contract_save",
    "delivery_add",
    "delivery_done",
    "installment_add",
    "payment_add",
]
