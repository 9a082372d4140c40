"""Record pages under /records/: each domain's patterns, under the one namespace `records`."""

from portal.records.customers.urls import urlpatterns as customer_urlpatterns
from portal.records.deals.urls import urlpatterns as deal_urlpatterns
from portal.records.service.urls import urlpatterns as service_urlpatterns

app_name = "records"

urlpatterns = [*customer_urlpatterns, *deal_urlpatterns, *service_urlpatterns]
