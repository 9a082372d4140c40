"""The events of people and the organisation, and their payloads (ADR 0610)."""

from __future__ import annotations

from portal.core.events import declare


@declare("accounts.person_registered")
class PersonRegistered:
    user_id: int


@declare("accounts.person_moved")
class PersonMoved:
    """A person changed department (subscribers re-key what they own from `user_id`)."""

    user_id: int
    department_id: int | None = None


@declare("accounts.department_changed")
class DepartmentChanged:
    department_id: int


@declare("accounts.role_changed")
class RoleChanged:
    group_id: int
    actor_id: int | None


@declare("accounts.person_roles_changed")
class PersonRolesChanged:
    """A person's roles (groups) changed; what they may open is asked of them at each read."""

    user_id: int
    actor_id: int | None = None


@declare("accounts.person_deactivated")
class PersonDeactivated:
    """A leaver can no longer sign in (their open sockets are closed)."""

    user_id: int
    actor_id: int | None = None
