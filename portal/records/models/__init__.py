"""Customer and deal records: models (one module per area; deals and service cases join later)."""

from .customers import (
    Contact,
    Customer,
    CustomerCategory,
    CustomerShare,
    ImportJob,
    MailBatch,
    MailRecipient,
)

__all__ = [
    "Contact",
    "Customer",
    "CustomerCategory",
    "CustomerShare",
    "ImportJob",
    "MailBatch",
    "MailRecipient",
]
