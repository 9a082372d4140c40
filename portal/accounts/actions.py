"""Writes to people and departments (check → write → audit → event on commit)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from portal.core import audit, events

from .models import Department, User
from .permissions import require_module_perm

PROFILE_FIELDS = ("display_name", "title", "phone", "email", "language")


def _may_administer_people(user: User) -> bool:
    return user.is_superuser or user.has_perm("accounts.settings_manage")


@transaction.atomic
def register_person(
    *,
    acting_user: User | None,
    username: str,
    password: str | None,
    display_name: str = "",
    email: str = "",
    department: Department | None = None,
    title: str = "",
    phone: str = "",
    roles: list[str] | tuple[str, ...] = (),
) -> User:
    """Register a person in the given roles (module permission: settings → register)."""
    if acting_user is not None:
        require_module_perm(acting_user, "settings", "register")
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("A person with this user name already exists.")})
    user = User(
        username=username,
        display_name=display_name,
        email=email,
        department=department,
        title=title,
        phone=phone,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    if roles:
        user.groups.set(Group.objects.filter(name__in=roles))
    audit.record(
        acting_user,
        "person.registered",
        user,
        changes={"roles": sorted(roles), "department": str(department or "")},
    )
    events.publish("accounts.person_registered", user_id=user.pk)
    return user


@transaction.atomic
def update_profile(user: User, *, acting_user: User, **fields: str) -> User:
    """A person edits their own profile; administrators may edit anyone's."""
    if acting_user.pk != user.pk and not _may_administer_people(acting_user):
        raise PermissionDenied(_("You may only edit your own profile."))
    unknown = set(fields) - set(PROFILE_FIELDS)
    if unknown:
        raise ValidationError(
            _("Unknown profile fields: %(fields)s") % {"fields": ", ".join(sorted(unknown))}
        )
    before = audit.snapshot(user, fields)
    for name, value in fields.items():
        setattr(user, name, value)
    user.full_clean(exclude=["password"])
    user.save(update_fields=list(fields))
    changes = audit.diff(before, audit.snapshot(user, fields))
    if changes:
        audit.record(acting_user, "person.profile_updated", user, changes=changes)
    return user


@transaction.atomic
def set_language(language: str, *, acting_user: User) -> None:
    if language not in {"", "en", "zh-hans"}:
        raise ValidationError({"language": _("Unsupported language.")})
    acting_user.language = language
    acting_user.save(update_fields=["language"])


@transaction.atomic
def move_person(user: User, *, department: Department | None, acting_user: User) -> User:
    """Move a person to another department; their records' manager chain follows."""
    if not _may_administer_people(acting_user):
        raise PermissionDenied(_("Only administrators can move people between departments."))
    before = str(user.department or "")
    user.department = department
    user.save(update_fields=["department"])
    audit.record(
        acting_user, "person.moved", user, changes={"department": [before, str(department or "")]}
    )
    events.publish(
        "accounts.person_moved",
        user_id=user.pk,
        department_id=department.pk if department else None,
    )
    return user


@transaction.atomic
def set_person_roles(user: User, *, groups, acting_user: User) -> dict[str, list[str]]:
    """Give a person exactly these roles (groups). What they may open is asked of the roles at
    every read, so nothing is re-keyed; the change is audited and published."""
    if not _may_administer_people(acting_user):
        raise PermissionDenied(_("Only administrators can change a person's roles."))
    wanted = {group.pk: group for group in groups}
    current = {group.pk: group for group in user.groups.all()}
    added = sorted(wanted[pk].name for pk in wanted.keys() - current.keys())
    removed = sorted(current[pk].name for pk in current.keys() - wanted.keys())
    if not (added or removed):
        return {"added": [], "removed": []}
    user.groups.set(list(wanted.values()))
    audit.record(
        acting_user, "person.roles_changed", user, changes={"added": added, "removed": removed}
    )
    events.publish("accounts.person_roles_changed", user_id=user.pk, actor_id=acting_user.pk)
    return {"added": added, "removed": removed}


