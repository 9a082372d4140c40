"""Helpers shared by the service actions: default categories, step deadlines, text and
attachment checks, a case's visibility keys."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core import events, uploads, visibility
from portal.records.service.models import (
    ServiceAttachment,
    ServiceCase,
    ServiceCaseStep,
    ServiceCategory,
    Severity,
)
from portal.records.service.policy import (
    case_keys,
)

Status = ServiceCase.Status


Step = ServiceCaseStep.Kind


DEFAULT_SERVICE_CATEGORIES = [
    # key, English, Chinese
    ("quality", "Product quality", "产品质量"),
    ("delivery", "Delivery", "交付"),
    ("installation", "Installation", "安装调试"),
    ("attitude", "Service attitude", "服务态度"),
    ("billing", "Billing", "账务"),
    ("other", "Other", "其他"),
]


# Hours a case may wait in one step, by severity (decision 0131). Carrying out gets twice as long.
STEP_HOURS = {Severity.CRITICAL: 4, Severity.HIGH: 24, Severity.NORMAL: 72, Severity.LOW: 168}


LONG_STEPS = {Status.APPROVED: 2}


MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024


MAX_ATTACHMENTS = 5


# What may be attached to a complaint (checked by portal.core.uploads).
ATTACHMENT_EXTENSIONS = (
    "pdf", "png", "jpg", "jpeg", "gif", "webp", "txt", "csv", "doc", "docx", "xls", "xlsx",
    "mp3", "m4a",
)  # fmt: skip


class WorkflowError(ValidationError):
    """The step is not the next one for the case (skipped or repeated)."""


def default_service_category(key: str = "other") -> ServiceCategory:
    for position, (cat_key, name, name_zh) in enumerate(DEFAULT_SERVICE_CATEGORIES):
        ServiceCategory.objects.get_or_create(
            key=cat_key, defaults={"name": name, "name_zh": name_zh, "position": position}
        )
    return ServiceCategory.objects.get(key=key)


def due_for(status: str, severity: str, start: datetime.datetime) -> datetime.datetime | None:
    if status == Status.CLOSED:
        return None
    hours = STEP_HOURS.get(severity, STEP_HOURS[Severity.NORMAL]) * LONG_STEPS.get(status, 1)
    return start + datetime.timedelta(hours=hours)


def _text(value: Any, field: str, *, required: bool = False, limit: int = 20000) -> str:
    text = (value or "").strip() if isinstance(value, str) else ""
    if required and not text:
        raise ValidationError({field: _("This field is required.")})
    if len(text) > limit:
        raise ValidationError({field: _("Keep it under %(limit)s characters.") % {"limit": limit}})
    return text


def _apply_case_keys(case: ServiceCase, *, actor_id: int | None, customer_key_set=None) -> bool:
    if not visibility.update_object_keys(case, case_keys(case, customer_key_set)):
        return False
    events.publish("records.service_case_access_changed", case_id=case.pk, actor_id=actor_id)
    return True


def check_attachment(upload: UploadedFile) -> uploads.CheckedUpload:
    """A safe name and the type to serve the file with; refuses unknown types, big files, fakes."""
    return uploads.check_upload(
        upload, allowed=ATTACHMENT_EXTENSIONS, max_bytes=MAX_ATTACHMENT_BYTES, field="attachments"
    )


def _store_attachments(
    case: ServiceCase, uploads: Iterable[UploadedFile], acting_user: User
) -> list[ServiceAttachment]:
    uploads = list(uploads)
    existing = case.attachments.count() if case.pk else 0
    if existing + len(uploads) > MAX_ATTACHMENTS:
        raise ValidationError(
            {
                "attachments": _("At most %(count)s files per complaint.")
                % {"count": MAX_ATTACHMENTS}
            }
        )
    checked = [(upload, check_attachment(upload)) for upload in uploads]
    stored = []
    for upload, safe in checked:
        attachment = ServiceAttachment(
            case=case,
            name=safe.name[:200],
            size=upload.size,
            content_type=safe.content_type,
            uploaded_by=acting_user,
        )
        attachment.file.save(safe.name, upload, save=False)
        attachment.save()
        stored.append(attachment)
    return stored


# Every event a case step publishes (search re-indexes the case on each).
# The event each step publishes.
STEP_EVENTS = {
    Step.REGISTERED: "records.service_case_registered",
    Step.ASSESSED: "records.service_case_assessed",
    Step.PRE_APPROVED: "records.service_case_pre_approved",
    Step.ASSIGNED: "records.service_case_assigned",
    Step.PROPOSED: "records.service_case_proposed",
    Step.APPROVED: "records.service_case_approved",
    Step.SENT_BACK: "records.service_case_sent_back",
    Step.CARRIED_OUT: "records.service_case_carried_out",
    Step.SUMMARISED: "records.service_case_summarised",
    Step.CLOSED: "records.service_case_closed",
    Step.URGED: "records.service_case_urged",
}
CASE_EVENTS = (*STEP_EVENTS.values(), "records.service_case_overdue")
