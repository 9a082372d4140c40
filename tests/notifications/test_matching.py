"""Matching: events become notifications for direct people, followers and keyword interests —
never the actor, never the muted, never someone who may not open the item."""

import pytest

from portal.core.testing import capture_events
from portal.forum import actions as forum_actions
from portal.notifications import actions
from portal.notifications.models import Kind, Level, Notification


def _titles(user) -> list[str]:
    return list(
        Notification.objects.filter(user=user).order_by("seq").values_list("title", flat=True)
    )


def test_keyword_interest_hears_about_a_new_topic_in_chinese(people, forum):
    # given sales2 follows the keyword 竞品
    actions.add_keyword_interest(people["sales2"], "竞品")
    # when sales1 starts a topic mentioning it
    with capture_events():
        topic = forum_actions.create_topic(
            people["sales1"],
            category=forum_open(forum),
            title="华东区竞品降价了",
            body="对手的新报价比我们低百分之十。",
        )
    # then sales2 is told, with the topic's link; the author and the uninterested are not
    rows = list(Notification.objects.filter(user=people["sales2"]))
    assert len(rows) == 1
    assert rows[0].kind == Kind.TOPIC
    assert rows[0].url == topic.get_absolute_url()
    assert "华东区竞品降价了" in rows[0].title
    assert not Notification.objects.filter(user__in=[people["sales1"], people["service"]]).exists()


def forum_open(forum):
    return forum["open"]


def test_no_notification_about_a_topic_the_reader_may_not_open(people, forum):
    # given sales2 follows the keyword and watches everything, but may not read the category
    actions.add_keyword_interest(people["sales2"], "竞品")
    from portal.notifications.models import Follow

    Follow.objects.create(
        user=people["sales2"],
        target_kind="wagtailcore.page",
        target_key=str(forum["managers"].pk),
        level=Level.WATCHING,
    )
    # when the manager posts there about it
    with capture_events():
        forum_actions.create_topic(
            people["manager"],
            category=forum["managers"],
            title="竞品 pricing for managers",
            body="Only managers may read this 竞品.",
        )
    # then sales2 gets nothing whatever their interests; the admin watching it would
    assert not Notification.objects.filter(user=people["sales2"]).exists()


def test_category_watchers_hear_new_topics_and_replies(people, forum):
    actions.set_follow_level(people["sales2"], obj=forum["open"], level=Level.WATCHING)
    actions.set_follow_level(people["service"], obj=forum["open"], level=Level.WATCHING_FIRST_POST)
    with capture_events():
        topic = forum_actions.create_topic(
            people["sales1"],
            category=forum["open"],
            title="Trade fair",
            body="Who is going to the trade fair?",
        )
    with capture_events():
        forum_actions.reply(people["manager"], topic, body="I am.")
    assert len(_titles(people["sales2"])) == 2  # the topic and the reply
    assert len(_titles(people["service"])) == 1  # the topic only
    # the topic's author hears about the reply to their topic directly
    assert Notification.objects.filter(user=people["sales1"], kind=Kind.REPLY).count() == 1


def test_muted_wins_over_every_other_interest(people, forum):
    actions.add_keyword_interest(people["sales2"], "竞品")
    actions.set_follow_level(people["sales2"], obj=forum["open"], level=Level.MUTED)
    with capture_events():
        forum_actions.create_topic(
            people["sales1"], category=forum["open"], title="竞品 news", body="竞品 again"
        )
    assert not Notification.objects.filter(user=people["sales2"]).exists()


def test_muted_tag_silences_a_watched_category(people, forum):
    actions.set_follow_level(people["sales2"], obj=forum["open"], level=Level.WATCHING)
    actions.set_follow_level(
        people["sales2"], target_kind="tag", target_key="Pricing", level=Level.MUTED
    )
    with capture_events():
        forum_actions.create_topic(
            people["sales1"],
            category=forum["open"],
            title="List prices",
            body="New list",
            tags=["pricing"],
        )
    with capture_events():
        forum_actions.create_topic(
            people["sales1"], category=forum["open"], title="Lunch", body="Pizza"
        )
    assert _titles(people["sales2"]) == [_titles(people["sales2"])[0]]
    assert "Lunch" in _titles(people["sales2"])[0]


def test_a_mention_notifies_the_mentioned_person_once(people, forum):
    actions.set_follow_level(people["sales2"], obj=forum["open"], level=Level.WATCHING)
    with capture_events():
        topic = forum_actions.create_topic(
            people["sales1"], category=forum["open"], title="Question", body="Anyone?"
        )
    with capture_events():
        forum_actions.reply(people["sales1"], topic, body="@sales2 could you look at this?")
    # watching the category and being mentioned in the same post: one notification for it
    rows = Notification.objects.filter(user=people["sales2"]).order_by("seq")
    assert rows.count() == 2  # the topic, then the post (reply or mention, once)
    assert rows.last().dedupe_key.startswith("forum.post:")


