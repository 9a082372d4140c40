"""Domain notices through the one delivery API: stored as a message and its parameters,
rendered in the reader's language whenever shown or sent; meaningful dedupe keys (ADR 0611)."""

import pytest
from django.apps import apps as django_apps
from django.core import mail
from django.urls import reverse

from portal.core import events
from portal.core.testing import capture_events
from portal.forum import actions as forum_actions
from portal.notifications import actions, notices
from portal.notifications.models import Kind, Level, Notification


@pytest.fixture
def reply_for_sales1(people, forum):
    """sales1 (reading in English) is told that the manager replied in their topic."""
    people["sales1"].language = "en"
    people["sales1"].save(update_fields=["language"])
    with capture_events():
        topic = forum_actions.create_topic(
            category=forum["open"],
            title="Price list",
            body="Is it out?",
            acting_user=people["sales1"],
        )
    with capture_events():
        forum_actions.reply(topic, body="Yes, since Monday.", acting_user=people["manager"])
    return Notification.objects.get(user=people["sales1"], kind=Kind.REPLY)


def test_a_notice_is_stored_as_its_message_and_parameters(reply_for_sales1, people):
    row = reply_for_sales1
    assert row.message == "forum.replied"
    assert row.params == {
        "name": str(people["manager"]),
        "title": "Price list",
        "excerpt": "Yes, since Monday.",
    }
    assert row.render("en") == (
        f"{people['manager']} replied in “Price list”",
        row.params["excerpt"],
    )
    assert row.render("zh-hans")[0] == f"{people['manager']} 回复了“Price list”"


def test_a_notice_made_in_english_reads_in_chinese_after_switching(
    reply_for_sales1, people, client_for
):
    """The bell list, the notification centre and the API follow the reader's language now,
    not the language the notice was written in."""
    client = client_for(people["sales1"])
    english = f"{people['manager']} replied in “Price list”"
    chinese = f"{people['manager']} 回复了“Price list”"
    assert english in client.get(reverse("notifications:center")).content.decode()
    # when sales1 switches the interface to 中文
    client.post(reverse("accounts:set_language"), {"language": "zh-hans", "next": "/"})
    page = client.get(reverse("notifications:center")).content.decode()
    assert chinese in page and english not in page
    api = client.get("/api/v1/notifications/").json()
    assert api["results"][0]["title"] == chinese
    # and the live frame (a resume replays it) is in the recipient's language too
    row = Notification.objects.select_related("user").get(pk=reply_for_sales1.pk)
    assert row.frame()["title"] == chinese
    assert set(row.frame()) == {"type", "id", "kind", "title", "body", "url", "created_at"}


def test_the_email_is_written_in_the_readers_language_when_sent(reply_for_sales1, people):
    people["sales1"].language = "zh-hans"
    people["sales1"].save(update_fields=["language"])
    Notification.objects.filter(pk=reply_for_sales1.pk).update(
        email_state=Notification.EmailState.IMMEDIATE, email_due_at=reply_for_sales1.created_at
    )
    assert actions.send_pending_emails() == 1
    assert mail.outbox[0].subject == f"{people['manager']} 回复了“Price list”"


def test_a_message_no_longer_registered_shows_the_text_it_was_written_with(people):
    (row,) = actions.store(
        [people["sales2"].pk],
        kind=Kind.ANNOUNCEMENT,
        message="gone.message",
        params={"x": 1},
        title="Written then",
        dedupe_key="gone",
    )
    assert row.render("zh-hans") == ("Written then", "")


def test_the_same_happening_reaches_a_person_once(people):
    """A deal whose stage moves publishes `updated` and `stage_changed` (one audit row): a
    watcher is told once; an event delivered twice is one notice too."""
    from portal.records.customers import actions as records
    from portal.records.deals import actions as deals
    from portal.records.models import DealStage

    with capture_events():
        customer = records.create_customer(acting_user=people["sales1"], name="Acme Tools")
        deal = deals.create_deal(acting_user=people["sales1"], customer=customer, name="Arms")
    actions.set_follow_level(obj=deal, level=Level.WATCHING, acting_user=people["manager"])
    other = DealStage.objects.exclude(pk=deal.stage_id).order_by("position").first()
    with capture_events() as captured:
        deals.update_deal(deal, acting_user=people["sales1"], stage=other, notes="Moving on")
    assert {"records.deal_updated", "records.deal_stage_changed"} <= set(captured.names)
    rows = Notification.objects.filter(user=people["manager"], kind=Kind.DEAL)
    assert rows.count() == 1
    assert rows.get().message == "records.deal_updated"
    events.deliver(captured.named("records.deal_updated")[0])
    assert rows.count() == 1
    # a later change is news again
    with capture_events():
        deals.update_deal(deal, acting_user=people["sales1"], notes="Price list sent")
    assert rows.count() == 2


