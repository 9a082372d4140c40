"""Department-tree questions, answered in one place: who is in a manager chain, who manages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from portal.core import visibility

from .models import Department

if TYPE_CHECKING:
    from .models import User


def manages_department(user: User, department_id: int | None) -> bool:
    """`user` manages `department_id` or a department above it (is in its manager chain)."""
    return bool(department_id) and (
        visibility.manager_key(department_id) in visibility.user_keys(user)
    )


def manages_person(user: User, person: User | None) -> bool:
    """`user` is in `person`'s manager chain (manages their department or one above it)."""
    return person is not None and manages_department(user, person.department_id)


def is_manager(user: User) -> bool:
    """`user` manages at least one department."""
    return any(key.startswith("m:") for key in visibility.user_keys(user))


def department_path(department_id: int | None) -> Department | None:
    """A department by id with only its tree path loaded (None for none or a missing one)."""
    if not department_id:
        return None
    return Department.objects.filter(pk=department_id).only("path").first()


def manager_chain(department_id: int | None) -> set[int]:
    """Ids of the managers of a department and of every department above it."""
    department = department_path(department_id)
    if department is None:
        return set()
    ids = department.ancestor_ids(include_self=True)
    return set(
        Department.objects.filter(pk__in=ids, manager__isnull=False).values_list(
            "manager_id", flat=True
        )
    )
