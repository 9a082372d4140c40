"""Customer service pages under /records/service/ (included by records/urls.py)."""

from django.urls import path

from portal.records.service import views as service

urlpatterns = [
    path("service/", service.service_case_list, name="service_case_list"),
    path("service/new/", service.service_case_create, name="service_case_create"),
    path("service/<int:pk>/", service.service_case_detail, name="service_case_detail"),
    path("service/<int:pk>/step/<str:step>/", service.service_case_step, name="service_case_step"),
    path("service/<int:pk>/attach/", service.service_case_attach, name="service_case_attach"),
    path(
        "service/<int:pk>/files/<int:attachment_pk>/",
        service.service_attachment,
        name="service_attachment",
    ),
    path("service/lookup/customers/", service.service_customer_lookup, name="service_lookup"),
    path("service/lookup/details/", service.service_customer_details, name="service_details"),
    path("service/questions/", service.support_question_list, name="support_question_list"),
    path("service/questions/new/", service.support_question_create, name="support_question_create"),
    path("service/questions/suggest/", service.qa_suggest, name="support_qa_suggest"),
    path(
        "service/questions/<int:pk>/",
        service.support_question_detail,
        name="support_question_detail",
    ),
    path(
        "service/questions/<int:pk>/answer/",
        service.support_question_answer,
        name="support_question_answer",
    ),
    path(
        "service/questions/<int:pk>/escalate/",
        service.support_question_escalate,
        name="support_question_escalate",
    ),
    path("service/records/", service.service_record_list, name="service_record_list"),
    path("service/records/new/", service.service_record_create, name="service_record_create"),
    path("service/statistics/", service.service_statistics, name="service_statistics"),
    path(
        "service/statistics/export/",
        service.service_statistics_export,
        name="service_statistics_export",
    ),
]