def test_a_handover_tells_the_new_owner_in_their_language(people):
    from portal.records.customers import actions as records
    from portal.records.deals import actions as deals

    people["sales2"].language = "zh-hans"
    people["sales2"].save(update_fields=["language"])
    with capture_events():
        customer = records.create_customer(acting_user=people["sales1"], name="Acme Tools")
        deal = deals.create_deal(acting_user=people["sales1"], customer=customer, name="Arms")
    with capture_events():
        deals.handover_deal(deal, to_user=people["sales2"], acting_user=people["manager"])
    row = Notification.objects.get(user=people["sales2"], kind=Kind.DEAL)
    assert row.message == "records.deal_handed_over"
    assert row.render("en")[0] == f"{people['manager']} handed deal {deal} to you"
    assert row.title == row.render("zh-hans")[0] != row.render("en")[0]


def test_every_domain_notices_module_is_found():
    assert set(notices.notice_modules()) >= {
        "portal.accounts.notifications",
        "portal.forum.notifications",
        "portal.knowledge.notifications",
        "portal.records.customers.notifications",
        "portal.records.deals.notifications",
    }


def test_the_notifications_app_names_no_other_app():
    """Mechanics only: no other app's models or events in notifications' own modules."""
    from pathlib import Path

    root = Path(notices.__file__).parent
    mechanics = ["actions", "matching", "notices", "messages", "models", "queries", "api"]
    for name in mechanics:
        text = (root / f"{name}.py").read_text()
        # (people and departments, accounts', are what every app builds on)
        for other in ('"records.', '"forum.', '"knowledge.', "get_model("):
            assert other not in text, (name, other)


def test_old_rows_become_messages_where_their_key_says_what_they_were(reply_for_sales1, people):
    """The data migration: a row written as text before ADR 0611 whose dedupe key names a
    forum post becomes the reply message; a row nothing can be recovered from stays text."""
    import importlib

    migration = importlib.import_module(
        "portal.notifications.migrations.0003_notice_message_and_params"
    )
    Notification.objects.filter(pk=reply_for_sales1.pk).update(
        message="notifications.text", params={}
    )
    (announcement,) = actions.notify([people["sales2"].pk], Kind.ANNOUNCEMENT, "Hi", dedupe_key="a")
    migration.to_messages(django_apps, None)
    row = Notification.objects.get(pk=reply_for_sales1.pk)
    assert row.message == "forum.replied"
    assert row.render("zh-hans")[0] == f"{people['manager']} 回复了“Price list”"
    assert Notification.objects.get(pk=announcement.pk).message == "notifications.text"


@notices.message("tests.call_back")
def _call_back(p):
    from django.utils.translation import gettext as _

    return _("Reminders") + f": {p['who']}", ""


def test_a_reminder_with_a_message_is_shown_in_the_readers_language(people):
    import datetime

    from django.utils import timezone

    people["sales2"].language = "zh-hans"
    people["sales2"].save(update_fields=["language"])
    (reminder,) = actions.create_reminder(
        user_ids=[people["sales2"].pk],
        due_at=timezone.now() - datetime.timedelta(minutes=1),
        subject="Reminders: Wang Fang",
        message="tests.call_back",
        params={"who": "Wang Fang"},
    )
    assert reminder.render("en") == ("Reminders: Wang Fang", "")
    assert actions.deliver_due_reminders() == 1
    row = Notification.objects.get(user=people["sales2"])
    assert (row.message, row.params) == ("tests.call_back", {"who": "Wang Fang"})
    assert row.render("zh-hans")[0] == reminder.render("zh-hans")[0] != "Reminders: Wang Fang"
