"""Module permissions: what a person may do in a module, checked by every action."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from .modules import MODULES, VERBS, permission_name


def has_module_perm(user, module: str, verb: str) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return user.has_perm(permission_name(module, verb))


def require_module_perm(user, module: str, verb: str) -> None:
    """Raise PermissionDenied with a clear message unless the user holds the permission."""
    if not has_module_perm(user, module, verb):
        raise PermissionDenied(
            _("You do not have the “%(verb)s” permission for %(module)s.")
            % {"verb": VERBS[verb], "module": MODULES[module]}
        )