def test_follow_of_something_one_may_not_open_is_refused(people, forum):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        actions.set_follow_level(people["sales2"], obj=forum["managers"], level=Level.WATCHING)
    assert not people["sales2"].follows.exists()


def test_customer_watchers_lose_notifications_when_they_lose_access(people):
    from portal.records.customers.actions import customers as records

    # given sales2 watched a customer of sales1 while it was shared with them
    with capture_events():
        customer = records.create_customer(acting_user=people["sales1"], name="华东机械有限公司")
    with capture_events():
        share = records.share_customer(
            customer, acting_user=people["sales1"], user=people["sales2"]
        )
    actions.set_follow_level(people["sales2"], obj=customer, level=Level.WATCHING)
    actions.set_follow_level(people["manager"], obj=customer, level=Level.WATCHING)
    with capture_events():
        records.unshare_customer(share, acting_user=people["sales1"])
    # when the customer changes
    with capture_events():
        records.update_customer(customer, acting_user=people["sales1"], phone="021-5555")
    # then the manager (who still sees it) hears about it, sales2 does not
    assert Notification.objects.filter(user=people["manager"], kind=Kind.CUSTOMER).exists()
    # (sales2 only ever got the "shared with you" notice, from when they could open it)
    titles = _titles(people["sales2"])
    assert len(titles) == 1 and "shared" in titles[0]


def test_a_transferred_customer_is_announced_to_its_new_owner(people):
    from portal.records.customers.actions import customers as records

    with capture_events():
        customer = records.create_customer(acting_user=people["sales1"], name="Acme Tools")
    with capture_events():
        records.transfer_customer(customer, to_user=people["sales2"], acting_user=people["manager"])
    row = Notification.objects.get(user=people["sales2"])
    assert row.kind == Kind.CUSTOMER and "Acme Tools" in row.title


def test_a_reply_in_markdown_is_told_as_plain_text(people, forum):
    # given sales1's topic, and a reply written in Markdown that quotes it
    with capture_events():
        topic = forum_actions.create_topic(
            people["sales1"], category=forum["open"], title="Price list", body="Is it out?"
        )
    body = (
        "> **@sales1:**\n> Is it out?\n\n"
        "Yes, **since Monday**: see [the list](https://example.com/list).\n\n"
        "- `A-100` 5 < 6 & more\n<script>alert(1)</script>"
    )
    with capture_events():
        forum_actions.reply(people["manager"], topic, body=body)
    # then sales1's notification body is the reply's own words, without any markup
    row = Notification.objects.get(user=people["sales1"], kind=Kind.REPLY)
    assert row.body == "Yes, since Monday: see the list. A-100 5 < 6 & more"


def test_a_user_who_may_not_see_a_deal_hears_nothing_about_it(people):
    from portal.notifications.models import Follow
    from portal.records.customers.actions import customers as records
    from portal.records.deals import actions as deals

    # given a deal of sales1's customer; sales2 may not open it but has every interest in it:
    # a watching follow of the deal and of its customer (made before access was lost, say)
    # and a keyword in its name; the manager of sales1 watches the deal too
    with capture_events():
        customer = records.create_customer(acting_user=people["sales1"], name="Nebula 华东")
        deal = deals.create_deal(
            acting_user=people["sales1"], customer=customer, name="Nebula 竞品 tender"
        )
    for target in (actions.target_of(deal), actions.target_of(customer)):
        Follow.objects.create(
            user=people["sales2"], target_kind=target[0], target_key=target[1], level=Level.WATCHING
        )
    actions.add_keyword_interest(people["sales2"], "竞品")
    actions.set_follow_level(people["manager"], obj=deal, level=Level.WATCHING)
    # when the deal changes (its details, then its course)
    with capture_events():
        deals.update_deal(deal, acting_user=people["sales1"], notes="Price list sent.")
    # then the manager hears about it and sales2 hears nothing at all
    assert Notification.objects.filter(user=people["manager"], kind=Kind.DEAL).exists()
    assert not Notification.objects.filter(user=people["sales2"]).exists()


def test_followers_of_a_customer_hear_about_a_discussion_linked_to_it(people, forum):
    from portal.records.customers.actions import customers as records

    # given sales1's customer, watched by its owner's manager; service follows nothing
    with capture_events():
        customer = records.create_customer(acting_user=people["sales1"], name="Zentra 华北")
    actions.set_follow_level(people["manager"], obj=customer, level=Level.WATCHING)
    # when sales1 starts a discussion linked to the customer
    with capture_events():
        topic = forum_actions.create_topic(
            people["sales1"],
            category=forum["open"],
            title="Zentra wants a second quote",
            body="They compare us with a rival.",
            refs=[("customer", customer.pk)],
        )
    # then the manager hears about it through the follow of the customer
    row = Notification.objects.get(user=people["manager"])
    assert row.kind == Kind.TOPIC and row.url == topic.get_absolute_url()
    assert not Notification.objects.filter(user=people["service"]).exists()
