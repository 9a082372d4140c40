"""Customer pages under /records/customers/, /records/contacts/, /records/mail/, /records/fax/."""

from django.urls import path

from portal.records.customers import mail_views, pool_views
from portal.records.customers import views as customers

urlpatterns = [
    path("customers/", customers.customer_list, name="customer_list"),
    path("customers/new/", customers.customer_create, name="customer_create"),
    path("customers/export/", customers.customer_export, name="customer_export"),
    path("customers/bulk/", customers.customers_bulk, name="customers_bulk"),
    path("customers/bin/", customers.recycle_bin, name="recycle_bin"),
    path("customers/pool/", pool_views.pool_list, name="customer_pool"),
    path("customers/pool/<int:pk>/claim/", pool_views.pool_claim, name="customer_pool_claim"),
    path("customers/ask-to-share/", pool_views.ask_to_share, name="customer_ask_to_share"),
    path("customers/import/", customers.import_start, name="import_start"),
    path("customers/import/<int:pk>/", customers.import_job, name="import_job"),
    path("customers/import/<int:pk>/progress/", customers.import_progress, name="import_progress"),
    path("customers/import/<int:pk>/commit/", customers.import_commit, name="import_commit"),
    path("customers/<int:pk>/", customers.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/edit/", customers.customer_edit, name="customer_edit"),
    path("customers/<int:pk>/delete/", customers.customer_delete, name="customer_delete"),
    path("customers/<int:pk>/restore/", customers.customer_restore, name="customer_restore"),
    path("customers/<int:pk>/purge/", customers.customer_purge, name="customer_purge"),
    path("customers/<int:pk>/share/", customers.customer_share, name="customer_share"),
    path(
        "customers/<int:pk>/share/<int:share_pk>/remove/",
        customers.customer_unshare,
        name="customer_unshare",
    ),
    path("customers/<int:pk>/transfer/", customers.customer_transfer, name="customer_transfer"),
    path("customers/<int:pk>/contacts/new/", customers.contact_create, name="contact_create"),
    path("customers/<int:pk>/labels/", customers.contact_labels, name="contact_labels"),
    path("contacts/<int:pk>/edit/", customers.contact_edit, name="contact_edit"),
    path("contacts/<int:pk>/delete/", customers.contact_delete, name="contact_delete"),
    path("customers/lists/", customers.customer_lists, name="customer_lists"),
    path("mail/", mail_views.mail_compose, name="mail_compose"),
    path("mail/<int:pk>/", mail_views.mail_batch, name="mail_batch"),
    path("mail/<int:pk>/send/", mail_views.mail_send, name="mail_send"),
    path("fax/", mail_views.fax_compose, name="fax_compose"),
]
