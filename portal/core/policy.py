"""Access policies: one object per record kind answers every access question (decision 0140).

Modelled on Wagtail's `wagtail.permission_policies.base.BasePermissionPolicy`: a policy wraps a
model and alone combines the module permission (Django permissions carried by role groups), the
recycle bin (`live_queryset`) and the visibility keys (`portal.core.visibility`). Every read path
asks it — lists, pages, the API, search, notifications, mentions, references, files:

    policy = policy_for("records.deal")          # or policy_for(Deal) / policy_for(deal)
    policy.visible_to(user)                       # queryset
    policy.access(user, pk)                       # the object, or Http404 (missing = forbidden)
    policy.can(user, "edit", deal)                # one named action
    policy.who_can_see(deal)                      # set of user ids (module gate + bin included)
    policy.keys(deal)                             # the keys to store and to index
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from django.db import models
from django.db.models import Q
from django.http import Http404

from portal.core import visibility

if TYPE_CHECKING:
    from portal.accounts.models import User

_REGISTRY: dict[str, AccessPolicy] = {}
_DISCOVERED = False
Check = TypeVar("Check", bound=Callable[..., bool])


def gated(verb: str = "view", *, administrators: bool = True, visible: bool = False):
    """The prologue every `can_<action>(user, obj)` of a policy shares, in one place:

    - administrators may (unless `administrators=False`: a rule that binds them too);
    - everyone else needs the module's `verb` permission (`module_allows`), which a visitor
      who is not signed in or whose account is inactive never holds;
    - with `visible=True`, also to be able to read the object itself: module gate, recycle
      bin and keys (`is_visible`);

    only then does the decorated method's own rule (ownership, shares, the object's state)
    decide. Called without an object (`policy.can(user, "edit")`), `visible` is not asked."""

    def decorate(check: Check) -> Check:
        @functools.wraps(check)
        def gate(self: AccessPolicy, user: User, *args: Any, **kwargs: Any) -> bool:
            if administrators and visibility.is_administrator(user):
                return True
            if not self.module_allows(user, verb):
                return False
            obj = args[0] if args else next(iter(kwargs.values()), None)
            if visible and obj is not None and not self.is_visible(user, obj):
                return False
            return check(self, user, *args, **kwargs)

        return gate  # type: ignore[return-value]

    return decorate


class AccessPolicy:
    """Base policy over `model`: module gate + live rows (recycle bin out) + visibility keys.

    Subclasses set `model` and `module`, override `keys` (what the owning actions store) and
    `live_queryset` (when rows can sit in a recycle bin), and add `can_<action>` methods (their
    common prologue, administrators and the module permission first: `gated`)."""

    model: type[models.Model]
    module: str | None = None  # the accounts module whose "view" permission gates reading
    #: the key row lives on another object (posts read through their topic, say)
    correlated: bool = False
    #: whether a person may follow one object of this kind (the follow API and buttons);
    #: every Wagtail page is followable besides (notifications.actions.is_followable)
    followable: bool = False

    # --- the module gate ---------------------------------------------------------------------

    def module_allows(self, user: User, verb: str = "view") -> bool:
        if visibility.is_administrator(user):
            return True
        if self.module is None:
            return bool(user.is_authenticated and user.is_active)
        from portal.accounts.permissions import has_module_perm

        return has_module_perm(user, self.module, verb)

    def module_holders(self, user_ids: Iterable[int] | None = None) -> set[int]:
        """Active users holding the module's view permission (administrators included)."""
        from django.contrib.auth.models import Permission

        from portal.accounts.models import User
        from portal.accounts.modules import codename

        people = User.objects.filter(is_active=True)
        if user_ids is not None:
            people = people.filter(pk__in=list(user_ids))
        admins = Q(is_superuser=True) | Q(groups__name=visibility.ADMIN_GROUP)
        if self.module is None:
            return set(people.values_list("pk", flat=True))
        permission = Permission.objects.filter(
            content_type__app_label="accounts", codename=codename(self.module, "view")
        ).first()
        gate = admins
        if permission is not None:
            gate |= Q(groups__permissions=permission) | Q(user_permissions=permission)
        return set(people.filter(gate).values_list("pk", flat=True))

    # --- rows --------------------------------------------------------------------------------

    def live_queryset(self) -> models.QuerySet:
        """Every row a reader could ever see: the recycle bin is left out here."""
        return self.model._default_manager.all()

    def filter_keys(self, queryset: models.QuerySet, user: User) -> models.QuerySet:
        correlated = self.correlated or visibility.reaches_many(self.model, user)
        return visibility.filter_visible(queryset, user, correlated=correlated)

    def filter_related(self, queryset: models.QuerySet, user: User, field: str) -> models.QuerySet:
        """Rows hanging off objects of this kind (`field` is their foreign key), kept where the
        user may see the object — module gate, recycle bin and keys — as correlated EXISTS per
        row on the (content type, key, object id) index: cheap for a short, LIMITed list, where
        `field__in=<visible objects>` would first materialise every object a reader can see."""
        from django.contrib.contenttypes.models import ContentType
        from django.db.models import Exists, OuterRef

        from portal.core.models import ObjectAccess

        if not self.module_allows(user):
            return queryset.none()
        queryset = self.live_related(queryset, field)
        if visibility.is_administrator(user):
            return queryset
        return queryset.filter(
            Exists(
                ObjectAccess.objects.filter(
                    content_type=ContentType.objects.get_for_model(
                        self.model, for_concrete_model=True
                    ),
                    key__in=visibility.user_keys(user),
                    object_id=OuterRef(field),
                )
            )
        )

    def live_related(self, queryset: models.QuerySet, field: str) -> models.QuerySet:
        """`queryset` without the rows whose `field` object sits in the recycle bin."""
        from django.db.models import Exists, OuterRef

        return queryset.filter(Exists(self.live_queryset().filter(pk=OuterRef(field))))

    def visible_to(self, user: User) -> models.QuerySet:
        if not self.module_allows(user):
            return self.live_queryset().none()
        return self.filter_keys(self.live_queryset(), user)

    def access(self, user: User, pk: Any, *, select: Iterable[str] = ()) -> models.Model:
        """The object if the user may read it; Http404 alike for missing and forbidden."""
        queryset = self.visible_to(user)
        if select:
            queryset = queryset.select_related(*select)
        try:
            return queryset.get(pk=pk)
        except (self.model.DoesNotExist, ValueError, TypeError):
            raise Http404(f"No such {self.model._meta.model_name}.") from None

    def is_visible(self, user: User, obj: models.Model) -> bool:
        return self.visible_to(user).filter(pk=obj.pk).exists()

    def can(self, user: User, action: str, obj: models.Model | None = None) -> bool:
        """Whether `user` may do `action` ("view", "edit", …) to `obj` (or to the kind)."""
        if action == "view":
            return self.module_allows(user) if obj is None else self.is_visible(user, obj)
        check = getattr(self, f"can_{action}", None)
        if check is None:
            raise ValueError(f"{type(self).__name__} knows no action {action!r}")
        return bool(check(user, obj) if obj is not None else check(user))

    # --- keys and readers --------------------------------------------------------------------

    def keys(self, obj: models.Model) -> set[str]:
        """The keys the object should carry (stored by its actions, indexed by search)."""
        return visibility.object_keys(obj)

    def key_object(self, obj: models.Model) -> models.Model:
        """The object whose ObjectAccess rows decide (a post reads through its topic)."""
        return obj

    def who_can_see(self, obj: models.Model, among: Iterable[int] | None = None) -> set[int]:
        """Ids of the active users who may read `obj` (set-based: a few queries, no per-user
        loop), module gate and recycle bin included. `among` narrows to candidate ids."""
        if not self.live_queryset().filter(pk=obj.pk).exists():
            return set()
        readers = holders_of_keys(visibility.object_keys(self.key_object(obj)), among)
        return self.module_holders(readers)


