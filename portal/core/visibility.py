"""The one access rule: an object is readable by a user when they share a visibility key.

Keys a reader holds (`user_keys`):
  ``staff``          every active user (for public-to-staff objects)
  ``u:<user id>``    the user themself
  ``d:<dept id>``    their department and each department above it (sharing with a department
                     reaches its sub-departments)
  ``g:<group id>``   each role/group they belong to
  ``m:<dept id>``    each department in the subtree they manage (the manager chain)
Administrators see everything and get no filter at all.

Objects carry their keys in `ObjectAccess` rows (set by the owning app's actions through
`set_object_keys`); list pages, detail pages, the API, search and notifications all filter
through `filter_visible` / `can_see`, and search indexes the same keys with each document.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable
from typing import TYPE_CHECKING, TypeVar

from django.contrib.contenttypes.models import ContentType
from django.db import connections, models, router

from .models import ObjectAccess

if TYPE_CHECKING:
    from portal.accounts.models import User

M = TypeVar("M", bound=models.Model)

STAFF = "staff"
MANAGER_PREFIX = "m:"
ADMIN_GROUP = "Administrators"


def user_key(user_id: int) -> str:
    return f"u:{user_id}"


def department_key(department_id: int) -> str:
    return f"d:{department_id}"


def group_key(group_id: int) -> str:
    return f"g:{group_id}"


def manager_key(department_id: int) -> str:
    return f"{MANAGER_PREFIX}{department_id}"


def is_administrator(user: User) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if user.is_superuser:
        return True
    if getattr(user, "_agora_is_admin", None) is None:
        _load_access(user)
    return user._agora_is_admin


def user_keys(user: User) -> frozenset[str]:
    """Every key the user holds; cached on the user object for the request."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    if getattr(user, "_agora_keys", None) is None:
        _load_access(user)
    return user._agora_keys


def _load_access(user: User) -> None:
    """Read what decides a user's access — their groups, their department's path, the
    departments they manage — in one query (every search and list page starts here, and on a
    busy database each round trip costs more than the reading), plus one for the managed
    subtrees of a manager. Caches both the keys and the administrator flag on the user."""
    from portal.accounts.models import Department

    with connections[router.db_for_read(Department)].cursor() as cursor:
        cursor.execute(_access_sql(), [user.pk, user.department_id or 0, user.pk])
        rows = cursor.fetchall()
    keys = {STAFF, user_key(user.pk)}
    is_admin = user.is_superuser
    managed: list[str] = []
    for tag, pk, label in rows:
        if tag == "g":
            keys.add(group_key(pk))
            is_admin = is_admin or label == ADMIN_GROUP
        elif tag == "d":
            keys.update(
                department_key(i) for i in Department(path=label).ancestor_ids(include_self=True)
            )
        else:
            managed.append(label)
    if managed:
        subtree = models.Q()
        for path in managed:
            subtree |= models.Q(path__startswith=path)
        keys.update(
            manager_key(pk)
            for pk in Department.objects.filter(subtree).values_list("id", flat=True)
        )
    user._agora_is_admin = is_admin
    user._agora_keys = frozenset(keys)


@functools.cache
def _access_sql() -> str:
    """The groups, the department's path and the managed departments' paths of one person,
    tagged, as one SQL statement written once from the models' tables (ADR 0432): the ORM
    spent ≈ 0.7 ms building its three-part union on every request, thirty times the reading."""
    from django.contrib.auth.models import Group

    from portal.accounts.models import Department, User

    membership = User._meta.get_field("groups")  # (user, group)
    group, department = Group._meta.db_table, Department._meta.db_table
    manager = Department._meta.get_field("manager").column
    # Table and column names from the models' metadata; the one value is a bound parameter.
    return (
        f"SELECT 'g', g.id, g.name FROM {group} g JOIN {membership.m2m_db_table()} m "  # noqa: S608
        f"ON m.{membership.m2m_reverse_name()} = g.id WHERE m.{membership.m2m_column_name()} = %s "
        f"UNION ALL SELECT 'd', d.id, d.path FROM {department} d WHERE d.id = %s "
        f"UNION ALL SELECT 'm', d.id, d.path FROM {department} d WHERE d.{manager} = %s"
    )


