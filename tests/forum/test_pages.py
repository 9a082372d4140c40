"""Forum pages: lists, topic pages, the composer's helpers, moderation endpoints, attachments."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from portal.forum import actions, queries
from portal.forum.models import Post, Topic, TopicRead

pytestmark = pytest.mark.django_db


def start(user, category, title="Scanner question", body="Does it read screens?", **extra):
    return actions.create_topic(
        category=category, title=title, body=body, **extra, acting_user=user
    )


def test_forum_home_redirects_to_the_live_index_or_shows_an_empty_state(people, client_for):
    client = client_for(people["sales1"])
    response = client.get(reverse("forum:home"))
    assert response.status_code == 200
    assert "has not been set up yet" in response.content.decode()


def test_forum_home_redirects_with_filters(people, forum, client_for):
    response = client_for(people["sales1"]).get(reverse("forum:home") + "?ref=customer:5")
    assert response.status_code == 302 and response.url == "/forum/?ref=customer%3A5"


def test_pages_require_sign_in(forum, client):
    response = client.get("/forum/")
    assert response.status_code == 302 and "/accounts/login/" in response.url


def test_the_topic_list_has_a_fixed_number_of_queries(
    people, forum, client_for, django_assert_max_num_queries
):
    for number in range(3):
        topic = start(people["sales1"], forum["open"], title=f"Topic {number}", tags=["a", "b"])
        actions.reply(topic, body="reply", acting_user=people["sales2"])
    client = client_for(people["sales2"])
    client.get("/forum/")  # warm the per-process caches (content types, site root)
    with django_assert_max_num_queries(22) as few:
        client.get("/forum/")
    for number in range(3, 30):
        start(people["sales1"], forum["open"], title=f"Topic {number}", tags=["a", "b"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/forum/")
    assert (
        response.content.decode().count('class="fw-semibold text-decoration-none topic-link"') == 25
    )


def test_list_views_unanswered_solved_tag_author_and_category(people, forum, client_for):
    solved = start(people["sales1"], forum["open"], title="Solved one", tags=["scanners"])
    answer = actions.reply(solved, body="yes", acting_user=people["sales2"])
    actions.accept_answer(answer, acting_user=people["sales1"])
    start(people["sales2"], forum["cases"], title="Open case")
    secret = start(people["manager"], forum["managers"], title="Secret budget")
    client = client_for(people["sales1"])

    def titles(url):
        return {
            t
            for t in ("Solved one", "Open case", "Secret budget")
            if t in client.get(url).content.decode()
        }

    assert titles("/forum/") == {"Solved one", "Open case"}
    assert titles("/forum/?view=unanswered") == {"Open case"}
    assert titles("/forum/?view=solved") == {"Solved one"}
    assert titles("/forum/?tag=scanners") == {"Solved one"}
    assert titles("/forum/?author=sales2") == {"Open case"}
    assert titles("/forum/cases/") == {"Open case"}
    assert client.get("/forum/managers/").status_code == 404
    assert client.get(f"/forum/t/{secret.pk}/").status_code == 404


def test_unread_counts_and_jump_to_the_first_unread(people, forum, client_for):
    topic = start(people["sales1"], forum["open"])
    client = client_for(people["sales2"])
    client.get(f"/forum/t/{topic.pk}/")
    for number in range(3):
        actions.reply(topic, body=f"more {number}", acting_user=people["sales1"])
    assert "3 new" in client.get("/forum/").content.decode()
    response = client.get(f"/forum/t/{topic.pk}/?unread")
    assert response.status_code == 302 and response.url.endswith(f"/forum/t/{topic.pk}/#p2")
    client.get(f"/forum/t/{topic.pk}/")
    assert TopicRead.objects.get(user=people["sales2"], topic=topic).last_read_number == 4


def test_any_page_of_a_long_topic_is_an_index_range(
    people, forum, client_for, django_assert_max_num_queries
):
    topic = start(people["sales1"], forum["open"])
    Post.objects.bulk_create(
        [
            Post(
                topic=topic,
                number=n,
                author=people["sales2"],
                body=f"post {n}",
                body_html=f"<p>post {n}</p>",
            )
            for n in range(2, 2001)
        ]
    )
    Topic.objects.filter(pk=topic.pk).update(post_count=2000, reply_count=1999)
    client = client_for(people["sales2"])
    last_page = (2000 - 1) // queries.POSTS_PER_PAGE + 1
    client.get(f"/forum/t/{topic.pk}/?page=2")
    with django_assert_max_num_queries(30):
        response = client.get(f"/forum/t/{topic.pk}/?page={last_page}")
    body = response.content.decode()
    assert "post 2000" in body and "post 1980" not in body and 'id="p1981"' in body


def test_replying_through_the_page_with_a_quote(people, forum, client_for):
    topic = start(people["sales1"], forum["open"], body="Original *text*")
    first = topic.posts.get(number=1)
    client = client_for(people["sales2"])
    form = client.get(f"/forum/t/{topic.pk}/reply/?quote={first.pk}").content.decode()
    assert "&gt; Original *text*" in form
    response = client.post(
        f"/forum/t/{topic.pk}/reply/",
        {
            "body": "> Original *text*\n\nAgreed",
            "reply_to": first.pk,
        },
    )
    assert response.status_code == 302 and response.url.endswith("#p2")
    post = Post.objects.get(topic=topic, number=2)
    assert post.reply_to == first and "<blockquote>" in post.body_html


def test_an_empty_reply_shows_the_error_and_writes_nothing(people, forum, client_for):
    topic = start(people["sales1"], forum["open"])
    response = client_for(people["sales2"]).post(f"/forum/t/{topic.pk}/reply/", {"body": "  "})
    assert response.status_code == 200 and "invalid-feedback" in response.content.decode()
    assert topic.posts.count() == 1


def test_starting_a_topic_through_the_page(people, forum, client_for):
    client = client_for(people["sales1"])
    assert client.get("/forum/general/new/").status_code == 200
    response = client.post(
        "/forum/new/",
        {
            "category": forum["open"].pk,
            "title": "Through the page",
            "body": "Hello @sales2",
            "tags": "a, b",
        },
    )
    topic = Topic.objects.get(title="Through the page")
    assert response.status_code == 302 and response.url == f"/forum/t/{topic.pk}/"
    assert sorted(topic.tags.names()) == ["a", "b"]
    # a category the author may not post in is not offered and is refused
    response = client.post(
        "/forum/new/",
        {
            "category": forum["managers"].pk,
            "title": "Sneaky",
            "body": "x",
        },
    )
    assert response.status_code == 200 and not Topic.objects.filter(title="Sneaky").exists()


def test_preview_renders_sanitised_markdown(people, forum, client_for):
    response = client_for(people["sales1"]).post(
        reverse("forum:preview"), {"body": "**bold** <script>alert(1)</script>"}
    )
    html = response.content.decode()
    assert "<strong>bold</strong>" in html and "<script" not in html


def test_similar_topics_by_title(people, forum, client_for):
    start(people["sales1"], forum["open"], title="Scanner reads phone screens")
    start(people["manager"], forum["managers"], title="Scanner budget secret")
    html = (
        client_for(people["sales2"])
        .get(reverse("forum:similar"), {"title": "scanner"})
        .content.decode()
    )
    assert "Scanner reads phone screens" in html and "secret" not in html


def test_attachments_are_served_only_to_readers(people, forum, client_for):
    topic = start(
        people["manager"],
        forum["managers"],
        attachments=[SimpleUploadedFile("plan.txt", b"secret plan")],
    )
    attachment = topic.posts.get(number=1).attachments.get()
    url = reverse("forum:attachment", args=[attachment.pk])
    assert client_for(people["sales1"]).get(url).status_code == 404
    response = client_for(people["manager"]).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"secret plan"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_moderation_endpoints_refuse_non_moderators(people, forum, client_for):
    topic = start(people["sales1"], forum["open"])
    response = client_for(people["sales2"]).post(
        reverse("forum:topic_action", args=[topic.pk, "pin"])
    )
    assert response.status_code == 403 and not Topic.objects.get(pk=topic.pk).pinned
    client = client_for(people["manager"])
    client.post(reverse("forum:topic_action", args=[topic.pk, "pin"]))
    assert Topic.objects.get(pk=topic.pk).pinned
    assert client.get(reverse("forum:queue")).status_code == 200


def test_edit_history_page_shows_the_old_text(people, forum, client_for):
    topic = start(people["sales1"], forum["open"], body="old words")
    post = topic.posts.get(number=1)
    client = client_for(people["sales1"])
    client.post(reverse("forum:edit_post", args=[post.pk]), {"body": "new words", "title": "T2"})
    html = client.get(reverse("forum:post_history", args=[post.pk])).content.decode()
    assert "old words" in html and "new words" in html
    assert (
        client_for(people["sales2"]).get(reverse("forum:edit_post", args=[post.pk])).status_code
        == 404
    )


def test_the_dashboard_lists_the_latest_topics_the_reader_may_open(people, forum, client_for):
    start(people["sales1"], forum["open"], title="Chain store returns")
    start(people["manager"], forum["managers"], title="Quarterly targets, managers only")
    page = client_for(people["sales2"]).get("/").content.decode()
    assert "Latest discussions" in page
    assert "Chain store returns" in page
    assert "Quarterly targets" not in page
    assert "No discussions yet." not in page


def test_category_and_topic_pages_offer_a_follow_button_that_takes(people, forum, client_for):
    from portal.notifications.models import Follow

    topic = start(people["sales1"], forum["open"], title="Label printer ribbons")
    client = client_for(people["sales2"])
    category_page = client.get(forum["open"].url).content.decode()
    assert 'id="category-follow"' in category_page
    assert f'value="wagtailcore.page:{forum["open"].pk}"' in category_page
    topic_page = client.get(topic.get_absolute_url()).content.decode()
    assert f'value="forum.topic:{topic.pk}"' in topic_page
    response = client.post(
        reverse("notifications:follow"), {"target": f"forum.topic:{topic.pk}", "level": "3"}
    )
    assert response.status_code in (200, 302)
    assert Follow.objects.get(user=people["sales2"], target_kind="forum.topic").level == 3
    # a category the reader may not open offers nothing and takes nothing
    hidden = client.post(
        reverse("notifications:follow"),
        {"target": f"wagtailcore.page:{forum['managers'].pk}", "level": "3"},
    )
    assert hidden.status_code == 404
    assert not Follow.objects.filter(target_key=str(forum["managers"].pk)).exists()
