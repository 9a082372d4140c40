"""Sign-in and permissions: Django's model backend, with a person's permissions in one read."""

from __future__ import annotations

import functools

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db import connections, router


class PermissionsBackend(ModelBackend):
    """Django's `ModelBackend`, reading a person's own permissions and their roles' in one
    statement instead of two (ADR 0426): every page asks a module permission, so the second
    read was a round trip on every request. Same answer as Django's (the set of
    "app_label.codename" strings, empty for the inactive and anonymous, every permission for
    a superuser), kept on the user object for the request as Django keeps it.

    Its answer is final: a permission it does not grant raises PermissionDenied, which Django
    documents as ending the search, so Django's own `ModelBackend` — still listed after it, only
    so that sessions signed in through it stay signed in — is never asked again."""

    def has_perm(self, user_obj, perm, obj=None):
        if super().has_perm(user_obj, perm, obj=obj):
            return True
        raise PermissionDenied

    def has_module_perms(self, user_obj, app_label):
        if super().has_module_perms(user_obj, app_label):
            return True
        raise PermissionDenied

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            sql, params = _permissions_sql(user_obj)
            with connections[router.db_for_read(Permission)].cursor() as cursor:
                cursor.execute(sql, params)
                user_obj._perm_cache = {f"{label}.{codename}" for label, codename in cursor}
        return user_obj._perm_cache


@functools.cache
def _statements() -> tuple[str, str]:
    """(every permission, a person's own and their roles') as SQL, written once from the
    models' tables (ADR 0432): the ORM spent ≈ 0.5 ms building this one statement on every
    request, more than reading it. `tests/accounts/test_permissions_backend.py` compares the
    answer with Django's `ModelBackend` for every role."""
    from django.contrib.contenttypes.models import ContentType

    from .models import User

    permission, content_type = Permission._meta.db_table, ContentType._meta.db_table
    own = User._meta.get_field("user_permissions")  # (user, permission)
    roles = Group._meta.get_field("permissions")  # (group, permission)
    membership = User._meta.get_field("groups")  # (user, group)
    # Table and column names from the models' metadata; the one value is a bound parameter.
    every = (
        f"SELECT ct.app_label, p.codename FROM {permission} p "  # noqa: S608
        f"JOIN {content_type} ct ON ct.id = p.content_type_id"
    )
    held = (
        f"{every} WHERE p.id IN (SELECT o.{own.m2m_reverse_name()} FROM {own.m2m_db_table()} o "  # noqa: S608
        f"WHERE o.{own.m2m_column_name()} = %s) "
        f"OR p.id IN (SELECT r.{roles.m2m_reverse_name()} FROM {roles.m2m_db_table()} r "
        f"JOIN {membership.m2m_db_table()} m "
        f"ON m.{membership.m2m_reverse_name()} = r.{roles.m2m_column_name()} "
        f"WHERE m.{membership.m2m_column_name()} = %s)"
    )
    return every, held


def _permissions_sql(user) -> tuple[str, list]:
    every, held = _statements()
    return (every, []) if user.is_superuser else (held, [user.pk, user.pk])
