"""The events records publishes (customers, deals, service) and their payloads (ADR 0610).

Written from the `events.publish` calls in `records/actions/`; when records is split into
domain packages, each part of this module moves to `records/<domain>/events.py` unchanged.
"""

from __future__ import annotations

import dataclasses

from portal.core.events import declare

# --- customers ----------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _CustomerEvent:
    customer_id: int
    actor_id: int | None


@declare("records.customer_created")
class CustomerCreated(_CustomerEvent):
    pass


@declare("records.customer_updated")
class CustomerUpdated(_CustomerEvent):
    pass


@declare("records.customer_deleted")
class CustomerDeleted(_CustomerEvent):
    """Moved to the recycle bin."""


@declare("records.customer_restored")
class CustomerRestored(_CustomerEvent):
    pass


@declare("records.customer_purged")
class CustomerPurged(_CustomerEvent):
    """Gone for good: `customer_id` no longer exists."""


@declare("records.customer_access_changed")
class CustomerAccessChanged(_CustomerEvent):
    """The customer's visibility keys changed (owner, sharing, department)."""


@declare("records.customer_shared")
class CustomerShared(_CustomerEvent):
    """Shared with one person (`to_user_id`) or a department (`to_department_id`)."""

    to_user_id: int | None = None
    to_department_id: int | None = None


@declare("records.customer_transferred")
class CustomerTransferred(_CustomerEvent):
    to_user_id: int
    from_user_id: int


@declare("records.customer_protection_lapsing")
class CustomerProtectionLapsing(_CustomerEvent):
    """Protection of the owner's customer ends on `until` (ISO date) unless they act (ADR 1002)."""

    owner_id: int
    until: str


@declare("records.customer_pooled")
class CustomerPooled(_CustomerEvent):
    """Protection lapsed: the customer moved to the public pool (the worker: no actor)."""

    from_user_id: int


@declare("records.customer_claimed")
class CustomerClaimed(_CustomerEvent):
    """A rep claimed the customer from the public pool."""

    from_user_id: int


@declare("records.customer_share_asked")
class CustomerShareAsked(_CustomerEvent):
    """A colleague who tried to register this protected customer asks its owner to share."""

    owner_id: int


@dataclasses.dataclass(frozen=True)
class _ContactEvent(_CustomerEvent):
    contact_id: int


@declare("records.contact_created")
class ContactCreated(_ContactEvent):
    pass


@declare("records.contact_updated")
class ContactUpdated(_ContactEvent):
    pass


@declare("records.contact_deleted")
class ContactDeleted(_ContactEvent):
    pass


# --- deals --------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _DealEvent:
    deal_id: int
    actor_id: int | None


@declare("records.deal_created")
class DealCreated(_DealEvent):
    owner_id: int
    customer_id: int


@declare("records.deal_updated")
class DealUpdated(_DealEvent):
    pass


@declare("records.deal_stage_changed")
class DealStageChanged(_DealEvent):
    stage_id: int | None


@declare("records.deal_won")
class DealWon(_DealEvent):
    state: str


@declare("records.deal_lost")
class DealLost(_DealEvent):
    state: str


@declare("records.deal_abandoned")
class DealAbandoned(_DealEvent):
    state: str


@declare("records.deal_reopened")
class DealReopened(_DealEvent):
    pass


@declare("records.deal_completed")
class DealCompleted(_DealEvent):
    """Delivered and paid in full."""


@declare("records.deal_access_changed")
class DealAccessChanged(_DealEvent):
    pass


@declare("records.deal_activity_added")
class DealActivityAdded(_DealEvent):
    activity_id: int
    status: str


@declare("records.deal_activity_done")
class DealActivityDone(_DealEvent):
    activity_id: int


@declare("records.deal_activity_cancelled")
class DealActivityCancelled(_DealEvent):
    activity_id: int


@declare("records.customer_activity_added")
class CustomerActivityAdded(_CustomerEvent):
    """An activity on a customer without a deal (decision 1001)."""

    activity_id: int
    status: str


