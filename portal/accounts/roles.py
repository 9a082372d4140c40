"""The roles of Agora: groups carrying module permissions, created with their defaults."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission  # noqa: F401 (re-exported)
from django.utils.translation import gettext_lazy as _

from .modules import MODULES, VERBS, codename

ADMINISTRATORS = "Administrators"
MANAGERS = "Managers"
SALES = "Sales"
SERVICE = "Service"
KNOWLEDGE_EDITORS = "Knowledge editors"
NEW_HIRES = "New hires"

ROLE_LABELS = {
    ADMINISTRATORS: _("Administrators"),
    MANAGERS: _("Managers"),
    SALES: _("Sales"),
    SERVICE: _("Service"),
    KNOWLEDGE_EDITORS: _("Knowledge editors"),
    NEW_HIRES: _("New hires"),
}

_ALL = set(VERBS)
ROLE_DEFAULTS: dict[str, dict[str, set[str]]] = {
    ADMINISTRATORS: dict.fromkeys(MODULES, _ALL),
    MANAGERS: {
        "customers": {"view", "register", "transfer", "urge"},
        "deals": {"view", "register", "transfer", "urge"},
        "service": {"view", "register", "transfer", "urge", "manage"},
        "knowledge": {"view"},
        "forum": {"view", "register", "manage"},
    },
    SALES: {
        "customers": {"view", "register"},
        "deals": {"view", "register", "transfer"},
        "service": {"view"},
        "knowledge": {"view"},
        "forum": {"view", "register"},
    },
    SERVICE: {
        "customers": {"view"},
        "deals": {"view"},
        "service": {"view", "register"},
        "knowledge": {"view"},
        "forum": {"view", "register"},
    },
    KNOWLEDGE_EDITORS: {
        "customers": {"view"},
        "knowledge": {"view", "register", "manage"},
        "forum": {"view", "register", "manage"},
    },
    NEW_HIRES: {
        "knowledge": {"view"},
        "forum": {"view", "register"},
    },
}


def default_permissions(role: str) -> list[Permission]:
    codenames = [
        codename(module, verb) for module, verbs in ROLE_DEFAULTS[role].items() for verb in verbs
    ]
    return list(
        Permission.objects.filter(content_type__app_label="accounts", codename__in=codenames)
    )


def ensure_roles() -> list[Group]:
    """Create missing role groups with their default permissions; leave existing ones be."""
    created = []
    for role in ROLE_DEFAULTS:
        group, was_created = Group.objects.get_or_create(name=role)
        if was_created:
            group.permissions.set(default_permissions(role))
            created.append(group)
    return created


def ensure_roles_after_migrate(app_config, using="default", **kwargs) -> None:
    from django.contrib.auth.management import create_permissions

    # auth's own post_migrate receiver may run after this one; make sure ours exist first.
    create_permissions(app_config, verbosity=0, using=using)
    ensure_roles()
