"""A person's permissions in one statement, the same answer as Django's (ADR 0426)."""

from __future__ import annotations

from django.contrib.auth import BACKEND_SESSION_KEY
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Permission
from django.urls import reverse

from portal.accounts.backends import PermissionsBackend
from portal.accounts.models import User
from portal.accounts.modules import permission_name


def fresh(user: User) -> User:
    return User.objects.get(pk=user.pk)  # no permission cache on it yet


def test_the_same_permissions_as_djangos_backend_in_one_statement(
    people, django_assert_num_queries
):
    person = people["sales1"]
    extra = Permission.objects.get(codename="add_logentry")  # granted to the person, not a role
    person.user_permissions.add(extra)
    expected = ModelBackend().get_all_permissions(fresh(person))
    assert "admin.add_logentry" in expected and len(expected) > 1
    person = fresh(person)
    with django_assert_num_queries(1):
        assert PermissionsBackend().get_all_permissions(person) == expected
    for role_person in ("manager", "service", "newhire", "admin"):
        assert PermissionsBackend().get_all_permissions(
            fresh(people[role_person])
        ) == ModelBackend().get_all_permissions(fresh(people[role_person]))


def test_has_perm_asks_once_and_a_refusal_asks_no_other_backend(people, django_assert_num_queries):
    person = fresh(people["sales1"])
    with django_assert_num_queries(1):
        assert person.has_perm(permission_name("customers", "view"))
        assert not person.has_perm(permission_name("settings", "manage"))
        assert not person.has_perm(permission_name("customers", "transfer"))
    assert not person.has_module_perms("no_such_app")


def test_inactive_people_have_no_permission(people):
    person = fresh(people["manager"])
    person.is_active = False
    assert PermissionsBackend().get_all_permissions(person) == set()
    assert not person.has_perm(permission_name("customers", "view"))


def test_a_session_signed_in_through_djangos_backend_stays_signed_in(client, people):
    client.force_login(people["sales1"], backend="django.contrib.auth.backends.ModelBackend")
    assert client.session[BACKEND_SESSION_KEY] == "django.contrib.auth.backends.ModelBackend"
    response = client.get("/records/customers/")
    assert response.status_code == 200


def test_signing_in_goes_through_the_one_statement_backend(client, people):
    response = client.post(reverse("login"), {"username": "sales1", "password": "agora-demo"})
    assert response.status_code == 302
    assert client.session[BACKEND_SESSION_KEY] == "portal.accounts.backends.PermissionsBackend"
