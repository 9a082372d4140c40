"""Service notices (records/service/notifications.py, ADR 0611): stored as a message and its
parameters and rendered in the reader's language whenever shown."""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation

from portal.core.testing import capture_events
from portal.notifications.models import Kind, Notification
from portal.records.models import ServiceCase
from portal.records.service import actions


def test_a_service_notice_made_in_english_reads_in_chinese_after_switching(
    people, customer, client_for
):
    # given the customer's owner reads the portal in English
    owner = people["sales1"]
    owner.language = "en"
    owner.save(update_fields=["language"])
    # when a complaint about their customer comes in
    with capture_events():
        case = actions.register_complaint(
            acting_user=people["service"],
            customer=customer,
            title="收银机频繁死机",
            description="门店三台收银机每天死机两三次。",
        )
    row = Notification.objects.get(user=owner, url=case.get_absolute_url())
    assert row.kind == Kind.SERVICE
    assert row.message == "records.service_case_registered"
    assert row.params["case"] == case.number and row.params["customer"] == customer.name
    english = f"New complaint {case.number} about {customer.name}"
    chinese = f"关于 {customer.name} 的新投诉 {case.number}"
    assert row.title == english
    # (the override restores this thread's language, which the requests below switch)
    with translation.override("en"):
        client = client_for(owner)
        assert english in client.get(reverse("notifications:center")).content.decode()
        # then, after switching the interface to 中文, the same row reads in Chinese
        client.post(reverse("accounts:set_language"), {"language": "zh-hans", "next": "/"})
        page = client.get(reverse("notifications:center")).content.decode()
        assert chinese in page and english not in page
        assert client.get("/api/v1/notifications/").json()["results"][0]["title"] == chinese


def test_an_overdue_notice_shows_the_status_in_the_readers_language(people, customer):
    with capture_events():
        case = actions.register_complaint(
            acting_user=people["service"], customer=customer, title="死机", description="每天"
        )
    ServiceCase.objects.filter(pk=case.pk).update(step_due_at=case.created_at)
    with capture_events():
        assert actions.flag_overdue_cases() == 1
    row = Notification.objects.get(message="records.service_case_overdue", user=people["service"])
    assert row.params["status"] == ServiceCase.Status.REGISTERED
    assert row.render("en")[0] == f"Complaint {case.number} is overdue (Registered)"
    assert row.render("zh-hans")[0] != row.render("en")[0]
    assert case.number in row.render("zh-hans")[0]