@declare("records.customer_activity_done")
class CustomerActivityDone(_CustomerEvent):
    activity_id: int


@declare("records.customer_activity_cancelled")
class CustomerActivityCancelled(_CustomerEvent):
    activity_id: int


@declare("records.deal_reminder_set")
class DealReminderSet(_DealEvent):
    reminder_id: int


@declare("records.deal_competitor_added")
class DealCompetitorAdded(_DealEvent):
    entry_id: int


@declare("records.deal_document_uploaded")
class DealDocumentUploaded(_DealEvent):
    document_id: int
    version: int


@declare("records.deal_handed_over")
class DealHandedOver(_DealEvent):
    to_user_id: int
    from_user_id: int


@declare("records.deal_urged")
class DealUrged(_DealEvent):
    urge_id: int
    to_user_id: int


@declare("records.deal_urge_answered")
class DealUrgeAnswered(_DealEvent):
    urge_id: int
    user_id: int  # who urged (and is told the answer)


@declare("records.deal_order_changed")
class DealOrderChanged(_DealEvent):
    pass


@declare("records.deal_contract_saved")
class DealContractSaved(_DealEvent):
    pass


@declare("records.deal_contract_renewed")
class DealContractRenewed(_DealEvent):
    """A renewal deal (`renewal_id`) was opened for this deal's contract."""

    renewal_id: int


@declare("records.deal_delivery_changed")
class DealDeliveryChanged(_DealEvent):
    pass


@declare("records.deal_payment_plan_changed")
class DealPaymentPlanChanged(_DealEvent):
    pass


@declare("records.deal_payment_received")
class DealPaymentReceived(_DealEvent):
    payment_id: int


# --- service ------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class _CaseEvent:
    case_id: int
    actor_id: int | None


@declare("records.service_case_access_changed")
class ServiceCaseAccessChanged(_CaseEvent):
    pass


@declare("records.service_case_overdue")
class ServiceCaseOverdue(_CaseEvent):
    pass


@dataclasses.dataclass(frozen=True)
class _CaseStepEvent(_CaseEvent):
    """A step of the complaint workflow (`ServiceCaseStep.Kind`): one event per step kind."""

    step_id: int


@declare("records.service_case_registered")
class ServiceCaseRegistered(_CaseStepEvent):
    pass


@declare("records.service_case_assessed")
class ServiceCaseAssessed(_CaseStepEvent):
    pass


@declare("records.service_case_pre_approved")
class ServiceCasePreApproved(_CaseStepEvent):
    pass


@declare("records.service_case_assigned")
class ServiceCaseAssigned(_CaseStepEvent):
    pass


@declare("records.service_case_proposed")
class ServiceCaseProposed(_CaseStepEvent):
    pass


@declare("records.service_case_approved")
class ServiceCaseApproved(_CaseStepEvent):
    pass


@declare("records.service_case_sent_back")
class ServiceCaseSentBack(_CaseStepEvent):
    pass


@declare("records.service_case_carried_out")
class ServiceCaseCarriedOut(_CaseStepEvent):
    pass


@declare("records.service_case_summarised")
class ServiceCaseSummarised(_CaseStepEvent):
    pass


@declare("records.service_case_closed")
class ServiceCaseClosed(_CaseStepEvent):
    pass


@declare("records.service_case_urged")
class ServiceCaseUrged(_CaseStepEvent):
    pass


@dataclasses.dataclass(frozen=True)
class _QuestionEvent:
    question_id: int
    actor_id: int | None


@declare("records.support_question_created")
class SupportQuestionCreated(_QuestionEvent):
    pass


@declare("records.support_question_answered")
class SupportQuestionAnswered(_QuestionEvent):
    pass


@declare("records.support_question_escalated")
class SupportQuestionEscalated(_QuestionEvent):
    to_user_id: int


@declare("records.service_record_created")
class ServiceRecordCreated:
    record_id: int
    actor_id: int | None
