"""Protection and sharing: owner, manager chain, administrators, shares, transfer, moves."""

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from portal.accounts import actions as account_actions
from portal.core import visibility
from portal.records.customers import actions
from portal.records.customers.policy import (
    access_customer,
    can_edit_customer,
    customers_visible_to,
)
from portal.records.models import Customer


def visible_names(user):
    return set(customers_visible_to(user).values_list("name", flat=True))


def test_a_reps_customer_is_seen_by_the_rep_their_manager_and_admins_only(customer, people, sales3):
    assert visible_names(people["sales1"]) == {customer.name}
    assert visible_names(people["manager"]) == {customer.name}
    assert visible_names(people["admin"]) == {customer.name}
    for name in ("sales2", "service", "editor", "newhire"):
        assert visible_names(people[name]) == set(), name
    assert visible_names(sales3) == set()
    with pytest.raises(Http404):
        access_customer(sales3, customer.pk)


def test_sharing_with_a_colleague_lets_them_read_but_not_edit(customer, people, sales3, events):
    actions.share_customer(customer, acting_user=people["sales1"], user=people["sales2"])
    assert visible_names(people["sales2"]) == {customer.name}
    assert not can_edit_customer(people["sales2"], customer)
    assert visible_names(sales3) == set()
    shared = events.named("records.customer_shared")[0]
    assert shared["to_user_id"] == people["sales2"].pk
    assert events.named("records.customer_access_changed")


def test_an_edit_share_lets_the_colleague_edit(customer, people):
    actions.share_customer(
        customer, acting_user=people["sales1"], user=people["sales2"], can_edit=True
    )
    actions.update_customer(customer, acting_user=people["sales2"], city="杭州")
    customer.refresh_from_db()
    assert customer.city == "杭州"


def test_sharing_with_a_department_reaches_its_members(customer, people, org, sales3):
    actions.share_customer(customer, acting_user=people["sales1"], department=org["north"])
    assert visible_names(sales3) == {customer.name}
    assert visible_names(people["sales2"]) == {customer.name}
    assert visible_names(people["service"]) == set()


def test_only_owner_managers_and_admins_may_share(customer, people):
    actions.share_customer(
        customer, acting_user=people["sales1"], user=people["sales2"], can_edit=True
    )
    with pytest.raises(PermissionDenied):
        actions.share_customer(customer, acting_user=people["sales2"], user=people["service"])
    assert visible_names(people["service"]) == set()


def test_withdrawing_a_share_hides_it_again(customer, people):
    share = actions.share_customer(customer, acting_user=people["sales1"], user=people["sales2"])
    actions.unshare_customer(share, acting_user=people["sales1"])
    assert visible_names(people["sales2"]) == set()


def test_manager_transfers_a_customer_and_it_changes_hands(customer, people, events):
    actions.transfer_customer(customer, to_user=people["sales2"], acting_user=people["manager"])
    customer.refresh_from_db()
    assert customer.owner == people["sales2"]
    assert customer.department == people["sales2"].department
    assert visible_names(people["sales2"]) == {customer.name}
    assert visible_names(people["sales1"]) == set()
    assert customer.contacts.count() == 2  # contacts follow their customer
    event = events.named("records.customer_transferred")[0]
    assert event["to_user_id"] == people["sales2"].pk
    assert event["actor_id"] == people["manager"].pk


def test_a_rep_may_not_transfer_and_nothing_changes(customer, people):
    with pytest.raises(PermissionDenied):
        actions.transfer_customer(customer, to_user=people["sales2"], acting_user=people["sales1"])
    customer.refresh_from_db()
    assert customer.owner == people["sales1"]


def test_bulk_transfer_moves_only_what_the_manager_sees(customer, people):
    other = actions.create_customer(acting_user=people["sales1"], name="Beta GmbH")
    selected = customers_visible_to(people["manager"]).filter(pk__in=[customer.pk, other.pk])
    moved = actions.transfer_customers(
        selected, to_user=people["sales2"], acting_user=people["manager"]
    )
    assert moved == 2
    assert set(Customer.objects.values_list("owner__username", flat=True)) == {"sales2"}


def test_customers_cannot_be_given_to_someone_without_customer_access(customer, people):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        actions.transfer_customer(
            customer, to_user=people["newhire"], acting_user=people["manager"]
        )
    customer.refresh_from_db()
    assert customer.owner == people["sales1"]


def test_when_the_owner_moves_department_the_new_manager_chain_sees_it(
    customer, people, org, make_user
):
    from portal.accounts import roles
    from portal.accounts.models import Department
    from portal.core.testing import capture_events

    boss = make_user("boss", roles.MANAGERS, "service")
    Department.objects.filter(pk=org["service"].pk).update(manager=boss)
    assert visible_names(boss) == set()
    # when sales1 moves to the service department (the subscriber runs on commit)
    with capture_events() as captured:
        account_actions.move_person(
            people["sales1"], department=org["service"], acting_user=people["admin"]
        )
    # then the customer carries the new manager chain's key and no longer the old one
    assert "records.customer_access_changed" in captured.names
    boss = type(boss).objects.get(pk=boss.pk)
    assert visible_names(boss) == {customer.name}
    keys = visibility.object_keys(customer)
    assert visibility.manager_key(org["service"].pk) in keys
    assert visibility.manager_key(org["east"].pk) not in keys
    customer.refresh_from_db()
    assert customer.department == org["service"]
