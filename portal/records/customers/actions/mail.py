"""Bulk mail to contacts: compose a batch, send it now or queue it for the worker."""

from __future__ import annotations

from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.permissions import require_module_perm
from portal.core import audit, visibility
from portal.records.customers.models import Contact, Customer, MailBatch, MailRecipient


@transaction.atomic
def compose_mail(
    *, acting_user: User, contacts: QuerySet[Contact], subject: str, body: str
) -> MailBatch:
    """Prepare a message for contacts (already narrowed to what the user sees).

    Contacts marked "do not email" or without an address are recorded as skipped, so the
    sender sees who will not receive it before sending.
    """
    require_module_perm(acting_user, "customers", "view")
    errors = {}
    if not subject.strip():
        errors["subject"] = _("Write a subject.")
    if not body.strip():
        errors["body"] = _("Write a message.")
    contacts = list(contacts.select_related("customer"))
    if not contacts:
        errors["contacts"] = _("Select at least one contact.")
    if errors:
        raise ValidationError(errors)
    batch = MailBatch.objects.create(subject=subject.strip(), body=body.strip(), sender=acting_user)
    recipients = []
    for contact in contacts:
        status, detail = MailRecipient.Status.PENDING, ""
        if contact.do_not_email:
            status, detail = MailRecipient.Status.SKIPPED, _("Do not email")
        elif not contact.email:
            status, detail = MailRecipient.Status.SKIPPED, _("No email address")
        recipients.append(
            MailRecipient(
                batch=batch,
                customer=contact.customer,
                contact=contact,
                email=contact.email,
                status=status,
                detail=detail,
            )
        )
    MailRecipient.objects.bulk_create(recipients)
    audit.record(
        acting_user, "mail.composed", batch, changes=audit.added({"recipients": len(recipients)})
    )
    return batch


def send_mail_batch(batch: MailBatch, *, acting_user: User) -> dict[str, int]:
    """Send each pending copy through Django's email backend, one status per recipient.

    Each recipient is claimed with an atomic UPDATE (pending → sent) so that a double click or
    a second worker never sends the same copy twice; a failure puts the row to "failed".
    """
    if batch.sender_id != acting_user.pk and not visibility.is_administrator(acting_user):
        raise PermissionDenied(_("Only the sender can send this message."))
    connection = mail.get_connection()
    for recipient in batch.recipients.filter(status=MailRecipient.Status.PENDING).select_related(
        "contact"
    ):
        claimed = MailRecipient.objects.filter(
            pk=recipient.pk, status=MailRecipient.Status.PENDING
        ).update(status=MailRecipient.Status.SENT, sent_at=timezone.now())
        if not claimed:
            continue
        # Re-check "do not email" at send time: it may have been set since composing.
        if Contact.all_objects.filter(pk=recipient.contact_id, do_not_email=True).exists():
            MailRecipient.objects.filter(pk=recipient.pk).update(
                status=MailRecipient.Status.SKIPPED, detail=_("Do not email"), sent_at=None
            )
            continue
        try:
            message = mail.EmailMessage(
                batch.subject,
                batch.body,
                to=[recipient.email],
                connection=connection,
                reply_to=[acting_user.email] if acting_user.email else None,
            )
            message.send()
        except Exception as exc:  # the backend's errors are many; record, don't stop the batch
            MailRecipient.objects.filter(pk=recipient.pk).update(
                status=MailRecipient.Status.FAILED, detail=str(exc)[:255], sent_at=None
            )
    with transaction.atomic():
        finished = MailBatch.objects.filter(pk=batch.pk, sent_at__isnull=True).update(
            sent_at=timezone.now()
        )
        counts = dict.fromkeys(MailRecipient.Status.values, 0)
        for status in batch.recipients.values_list("status", flat=True):
            counts[status] += 1
        if finished:  # once, even when two workers finish the same batch
            audit.record(acting_user, "mail.sent", batch, changes=audit.added(counts))
            for customer in Customer.all_objects.filter(mail_recipients__batch=batch).distinct():
                audit.record(acting_user, "customer.mailed", customer, message=batch.subject)
    batch.refresh_from_db()
    return counts


#: Batches with at most this many copies to send go out inside the request (the sender sees
#: the result at once); larger ones are queued for the worker, so no request waits on SMTP.
MAIL_SEND_NOW_LIMIT = 25


def send_or_queue_mail_batch(batch: MailBatch, *, acting_user: User) -> dict[str, int] | None:
    """Send a small batch now (returns the counts) or queue a large one (returns None)."""
    if batch.sender_id != acting_user.pk and not visibility.is_administrator(acting_user):
        raise PermissionDenied(_("Only the sender can send this message."))
    pending = batch.recipients.filter(status=MailRecipient.Status.PENDING).count()
    if pending <= MAIL_SEND_NOW_LIMIT:
        return send_mail_batch(batch, acting_user=acting_user)
    with transaction.atomic():
        queued = MailBatch.objects.filter(
            pk=batch.pk, queued_at__isnull=True, sent_at__isnull=True
        ).update(queued_at=timezone.now())
        if queued:
            audit.record(
                acting_user, "mail.queued", batch, changes=audit.added({"pending": pending})
            )
    batch.refresh_from_db()
    return None


def send_queued_mail(*, limit: int = 5) -> int:
    """Worker job: send the queued batches (per-recipient claims make two workers safe)."""
    sent = 0
    queued = MailBatch.objects.filter(queued_at__isnull=False, sent_at__isnull=True)
    for batch in queued.select_related("sender").order_by("queued_at")[:limit]:
        send_mail_batch(batch, acting_user=batch.sender)
        sent += 1
    return sent
