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
