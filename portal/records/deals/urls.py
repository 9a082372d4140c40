"""Deal pages under /records/deals/ (included from records/urls.py)."""

from django.urls import path

from portal.records.deals import views as deals
from portal.records.deals.views import calendar as calendar_views
from portal.records.deals.views import contracts as contract_views
from portal.records.deals.views import customer_activities
from portal.records.deals.views import customer_analysis as analysis_views
from portal.records.deals.views import statistics as stats_views

urlpatterns = [
    path("calendar/", calendar_views.calendar_page, name="calendar"),
    path("calendar/feed/<str:token>.ics", calendar_views.calendar_feed, name="calendar_feed"),
    path(
        "calendar/feed/regenerate/",
        calendar_views.calendar_feed_regenerate,
        name="calendar_feed_regenerate",
    ),
    path("calendar/feed/revoke/", calendar_views.calendar_feed_revoke, name="calendar_feed_revoke"),
    path(
        "customers/<int:pk>/activities/",
        customer_activities.customer_activity_add,
        name="customer_activity_add",
    ),
    path(
        "customers/<int:pk>/activities/<int:activity_pk>/done/",
        customer_activities.customer_activity_done,
        name="customer_activity_done",
    ),
    path(
        "customers/<int:pk>/activities/<int:activity_pk>/cancel/",
        customer_activities.customer_activity_cancel,
        name="customer_activity_cancel",
    ),
    path("statistics/", stats_views.statistics_page, name="statistics"),
    path("statistics/export/", stats_views.statistics_export, name="statistics_export"),
    path("statistics/customers/", analysis_views.analysis_page, name="customer_analysis"),
    path(
        "statistics/customers/export/",
        analysis_views.analysis_export,
        name="customer_analysis_export",
    ),
    path("contracts/", contract_views.contract_list, name="contract_list"),
    path("contracts/<int:pk>/renew/", contract_views.contract_renew, name="contract_renew"),
    path("deals/", deals.deal_list, name="deal_list"),
    path("deals/new/", deals.deal_create, name="deal_create"),
    path("deals/new/customers/", deals.deal_customer_lookup, name="deal_customer_lookup"),
    path("deals/new/contacts/", deals.deal_customer_contacts, name="deal_customer_contacts"),
    path("deals/urges/", deals.urge_report, name="deal_urges"),
    path("deals/handover/", deals.handover_all, name="deal_handover_all"),
    path("deals/<int:pk>/", deals.deal_detail, name="deal_detail"),
    path("deals/<int:pk>/edit/", deals.deal_edit, name="deal_edit"),
    path("deals/<int:pk>/close/", deals.deal_close, name="deal_close"),
    path("deals/<int:pk>/stage/", deals.deal_stage, name="deal_stage"),
    path("deals/<int:pk>/reopen/", deals.deal_reopen, name="deal_reopen"),
    path("deals/<int:pk>/complete/", deals.deal_complete, name="deal_complete"),
    path("deals/<int:pk>/activities/", deals.activity_add, name="deal_activity_add"),
    path(
        "deals/<int:pk>/activities/<int:activity_pk>/done/",
        deals.activity_complete,
        name="deal_activity_complete",
    ),
    path(
        "deals/<int:pk>/activities/<int:activity_pk>/cancel/",
        deals.activity_cancel,
        name="deal_activity_cancel",
    ),
    path("deals/<int:pk>/reminders/", deals.reminder_add, name="deal_reminder_add"),
    path(
        "deals/<int:pk>/reminders/<int:reminder_pk>/delete/",
        deals.reminder_delete,
        name="deal_reminder_delete",
    ),
    path("deals/<int:pk>/competitors/", deals.competitor_add, name="deal_competitor_add"),
    path(
        "deals/<int:pk>/competitors/<int:entry_pk>/remove/",
        deals.competitor_remove,
        name="deal_competitor_remove",
    ),
    path("deals/<int:pk>/documents/", deals.document_upload, name="deal_document_upload"),
    path(
        "deals/<int:pk>/documents/<int:document_pk>/versions/",
        deals.document_version,
        name="deal_document_version",
    ),
    path(
        "deals/<int:pk>/files/<int:version_pk>/",
        deals.document_file,
        name="deal_document_file",
    ),
    path("deals/<int:pk>/messages/", deals.deal_message, name="deal_message"),
    path("deals/<int:pk>/handover/", deals.deal_handover, name="deal_handover"),
    path("deals/<int:pk>/urge/", deals.deal_urge, name="deal_urge"),
    path("deals/<int:pk>/urges/<int:urge_pk>/answer/", deals.urge_answer, name="deal_urge_answer"),
    path("deals/<int:pk>/order/", deals.order_line_add, name="deal_order_line_add"),
    path(
        "deals/<int:pk>/order/<int:line_pk>/remove/",
        deals.order_line_remove,
        name="deal_order_line_remove",
    ),
    path("deals/<int:pk>/contract/", deals.contract_save, name="deal_contract_save"),
    path("deals/<int:pk>/deliveries/", deals.delivery_add, name="deal_delivery_add"),
    path(
        "deals/<int:pk>/deliveries/<int:delivery_pk>/done/",
        deals.delivery_done,
        name="deal_delivery_done",
    ),
    path("deals/<int:pk>/payment-plan/", deals.installment_add, name="deal_installment_add"),
    path("deals/<int:pk>/payments/", deals.payment_add, name="deal_payment_add"),
]
