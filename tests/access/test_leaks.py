"""Side paths that re-assembled the access rule and forgot a part (issue 14): each now asks the
record kind's policy. Every test asserts the refusal and that nothing leaked or changed."""

from __future__ import annotations

import importlib

import pytest
from django.urls import clear_url_caches, reverse

from portal.core import visibility
from portal.forum import actions as forum_actions
from portal.forum.models import Post, PostReport
from portal.forum.references import find_by_codes
from portal.notifications.actions import visible_recipients
from portal.notifications.models import Follow
from portal.records.customers import actions
from portal.records.deals.models import Deal
from portal.search.backends import get_backend
from portal.search.registry import document_for
from tests.records.deal_helpers import open_deal

pytestmark = pytest.mark.django_db


def test_search_applies_each_kinds_module_gate(client_for, api_client, customer, people, org):
    # given sales1's customer shared with the East department, where the new hire sits
    actions.share_customer(customer, acting_user=people["sales1"], department=org["east"])
    get_backend().index([document_for(customer)])
    newhire = people["newhire"]
    assert visibility.can_see(newhire, customer)  # the keys alone would admit him
    # when the new hire (no customer module) searches for it: page, API and autocomplete
    page = client_for(newhire).get(reverse("search:search"), {"q": "华东精机"}).content.decode()
    api_client.force_authenticate(newhire)
    found = api_client.get("/api/v1/search/", {"q": "华东精机"}).json()
    typed = api_client.get("/api/v1/search/", {"q": "华东精机", "type": "customer"}).json()
    # then nothing of it shows, not even a count or a snippet
    assert customer.name not in page and "021-5555-0101" not in page
    assert found["count"] == 0 and typed["count"] == 0
    assert customer.name not in str(found) + str(typed)
    # and its owner still finds it (the gate refuses only who lacks the module)
    api_client.force_authenticate(people["sales1"])
    assert api_client.get("/api/v1/search/", {"q": "华东精机"}).json()["count"] == 1


def test_the_complaint_list_names_only_a_customer_the_reader_may_see(client_for, customer, people):
    url = reverse("records:service_case_list")
    refused = client_for(people["service"]).get(url, {"customer": customer.pk})
    assert refused.status_code == 200
    assert customer.name not in refused.content.decode()
    allowed = client_for(people["sales1"]).get(url, {"customer": customer.pk})
    assert customer.name in allowed.content.decode()


def test_the_service_desk_lookup_shows_contacts_and_deals_only_as_the_policy_allows(
    client_for, customer, people
):
    deal = open_deal(customer, people["sales1"], name="秘密改造项目")
    url = reverse("records:service_details")
    html = client_for(people["service"]).get(url, {"customer": customer.pk}).content.decode()
    assert customer.name in html  # the desk registers a complaint for whoever calls
    for secret in ("王芳", "刘强", deal.name, deal.number, customer.phone):
        assert secret not in html, secret
    admin_html = client_for(people["admin"]).get(url, {"customer": customer.pk}).content.decode()
    assert "王芳" in admin_html and deal.name in admin_html