def owner_keys(owner: User | None) -> set[str]:
    """Keys that let an owner and their manager chain see an object."""
    if owner is None:
        return set()
    keys = {user_key(owner.pk)}
    if owner.department_id:
        keys.add(manager_key(owner.department_id))
    return keys


def set_object_keys(obj: models.Model, keys: Iterable[str]) -> None:
    """Replace the visibility keys of one object (call inside the writing action)."""
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    wanted = set(keys)
    existing = set(
        ObjectAccess.objects.filter(content_type=content_type, object_id=obj.pk).values_list(
            "key", flat=True
        )
    )
    if existing - wanted:
        ObjectAccess.objects.filter(
            content_type=content_type, object_id=obj.pk, key__in=existing - wanted
        ).delete()
    if wanted - existing:
        ObjectAccess.objects.bulk_create(
            [
                ObjectAccess(content_type=content_type, object_id=obj.pk, key=key)
                for key in sorted(wanted - existing)
            ]
        )


def object_keys(obj: models.Model) -> set[str]:
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    return set(
        ObjectAccess.objects.filter(content_type=content_type, object_id=obj.pk).values_list(
            "key", flat=True
        )
    )


def update_object_keys(obj: models.Model, wanted: Iterable[str]) -> bool:
    """Give `obj` exactly the keys `wanted`; True when they changed (the caller then says that
    its access changed)."""
    wanted = set(wanted)
    if object_keys(obj) == wanted:
        return False
    set_object_keys(obj, wanted)
    return True


def keys_by_object(model: type[models.Model], ids: Iterable[int]) -> dict[int, set[str]]:
    """Keys of many objects in one query (for bulk indexing)."""
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
    result: dict[int, set[str]] = {}
    rows = ObjectAccess.objects.filter(content_type=content_type, object_id__in=list(ids))
    for object_id, key in rows.values_list("object_id", "key"):
        result.setdefault(object_id, set()).add(key)
    return result


class _InKeyedSet(models.Func):
    """`(pk IN (keyed ids)) IS TRUE` — on PostgreSQL the same test as `pk IN (keyed ids)`
    (neither side is ever NULL), written so the planner cannot turn it into a join: it stays
    a hashed subplan, the keyed ids read once (≈ 9k for a rep: 54 index pages) and each row
    looked up in memory, whichever way the rows are found — a walk of the sort index that
    stops after a page, or a search's matches read first. As a semi-join the planner probed
    the access index once per row whenever it expected few rows, and a search's estimate can
    be 1 row for 2,413 matches (ADR 0429)."""

    output_field = models.BooleanField()

    def __init__(self, keyed_ids: models.QuerySet) -> None:
        super().__init__(models.F("pk"), models.Subquery(keyed_ids))

    def as_sql(self, compiler, connection, **extra_context):
        pk, keyed = self.get_source_expressions()
        pk_sql, pk_params = compiler.compile(pk)
        keyed_sql, keyed_params = compiler.compile(keyed)
        return f"({pk_sql} IN {keyed_sql}) IS TRUE", (*pk_params, *keyed_params)


def hashes_keyed_sets(queryset: models.QuerySet) -> bool:
    """Whether `filter_visible(as_set=True)` reads the keyed ids once into a hashed set for
    this queryset's database (PostgreSQL): then the `correlated` choice is moot and need not
    be made (no bounded count)."""
    return connections[queryset.db].vendor == "postgresql"


