"""The deal, activity and reminder API: visibility, pagination, minimal creation, 4xx field
errors with nothing changed."""

from __future__ import annotations

import datetime

from django.utils import timezone

from portal.records.models import Activity, Deal, DealReminder
from tests.records.deal_helpers import open_deal


def test_creating_a_deal_needs_only_a_name_and_a_customer(api_client, people, customer):
    api_client.force_authenticate(people["sales1"])
    response = api_client.post(
        "/api/v1/deals/", {"name": "API deal", "customer": customer.pk}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["owner"] == "sales1" and body["state"] == "tracking"
    assert body["number"].startswith("D") and body["stage"] is not None
    assert Deal.objects.get().name == "API deal"


def test_deal_field_errors_are_4xx_and_change_nothing(api_client, people, customer):
    api_client.force_authenticate(people["sales1"])
    response = api_client.post("/api/v1/deals/", {"customer": customer.pk}, format="json")
    assert response.status_code == 400 and "name" in response.json()
    response = api_client.post("/api/v1/deals/", {"name": "X", "customer": 999999}, format="json")
    assert response.status_code == 400 and "customer" in response.json()
    response = api_client.post(
        "/api/v1/deals/",
        {"name": "X", "customer": customer.pk, "currency": "yuan!"},
        format="json",
    )
    assert response.status_code == 400 and "currency" in response.json()
    assert not Deal.objects.exists()
    # someone without deals → register gets a 403
    api_client.force_authenticate(people["service"])
    response = api_client.post(
        "/api/v1/deals/", {"name": "X", "customer": customer.pk}, format="json"
    )
    assert response.status_code in (400, 403)
    assert not Deal.objects.exists()


def test_list_is_visible_only_and_paginated(api_client, people, customer):
    for i in range(30):
        open_deal(customer, people["sales1"], name=f"Deal {i:02d}")
    api_client.force_authenticate(people["sales1"])
    body = api_client.get("/api/v1/deals/").json()
    assert body["count"] == 30 and len(body["results"]) == 25 and body["next"]
    assert api_client.get(body["next"]).json()["previous"]
    api_client.force_authenticate(people["sales2"])
    assert api_client.get("/api/v1/deals/").json()["count"] == 0
    deal = Deal.objects.first()
    assert api_client.get(f"/api/v1/deals/{deal.pk}/").status_code == 404
    response = api_client.patch(f"/api/v1/deals/{deal.pk}/", {"name": "Mine"}, format="json")
    assert response.status_code == 404
    deal.refresh_from_db()
    assert deal.name != "Mine"


def test_win_lose_and_handover_through_the_api(api_client, people, customer):
    first = open_deal(customer, people["sales1"], name="First")
    second = open_deal(customer, people["sales1"], name="Second")
    api_client.force_authenticate(people["sales1"])
    assert api_client.post(f"/api/v1/deals/{first.pk}/win/").json()["state"] == "won"
    response = api_client.post(f"/api/v1/deals/{second.pk}/lose/", {"reason": ""}, format="json")
    assert response.status_code == 400 and "reason" in response.json()
    response = api_client.post(
        f"/api/v1/deals/{second.pk}/lose/", {"reason": "Price"}, format="json"
    )
    assert response.json()["state"] == "lost"
    response = api_client.post(
        f"/api/v1/deals/{first.pk}/handover/", {"to_user": "sales2"}, format="json"
    )
    assert response.status_code == 200 and response.json()["owner"] == "sales2"
    # sales2 now owns it; sales1 may no longer hand it over
    response = api_client.post(
        f"/api/v1/deals/{first.pk}/handover/", {"to_user": "sales1"}, format="json"
    )
    assert response.status_code == 403
    assert Deal.objects.get(pk=first.pk).owner == people["sales2"]


def test_activities_api_creates_lists_and_completes(api_client, people, customer):
    deal = open_deal(customer, people["sales1"])
    api_client.force_authenticate(people["sales1"])
    response = api_client.post(
        "/api/v1/activities/",
        {"deal": deal.pk, "subject": "Logged call", "status": "done", "kind": "call"},
        format="json",
    )
    assert response.status_code == 201, response.content
    response = api_client.post(
        "/api/v1/activities/", {"deal": deal.pk, "subject": "Planned visit"}, format="json"
    )
    assert response.status_code == 400 and "due_at" in response.json()
    due = (timezone.now() - datetime.timedelta(hours=2)).isoformat()
    planned = api_client.post(
        "/api/v1/activities/",
        {"deal": deal.pk, "subject": "Planned visit", "kind": "visit", "due_at": due},
        format="json",
    ).json()
    assert planned["is_overdue"] is True
    assert api_client.get("/api/v1/activities/", {"overdue": "1"}).json()["count"] == 1
    response = api_client.post(
        f"/api/v1/activities/{planned['id']}/complete/", {"outcome": "Good"}, format="json"
    )
    assert response.json()["status"] == "done"
    # strangers see nothing and cannot add
    api_client.force_authenticate(people["sales2"])
    assert api_client.get("/api/v1/activities/").json()["count"] == 0
    response = api_client.post(
        "/api/v1/activities/",
        {"deal": deal.pk, "subject": "x", "status": "done"},
        format="json",
    )
    assert response.status_code == 400 and "deal" in response.json()
    assert Activity.objects.count() == 2


def test_reminders_api(api_client, people, customer):
    deal = open_deal(customer, people["sales1"])
    api_client.force_authenticate(people["sales1"])
    due = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    response = api_client.post(
        "/api/v1/reminders/", {"deal": deal.pk, "due_at": due, "subject": "Call"}, format="json"
    )
    assert response.status_code == 201 and response.json()["people"] == ["sales1"]
    response = api_client.post(
        "/api/v1/reminders/",
        {"deal": deal.pk, "due_at": due, "subject": "Call", "people": ["sales2"]},
        format="json",
    )
    assert response.status_code == 400 and "people" in response.json()
    assert api_client.get("/api/v1/reminders/", {"mine": "1"}).json()["count"] == 1
    api_client.force_authenticate(people["manager"])
    assert api_client.get("/api/v1/reminders/").json()["count"] == 1
    assert api_client.get("/api/v1/reminders/", {"mine": "1"}).json()["count"] == 0
    api_client.force_authenticate(people["sales2"])
    assert api_client.get("/api/v1/reminders/").json()["count"] == 0
    reminder = DealReminder.objects.get()
    assert api_client.delete(f"/api/v1/reminders/{reminder.pk}/").status_code == 404
    assert DealReminder.objects.count() == 1


def test_activities_api_cancels_a_planned_activity_only(api_client, people, customer):
    deal = open_deal(customer, people["sales1"])
    due = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    api_client.force_authenticate(people["sales1"])
    planned = api_client.post(
        "/api/v1/activities/",
        {"deal": deal.pk, "subject": "Demo at the store", "kind": "visit", "due_at": due},
        format="json",
    ).json()
    url = f"/api/v1/activities/{planned['id']}/cancel/"
    # a colleague who may not see the deal gets 404 and changes nothing
    api_client.force_authenticate(people["sales2"])
    assert api_client.post(url).status_code == 404
    assert Activity.objects.get(pk=planned["id"]).status == "planned"
    api_client.force_authenticate(people["sales1"])
    response = api_client.post(url)
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    # cancelling again is refused with a clear message
    again = api_client.post(url)
    assert again.status_code == 400
    assert "Only a planned activity" in str(again.json())
