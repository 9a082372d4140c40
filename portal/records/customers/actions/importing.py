"""Committing a checked customer import: one customer (and its contacts) per good row."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.permissions import require_module_perm
from portal.records.customers.models import ImportJob

from .contacts import create_contact
from .customers import create_customer


def import_job_commit(job: ImportJob, *, acting_user: User) -> int:
    """Write every row of a checked import, or nothing if any row fails."""
    from portal.records.customers.imports import row_to_fields

    if job.created_by_id != acting_user.pk:
        raise PermissionDenied(_("Only the person who uploaded the file can import it."))
    if job.status != ImportJob.Status.READY:
        raise ValidationError(_("This file is not ready to import."))
    require_module_perm(acting_user, "customers", "register")
    row_errors: list[dict[str, Any]] = []
    imported = 0
    with transaction.atomic():
        for index, row in enumerate(job.rows):
            line = index + 2
            try:
                with transaction.atomic():
                    kind, fields, extra = row_to_fields(job.kind, row, acting_user)
                    if kind == "customers":
                        create_customer(
                            acting_user=acting_user,
                            owner=extra.get("owner"),
                            allow_duplicate=False,
                            **fields,
                        )
                    else:
                        create_contact(extra["customer"], acting_user=acting_user, **fields)
                imported += 1
            except (ValidationError, PermissionDenied) as exc:
                for field, message in error_items(exc):
                    row_errors.append({"line": line, "field": field, "message": message})
        if row_errors:
            # All or nothing: undo every row written so far (their events are discarded too).
            transaction.set_rollback(True)
    if row_errors:
        ImportJob.objects.filter(pk=job.pk).update(
            status=ImportJob.Status.INVALID, errors=row_errors
        )
        job.refresh_from_db()
        return 0
    job.status = ImportJob.Status.DONE
    job.imported = imported
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "imported", "finished_at"])
    return imported


def error_items(exc: Exception) -> list[tuple[str, str]]:
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        return [
            (field, message) for field, messages in exc.message_dict.items() for message in messages
        ]
    if isinstance(exc, ValidationError):
        return [("", message) for message in exc.messages]
    return [("", str(exc))]
