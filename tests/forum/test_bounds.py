"""Hostile numbers in the forum: ids and page numbers past 64 bits are field errors or empty
pages, never a 500, and nothing is written."""

from __future__ import annotations

import pytest

from portal.forum import actions
from portal.forum.models import Post, Topic

pytestmark = pytest.mark.django_db

HUGE = str(2**63)
HUGER = "9" * 40


@pytest.mark.parametrize("value", [HUGE, HUGER])
def test_a_huge_page_number_is_an_empty_page(people, forum, client_for, value):
    topic = actions.create_topic(
        acting_user=people["sales1"], category=forum["open"], title="Quarterly pricing", body="Hi"
    )
    response = client_for(people["sales1"]).get(f"/forum/?page={value}")
    assert response.status_code == 200
    assert response.context["topics"] == []
    assert topic.get_absolute_url().encode() not in response.content


@pytest.mark.parametrize("value", [HUGE, HUGER, "-1", "0", "abc"])
def test_a_huge_topic_page_number_shows_a_page(people, forum, client_for, value):
    topic = actions.create_topic(
        acting_user=people["sales1"], category=forum["open"], title="Hello", body="Hi"
    )
    response = client_for(people["sales1"]).get(f"/forum/t/{topic.pk}/?page={value}")
    assert response.status_code == 200


@pytest.mark.parametrize("param", ["topic", "category"])
@pytest.mark.parametrize("value", [HUGE, HUGER, "-3", "abc", "1.5"])
def test_api_filters_refuse_ids_out_of_range_with_the_field_named(
    people, forum, api_client, param, value
):
    api_client.force_authenticate(people["sales1"])
    path = "/api/v1/posts/" if param == "topic" else "/api/v1/topics/"
    response = api_client.get(path, {param: value})
    assert response.status_code == 400
    assert param in response.json()


def test_api_filters_still_filter(people, forum, api_client):
    topic = actions.create_topic(
        acting_user=people["sales1"], category=forum["open"], title="A", body="a"
    )
    actions.create_topic(acting_user=people["sales1"], category=forum["cases"], title="B", body="b")
    api_client.force_authenticate(people["sales1"])
    topics = api_client.get("/api/v1/topics/", {"category": forum["open"].pk}).json()
    assert [row["title"] for row in topics["results"]] == ["A"]
    posts = api_client.get("/api/v1/posts/", {"topic": topic.pk}).json()
    assert [row["topic"] for row in posts["results"]] == [topic.pk]


@pytest.mark.parametrize("value", [2**63, 10**40, -1, 0])
def test_creating_a_topic_with_an_impossible_category_is_a_field_error(
    people, forum, api_client, value
):
    api_client.force_authenticate(people["sales1"])
    response = api_client.post(
        "/api/v1/topics/", {"title": "x", "body": "y", "category": value}, format="json"
    )
    assert response.status_code == 400
    assert "category" in response.json()
    assert not Topic.objects.exists()


@pytest.mark.parametrize("value", [2**63, 10**40])
def test_replying_to_an_impossible_topic_or_post_is_a_field_error(people, forum, api_client, value):
    topic = actions.create_topic(
        acting_user=people["sales1"], category=forum["open"], title="A", body="a"
    )
    api_client.force_authenticate(people["sales1"])
    response = api_client.post("/api/v1/posts/", {"topic": value, "body": "y"}, format="json")
    assert response.status_code == 400 and "topic" in response.json()
    response = api_client.post(
        "/api/v1/posts/", {"topic": topic.pk, "body": "y", "reply_to": value}, format="json"
    )
    assert response.status_code == 400 and "reply_to" in response.json()
    assert Post.objects.count() == 1


@pytest.mark.parametrize("value", [HUGE, HUGER, "-1"])
def test_the_topic_form_refuses_an_impossible_category(people, forum, client_for, value):
    client = client_for(people["sales1"])
    response = client.post("/forum/new/", {"category": value, "title": "x", "body": "y"})
    assert response.status_code == 200
    assert response.context["form"].errors["category"]
    assert not Topic.objects.exists()


@pytest.mark.parametrize("value", [HUGE, HUGER])
def test_a_reply_to_an_impossible_post_is_a_form_error(people, forum, client_for, value):
    topic = actions.create_topic(
        acting_user=people["sales1"], category=forum["open"], title="A", body="a"
    )
    client = client_for(people["sales1"])
    response = client.post(f"/forum/t/{topic.pk}/reply/", {"body": "y", "reply_to": value})
    assert response.status_code in {200, 302}
    assert Post.objects.count() == 1


@pytest.mark.parametrize("value", [HUGE, HUGER])
def test_a_reference_filter_with_a_huge_id_lists_nothing(people, forum, client_for, value):
    actions.create_topic(
        acting_user=people["sales1"], category=forum["open"], title="Hello", body="Hi"
    )
    response = client_for(people["sales1"]).get(f"/forum/?ref=records.customer:{value}")
    assert response.status_code == 200
