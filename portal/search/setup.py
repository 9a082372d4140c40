"""What search needs in every installation, run after every migrate (idempotent): the editors'
permission to keep the synonym list, and — on Elasticsearch — both aliases with their first
indices, so the first write after `migrate` never auto-creates a concrete index
(docs/decisions/0410)."""

from __future__ import annotations

import logging

from django.contrib.auth.models import Group, Permission

from portal.accounts import roles

logger = logging.getLogger(__name__)

SYNONYM_PERMISSIONS = ("add_synonymset", "change_synonymset", "delete_synonymset")
EDITOR_ROLES = (roles.KNOWLEDGE_EDITORS, roles.ADMINISTRATORS)


def ensure_synonym_permissions() -> None:
    permissions = list(
        Permission.objects.filter(
            content_type__app_label="search", codename__in=SYNONYM_PERMISSIONS
        )
    )
    for group in Group.objects.filter(name__in=EDITOR_ROLES):
        group.permissions.add(*permissions)


def ensure_search_indices() -> list[str]:
    """Create the engine's indices if it keeps its own (Elasticsearch); [] when all is well.
    An unreachable cluster is logged, not fatal: each process creates them before first use."""
    from .backends import get_backend

    backend = get_backend()
    if not hasattr(backend, "ensure_indices"):
        return []
    try:
        return backend.ensure_indices()
    except Exception:  # the cluster may come up after the database; not a failed migrate
        logger.exception("Could not create the Elasticsearch indices after migrate")
        return ["unreachable"]


def ensure_after_migrate(app_config, using="default", **kwargs) -> None:
    from django.apps import apps
    from django.contrib.auth.management import create_permissions

    create_permissions(apps.get_app_config("search"), verbosity=0, using=using)
    roles.ensure_roles()
    ensure_synonym_permissions()
    ensure_search_indices()
