"""Activities on a customer with or without a deal, and appointments (decision 1001): the
actions, the policy, the customer page, the API — refusals change nothing."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from icalendar import Calendar

from portal.core.models import AuditEntry
from portal.notifications.models import Reminder
from portal.records.customers import actions as customer_actions
from portal.records.deals import actions
from portal.records.deals.models import Activity
from portal.records.deals.policy import activity_policy
from portal.records.deals.tasks import activities_due
from tests.records.deal_helpers import open_deal

pytestmark = pytest.mark.django_db


def _soon(hours=26):
    return (timezone.now() + datetime.timedelta(hours=hours)).replace(microsecond=0)


def test_a_call_is_logged_on_a_customer_without_a_deal(people, customer):
    sales1 = people["sales1"]
    activity = actions.create_activity(
        customer=customer,
        acting_user=sales1,
        status=Activity.Status.DONE,
        kind=Activity.Kind.CALL,
        subject="Called the buyer",
        outcome="Wants a visit",
    )
    assert activity.deal is None and activity.customer == customer
    assert activity.get_absolute_url().startswith(customer.get_absolute_url())
    # the customer's history names it; the customer's readers see it, others do not
    assert AuditEntry.objects.filter(action="customer.activity_logged").count() == 1
    assert activity_policy.is_visible(people["manager"], activity)
    assert not activity_policy.is_visible(people["sales2"], activity)
    assert activity_policy.who_can_see(activity) >= {sales1.pk, people["manager"].pk}
    assert people["sales2"].pk not in activity_policy.who_can_see(activity)


def test_deal_activities_keep_working_and_name_their_customer(people, customer):
    deal = open_deal(customer, people["sales1"])
    activity = actions.create_activity(
        deal, acting_user=people["sales1"], subject="Visit", due_at=_soon()
    )
    assert activity.customer == customer and activity.deal == deal
    assert "/deals/" in activity.get_absolute_url()
    # a deal that is not the customer's is refused
    stranger = customer_actions.create_customer(acting_user=people["sales1"], name="Another Co")
    with pytest.raises(ValidationError) as err:
        actions.create_activity(
            deal, customer=stranger, acting_user=people["sales1"], subject="x", due_at=_soon()
        )
    assert "deal" in err.value.message_dict


def test_someone_who_cannot_change_the_customer_cannot_add_and_nothing_changes(people, customer):
    before = (Activity.objects.count(), AuditEntry.objects.count(), Reminder.objects.count())
    for person in (people["sales2"], people["service"], people["newhire"]):
        with pytest.raises(PermissionDenied):
            actions.create_activity(
                customer=customer,
                acting_user=person,
                subject="Sneaky call",
                due_at=_soon(),
                remind_minutes=10,
            )
    assert (Activity.objects.count(), AuditEntry.objects.count(), Reminder.objects.count()) == (
        before
    )


def test_customer_activity_due_today_is_a_task_and_completes(people, customer):
    sales1 = people["sales1"]
    activity = actions.create_activity(
        customer=customer,
        acting_user=sales1,
        subject="Call back about the quote",
        due_at=timezone.now() - datetime.timedelta(hours=1),
    )
    tasks = activities_due(sales1)
    assert [t.object_id for t in tasks] == [activity.pk]
    assert customer.name in tasks[0].detail
    assert activities_due(people["sales2"]) == []
    with pytest.raises(PermissionDenied):
        actions.complete_activity(activity, acting_user=people["sales2"], outcome="x")
    activity.refresh_from_db()
    assert activity.status == Activity.Status.PLANNED
    actions.complete_activity(activity, acting_user=sales1, outcome="Agreed")
    activity.refresh_from_db()
    assert activity.status == Activity.Status.DONE
    assert AuditEntry.objects.filter(action="customer.activity_done").count() == 1


def test_an_appointment_reminds_before_and_invites_with_an_ics(
    people, customer, django_capture_on_commit_callbacks
):
    sales1, sales2, manager = people["sales1"], people["sales2"], people["manager"]
    contacts = list(customer.contacts.order_by("name"))
    start = _soon(48)
    with django_capture_on_commit_callbacks(execute=True):
        meeting = actions.create_activity(
            customer=customer,
            acting_user=sales1,
            kind=Activity.Kind.MEETING,
            subject="Quarterly review",
            due_at=start,
            ends_at=start + datetime.timedelta(hours=2),
            place="Zhangjiang office, room 3",
            contacts=contacts,
            attendees=[manager],
            remind_minutes=30,
        )
    reminders = Reminder.objects.filter(source=meeting.source)
    assert sorted(r.user_id for r in reminders) == sorted([sales1.pk, manager.pk])
    assert {r.due_at for r in reminders} == {start - datetime.timedelta(minutes=30)}
    # one e-mail to the colleague and the contact who may be e-mailed (not "do not email")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["manager@agora.test", "wangfang@hdjj.example.cn"]
    name, content, mimetype = message.attachments[0]
    assert name == "invite.ics" and mimetype.startswith("text/calendar")
    event = Calendar.from_ical(content).walk("VEVENT")[0]
    assert str(event["summary"]).endswith("Quarterly review")
    assert str(event["location"]) == "Zhangjiang office, room 3"
    assert event.decoded("dtstart") == start
    assert len(event.get("attendee")) == 2
    # a colleague who may not see the customer cannot be invited; nothing is created
    count = Activity.objects.count()
    with pytest.raises(ValidationError) as err:
        actions.create_activity(
            customer=customer,
            acting_user=sales1,
            kind=Activity.Kind.MEETING,
            subject="With a stranger",
            due_at=start,
            attendees=[sales2],
        )
    assert "attendees" in err.value.message_dict
    assert Activity.objects.count() == count
    # cancelling drops the undelivered reminders and tells the invited
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        actions.cancel_activity(meeting, acting_user=sales1)
    assert not Reminder.objects.filter(source=meeting.source).exists()
    assert mail.outbox and "METHOD:CANCEL" in str(mail.outbox[0].attachments[0][1])


def test_appointment_bounds_are_checked(people, customer):
    start = _soon()
    for fields, field in (
        ({"ends_at": start - datetime.timedelta(hours=1)}, "ends_at"),
        ({"ends_at": start + datetime.timedelta(days=9)}, "ends_at"),
        ({"remind_minutes": 10**6}, "remind_minutes"),
    ):
        with pytest.raises(ValidationError) as err:
            actions.create_activity(
                customer=customer,
                acting_user=people["sales1"],
                subject="Meeting",
                due_at=start,
                **fields,
            )
        assert field in err.value.message_dict
    assert not Activity.objects.exists()


def test_customer_page_lists_and_logs_activities(client_for, people, customer):
    sales1 = people["sales1"]
    actions.create_activity(
        customer=customer, acting_user=sales1, status="done", subject="First call"
    )
    url = customer.get_absolute_url()
    page = client_for(sales1).get(url).content.decode()
    assert "First call" in page and 'id="customer-activity-form"' in page
    response = client_for(sales1).post(
        f"/records/customers/{customer.pk}/activities/",
        {
            "activity-kind": "visit",
            "activity-status": "planned",
            "activity-due_at": _soon().strftime("%Y-%m-%dT%H:%M"),
            "activity-subject": "Visit the plant",
            "activity-place": "Pudong",
            "activity-remind": "60",
        },
    )
    assert response.status_code == 302
    visit = Activity.objects.get(subject="Visit the plant")
    assert visit.deal is None and visit.place == "Pudong" and visit.remind_minutes == 60
    # errors come back on the field, nothing saved
    response = client_for(sales1).post(
        f"/records/customers/{customer.pk}/activities/",
        {"activity-kind": "call", "activity-status": "planned", "activity-subject": ""},
    )
    assert response.status_code == 400
    assert Activity.objects.count() == 2
    # the manager reads them; a rep of another team gets 404 and cannot post
    assert "Visit the plant" in client_for(people["manager"]).get(url).content.decode()
    assert client_for(people["sales2"]).get(url).status_code == 404
    response = client_for(people["sales2"]).post(
        f"/records/customers/{customer.pk}/activities/",
        {"activity-kind": "call", "activity-status": "done", "activity-subject": "x"},
    )
    assert response.status_code == 404
    assert Activity.objects.count() == 2


def test_api_accepts_a_customer_alone(api_client, people, customer):
    api_client.force_authenticate(people["sales1"])
    response = api_client.post(
        "/api/v1/activities/",
        {"customer": customer.pk, "subject": "Called", "status": "done", "kind": "call"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["deal"] is None and body["customer"] == customer.pk
    listed = api_client.get("/api/v1/activities/", {"customer": customer.pk}).json()
    assert [row["id"] for row in listed["results"]] == [body["id"]]
    # neither: the customer field is at fault
    response = api_client.post("/api/v1/activities/", {"subject": "x"}, format="json")
    assert response.status_code == 400 and "customer" in response.json()
    # a meeting with a colleague and a reminder
    response = api_client.post(
        "/api/v1/activities/",
        {
            "customer": customer.pk,
            "kind": "meeting",
            "subject": "Review",
            "due_at": _soon().isoformat(),
            "ends_at": (_soon() + datetime.timedelta(hours=1)).isoformat(),
            "place": "HQ",
            "attendees": ["manager"],
            "remind_minutes": 15,
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["attendees"] == ["manager"]


def test_api_refuses_a_customer_the_caller_cannot_see_and_creates_nothing(
    api_client, people, customer
):
    api_client.force_authenticate(people["sales2"])
    before = (Activity.objects.count(), AuditEntry.objects.count())
    for payload in (
        {"customer": customer.pk, "subject": "Called", "status": "done"},
        {"customer": 999999, "subject": "Called", "status": "done"},
    ):
        response = api_client.post("/api/v1/activities/", payload, format="json")
        assert response.status_code == 400
        assert response.json()["customer"] == ["No such customer."]
    assert (Activity.objects.count(), AuditEntry.objects.count()) == before
    # and sales2 does not list sales1's customer activities
    actions.create_activity(
        customer=customer, acting_user=people["sales1"], status="done", subject="Private"
    )
    assert api_client.get("/api/v1/activities/").json()["count"] == 0


def test_a_leavers_planned_customer_activity_and_its_reminder_go_to_the_successor(people, customer):
    sales1, manager, sales2 = people["sales1"], people["manager"], people["sales2"]
    activity = actions.create_activity(
        customer=customer,
        acting_user=sales1,
        subject="Call about the renewal",
        due_at=_soon(),
        remind_minutes=60,
    )
    actions.hand_over_work(sales1, to_user=people["sales2"], acting_user=manager)
    activity.refresh_from_db()
    assert activity.owner == sales2  # and the customer went to sales2 with it
    reminded = Reminder.objects.filter(source=activity.source).values_list("user_id", flat=True)
    assert list(reminded) == [sales2.pk]
