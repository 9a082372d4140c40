"""People changes made in /admin/ go through accounts' actions and re-key what they affect."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.messages import get_messages
from django.contrib.messages.storage.fallback import FallbackStorage
from django.test import RequestFactory

from portal.accounts import roles
from portal.accounts.models import Department, User
from portal.core.models import AuditEntry
from portal.core.testing import capture_events
from portal.records.customers.policy import customers_visible_to
from tests.records.deal_helpers import open_deal

pytestmark = pytest.mark.django_db


class _ChangedDepartment:
    """What the admin's change form hands save_model when only the department changed."""

    changed_data = ["department"]

    def __init__(self, before: Department):
        self.initial = {"department": before.pk}
        self.cleaned_data = {}


def test_moving_sales1_in_the_admin_rekeys_their_customers_and_deals(
    customer, people, org, make_user
):
    east_boss = make_user("eastboss", roles.MANAGERS, "east")
    north_boss = make_user("northboss", roles.MANAGERS, "north")
    Department.objects.filter(pk=org["east"].pk).update(manager=east_boss)
    Department.objects.filter(pk=org["north"].pk).update(manager=north_boss)
    deal = open_deal(customer, people["sales1"])
    assert set(customers_visible_to(east_boss)) == {customer}
    assert not customers_visible_to(north_boss).exists()
    # when an administrator changes sales1's department in /admin/
    sales1 = User.objects.get(pk=people["sales1"].pk)
    sales1.department = org["north"]
    request = RequestFactory().post("/admin/accounts/user/")
    request.user = people["admin"]
    request.session = {}
    request._messages = FallbackStorage(request)
    with capture_events() as captured:
        admin.site._registry[User].save_model(
            request, sales1, _ChangedDepartment(org["east"]), change=True
        )
    # then the move is the action's (event + audit) and the keys follow on commit
    assert "accounts.person_moved" in captured.names
    assert AuditEntry.objects.filter(action="person.moved").exists()
    north_boss, east_boss = (User.objects.get(pk=u.pk) for u in (north_boss, east_boss))
    assert set(customers_visible_to(north_boss)) == {customer}
    assert not customers_visible_to(east_boss).exists()
    from portal.records.deals.policy import deals_visible_to

    assert set(deals_visible_to(north_boss)) == {deal}
    assert User.objects.get(pk=sales1.pk).department_id == org["north"].pk
    said = " ".join(str(m) for m in get_messages(request))
    assert "follow them to the new department's managers" in said
    assert "/admin/core/backgroundjob/" in said


def _admin_save(acting_user, person, **changes):
    """Save `person` through the admin's own change form, as the change page does: the
    admin's form class, bound to the current values with `changes` applied, then
    save_model and save_related. Returns the request (its messages) and the form."""
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.forms.models import model_to_dict

    model_admin = admin.site._registry[User]
    request = RequestFactory().post(f"/admin/accounts/user/{person.pk}/change/")
    request.user = acting_user
    request.session = {}
    request._messages = FallbackStorage(request)
    form_class = model_admin.get_form(request, person, change=True)
    data = {k: v for k, v in model_to_dict(person).items() if v is not None}
    data["groups"] = [g.pk for g in person.groups.all()]
    data["user_permissions"] = []
    data.update(changes)
    for name in ("last_login", "date_joined"):
        data.pop(name, None)
    form = form_class(data, instance=person)
    form.fields.pop("last_login", None)
    form.fields.pop("date_joined", None)
    assert form.is_valid(), form.errors
    obj = form.save(commit=False)
    with capture_events() as captured:
        model_admin.save_model(request, obj, form, change=True)
        model_admin.save_related(request, form, [], change=True)
    return request, captured


def test_changing_roles_in_the_admin_is_the_action(people):
    from django.contrib.auth.models import Group

    sales1 = User.objects.get(pk=people["sales1"].pk)
    managers = Group.objects.get(name=roles.MANAGERS)
    sales = Group.objects.get(name=roles.SALES)
    _request, captured = _admin_save(people["admin"], sales1, groups=[managers.pk])
    assert set(User.objects.get(pk=sales1.pk).groups.all()) == {managers}
    assert "accounts.person_roles_changed" in captured.names
    entry = AuditEntry.objects.get(action="person.roles_changed")
    assert entry.changes == {"added": [managers.name], "removed": [sales.name]}


def test_deactivating_a_leaver_in_the_admin_is_the_action_and_names_the_work_left(customer, people):
    from django.contrib.messages import get_messages

    deal = open_deal(customer, people["sales1"])
    sales1 = User.objects.get(pk=people["sales1"].pk)
    request, captured = _admin_save(people["admin"], sales1, is_active=False)
    assert User.objects.get(pk=sales1.pk).is_active is False
    assert "accounts.person_deactivated" in captured.names
    assert AuditEntry.objects.filter(action="person.deactivated").count() == 1
    said = " ".join(str(m) for m in get_messages(request))
    # the customer and the open deal still wait on them: the admin is told where to move them
    assert "still holds 2 open records" in said and "/records/deals/handover/" in said
    assert deal.owner_id == sales1.pk


