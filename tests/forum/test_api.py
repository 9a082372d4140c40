"""/api/v1/topics/ and /api/v1/posts/: same rules and actions as the pages."""

from __future__ import annotations

import pytest

from portal.forum import actions
from portal.forum.models import Post, Topic

pytestmark = pytest.mark.django_db


def test_creating_a_topic_needs_title_body_and_a_readable_category(
    people, forum, api_client, events
):
    api_client.force_authenticate(people["sales1"])
    response = api_client.post(
        "/api/v1/topics/",
        {
            "title": "From the API",
            "body": "Hello",
            "category": forum["open"].pk,
            "tags": ["api"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["tags"] == ["api"] and response.json()["post_count"] == 1
    assert "forum.topic_created" in events.names
    response = api_client.post(
        "/api/v1/topics/", {"title": "x", "category": forum["open"].pk}, format="json"
    )
    assert response.status_code == 400 and "body" in response.json()
    response = api_client.post(
        "/api/v1/topics/",
        {"title": "x", "body": "y", "category": forum["managers"].pk},
        format="json",
    )
    assert response.status_code == 400 and "category" in response.json()
    assert Topic.objects.count() == 1


def test_lists_are_paginated_and_filtered_by_visibility(people, forum, api_client):
    actions.create_topic(
        category=forum["open"], title="Open", body="b", acting_user=people["sales1"]
    )
    secret = actions.create_topic(
        category=forum["managers"], title="Secret", body="b", acting_user=people["manager"]
    )
    actions.reply(secret, body="inside", acting_user=people["manager"])
    api_client.force_authenticate(people["sales2"])
    data = api_client.get("/api/v1/topics/").json()
    assert set(data) >= {"count", "next", "previous", "results"}
    assert [t["title"] for t in data["results"]] == ["Open"]
    assert api_client.get(f"/api/v1/topics/{secret.pk}/").status_code == 404
    posts = api_client.get("/api/v1/posts/").json()
    assert all(p["topic"] != secret.pk for p in posts["results"])


def test_replying_and_editing_posts(people, forum, api_client):
    topic = actions.create_topic(
        category=forum["open"], title="T", body="b", acting_user=people["sales1"]
    )
    api_client.force_authenticate(people["sales2"])
    response = api_client.post(
        "/api/v1/posts/", {"topic": topic.pk, "body": "A reply"}, format="json"
    )
    assert response.status_code == 201 and response.json()["number"] == 2
    post_id = response.json()["id"]
    response = api_client.patch(f"/api/v1/posts/{post_id}/", {"body": "Edited"}, format="json")
    assert response.status_code == 200 and response.json()["edit_count"] == 1
    # someone else may not edit it
    api_client.force_authenticate(people["service"])
    response = api_client.patch(f"/api/v1/posts/{post_id}/", {"body": "Hijack"}, format="json")
    assert response.status_code == 403
    assert Post.objects.get(pk=post_id).body == "Edited"
    listed = api_client.get(f"/api/v1/posts/?topic={topic.pk}").json()["results"]
    assert [p["number"] for p in listed] == [1, 2]


def test_replying_to_an_invisible_topic_is_a_400_and_nothing_is_written(people, forum, api_client):
    secret = actions.create_topic(
        category=forum["managers"], title="S", body="b", acting_user=people["manager"]
    )
    api_client.force_authenticate(people["sales1"])
    response = api_client.post("/api/v1/posts/", {"topic": secret.pk, "body": "x"}, format="json")
    assert response.status_code == 400 and "topic" in response.json()
    assert secret.posts.count() == 1


def test_patching_a_topic_title_keeps_history_and_moderator_only_pin(people, forum, api_client):
    topic = actions.create_topic(
        category=forum["open"], title="Old", body="b", acting_user=people["sales1"]
    )
    api_client.force_authenticate(people["sales1"])
    response = api_client.patch(f"/api/v1/topics/{topic.pk}/", {"title": "New"}, format="json")
    assert response.status_code == 200 and response.json()["title"] == "New"
    response = api_client.patch(f"/api/v1/topics/{topic.pk}/", {"pinned": True}, format="json")
    assert response.status_code == 403 and not Topic.objects.get(pk=topic.pk).pinned
