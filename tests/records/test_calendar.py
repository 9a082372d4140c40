"""The personal calendar and its iCalendar feed (decision 1001): what each reader sees, a
constant number of queries, a manager's team, the secret feed URL and its revocation."""

from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from portal.records.deals import actions
from portal.records.deals.calendar import calendar_items
from portal.records.deals.models import Activity, CalendarFeed
from tests.records.deal_helpers import open_deal, won_deal

pytestmark = pytest.mark.django_db


def _at(day: datetime.date, hour: int) -> datetime.datetime:
    return datetime.datetime.combine(
        day, datetime.time(hour), tzinfo=timezone.get_current_timezone()
    )


@pytest.fixture
def day():
    """A Wednesday next week (all items in one week, never in the past)."""
    today = timezone.localdate()
    return today - datetime.timedelta(days=today.weekday()) + datetime.timedelta(days=9)


def _fill(people, customer, day, n: int = 1):
    """n of each kind on sales1's calendar on `day`."""
    sales1 = people["sales1"]
    for i in range(n):
        actions.create_activity(
            customer=customer, acting_user=sales1, subject=f"Call {i}", due_at=_at(day, 9)
        )
        actions.create_activity(
            customer=customer,
            acting_user=sales1,
            kind=Activity.Kind.MEETING,
            subject=f"Meeting {i}",
            due_at=_at(day, 14),
            ends_at=_at(day, 15),
            place="Room 2",
            attendees=[people["manager"]],
        )
        deal = won_deal(customer, sales1, name=f"Won {i}")
        actions.create_deal_reminder(
            deal, acting_user=sales1, due_at=_at(day, 11), subject=f"Send the brochure {i}"
        )
        actions.add_installment(deal, acting_user=sales1, due_on=day, amount=Decimal("1000"))
        actions.save_contract(
            deal,
            acting_user=sales1,
            number=f"C-{i}",
            signed_on=timezone.localdate(),
            amount=Decimal("1000"),
            ends_on=day,
        )


def test_the_calendar_gathers_each_kind_for_its_reader(people, customer, day):
    _fill(people, customer, day)
    kinds = sorted(
        item.kind for item in calendar_items(people["sales1"], day, day + datetime.timedelta(1))
    )
    assert kinds == ["activity", "appointment", "contract", "payment", "reminder"]
    # the manager was invited to the meeting: it is on his calendar too
    mine = calendar_items(people["manager"], day, day + datetime.timedelta(1))
    assert [item.title for item in mine] == ["Meeting: Meeting 0"]
    # sales2 sees nothing of sales1's, even naming sales1 as the person
    assert calendar_items(people["sales2"], day, day + datetime.timedelta(1)) == []
    hidden = calendar_items(
        people["sales2"], day, day + datetime.timedelta(1), people=[people["sales1"].pk]
    )
    assert hidden == []


def _get(client, url):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(queries)


def test_week_and_month_pages_take_a_constant_number_of_queries(client_for, people, customer, day):
    client = client_for(people["sales1"])
    week = f"/records/calendar/?view=week&date={day.isoformat()}"
    month = f"/records/calendar/?view=month&date={day.isoformat()}"
    response, empty_week = _get(client, week)
    assert 'id="calendar-empty"' in response.content.decode()
    _fill(people, customer, day, n=1)
    response, one_week = _get(client, week)
    page = response.content.decode()
    assert "Meeting 0" in page and "Send the brochure 0" in page and "C-0" in page
    assert 'id="calendar-empty"' not in page
    _fill(people, customer, day, n=3)
    _response, many_week = _get(client, week)
    _response, many_month = _get(client, month)
    assert (empty_week, one_week, many_week, many_month) == (12, 12, 12, 12)


def test_a_manager_picks_his_team(client_for, people, customer, day):
    _fill(people, customer, day)
    client = client_for(people["manager"])
    mine = client.get(f"/records/calendar/?date={day.isoformat()}").content.decode()
    assert "Call 0" not in mine and 'id="scope-team"' in mine
    team = client.get(f"/records/calendar/?date={day.isoformat()}&scope=team").content.decode()
    assert "Call 0" in team and "Send the brochure 0" in team
    # a rep has no team to pick: asking for it shows their own
    rep = client_for(people["sales2"])
    page = rep.get(f"/records/calendar/?date={day.isoformat()}&scope=team").content.decode()
    assert 'id="scope-team"' not in page and "Call 0" not in page
    # no deal tracking, no calendar
    assert client_for(people["editor"]).get("/records/calendar/").status_code == 403


def test_the_feed_is_served_by_token_only_and_revocable(client, client_for, people, customer, day):
    _fill(people, customer, day)
    sales1 = people["sales1"]
    profile = client_for(sales1).get("/accounts/profile/").content.decode()
    assert 'id="calendar-feed-create"' in profile
    client_for(sales1).post("/records/calendar/feed/regenerate/")
    feed = CalendarFeed.objects.get(user=sales1)
    url = feed.get_absolute_url()
    assert url in client_for(sales1).get("/accounts/profile/").content.decode()
    client.logout()
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    summaries = sorted(str(event["summary"]) for event in calendar.walk("VEVENT"))
    assert "Meeting: Meeting 0" in summaries and "Send the brochure 0" in summaries
    assert len(summaries) == 5
    # replaced: the old address answers 404, the new one works
    client_for(sales1).post("/records/calendar/feed/regenerate/")
    client.logout()
    assert client.get(url).status_code == 404
    new_url = CalendarFeed.objects.get(user=sales1).get_absolute_url()
    assert client.get(new_url).status_code == 200
    # turned off: 404; an invented token: 404
    client_for(sales1).post("/records/calendar/feed/revoke/")
    client.logout()
    assert client.get(new_url).status_code == 404
    assert client.get("/records/calendar/feed/not-a-token.ics").status_code == 404
    # someone else's profile never shows a feed; the feed of a person who left answers 404
    client_for(sales1).post("/records/calendar/feed/regenerate/")
    sales1.is_active = False
    sales1.save(update_fields=["is_active"])
    client.logout()
    assert client.get(CalendarFeed.objects.get(user=sales1).get_absolute_url()).status_code == 404


def test_regenerating_needs_a_post_and_a_session(client, people):
    assert client.post("/records/calendar/feed/regenerate/").status_code == 302
    assert not CalendarFeed.objects.exists()
    client.force_login(people["sales1"])
    assert client.get("/records/calendar/feed/regenerate/").status_code == 405
    assert not CalendarFeed.objects.exists()


def test_deal_activities_appear_on_the_calendar_with_their_deal(people, customer, day):
    deal = open_deal(customer, people["sales1"], name="Retrofit")
    actions.create_activity(deal, acting_user=people["sales1"], subject="Demo", due_at=_at(day, 10))
    (item,) = calendar_items(people["sales1"], day, day + datetime.timedelta(1))
    assert "Retrofit" in item.detail and "/deals/" in item.url


def test_the_calendar_speaks_chinese(client_for, people):
    sales1 = people["sales1"]
    sales1.language = "zh-hans"
    sales1.save(update_fields=["language"])
    page = client_for(sales1).get("/records/calendar/?view=month").content.decode()
    assert "我的日历" in page and "本月日历上没有安排。" in page
