"""Writes to service cases, support questions and service records, one module per write family
(decision 0600); the public names are re-exported here."""

from .common import (
    ATTACHMENT_EXTENSIONS,
    CASE_EVENTS,
    DEFAULT_SERVICE_CATEGORIES,
    LONG_STEPS,
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    STEP_HOURS,
    Status,
    Step,
    WorkflowError,
    check_attachment,
    default_service_category,
    due_for,
)
from .complaints import (
    STEP_ACTIONS,
    add_attachments,
    approve_resolution,
    assess_case,
    assign_case,
    available_steps,
    carry_out_case,
    close_case,
    flag_overdue_cases,
    pre_approve_case,
    propose_resolution,
    register_complaint,
    send_back_resolution,
    urge_case,
    write_summary,
)
from .handover import count_open_cases, hand_over_open_cases
from .keys import (
    customer_access_changed,
    rekey_service_of_customer,
    transfer_follower,
)
from .qa_drafts import (
    propose_qa_draft,
)
from .questions import (
    answer_support_question,
    create_support_question,
    escalate_support_question,
)
from .service_records import (
    create_service_record,
)

__all__ = [
    "Status",
    "Step",
    "count_open_cases",
    "hand_over_open_cases",
    "DEFAULT_SERVICE_CATEGORIES",
    "STEP_HOURS",
    "LONG_STEPS",
    "MAX_ATTACHMENT_BYTES",
    "MAX_ATTACHMENTS",
    "ATTACHMENT_EXTENSIONS",
    "WorkflowError",
    "default_service_category",
    "due_for",
    "check_attachment",
    "CASE_EVENTS",
    "register_complaint",
    "add_attachments",
    "assess_case",
    "pre_approve_case",
    "assign_case",
    "propose_resolution",
    "approve_resolution",
    "send_back_resolution",
    "carry_out_case",
    "write_summary",
    "close_case",
    "urge_case",
    "STEP_ACTIONS",
    "available_steps",
    "flag_overdue_cases",
    "create_support_question",
    "answer_support_question",
    "escalate_support_question",
    "create_service_record",
    "propose_qa_draft",
    "rekey_service_of_customer",
    "transfer_follower",
    "customer_access_changed",
]
