"""Writes to records (check → write in a transaction → audit → event on commit).

One module per area: customers (with contacts, sharing, transfer, the recycle bin, bulk mail
and imports) re-exported here; `actions.deals` and `actions.service` are imported by name.
"""

from portal.records.customers.actions.customers import (
    CONTACT_FIELDS,
    CUSTOMER_FIELDS,
    DuplicateCustomer,
    compose_mail,
    create_contact,
    create_customer,
    delete_contact,
    delete_customer,
    find_duplicates,
    import_job_commit,
    purge_customer,
    rekey_customers_of,
    restore_customer,
    send_mail_batch,
    send_or_queue_mail_batch,
    send_queued_mail,
    share_customer,
    transfer_customer,
    transfer_customers,
    unshare_customer,
    update_contact,
    update_customer,
)

__all__ = [
    "CONTACT_FIELDS",
    "CUSTOMER_FIELDS",
    "DuplicateCustomer",
    "compose_mail",
    "create_contact",
    "create_customer",
    "delete_contact",
    "delete_customer",
    "find_duplicates",
    "import_job_commit",
    "purge_customer",
    "rekey_customers_of",
    "restore_customer",
    "send_mail_batch",
    "send_or_queue_mail_batch",
    "send_queued_mail",
    "share_customer",
    "transfer_customer",
    "transfer_customers",
    "unshare_customer",
    "update_contact",
    "update_customer",
]
