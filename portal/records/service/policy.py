"""The service policies (decisions 0130, 0140): who may see and do what in customer service."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import Group, Permission
from django.db.models import Q, QuerySet

from portal.accounts.models import User
from portal.accounts.modules import codename
from portal.accounts.permissions import has_module_perm
from portal.accounts.tree import (
    department_path,
    is_manager,
    manager_chain,
    manages_department,
)
from portal.core import visibility
from portal.core.policy import AccessPolicy, gated, register
from portal.records.customers.models import Customer
from portal.records.customers.policy import customer_keys
from portal.records.service.models import ServiceCase, ServiceRecord, SupportQuestion

if TYPE_CHECKING:
    from collections.abc import Iterable


def may_use_service(user: User) -> bool:
    return has_module_perm(user, "service", "view")


def may_register(user: User) -> bool:
    return has_module_perm(user, "service", "register")


def _manage_permission() -> Permission | None:
    return Permission.objects.filter(
        content_type__app_label="accounts", codename=codename("service", "manage")
    ).first()


def service_manager_groups() -> list[int]:
    """Groups (roles) holding service → manage: their members approve and oversee every case."""
    permission = _manage_permission()
    if permission is None:
        return []
    return list(Group.objects.filter(permissions=permission).values_list("pk", flat=True))


def service_managers() -> set[int]:
    """Active people holding service → manage through a role or directly."""
    permission = _manage_permission()
    if permission is None:
        return set()
    return set(
        User.objects.filter(is_active=True)
        .filter(Q(groups__permissions=permission) | Q(user_permissions=permission))
        .values_list("pk", flat=True)
    )


def department_members(department_id: int | None) -> set[int]:
    """Active people of a department (and its sub-departments) who may work service cases."""
    department = department_path(department_id)
    if department is None:
        return set()
    members = User.objects.filter(
        is_active=True, department__path__startswith=department.path
    ).select_related(None)
    return {user.pk for user in members if may_use_service(user)}


# --- visibility -----------------------------------------------------------------------------


def case_keys(case: ServiceCase, customer_key_set: Iterable[str] | None = None) -> set[str]:
    """A case is visible where its customer is, plus the registrar (and their department), the
    responsible department (members and managers), the responsible person, and the roles that
    hold service → manage (they approve)."""
    keys = set(customer_key_set if customer_key_set is not None else customer_keys(case.customer))
    keys.add(visibility.user_key(case.registered_by_id))
    if case.registered_department_id:
        keys.add(visibility.department_key(case.registered_department_id))
    if case.assigned_department_id:
        keys.add(visibility.department_key(case.assigned_department_id))
        keys.add(visibility.manager_key(case.assigned_department_id))
    if case.assignee_id:
        keys.add(visibility.user_key(case.assignee_id))
    keys.update(visibility.group_key(pk) for pk in service_manager_groups())
    return keys


def follower_keys(customer: Customer, extra_user_ids: Iterable[int]) -> set[str]:
    """Keys of a support question or service record: its customer's plus the people on it."""
    keys = set(customer_keys(customer))
    keys.update(visibility.user_key(uid) for uid in extra_user_ids if uid)
    keys.update(visibility.group_key(pk) for pk in service_manager_groups())
    return keys


class ServiceCasePolicy(AccessPolicy):
    """Service cases: service → view and the keys of `case_keys` (decision 0131)."""

    model = ServiceCase
    module = "service"

    def keys(self, obj: ServiceCase) -> set[str]:
        return case_keys(obj)

    def filter_keys(self, queryset: QuerySet, user: User) -> QuerySet:
        return visibility.filter_visible(queryset, user, correlated=is_manager(user))

    def access(self, user: User, pk, *, select=()) -> ServiceCase:
        """The case if the user may read it; 404 alike for missing and forbidden."""
        return super().access(user, pk, select=select or CASE_RELATED)

    # --- who may take which step (each also needs to see the case) --------------------------

    @gated("register", visible=True)
    def is_service_desk(self, user: User, case: ServiceCase) -> bool:
        """Assess, assign, write the summary, close: the service desk (service → register)."""
        return True

    @gated("transfer", visible=True)
    def can_reassign(self, user: User, case: ServiceCase) -> bool:
        """Changing the responsible department/person of an assigned case: service →
        transfer."""
        return True

    @gated(visible=True)
    def is_approver(self, user: User, case: ServiceCase) -> bool:
        """Approve or send back: service → manage, or a manager of the responsible department
        (or, before assignment, of the registering department) or a department above it."""
        if self.module_allows(user, "manage"):
            return True
        department_id = case.assigned_department_id or case.registered_department_id
        return manages_department(user, department_id)

    @gated(visible=True)
    def is_responsible(self, user: User, case: ServiceCase) -> bool:
        """Propose a resolution, carry it out: the responsible person, or — while only a
        department is named — its members; the department's managers always."""
        if manages_department(user, case.assigned_department_id):
            return True
        if case.assignee_id:
            return case.assignee_id == user.pk
        return bool(case.assigned_department_id) and (
            visibility.department_key(case.assigned_department_id) in visibility.user_keys(user)
        )

    @gated("urge", visible=True)
    def can_urge(self, user: User, case: ServiceCase) -> bool:
        return True


class ServicePartPolicy(AccessPolicy):
    """Support questions and service records: service → view and their own keys."""

    module = "service"
    correlated = False

    def __init__(self, model: type) -> None:
        self.model = model

    def filter_keys(self, queryset: QuerySet, user: User) -> QuerySet:
        return visibility.filter_visible(queryset, user)


CASE_RELATED = (
    "customer",
    "contact",
    "category",
    "product",
    "deal",
    "about_person",
    "registered_by",
    "assigned_department",
    "assignee",
)
case_policy = register(ServiceCase, ServiceCasePolicy())
question_policy = register(SupportQuestion, ServicePartPolicy(SupportQuestion))
service_record_policy = register(ServiceRecord, ServicePartPolicy(ServiceRecord))
cases_visible_to = case_policy.visible_to
access_case = case_policy.access
questions_visible_to = question_policy.visible_to
records_visible_to = service_record_policy.visible_to


def access_question(user: User, pk: int | str) -> SupportQuestion:
    return question_policy.access(
        user, pk, select=("customer", "product", "qa_entry", "created_by", "answered_by")
    )


# --- who may take which step ----------------------------------------------------------------


# The step checks are the case policy's (ServiceCasePolicy): administrators, the module
# permission and the case's own visibility first (`gated`), then each step's rule.
is_service_desk = case_policy.is_service_desk
can_reassign = case_policy.can_reassign
is_approver = case_policy.is_approver
is_responsible = case_policy.is_responsible
can_urge = case_policy.can_urge


def responsible_people(case: ServiceCase) -> set[int]:
    """Whose turn it is while the case sits with the responsible side."""
    if case.assignee_id:
        return {case.assignee_id}
    return department_members(case.assigned_department_id) | manager_chain(
        case.assigned_department_id
    )


def approvers(case: ServiceCase) -> set[int]:
    department_id = case.assigned_department_id or case.registered_department_id
    return service_managers() | manager_chain(department_id)


def whose_turn(case: ServiceCase) -> set[int]:
    """The people who must take the next step of a case."""
    status = ServiceCase.Status
    if case.status in (status.REGISTERED, status.ASSESSED, status.CARRIED_OUT, status.SUMMARISED):
        return {case.registered_by_id}
    if case.status in (status.PRE_APPROVAL, status.PROPOSED):
        return approvers(case)
    if case.status in (status.ASSIGNED, status.APPROVED):
        return responsible_people(case)
    return set()