def filter_visible(
    queryset: models.QuerySet[M], user: User, *, correlated: bool = False, as_set: bool = False
) -> models.QuerySet[M]:
    """Narrow a queryset to the objects the user may read (one subquery, no per-row work).

    `correlated=False` filters on `pk IN (keyed ids)`: best when the reader sees a small share
    of the table. `correlated=True` uses a correlated EXISTS on the (content type, key, object id)
    index, so a sorted, LIMITed page can stop after a few rows: best when the reader sees most
    of it (managers, open forum categories). `as_set=True` asks PostgreSQL to read the keyed
    ids once and look each row up in memory, never probing per row (`_InKeyedSet`): for a
    reader whose keys open some thousands of rows, on a queryset the planner may read in any
    order (a search's matches, ADR 0429); other engines get the shape `correlated` names.
    Same keys, same answer.
    """
    if is_administrator(user):
        return queryset
    keys = user_keys(user)
    if not keys:
        return queryset.none()
    content_type = ContentType.objects.get_for_model(queryset.model, for_concrete_model=True)
    hashed = as_set and hashes_keyed_sets(queryset)
    if correlated and not hashed:
        return queryset.filter(
            models.Exists(
                ObjectAccess.objects.filter(
                    content_type=content_type, key__in=keys, object_id=models.OuterRef("pk")
                )
            )
        )
    visible_ids = ObjectAccess.objects.filter(content_type=content_type, key__in=keys).values(
        "object_id"
    )
    if hashed:
        return queryset.filter(_InKeyedSet(visible_ids.order_by()))
    return queryset.filter(pk__in=visible_ids)


def reaches_many(model: type[models.Model], user: User, *, threshold: int = 2_000) -> bool:
    """Whether the user's keys open many rows of `model`: then `filter_visible(correlated=True)`
    is the faster shape for a sorted, paginated list (a page stops after a few dozen rows),
    while a small keyed set is best as `pk IN (…)`. Managers always reach many; for others one
    bounded count (at most `threshold` index entries) decides. Remembered on the user object
    for the request."""
    if is_administrator(user) or any(key.startswith("m:") for key in user_keys(user)):
        return True
    cache = user.__dict__.setdefault("_agora_reaches_many", {})
    label = model._meta.label_lower
    if label not in cache:
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=True)
        keyed = ObjectAccess.objects.filter(content_type=content_type, key__in=user_keys(user))
        cache[label] = keyed[: threshold + 1].count() > threshold
    return cache[label]


def whole_department_keys(user: User) -> frozenset[str] | None:
    """The manager-chain keys the reader holds — each opens every object of one department's
    people, so figures kept per such key may be read for them as they are (decision 1003).
    None for an administrator: everything is open to them."""
    if is_administrator(user):
        return None
    return frozenset(key for key in user_keys(user) if key.startswith(MANAGER_PREFIX))


def filter_visible_beyond(
    queryset: models.QuerySet[M], user: User, keys: Iterable[str]
) -> models.QuerySet[M]:
    """The objects the user may read that carry none of `keys` (a part of the user's keys):
    the rest of what they see once the objects opened by `keys` are counted apart. The same
    rule split in two — reached through the user's other keys, and not through `keys` — as a
    keyed id set (those other keys reach few: own and shared objects) and a NOT EXISTS."""
    keys = set(keys)
    other = user_keys(user) - keys
    if not other:
        return queryset.none()
    content_type = ContentType.objects.get_for_model(queryset.model, for_concrete_model=True)
    access = ObjectAccess.objects.filter(content_type=content_type)
    queryset = queryset.filter(pk__in=access.filter(key__in=other).values("object_id"))
    if not keys:
        return queryset
    return queryset.exclude(
        models.Exists(access.filter(key__in=keys, object_id=models.OuterRef("pk")))
    )


def can_see(user: User, obj: models.Model) -> bool:
    if is_administrator(user):
        return True
    keys = user_keys(user)
    if not keys:
        return False
    content_type = ContentType.objects.get_for_model(obj, for_concrete_model=True)
    return ObjectAccess.objects.filter(
        content_type=content_type, object_id=obj.pk, key__in=keys
    ).exists()
