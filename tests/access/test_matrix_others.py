"""The authorization matrix's routes taking the id of something other than a customer, contact
or deal (issue 14, item 5; decision 0140): activities, reminders, service cases and their
attachments, support questions, imports, mail batches, onboarding assignments, forum topics,
posts, reports and attachments, notifications, interests, follows, knowledge pages, people.

Each route gets one object made by the real actions, readable by some roles and not by others;
who may read it is asked of its kind's policy (or of the rule its screens use where the kind
has no policy: the person it belongs to), never listed by hand. Readers the rule refuses get
403/404 (405 for a write-only route; 302 to the login page for the anonymous visitor) and no
trace of the object; the detail pages and API objects answer 200 to those it allows (so the
refusals mean something); every write by a refused reader is refused and changes nothing.

`test_the_authorization_matrix` fails on a route with an id that is in neither table here:
a new screen must say who may read what it shows."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from portal.forum import actions as forum_actions
from portal.forum.policy import topic_policy
from portal.knowledge import actions as knowledge_actions
from portal.knowledge.models import OnboardingPath, OnboardingStep, StandardDocumentPage
from portal.notifications import actions as notification_actions
from portal.notifications.models import Follow, Level, Notification
from portal.records.customers import actions as customer_actions
from portal.records.customers import imports
from portal.records.deals import actions as deal_actions
from portal.records.service.actions import complaints, questions
from tests.access import matrix_world
from tests.access.matrix_world import ROLES, clients_for, routes
from tests.records.deal_helpers import open_deal

pytestmark = [pytest.mark.django_db, pytest.mark.authz_matrix]

SECRET = "绝密"  # in every object's title or text; no demo or fixture text contains it
PDF = b"%PDF-1.4\n% " + SECRET.encode() + b"\n%%EOF\n"


@dataclass
class Target:
    """What one route is given, and who may read the object it shows."""

    kwargs: dict
    readers: set[str]
    detail: bool = False  # a page or API object a reader the rule allows opens with 200
    secrets: list[str] = field(default_factory=list)


def _pdf(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, PDF, "application/pdf")


def _readers_by_policy(people, obj) -> set[str]:
    return {role for role, user in people.items() if matrix_world.may_see(user, obj)}


def _world(people, customer, forum, kb) -> dict[str, object]:
    sales1, manager, service = people["sales1"], people["manager"], people["service"]
    deal = open_deal(customer, sales1, name=f"{SECRET}产线改造")
    soon = timezone.now() + timezone.timedelta(days=2)
    activity = deal_actions.create_activity(
        deal, acting_user=sales1, kind="call", subject=f"{SECRET} call", due_at=soon
    )
    reminder = deal_actions.create_deal_reminder(
        deal, acting_user=sales1, due_at=soon, subject=f"{SECRET} reminder"
    )
    case = complaints.register_complaint(
        acting_user=service, customer=customer, title=f"{SECRET} complaint",
        description="The line stops.", attachments=[_pdf("case.pdf")],
    )  # fmt: skip
    question = questions.create_support_question(
        acting_user=service, customer=customer, question=f"{SECRET} question?"
    )
    header = "name,category,industry,region,city,phone,email,level\n"
    upload = SimpleUploadedFile(
        "customers.csv", (header + f"{SECRET}导入客户,current,,north,,,,A\n").encode(), "text/csv"
    )
    job = imports.start_import(kind="customers", upload=upload, user=sales1)
    batch = customer_actions.compose_mail(
        acting_user=sales1, contacts=customer.contacts.all(), subject=f"{SECRET} mail", body="Hi"
    )
    path = OnboardingPath.objects.create(title=f"{SECRET} path")
    step = OnboardingStep.objects.create(path=path, sort_order=0, title="Read", page=kb["s1"])
    assignment = knowledge_actions.assign_onboarding_path(
        path.pk, people["newhire"].pk, acting_user=people["editor"]
    )
    topic = forum_actions.create_topic(
        acting_user=manager, category=forum["managers"], title=f"{SECRET} managers topic",
        body="Targets for next year.", attachments=[_pdf("plan.pdf")],
    )  # fmt: skip
    post = forum_actions.reply(topic, acting_user=manager, body=f"{SECRET} figures")
    report = forum_actions.report_post(post, acting_user=manager, reason="Wrong figures")
    restricted = StandardDocumentPage(
        title=f"{SECRET} restricted document", slug="secret-restricted", restricted=True,
        document=kb["secret"].document,
    )  # fmt: skip
    restricted.allowed_groups = [people["manager"].groups.get()]
    knowledge_actions.create_page(kb["documents"], restricted, acting_user=people["admin"])
    interest = notification_actions.add_keyword_interest(f"{SECRET}词", acting_user=sales1)
    follow = Follow.objects.create(
        user=sales1, target_kind="records.deal", target_key=str(deal.pk), level=Level.WATCHING
    )
    # sales1's notice has a number no one else has reached, so a route given it cannot find a
    # notice of the reader's own by chance.
    highest = max(Notification.objects.values_list("seq", flat=True), default=0)
    for n in range(highest + 1):
        notification_actions.notify(
            [sales1.pk], "announcement", f"{SECRET} notice", dedupe_key=f"secret-{n}"
        )
    notice = Notification.objects.filter(user=sales1).latest("seq")
    return {
        "deal": deal, "activity": activity, "reminder": reminder, "case": case,
        "case_attachment": case.attachments.get(), "question": question, "job": job,
        "batch": batch, "assignment": assignment, "step": step, "topic": topic, "post": post,
        "post_attachment": topic.posts.get(number=1).attachments.get(), "report": report,
        "document": restricted, "interest": interest, "follow": follow, "notice": notice,
    }  # fmt: skip


def _owner(people, user) -> set[str]:
    return {role for role, person in people.items() if person.pk == user.pk}


def _sender_or_admin(people, batch) -> set[str]:
    return {role for role, user in people.items() if customer_actions.may_handle_batch(user, batch)}


def _moderators(people, topic) -> set[str]:
    return {
        role
        for role, user in people.items()
        if topic_policy.moderated_by(user).filter(pk=topic.pk).exists()
    }


#: Route name → the object it is given from the world, and who may read it.
ROUTES: dict[str, Callable[[dict, dict], Target]] = {
    "records:contract_renew": lambda w, p: Target(
        {"pk": w["deal"].pk}, _readers_by_policy(p, w["deal"])
    ),
    "records:import_job": lambda w, p: Target(
        {"pk": w["job"].pk}, _owner(p, p["sales1"]), detail=True
    ),
    "records:import_progress": lambda w, p: Target({"pk": w["job"].pk}, _owner(p, p["sales1"])),
    "records:import_commit": lambda w, p: Target({"pk": w["job"].pk}, _owner(p, p["sales1"])),
    "records:mail_batch": lambda w, p: Target(
        {"pk": w["batch"].pk}, _sender_or_admin(p, w["batch"]), detail=True
    ),
    "records:mail_send": lambda w, p: Target(
        {"pk": w["batch"].pk}, _sender_or_admin(p, w["batch"])
    ),
    "records:service_case_detail": lambda w, p: Target(
        {"pk": w["case"].pk}, _readers_by_policy(p, w["case"]), detail=True
    ),
    "records:service_case_step": lambda w, p: Target(
        {"pk": w["case"].pk, "step": "assess"}, _readers_by_policy(p, w["case"])
    ),
    "records:service_case_attach": lambda w, p: Target(
        {"pk": w["case"].pk}, _readers_by_policy(p, w["case"])
    ),
    "records:service_attachment": lambda w, p: Target(
        {"pk": w["case"].pk, "attachment_pk": w["case_attachment"].pk},
        _readers_by_policy(p, w["case"]),
        detail=True,
        secrets=[SECRET],
    ),
    "records:support_question_detail": lambda w, p: Target(
        {"pk": w["question"].pk}, _readers_by_policy(p, w["question"]), detail=True
    ),
    "records:support_question_answer": lambda w, p: Target(
        {"pk": w["question"].pk}, _readers_by_policy(p, w["question"])
    ),
    "records:support_question_escalate": lambda w, p: Target(
        {"pk": w["question"].pk}, _readers_by_policy(p, w["question"])
    ),
    "knowledge:onboarding_detail": lambda w, p: Target(
        {"assignment_id": w["assignment"].pk},
        _readers_by_policy(p, w["assignment"]) | _owner(p, p["newhire"]),
        detail=True,
    ),
    "knowledge:step_done": lambda w, p: Target(
        {"assignment_id": w["assignment"].pk, "step_id": w["step"].pk}, _owner(p, p["newhire"])
    ),
    "forum:resolve_report": lambda w, p: Target(
        {"report_id": w["report"].pk}, _moderators(p, w["topic"])
    ),
    "forum:edit_post": lambda w, p: Target(
        {"post_id": w["post"].pk}, _readers_by_policy(p, w["post"])
    ),
    "forum:post_history": lambda w, p: Target(
        {"post_id": w["post"].pk}, _readers_by_policy(p, w["post"]), detail=True
    ),
    "forum:post_action": lambda w, p: Target(
        {"post_id": w["post"].pk, "verb": "report"}, _readers_by_policy(p, w["post"])
    ),
    "forum:topic_history": lambda w, p: Target(
        {"topic_id": w["topic"].pk}, _readers_by_policy(p, w["topic"]), detail=True
    ),
    "forum:topic_action": lambda w, p: Target(
        {"topic_id": w["topic"].pk, "verb": "lock"}, _readers_by_policy(p, w["topic"])
    ),
    "forum:attachment": lambda w, p: Target(
        {"attachment_id": w["post_attachment"].pk},
        _readers_by_policy(p, w["topic"]),
        detail=True,
        secrets=[SECRET],
    ),
    "notifications:mark_read": lambda w, p: Target(
        {"seq": w["notice"].seq}, _owner(p, p["sales1"])
    ),
    "notifications:open": lambda w, p: Target({"seq": w["notice"].seq}, _owner(p, p["sales1"])),
    "notifications:remove_interest": lambda w, p: Target(
        {"pk": w["interest"].pk}, _owner(p, p["sales1"])
    ),
    "notifications:change_follow": lambda w, p: Target(
        {"pk": w["follow"].pk}, _owner(p, p["sales1"])
    ),
    "activity-detail": lambda w, p: Target(
        {"pk": w["activity"].pk}, _readers_by_policy(p, w["activity"]), detail=True
    ),
    "activity-cancel": lambda w, p: Target(
        {"pk": w["activity"].pk}, _readers_by_policy(p, w["activity"])
    ),
    "activity-complete": lambda w, p: Target(
        {"pk": w["activity"].pk}, _readers_by_policy(p, w["activity"])
    ),
    "reminder-detail": lambda w, p: Target(
        {"pk": w["reminder"].pk}, _readers_by_policy(p, w["reminder"]), detail=True
    ),
    "service-case-detail": lambda w, p: Target(
        {"pk": w["case"].pk}, _readers_by_policy(p, w["case"]), detail=True
    ),
    "service-case-steps": lambda w, p: Target(
        {"pk": w["case"].pk}, _readers_by_policy(p, w["case"])
    ),
    "knowledge-detail": lambda w, p: Target(
        {"pk": w["document"].pk}, _readers_by_policy(p, w["document"]), detail=True
    ),
    "knowledge-use": lambda w, p: Target(
        {"pk": w["document"].pk}, _readers_by_policy(p, w["document"])
    ),
    "topic-detail": lambda w, p: Target(
        {"pk": w["topic"].pk}, _readers_by_policy(p, w["topic"]), detail=True
    ),
    "post-detail": lambda w, p: Target(
        {"pk": w["post"].pk}, _readers_by_policy(p, w["post"]), detail=True
    ),
    "notification-detail": lambda w, p: Target(
        {"id": w["notice"].seq}, _owner(p, p["sales1"]), detail=True
    ),
    "notification-read": lambda w, p: Target({"id": w["notice"].seq}, _owner(p, p["sales1"])),
    "interest-detail": lambda w, p: Target(
        {"pk": w["interest"].pk}, _owner(p, p["sales1"]), detail=True
    ),
    "follow-detail": lambda w, p: Target(
        {"pk": w["follow"].pk}, _owner(p, p["sales1"]), detail=True
    ),
}

#: Routes whose id is not a secret or whose argument is a secret itself, and what is checked.
OPEN_OR_TOKEN = {
    # the people directory (pickers, @mentions): every signed-in person reads it
    "person-detail": "a directory entry: everyone signed in, nobody anonymous",
    # capability URLs: whoever holds the token reads it; a forged one finds nothing
    "records:calendar_feed": "a forged token is refused for everyone",
    "notifications:unsubscribe": "a forged token is refused for everyone",
}

COVERED = set(ROUTES) | set(OPEN_OR_TOKEN)

SNAPSHOT_APPS = ("records", "core", "forum", "knowledge", "notifications")


def _snapshot() -> dict[str, list]:
    models = [m for label in SNAPSHOT_APPS for m in apps.get_app_config(label).get_models()]
    skip = {"notifications.presence", "notifications.usersequence"}
    return {
        m._meta.label: list(m._default_manager.order_by("pk").values())
        for m in models
        if m._meta.label_lower not in skip
    }


def _body(response) -> str:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content).decode(errors="replace")
    return response.content.decode(errors="replace")


def _qualified(name: str) -> str:
    return name if ":" in name else f"{name}"


def test_every_other_record_route_refuses_whom_its_rule_refuses(people, customer, forum, kb):
    world = _world(people, customer, forum, kb)
    clients = clients_for(people)
    built = {name for name, _args in routes()}
    assert set(ROUTES) <= built, sorted(set(ROUTES) - built)
    cells, writes, failures = 0, 0, []
    targets = {name: make(world, people) for name, make in ROUTES.items()}
    everyone = set(ROLES)
    for name, target in targets.items():
        # the rule allows someone and refuses someone, or the route proves nothing
        assert target.readers and target.readers != everyone, (name, target.readers)

    # Reads.
    for name, target in targets.items():
        url = reverse(name, kwargs=target.kwargs)
        for role, http in clients.items():
            response = http.get(url)
            cells += 1
            status, body = response.status_code, _body(response)
            if status >= 500:
                failures.append((role, name, url, status))
            elif role in target.readers:
                if target.detail and status != 200:
                    failures.append((role, name, url, status, "the rule allows, the route refused"))
            else:
                allowed = {403, 404, 405} | ({302, 401} if role == "anonymous" else set())
                if status not in allowed:
                    failures.append((role, name, url, status, "read not refused"))
                if any(secret in body for secret in [SECRET, *target.secrets]):
                    failures.append((role, name, url, "leaks"))

    # Writes by every reader the rule refuses: refused, and nothing changed.
    before = _snapshot()
    for name, target in targets.items():
        url = reverse(name, kwargs=target.kwargs)
        methods = ["post"] + (["patch", "delete"] if url.startswith("/api/") else [])
        for role in [r for r in [*ROLES, "anonymous"] if r not in target.readers]:
            for method in methods:
                response = getattr(clients[role], method)(url, {"name": "x"}, format="json")
                cells += 1
                writes += 1
                if response.status_code >= 500:
                    failures.append((role, method, name, response.status_code))
                elif 200 <= response.status_code < 400 and not (
                    role == "anonymous" and response.status_code == 302
                ):
                    failures.append((role, method, name, response.status_code, "accepted"))
                after = _snapshot()
                if after != before:
                    changed = [label for label in after if after[label] != before[label]]
                    failures.append((role, method, name, "changed", changed))
                    before = after

    # The directory and the capability URLs.
    person = reverse("person-detail", kwargs={"pk": people["sales1"].pk})
    for role, http in clients.items():
        response = http.get(person)
        cells += 1
        wanted = {401, 403} if role == "anonymous" else {200}
        if response.status_code not in wanted:
            failures.append((role, "person-detail", response.status_code))
        for forged in (
            reverse("records:calendar_feed", kwargs={"token": "forged-token"}),
            reverse("notifications:unsubscribe", kwargs={"token": "forged-token"}),
        ):
            response = http.get(forged)
            cells += 1
            if response.status_code not in (400, 403, 404) or SECRET in _body(response):
                failures.append((role, forged, response.status_code))

    print(  # noqa: T201 (the matrix size is part of the report)
        f"\nother records' matrix: {len(targets)} routes + {len(OPEN_OR_TOKEN)} open or token "
        f"routes × {len(clients)} readers, {writes} refused writes = {cells} cells"
    )
    assert failures == [], "\n".join(map(repr, failures))
