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
        actions.register_person(
            acting_user=people["sales1"],
            username="intruder",
            password="x-long-password-1",
            roles=[roles.ADMINISTRATORS],
        )
    assert User.objects.count() == users_before
    assert not User.objects.filter(username="intruder").exists()
    assert AuditEntry.objects.count() == audit_before
    assert events.names == []


def test_an_administrator_registers_a_person_in_a_role(people, org, events):
    person = actions.register_person(
        acting_user=people["admin"],
        username="sales9",
        password="a-long-password-9",
        display_name="孙丽 Sun Li",
        department=org["north"],
        roles=[roles.SALES],
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


def test_an_administrator_edits_a_role_in_the_matrix(client_for, people):
    sales = Group.objects.get(name=roles.SALES)
    client = client_for(people["admin"])
    page = client.get("/accounts/roles/")
    assert page.status_code == 200
    assert f'name="{sales.pk}:customers_register"' in page.content.decode()
    # Submit the matrix with only one box ticked for Sales; other roles keep theirs.
    form = {
        f"{g.pk}:{p.codename}": "1"
        for g in Group.objects.exclude(pk=sales.pk)
        for p in g.permissions.all()
    }
    form[f"{sales.pk}:customers_view"] = "1"
    response = client.post("/accounts/roles/", form)
    assert response.status_code == 302
    assert set(sales.permissions.values_list("codename", flat=True)) == {"customers_view"}
    assert has_module_perm(User.objects.get(username="manager"), "deals", "urge")
    entry = AuditEntry.objects.get(action="role.permissions_changed", object_id=str(sales.pk))
    assert "customers_register" in entry.changes["removed"]


def test_the_matrix_is_refused_to_non_administrators_and_changes_nothing(client_for, people):
    sales = Group.objects.get(name=roles.SALES)
    before = set(sales.permissions.values_list("codename", flat=True))
    client = client_for(people["manager"])
    assert client.get("/accounts/roles/").status_code == 403
    response = client.post("/accounts/roles/", {f"{sales.pk}:settings_manage": "1"})
    assert response.status_code == 403
    assert set(sales.permissions.values_list("codename", flat=True)) == before
    assert not AuditEntry.objects.filter(action="role.permissions_changed").exists()
