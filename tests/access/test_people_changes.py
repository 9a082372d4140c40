"""People changes made in /admin/ go through accounts' actions and re-key what they affect."""

from __future__ import annotations

import pytest
from django.contrib import admin
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