def test_an_administrator_cannot_deactivate_themselves_and_nothing_changes(people):
    from django.contrib.messages import get_messages

    me = User.objects.get(pk=people["admin"].pk)
    request, captured = _admin_save(me, me, is_active=False)
    assert User.objects.get(pk=me.pk).is_active is True
    assert "accounts.person_deactivated" not in captured.names
    assert not AuditEntry.objects.filter(action="person.deactivated").exists()
    assert "cannot deactivate yourself" in " ".join(str(m) for m in get_messages(request))


def test_a_rep_owning_many_records_is_rekeyed_by_the_worker_in_chunks_with_progress(
    customer, people, org, make_user, settings
):
    """Over BACKGROUND_INLINE_ROWS records, the move's re-keying leaves the request: the
    worker's job re-keys a chunk per run, keeps its progress, and ends with every customer and
    deal under the new manager chain (ADR 0142)."""
    from portal.accounts import actions as account_actions
    from portal.core import background
    from portal.core.models import BackgroundJob
    from portal.core.worker import jobs, run_job
    from portal.records.customers import actions as customer_actions
    from portal.records.customers import rollup
    from portal.records.customers.actions import customers as customer_module
    from portal.records.deals.actions import keys as deal_keys
    from portal.records.deals.policy import deals_visible_to

    settings.BACKGROUND_INLINE_ROWS = 2
    customer_module.REKEY_CHUNK = deal_keys.REKEY_CHUNK = 2
    try:
        north_boss = make_user("northboss", roles.MANAGERS, "north")
        Department.objects.filter(pk=org["north"].pk).update(manager=north_boss)
        sales1 = people["sales1"]
        others = [
            customer_actions.create_customer(acting_user=sales1, name=f"华北客户{i}")
            for i in range(4)
        ]
        deals = [open_deal(c, sales1) for c in [customer, *others[:2]]]
        with capture_events():
            account_actions.move_person(
                sales1, department=org["north"], acting_user=people["admin"]
            )
        # nothing moved in the request: the jobs wait, with their totals
        jobs_by_kind = {job.kind: job for job in BackgroundJob.objects.all()}
        assert {kind: (job.total, job.done) for kind, job in jobs_by_kind.items()} == {
            "records.rekey_customers_of": (5, 0),
            "records.rekey_deals_owned_by": (3, 0),
        }
        north_boss = User.objects.get(pk=north_boss.pk)
        assert not customers_visible_to(north_boss).exists()
        # the worker's job: one chunk (2 rows) per run, progress stored after each
        job = next(job for job in jobs() if job.name == "core.background_jobs")
        assert run_job(job) == 2
        first = BackgroundJob.objects.get(kind="records.rekey_customers_of")
        assert (first.done, first.finished_at, first.percent) == (2, None, 40)
        while run_job(job):
            pass
        assert BackgroundJob.objects.filter(finished_at__isnull=True).count() == 0
        assert {j.done for j in BackgroundJob.objects.all()} == {5, 3}
        assert set(customers_visible_to(north_boss)) == {customer, *others}
        assert set(deals_visible_to(north_boss)) == set(deals)
        assert background.pending("records.rekey_customers_of", f"user:{sales1.pk}") is None
        assert not rollup.drift()  # the analysis roll-up followed every chunk
    finally:
        customer_module.REKEY_CHUNK = deal_keys.REKEY_CHUNK = 200


def test_asking_again_restarts_the_unfinished_job_and_a_second_worker_takes_nothing(
    people, monkeypatch
):
    """One unfinished job per (kind, key): a second move while it runs restarts it from the
    top (the last request wins); a job one worker holds is not run by another."""
    from django.utils import timezone

    from portal.core import background
    from portal.core.models import BackgroundJob

    calls = []

    def count(payload, cursor):
        calls.append((payload["n"], cursor))
        return 1, (None if cursor >= 2 else cursor + 1)

    def fail(payload, cursor):
        raise RuntimeError("disk full")

    monkeypatch.setitem(background._handlers, "tests.count", count)
    monkeypatch.setitem(background._handlers, "tests.fail", fail)

    first = background.enqueue("tests.count", key="k", total=3, payload={"n": 1})
    assert background.run_next() == 1
    again = background.enqueue("tests.count", key="k", total=3, payload={"n": 2})
    assert again.pk == first.pk and (again.cursor, again.done, again.generation) == (0, 0, 1)
    # a worker holds it: another finds nothing to do
    BackgroundJob.objects.filter(pk=first.pk).update(lease_until=timezone.now() + background.LEASE)
    assert background.run_next() == 0
    BackgroundJob.objects.filter(pk=first.pk).update(lease_until=None)
    while background.run_next():
        pass
    assert calls == [(1, 0), (2, 0), (2, 1), (2, 2)]
    job = BackgroundJob.objects.get(pk=first.pk)
    assert job.finished_at is not None and job.done == 3 and job.percent == 100

    # a failing chunk is kept with its error and tried again later, not lost
    failed = background.enqueue("tests.fail", key="k", total=1, payload={})
    assert background.run_next() == 0
    failed.refresh_from_db()
    assert "disk full" in failed.error and failed.finished_at is None
    assert failed.lease_until > timezone.now()
