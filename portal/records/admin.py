"""Admin of records: importing this registers each domain's model admins."""

from portal.records.customers import admin as customer_admin  # noqa: F401
from portal.records.deals import admin as deal_admin  # noqa: F401
from portal.records.service import admin as service_admin  # noqa: F401
