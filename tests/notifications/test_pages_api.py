"""The notification centre, the interests page and /api/v1/notifications|interests|follows."""

import re

from portal.notifications import actions
from portal.notifications.models import KeywordInterest, Kind, Notification


def _some(user, n=3):
    for i in range(n):
        actions.notify([user.pk], Kind.ANNOUNCEMENT, f"Notice {i}", dedupe_key=f"n{i}")


def test_centre_lists_own_notifications_with_fixed_queries(
    people, client_for, django_assert_max_num_queries
):
    sales2 = people["sales2"]
    _some(sales2, 30)
    _some(people["sales1"], 2)
    client = client_for(sales2)
    with django_assert_max_num_queries(12):
        page = client.get("/notifications/")
    assert page.status_code == 200
    assert len(re.findall(r'id="n\d+"', page.content.decode())) == 25
    assert "Notice 29" in page.content.decode()


def test_centre_filters_unread_and_marks_all_read(people, client_for):
    sales2 = people["sales2"]
    _some(sales2)
    client = client_for(sales2)
    client.post("/notifications/1/read/")
    page = client.get("/notifications/?filter=unread")
    assert "Notice 0" not in page.content.decode() and "Notice 2" in page.content.decode()
    client.post("/notifications/read-all/")
    assert not Notification.objects.filter(user=sales2, read_at__isnull=True).exists()


def test_someone_elses_notification_is_404(people, client_for):
    _some(people["sales1"])
    client = client_for(people["sales2"])
    assert client.post("/notifications/1/read/").status_code == 404
    assert not Notification.objects.filter(read_at__isnull=False).exists()


def test_interests_page_adds_a_keyword_and_saves_settings(people, client_for):
    client = client_for(people["sales2"])
    assert client.get("/notifications/interests/").status_code == 200
    client.post("/notifications/interests/", {"kw-query": "竞品", "kw-level": "3"})
    assert list(KeywordInterest.objects.values_list("query", flat=True)) == ["竞品"]
    data = {
        "pref-email_mode": "daily",
        "pref-quiet_start": "22:00",
        "pref-quiet_end": "07:00",
        "pref-web_deal": "on",
    }
    assert client.post("/notifications/interests/", data).status_code == 302
    prefs = actions.settings_for(people["sales2"])
    assert prefs.email_mode == "daily" and prefs.wants("deal", "web")
    assert not prefs.wants("deal", "email")


def test_api_lists_notifications_with_ids_and_after_cursor(people, api_client):
    sales2 = people["sales2"]
    _some(sales2, 5)
    api_client.force_authenticate(sales2)
    body = api_client.get("/api/v1/notifications/").json()
    assert body["count"] == 5 and body["results"][0]["id"] == 5
    after = api_client.get("/api/v1/notifications/?after=3").json()
    assert [row["id"] for row in after["results"]] == [4, 5]
    assert api_client.post("/api/v1/notifications/4/read/").json()["read"] is True
    assert api_client.get("/api/v1/notifications/unread-count/").json() == {"count": 4}
    assert api_client.post("/api/v1/notifications/read-all/").json() == {"marked": 4}


def test_api_interests_and_follows(people, api_client):
    api_client.force_authenticate(people["sales2"])
    created = api_client.post("/api/v1/interests/", {"query": "competitor"}, format="json")
    assert created.status_code == 201
    duplicate = api_client.post("/api/v1/interests/", {"query": "Competitor"}, format="json")
    assert duplicate.status_code == 400 and "query" in duplicate.json()
    follow = api_client.post(
        "/api/v1/follows/",
        {"target_kind": "tag", "target_key": "Pricing", "level": 0},
        format="json",
    )
    assert follow.status_code == 201 and follow.json()["target_key"] == "pricing"
    assert api_client.get("/api/v1/follows/").json()["count"] == 1


def test_api_announce_is_for_administrators(people, api_client):
    api_client.force_authenticate(people["sales1"])
    assert api_client.post("/api/v1/notifications/announce/", {"title": "x"}).status_code == 403
    assert not Notification.objects.exists()
    api_client.force_authenticate(people["admin"])
    response = api_client.post("/api/v1/notifications/announce/", {"title": "Hello"})
    assert response.status_code == 201 and response.json()["recipients"] == 6


def test_customer_page_has_a_follow_panel_that_sets_the_level(people, client_for):
    from portal.core.testing import capture_events
    from portal.notifications.models import Follow, Level
    from portal.records.customers.actions import customers as records

    with capture_events():
        customer = records.create_customer(acting_user=people["sales1"], name="Polaris 华南")
    owner = client_for(people["sales1"])
    page = owner.get(f"/records/customers/{customer.pk}/").content.decode()
    # the panel other apps' pages show through the related-panels registry
    assert "agora-follow-panel" in page
    assert f'value="records.customer:{customer.pk}"' in page
    target = {"target": f"records.customer:{customer.pk}", "level": str(Level.WATCHING)}
    response = owner.post("/notifications/follow/", {**target, "next": "/"})
    assert response.status_code == 302
    follow = Follow.objects.get(user=people["sales1"], target_kind="records.customer")
    assert follow.level == Level.WATCHING and follow.label == "Polaris 华南"
    # someone who may not open the customer is refused alike, and nothing is stored
    stranger = client_for(people["sales2"])
    assert stranger.post("/notifications/follow/", target).status_code == 404
    assert not Follow.objects.filter(user=people["sales2"]).exists()
