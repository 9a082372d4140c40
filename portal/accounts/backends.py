"""Sign-in and permissions: Django's model backend, with a person's permissions in one read."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Q


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
            if user_obj.is_superuser:
                permissions = Permission.objects.all()
            else:
                own = user_obj.user_permissions.through.objects.filter(user_id=user_obj.pk)
                roles = Group.permissions.through.objects.filter(group__user=user_obj.pk)
                permissions = Permission.objects.filter(
                    Q(pk__in=own.values("permission_id")) | Q(pk__in=roles.values("permission_id"))
                )
            user_obj._perm_cache = {
                f"{app_label}.{codename}"
                for app_label, codename in permissions.values_list(
                    "content_type__app_label", "codename"
                ).order_by()
            }
        return user_obj._perm_cache
