"""Writes to customers and contacts, one module per write family (decision 0600); the public
names are re-exported here."""

from .contacts import (
    CONTACT_FIELDS,
    create_contact,
    delete_contact,
    update_contact,
)
from .customers import (
    CUSTOMER_FIELDS,
    DEFAULT_CATEGORIES,
    TRANSFER_FOLLOWERS,
    DuplicateCustomer,
    ProtectedDuplicate,
    create_customer,
    default_category,
    delete_customer,
    find_duplicates,
    purge_customer,
    rekey_customers_of,
    restore_customer,
    share_customer,
    transfer_customer,
    transfer_customers,
    unshare_customer,
    update_customer,
)
from .importing import (
    import_job_commit,
)
from .mail import (
    MAIL_SEND_NOW_LIMIT,
    compose_mail,
    send_mail_batch,
    send_or_queue_mail_batch,
    send_queued_mail,
)
from .protection import (
    ClaimLimitReached,
    ask_owner_to_share,
    claim_customer,
    held_from_pool,
    run_protection,
    share_request_token,
)

__all__ = [
    "CUSTOMER_FIELDS",
    "DEFAULT_CATEGORIES",
    "TRANSFER_FOLLOWERS",
    "DuplicateCustomer",
    "ProtectedDuplicate",
    "ClaimLimitReached",
    "ask_owner_to_share",
    "claim_customer",
    "held_from_pool",
    "run_protection",
    "share_request_token",
    "default_category",
    "find_duplicates",
    "create_customer",
    "update_customer",
    "delete_customer",
    "restore_customer",
    "purge_customer",
    "share_customer",
    "unshare_customer",
    "transfer_customer",
    "transfer_customers",
    "rekey_customers_of",
    "CONTACT_FIELDS",
    "create_contact",
    "update_contact",
    "delete_contact",
    "compose_mail",
    "send_mail_batch",
    "MAIL_SEND_NOW_LIMIT",
    "send_or_queue_mail_batch",
    "send_queued_mail",
    "import_job_commit",
]
