"""Service records: visits, repairs and calls logged against a customer."""

from __future__ import annotations

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.permissions import require_module_perm
from portal.core import audit, events
from portal.records.customers.models import Customer
from portal.records.service.models import ServiceCase, ServiceRecord
from portal.records.service.policy import (
    may_use_service,
)

from .common import _text
from .keys import _apply_follower_keys


@transaction.atomic
def create_service_record(
    *,
    acting_user: User,
    customer: Customer,
    kind: str,
    content: str,
    engineer: User | None = None,
    served_at: datetime.datetime | None = None,
    result: str = "",
    satisfaction: int | None = None,
    feedback: str = "",
    case: ServiceCase | None = None,
) -> ServiceRecord:
    """Record a visit, phone support or a repair with the customer's satisfaction (1–5)."""
    require_module_perm(acting_user, "service", "register")
    if customer is None or customer.deleted_at:
        raise ValidationError({"customer": _("Choose a customer.")})
    if kind not in ServiceRecord.Kind.values:
        raise ValidationError({"kind": _("Choose visit, phone support or repair.")})
    if satisfaction is not None and not 1 <= int(satisfaction) <= 5:
        raise ValidationError({"satisfaction": _("Satisfaction is from 1 to 5.")})
    if case is not None and case.customer_id != customer.pk:
        raise ValidationError({"case": _("This complaint belongs to another customer.")})
    engineer = engineer or acting_user
    if not engineer.is_active or not may_use_service(engineer):
        raise ValidationError(
            {"engineer": _("%(name)s cannot do service work.") % {"name": engineer}}
        )
    record = ServiceRecord.objects.create(
        customer=customer,
        case=case,
        kind=kind,
        served_at=served_at or timezone.now(),
        engineer=engineer,
        content=_text(content, "content", required=True),
        result=_text(result, "result"),
        satisfaction=int(satisfaction) if satisfaction is not None else None,
        feedback=_text(feedback, "feedback"),
        created_by=acting_user,
    )
    _apply_follower_keys(record)
    audit.record(
        acting_user,
        "service_record.created",
        record,
        changes=audit.added({"kind": kind, "satisfaction": record.satisfaction}),
    )
    events.publish("records.service_record_created", record_id=record.pk, actor_id=acting_user.pk)
    return record
