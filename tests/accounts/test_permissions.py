"""Module permissions: roles carry them, actions check them, refusals write nothing."""

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError

from portal.accounts import actions, roles
from portal.accounts.models import User
from portal.accounts.permissions import has_module_perm
from portal.core.models import AuditEntry


def test_roles_carry_their_default_module_permissions(people):
    assert has_module_perm(people["sales1"], "customers", "register")
    assert not has_module_perm(people["sales1"], "customers", "transfer")
    assert has_module_perm(people["manager"], "deals", "urge")
    assert not has_module_perm(people["newhire"], "customers", "view")
    assert has_module_perm(people["admin"], "settings", "manage")


def test_a_person_without_register_permission_is_refused_and_nothing_is_written(people, events):
    users_before, audit_before = User.objects.count(), AuditEntry.objects.count()
    with pytest.raises(PermissionDenied, match="register"):
        actions.register_person(acting_user=people["sales1"], username="intruder",
                                password="x-long-password-1", roles=[roles.ADMINISTRATORS])
    assert User.objects.count() == users_before
    assert not User.objects.filter(username="intruder").exists()
    assert AuditEntry.objects.count() == audit_before
    assert events.names == []


def test_an_administrator_registers_a_person_in_a_role(people, org, events):
    person = actions.register_person(
        acting_user=people["admin"], username="sales9", password="a-long-password-9",
        display_name="孙丽 Sun Li", department=org["north"], roles=[roles.SALES],
    )
    assert person.check_password("a-long-password-9")
    assert has_module_perm(person, "customers", "register")
    assert AuditEntry.objects.filter(action="person.registered", object_id=str(person.pk)).exists()
    assert events.names == ["accounts.person_registered"]


def test_duplicate_user_names_are_refused_with_the_field_named(people):
    with pytest.raises(ValidationError) as excinfo:
        actions.register_person(acting_user=people["admin"], username="SALES1", password=None)
    assert "username" in excinfo.value.message_dict


def test_permissions_an_administrator_edited_survive_a_later_migrate(people):
    sales = Group.objects.get(name=roles.SALES)
    sales.permissions.clear()
    roles.ensure_roles()
    assert not sales.permissions.exists()
    assert not has_module_perm(User.objects.get(username="sales1"), "customers", "register")


def test_people_may_edit_only_their_own_profile(people):
    with pytest.raises(PermissionDenied):
        actions.update_profile(people["sales2"], acting_user=people["sales1"], title="hacked")
    people["sales2"].refresh_from_db()
    assert people["sales2"].title == ""
