"""Names of records' audit actions (discovered by core): each domain lists its own."""

from portal.records.customers import audit_labels as customer_labels  # noqa: F401
from portal.records.deals import audit_labels as deal_labels  # noqa: F401
from portal.records.service import audit_labels as service_labels  # noqa: F401