@transaction.atomic
def deactivate_person(user: User, *, acting_user: User) -> User:
    """A leaver can no longer sign in: their sessions and tokens stop working at once (Django
    and DRF refuse inactive people) and their open notification sockets are closed. Their work
    stays theirs until it is handed over (the admin says what is left)."""
    if not _may_administer_people(acting_user):
        raise PermissionDenied(_("Only administrators can deactivate people."))
    if user.pk == acting_user.pk:
        raise ValidationError(_("You cannot deactivate yourself."))
    if not user.is_active:
        return user
    user.is_active = False
    user.save(update_fields=["is_active"])
    audit.record(acting_user, "person.deactivated", user, changes={"is_active": [True, False]})
    events.publish("accounts.person_deactivated", user_id=user.pk, actor_id=acting_user.pk)
    return user


@transaction.atomic
def reactivate_person(user: User, *, acting_user: User) -> User:
    if not _may_administer_people(acting_user):
        raise PermissionDenied(_("Only administrators can reactivate people."))
    if user.is_active:
        return user
    user.is_active = True
    user.save(update_fields=["is_active"])
    audit.record(acting_user, "person.reactivated", user, changes={"is_active": [False, True]})
    return user


# What a person still holds that a handover should move (records registers its counter and
# the page that hands it over, so that accounts names no domain): name → (count, url name).
LEAVER_WORK: dict[str, tuple[Callable[[User], int], str]] = {}


def register_leaver_work(name: str, *, count: Callable[[User], int], handover_url: str) -> None:
    LEAVER_WORK[name] = (count, handover_url)


def work_left(user: User) -> tuple[int, str | None]:
    """How many records still wait on `user`, and where to hand them over."""
    total, where = 0, None
    for count, url_name in LEAVER_WORK.values():
        n = count(user)
        if n and where is None:
            where = url_name
        total += n
    return total, where


@transaction.atomic
def create_department(
    *,
    name: str,
    parent: Department | None = None,
    manager: User | None = None,
    acting_user: User | None,
) -> Department:
    if acting_user is not None and not _may_administer_people(acting_user):
        raise PermissionDenied(_("Only administrators can change the organisation."))
    department = Department(name=name, parent=parent, manager=manager)
    department.full_clean(exclude=["path"])
    department.save()
    audit.record(acting_user, "department.created", department)
    events.publish("accounts.department_changed", department_id=department.pk)
    return department


@transaction.atomic
def set_role_permissions(
    group: Group, *, granted: set[tuple[str, str]], acting_user: User
) -> dict[str, list[str]]:
    """Replace a role's module permissions with `granted` ({(module, verb), …})."""
    from django.contrib.auth.models import Permission

    from .modules import MODULES, VERBS, codename

    if not _may_administer_people(acting_user):
        raise PermissionDenied(_("Only administrators can change what a role may do."))
    unknown = {pair for pair in granted if pair[0] not in MODULES or pair[1] not in VERBS}
    if unknown:
        raise ValidationError(_("Unknown module permission."))
    module_perms = Permission.objects.filter(
        content_type__app_label="accounts", content_type__model="moduleaccess"
    )
    wanted = {codename(module, verb) for module, verb in granted}
    current = set(group.permissions.filter(pk__in=module_perms).values_list("codename", flat=True))
    added, removed = sorted(wanted - current), sorted(current - wanted)
    if removed:
        group.permissions.remove(*module_perms.filter(codename__in=removed))
    if added:
        group.permissions.add(*module_perms.filter(codename__in=added))
    if added or removed:
        audit.record(
            acting_user,
            "role.permissions_changed",
            group,
            changes={"added": added, "removed": removed},
        )
        events.publish("accounts.role_changed", group_id=group.pk, actor_id=acting_user.pk)
    return {"added": added, "removed": removed}