def holders_of_keys(keys: Iterable[str], among: Iterable[int] | None = None) -> set[int]:
    """Active users holding any of `keys` (the inverse of `visibility.user_keys`), plus the
    administrators, who need no key."""
    from portal.accounts.models import Department, User

    keys = set(keys)
    people = User.objects.filter(is_active=True)
    if among is not None:
        people = people.filter(pk__in=list(among))
    if visibility.STAFF in keys:
        return set(people.values_list("pk", flat=True))
    match = Q(is_superuser=True) | Q(groups__name=visibility.ADMIN_GROUP)
    user_ids, department_ids, group_ids, managed_ids = set(), set(), set(), set()
    for key in keys:
        prefix, _sep, value = key.partition(":")
        if not value.isdigit():
            continue
        {"u": user_ids, "d": department_ids, "g": group_ids, "m": managed_ids}.get(
            prefix, set()
        ).add(int(value))
    if user_ids:
        match |= Q(pk__in=user_ids)
    if group_ids:
        match |= Q(groups__in=group_ids)
    for department in Department.objects.filter(pk__in=department_ids).only("path"):
        # A share with a department reaches its sub-departments.
        match |= Q(department__path__startswith=department.path)
    if managed_ids:
        # m:<d> is held by the managers of d and of every department above it.
        above: set[int] = set()
        for department in Department.objects.filter(pk__in=managed_ids).only("path"):
            above.update(department.ancestor_ids(include_self=True))
        match |= Q(managed_departments__in=above)
    return set(people.filter(match).values_list("pk", flat=True))


def _label(target: Any) -> str:
    if isinstance(target, str):
        return target.lower()
    if isinstance(target, models.Model):
        target = type(target)
    return target._meta.label_lower


def register(kind: Any, policy: AccessPolicy) -> AccessPolicy:
    """Register `policy` for a model (or "app_label.model_name")."""
    _REGISTRY[_label(kind)] = policy
    return policy


def autodiscover() -> None:
    """Import every installed app's `policy` module once (each registers its policies)."""
    global _DISCOVERED
    if not _DISCOVERED:
        from django.utils.module_loading import autodiscover_modules

        autodiscover_modules("policy")
        _DISCOVERED = True


def policy_for(target: Any) -> AccessPolicy:
    """The policy of a model, an instance or "app_label.model_name" (LookupError if none)."""
    autodiscover()
    label = _label(target)
    if label not in _REGISTRY:
        if isinstance(target, str):
            from django.apps import apps

            model = apps.get_model(target)
        else:
            model = target if isinstance(target, type) else type(target)
        for parent in model._meta.get_parent_list():
            if parent._meta.label_lower in _REGISTRY:
                return _REGISTRY[parent._meta.label_lower]
    try:
        return _REGISTRY[label]
    except KeyError:
        raise LookupError(f"No access policy registered for {label}") from None


def registered() -> dict[str, AccessPolicy]:
    autodiscover()
    return dict(_REGISTRY)
