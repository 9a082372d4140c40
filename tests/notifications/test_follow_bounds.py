"""Following by "app_label.model:id": an unfollowable model (an API token), an id past 64 bits,
a missing and a forbidden record all get the same 400 (API) or 404 (page), nothing stored."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from portal.core.testing import capture_events
from portal.notifications.models import Follow, Level

pytestmark = pytest.mark.django_db


@pytest.fixture
def customer(people):
    from portal.records.customers import actions as records

    with capture_events():
        return records.create_customer(acting_user=people["sales1"], name="Polaris")


def _hostile_refs(people, customer):
    token = Token.objects.create(user=people["sales2"])
    return [
        f"authtoken.token:{token.key}",
        f"authtoken.token:{token.pk}",
        f"accounts.user:{people['sales2'].pk}",
        f"sessions.session:{1}",
        f"records.customer:{2**63}",
        f"records.customer:{'9' * 40}",
        "records.customer:-1",
        "records.customer:",
        "nonsense",
        "no.such:1",
        f"records.customer:{customer.pk + 1000}",  # missing
        f"records.customer:{customer.pk}",  # exists, but sales2 may not open it
    ]


@pytest.mark.parametrize("who", ["sales2", "admin"])
def test_api_follow_of_anything_not_followable_is_the_same_404(people, customer, api_client, who):
    api_client.force_authenticate(people[who])
    answers = set()
    for ref in _hostile_refs(people, customer):
        if who == "admin" and ref == f"records.customer:{customer.pk}":
            continue  # the administrator may open it: that one is a real follow
        response = api_client.post(
            "/api/v1/follows/", {"object": ref, "level": Level.WATCHING}, format="json"
        )
        # 404 like the page and every other API (issue 14: 400 vs 404 was an existence oracle
        # before; now one answer for all of them)
        assert response.status_code == 404, (ref, response.content)
        answers.add(response.content)
    assert len(answers) == 1  # missing and forbidden cannot be told apart
    assert not Follow.objects.exists()


def test_page_follow_of_anything_not_followable_is_a_404(people, customer, client_for):
    client = client_for(people["sales2"])
    for ref in _hostile_refs(people, customer):
        response = client.post("/notifications/follow/", {"target": ref, "level": Level.WATCHING})
        assert response.status_code == 404, ref
    assert not Follow.objects.exists()


def test_a_followable_record_is_still_followed(people, customer, api_client):
    api_client.force_authenticate(people["sales1"])
    response = api_client.post(
        "/api/v1/follows/",
        {"object": f"records.customer:{customer.pk}", "level": Level.WATCHING},
        format="json",
    )
    assert response.status_code == 201
    assert Follow.objects.get().target_key == str(customer.pk)


@pytest.mark.parametrize("value", [str(2**63), "9" * 30, "-1", "x"])
def test_notification_after_filter_is_bounded(people, api_client, value):
    api_client.force_authenticate(people["sales1"])
    response = api_client.get("/api/v1/notifications/", {"after": value})
    assert response.status_code == 400 and "after" in response.json()
    assert api_client.get("/api/v1/notifications/", {"after": "0"}).status_code == 200
