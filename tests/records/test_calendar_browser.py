"""Browser journey of issue 18 (item 2): sales1 logs a call on a customer without a deal,
books a meeting with a contact, sees it in the calendar's week view, and finds it in the
.ics feed fetched by its secret URL (no session) and parsed by the icalendar package."""

import datetime
import urllib.request

import pytest
from django.utils import timezone
from icalendar import Calendar

from portal.records.customers import actions
from portal.records.deals.models import Activity
from tests.browser import shoot, sign_in, submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_calendar_journey(live_server, page, people, screenshot_dir):
    sales1 = people["sales1"]
    customer = actions.create_customer(acting_user=sales1, name="杭州明远仪器有限公司", city="杭州")
    actions.create_contact(
        customer, acting_user=sales1, name="陈静", title="总经理", email="chenjing@my.example.cn"
    )
    meeting_at = (timezone.localtime() + datetime.timedelta(days=2)).replace(
        hour=10, minute=0, second=0, microsecond=0
    )

    sign_in(page, live_server.url, "sales1")
    page.goto(f"{live_server.url}{customer.get_absolute_url()}")
    assert page.locator("#no-customer-activities").is_visible()
    # logs a call on the customer (no deal)
    page.click("#log-activity-toggle")
    page.select_option("#id_activity-kind", "call")
    page.select_option("#id_activity-status", "done")
    page.fill("#id_activity-subject", "First call with 陈静")
    page.fill("#id_activity-outcome", "Interested in the new gauges")
    submit(page, "#save-activity")
    assert page.locator("#activities").get_by_text("First call with 陈静").is_visible()
    # books a meeting with the contact, with a place and a reminder
    page.click("#log-activity-toggle")
    page.select_option("#id_activity-kind", "meeting")
    page.select_option("#id_activity-status", "planned")
    page.fill("#id_activity-due_at", meeting_at.strftime("%Y-%m-%dT%H:%M"))
    page.fill(
        "#id_activity-ends_at",
        (meeting_at + datetime.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
    )
    page.fill("#id_activity-subject", "Gauge demo")
    page.fill("#id_activity-place", "明远 meeting room")
    page.select_option("#id_activity-contacts", label="陈静")
    page.select_option("#id_activity-remind", "60")
    submit(page, "#save-activity")
    assert page.locator("#activities").get_by_text("Gauge demo").is_visible()
    page.click("#log-activity-toggle")
    shoot(page, "customer-activities-1280.png", screenshot_dir)
    assert Activity.objects.filter(customer=customer, deal__isnull=True).count() == 2
    meeting = Activity.objects.get(subject="Gauge demo")
    assert [c.name for c in meeting.contacts.all()] == ["陈静"]

    # the calendar, from the navigation, week view of the meeting's week
    submit(page, "a.nav-link[href='/records/calendar/']")
    page.goto(f"{live_server.url}/records/calendar/?view=week&date={meeting_at.date().isoformat()}")
    week = page.locator("#calendar-week")
    assert week.get_by_text("Meeting: Gauge demo").is_visible()
    assert week.get_by_text("明远 meeting room").is_visible()
    shoot(page, "calendar-week-1280.png", screenshot_dir)
    submit(page, "#view-month")
    assert page.locator("#calendar-month").get_by_text("Meeting: Gauge demo").is_visible()
    shoot(page, "calendar-month-1280.png", screenshot_dir)
    page.set_viewport_size({"width": 375, "height": 800})
    assert page.locator("#calendar-month-list").get_by_text("Meeting: Gauge demo").is_visible()
    shoot(page, "calendar-month-375.png", screenshot_dir)
    submit(page, "#view-week")
    shoot(page, "calendar-week-375.png", screenshot_dir)
    page.goto(f"{live_server.url}/records/calendar/?view=week&date=2030-01-07")
    assert page.locator("#calendar-empty").is_visible()
    shoot(page, "calendar-empty-375.png", screenshot_dir)
    page.set_viewport_size({"width": 1280, "height": 900})

    # the feed: turned on from the profile page, fetched without a session
    page.goto(f"{live_server.url}/accounts/profile/")
    submit(page, "#calendar-feed-create")
    feed_url = page.input_value("#calendar-feed-url")
    shoot(page, "profile-calendar-feed-1280.png", screenshot_dir)
    with urllib.request.urlopen(feed_url, timeout=10) as response:  # noqa: S310 (test server)
        assert response.headers["Content-Type"].startswith("text/calendar")
        calendar = Calendar.from_ical(response.read())
    events = {str(event["summary"]): event for event in calendar.walk("VEVENT")}
    assert "Meeting: Gauge demo" in events
    event = events["Meeting: Gauge demo"]
    assert event.decoded("dtstart") == meeting_at
    assert str(event["location"]) == "明远 meeting room"
