"""The records API: each domain registers its viewsets on the v1 router."""

from portal.records.customers import api as customer_api
from portal.records.customers import pool_api
from portal.records.deals import api as deal_api
from portal.records.deals import contracts_api
from portal.records.service import api as service_api


def register(router) -> None:
    customer_api.register(router)
    pool_api.register(router)
    deal_api.register(router)
    contracts_api.register(router)
    service_api.register(router)