def test_the_deals_api_contact_error_names_nobody_and_hides_which_ids_exist(
    api_client, customer, people
):
    own = actions.create_customer(acting_user=people["sales2"], name="北方重工")
    strangers_contact = customer.contacts.get(name="王芳")
    api_client.force_authenticate(people["sales2"])
    answers = []
    for contact_id in (strangers_contact.pk, 987654):
        response = api_client.post(
            "/api/v1/deals/",
            {"customer": own.pk, "name": "Line 2", "contacts": [contact_id]},
            format="json",
        )
        assert response.status_code == 400
        answers.append(response.json()["contacts"])
    assert answers[0] == answers[1]
    assert "王芳" not in str(answers) and customer.name not in str(answers)
    # a contact one may see, but of another customer, gets the same words
    mine = actions.create_customer(acting_user=people["sales1"], name="东方机床")
    api_client.force_authenticate(people["sales1"])
    response = api_client.post(
        "/api/v1/deals/",
        {"customer": mine.pk, "name": "Line 3", "contacts": [strangers_contact.pk]},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["contacts"] == answers[0]
    assert not Deal.objects.exists()


@pytest.mark.parametrize("protected", [True, False])
def test_the_duplicate_warning_says_who_owns_it_and_nothing_else(
    client_for, customer, people, protected
):
    from portal.records.models import ProtectionRules

    # A protected duplicate is refused (ADR 1002), an unprotected one only warned about:
    # either way the owner is named and nothing else.
    ProtectionRules(enabled=protected).save()
    response = client_for(people["sales2"]).post(
        reverse("records:customer_create"),
        {"name": "Other name", "phone": customer.phone, "level": "C"},
    )
    html = response.content.decode()
    if protected:
        assert f"already registered and protected for {people['sales1']}." in html
    else:
        assert f"A similar customer exists, owned by {people['sales1']}." in html
    for secret in (customer.name, customer.code, customer.email, customer.get_absolute_url()):
        assert secret not in html, secret
    assert customer.phone not in html.replace('value="021-5555-0101"', "")
    assert type(customer).objects.count() == 1


def test_the_moderation_queue_leaves_out_topics_the_moderator_cannot_read(
    client_for, forum, people
):
    # given a managers-only topic with a reported reply and a deleted reply
    topic = forum_actions.create_topic(
        acting_user=people["manager"],
        category=forum["managers"],
        title="Budget cuts 2027",
        body="first",
    )
    reply = forum_actions.reply(topic, body="the numbers", acting_user=people["manager"])
    gone = forum_actions.reply(topic, body="wrong thread", acting_user=people["manager"])
    forum_actions.delete_post(gone, acting_user=people["manager"])
    report = forum_actions.report_post(reply, acting_user=people["admin"], reason="too early")
    editor = client_for(people["editor"])  # forum → manage, but not a manager
    # when the editor opens the queue and tries to remove the reported post
    html = editor.get(reverse("forum:queue")).content.decode()
    removal = editor.post(reverse("forum:resolve_report", args=[report.pk]), {"remove": "1"})
    # then the topic is not there and nothing changed
    assert "Budget cuts 2027" not in html and "wrong thread" not in html
    assert removal.status_code == 404
    assert Post.objects.get(pk=reply.pk).deleted_at is None
    assert PostReport.objects.get(pk=report.pk).resolved_at is None
    # while a moderator who may read it sees both
    manager_html = client_for(people["admin"]).get(reverse("forum:queue")).content.decode()
    assert "Budget cuts 2027" in manager_html


def test_deal_references_do_not_resolve_for_a_binned_customer(customer, people):
    deal = open_deal(customer, people["sales1"])
    assert deal.number in find_by_codes([deal.number], people["sales1"])
    actions.delete_customer(customer, acting_user=people["sales1"])
    assert find_by_codes([deal.number], people["sales1"]) == {}
    assert find_by_codes([deal.number], people["admin"]) == {}


def test_notification_recipients_are_the_policys_readers(customer, people, org):
    actions.share_customer(customer, acting_user=people["sales1"], department=org["east"])
    cast = [people[name].pk for name in ("sales1", "newhire", "sales2", "manager")]
    # the new hire holds the East key but not the customer module
    assert visible_recipients(cast, customer) == {people["sales1"].pk, people["manager"].pk}
    actions.delete_customer(customer, acting_user=people["sales1"])
    assert visible_recipients(cast, customer) == set()


def test_the_follow_api_answers_404_for_forbidden_and_missing_alike(api_client, customer, people):
    api_client.force_authenticate(people["sales2"])
    forbidden = api_client.post(
        "/api/v1/follows/", {"object": f"records.customer:{customer.pk}", "level": 3}
    )
    missing = api_client.post("/api/v1/follows/", {"object": "records.customer:987654", "level": 3})
    assert forbidden.status_code == missing.status_code == 404
    assert forbidden.json() == missing.json()
    assert not Follow.objects.exists()


def test_a_mention_of_someone_who_cannot_see_the_topic_warns_the_author(
    api_client, forum, people, events
):
    topic = forum_actions.create_topic(
        acting_user=people["manager"], category=forum["managers"], title="Targets", body="first"
    )
    api_client.force_authenticate(people["manager"])
    response = api_client.post(
        "/api/v1/posts/", {"topic": topic.pk, "body": "@sales1 and @admin look"}, format="json"
    )
    assert response.status_code == 201
    assert response.json()["warnings"] == [
        f"{people['sales1']} cannot see this topic and was not told."
    ]
    assert events.named("forum.mentioned")[-1].payload["user_ids"] == [people["admin"].pk]


@pytest.fixture
def debug_urls(settings):
    """portal.urls as `make run` builds it (DEBUG on), restored afterwards."""
    import portal.urls

    settings.DEBUG = True
    importlib.reload(portal.urls)
    clear_url_caches()
    yield
    settings.DEBUG = False
    importlib.reload(portal.urls)
    clear_url_caches()


def test_media_in_development_serves_no_protected_file(client, settings, debug_urls, people):
    root = settings.MEDIA_ROOT
    for relative in ("forum/2026/a1b2.pdf", "documents/price-list.pdf", "service-cases/x.pdf"):
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(b"%PDF-1.4 secret")
    (root / "images").mkdir(parents=True, exist_ok=True)
    (root / "images" / "logo.png").write_bytes(b"\x89PNG public")
    for relative in ("forum/2026/a1b2.pdf", "documents/price-list.pdf", "service-cases/x.pdf"):
        response = client.get(f"/media/{relative}")
        assert response.status_code != 200, relative
        assert b"secret" not in b"".join(getattr(response, "streaming_content", [response.content]))
    assert client.get("/media/images/logo.png").status_code == 200
