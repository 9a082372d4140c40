"""Search adapters of records: importing this registers each domain's adapters."""

from portal.records.customers import search as customer_search  # noqa: F401
from portal.records.deals import search as deal_search  # noqa: F401
from portal.records.service import search as service_search  # noqa: F401
