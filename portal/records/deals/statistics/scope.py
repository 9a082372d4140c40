"""Whose figures the reader may see: their own, their team's, or everyone's."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import (
    QuerySet,
)

from portal.accounts.permissions import has_module_perm
from portal.core import visibility
from portal.core.bounds import parse_id
from portal.records.deals.models import Deal
from portal.records.deals.policy import live_deals

if TYPE_CHECKING:
    from portal.accounts.models import Department, User


def visible_deals(user: User) -> QuerySet[Deal]:
    """Deals the reader may see: the deals module's one visibility rule."""
    from portal.records.deals.policy import deals_visible_to

    return deals_visible_to(user)


@dataclass
class Scope:
    """Whose figures a reader sees: their own (rep), their managed tree (manager), or all."""

    user: User
    own_only: bool = True
    department_ids: list[int] | None = None  # None: every department (administrators)
    reps: list[User] = field(default_factory=list)  # the rep filter's choices
    teams: list[Department] = field(default_factory=list)  # the team filter's choices
    rep: User | None = None
    team: Department | None = None

    @property
    def may_choose(self) -> bool:
        return not self.own_only

    def as_query(self) -> dict[str, str]:
        data = {}
        if self.rep is not None:
            data["rep"] = str(self.rep.pk)
        if self.team is not None:
            data["team"] = str(self.team.pk)
        return data


def managed_department_ids(user: User) -> list[int]:
    """Every department in the subtrees the user manages (one query per managed root)."""
    from portal.accounts.models import Department

    ids: list[int] = []
    for path in Department.objects.filter(manager=user).values_list("path", flat=True):
        ids.extend(Department.objects.filter(path__startswith=path).values_list("id", flat=True))
    return sorted(set(ids))


def scope_for(user: User, *, rep: str = "", team: str = "") -> Scope:
    """The reader's scope, narrowed to the rep or team they picked — if it is theirs to see.

    A rep always gets their own figures, whatever they ask for; a manager may pick a rep or a
    team inside the tree they manage; administrators anyone. A pick outside the scope is
    ignored (the page shows the whole scope), so asking never reveals that someone exists.
    """
    from portal.accounts import roles
    from portal.accounts.models import Department, User

    if visibility.is_administrator(user):
        scope = Scope(user, own_only=False, department_ids=None)
        scope.teams = list(Department.objects.order_by("path"))
        scope.reps = list(
            User.objects.filter(is_active=True, groups__name__in=[roles.SALES, roles.MANAGERS])
            .distinct()
            .order_by("username")
        )
    else:
        managed = managed_department_ids(user)
        if not managed:
            return Scope(user, own_only=True, reps=[user])
        scope = Scope(user, own_only=False, department_ids=managed)
        scope.teams = list(Department.objects.filter(pk__in=managed).order_by("path"))
        scope.reps = list(
            User.objects.filter(is_active=True, department_id__in=managed).order_by("username")
        )
    if (team_id := parse_id(team)) is not None:
        scope.team = next((t for t in scope.teams if t.pk == team_id), None)
    if (rep_id := parse_id(rep)) is not None:
        scope.rep = next((r for r in scope.reps if r.pk == rep_id), None)
    return scope


def scoped_deals(user: User, scope: Scope) -> QuerySet[Deal]:
    """The deals the figures are computed from: visible to the reader AND inside the scope."""
    if not has_module_perm(user, "deals", "view"):
        return Deal.objects.none()
    if scope.own_only:
        # An owner always holds their deal's u:<id> key (deal_keys adds the owner), so
        # "visible and mine" is "mine": skip materialising every deal the rep may see.
        return live_deals(aggregate=True).filter(owner=user)
    deals = live_deals(aggregate=True)
    if scope.department_ids is not None:
        # A deal carries m:<its owner's department> and `department` is that department
        # (the deals actions keep both in step), so a deal of a team the manager runs is
        # always visible to them: the department filter *is* the visibility rule here, and
        # it spares a correlated EXISTS per deal over the whole tree (decision 0120).
        deals = deals.filter(department_id__in=scope.department_ids)
    if scope.team is not None:
        deals = deals.filter(department__path__startswith=scope.team.path)
    if scope.rep is not None:
        deals = deals.filter(owner=scope.rep)
    return deals
