"""Bulk mail and fax: compose a batch for a channel, send it now or queue it for the worker.

One machinery for both channels (decision 1004): a fax is an e-mail to
<fax digits>@<gateway domain> with the document attached, so it shares the batch, the
per-recipient claims and statuses, the batch page and the worker job of bulk mail (0102).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.accounts.permissions import require_module_perm
from portal.core import audit, uploads, visibility
from portal.records.customers.models import (
    Channel,
    Contact,
    Customer,
    FaxGateway,
    MailBatch,
    MailRecipient,
    fax_digits,
    fax_number_validator,
)

# Skip and failure reasons are stored in English and shown translated when read
# (MailRecipient.detail_display).

#: What may be faxed: the gateways turn PDF into pages; nothing else is dependable.
FAX_EXTENSIONS = ("pdf",)


def attachment_max_bytes() -> int:
    """Bounded: every copy carries it, and it is kept in the batch row (decision 1004)."""
    return int(getattr(settings, "MAIL_ATTACHMENT_MAX_BYTES", 5 * 1024 * 1024))


@dataclass(frozen=True)
class Attachment:
    name: str
    content: bytes
    content_type: str


def checked_fax_upload(upload: UploadedFile | None, *, field: str = "document") -> Attachment:
    """A PDF the sender uploaded, checked like every upload (type, size, content)."""
    if upload is None:
        raise ValidationError({field: _("Choose the document to fax (a PDF).")})
    checked = uploads.check_upload(
        upload, allowed=FAX_EXTENSIONS, max_bytes=attachment_max_bytes(), field=field
    )
    return Attachment(checked.name, upload.read(), checked.content_type)


# --- the fax gateway ----------------------------------------------------------------------


class NoFaxGateway(ValidationError):
    """Faxing was asked for but no administrator has set the gateway domain."""

    def __init__(self) -> None:
        super().__init__(_("No fax gateway is configured: an administrator sets its domain first."))


def fax_gateway_domain() -> str:
    """The configured gateway domain, or "" when faxing is not set up."""
    return FaxGateway.objects.order_by("pk").values_list("domain", flat=True).first() or ""


@transaction.atomic
def set_fax_gateway(domain: str, *, acting_user: User) -> FaxGateway:
    """Set (or clear, with "") the gateway domain; administrators only."""
    if not visibility.is_administrator(acting_user):
        raise PermissionDenied(_("Only administrators set the fax gateway."))
    gateway = FaxGateway.objects.select_for_update().order_by("pk").first() or FaxGateway()
    before = gateway.domain
    gateway.domain = (domain or "").strip().lower()
    gateway.updated_by = acting_user
    gateway.full_clean(exclude=["updated_by"])
    gateway.save()
    audit.record(
        acting_user,
        "fax.gateway_set",
        gateway,
        changes={"domain": [before, gateway.domain]},
    )
    return gateway


def fax_address(number: str, domain: str) -> str:
    return f"{fax_digits(number)}@{domain}"


# --- composing ----------------------------------------------------------------------------


def _check_message(subject: str, body: str, *, recipients: list, field: str, empty: str) -> None:
    errors = {}
    if not subject.strip():
        errors["subject"] = _("Write a subject.")
    if not body.strip():
        errors["body"] = _("Write a message.")
    if not recipients:
        errors[field] = empty
    if errors:
        raise ValidationError(errors)


def _create_batch(
    *,
    acting_user: User,
    channel: str,
    subject: str,
    body: str,
    recipients: list[MailRecipient],
    deal_id: int | None,
    attachment: Attachment | None,
) -> MailBatch:
    batch = MailBatch.objects.create(
        channel=channel,
        subject=subject.strip(),
        body=body.strip(),
        sender=acting_user,
        deal_id=deal_id,
        attachment=attachment.content if attachment else None,
        attachment_name=attachment.name if attachment else "",
        attachment_type=attachment.content_type if attachment else "",
    )
    for recipient in recipients:
        recipient.batch = batch
    MailRecipient.objects.bulk_create(recipients)
    audit.record(
        acting_user,
        f"{channel}.composed",
        batch,
        changes=audit.added({"recipients": len(recipients)}),
    )
    return batch


@transaction.atomic
def compose_mail(
    *,
    acting_user: User,
    contacts: QuerySet[Contact],
    subject: str,
    body: str,
    deal_id: int | None = None,
    attachment: Attachment | None = None,
) -> MailBatch:
    """Prepare a message for contacts (already narrowed to what the user sees).

    Contacts marked "do not email" or without an address are recorded as skipped, so the
    sender sees who will not receive it before sending.
    """
    require_module_perm(acting_user, "customers", "view")
    contacts = list(contacts.select_related("customer"))
    _check_message(
        subject,
        body,
        recipients=contacts,
        field="contacts",
        empty=_("Select at least one contact."),
    )
    recipients = []
    for contact in contacts:
        status, detail = MailRecipient.Status.PENDING, ""
        if contact.do_not_email:
            status, detail = MailRecipient.Status.SKIPPED, "Do not email"
        elif not contact.email:
            status, detail = MailRecipient.Status.SKIPPED, "No email address"
        recipients.append(
            MailRecipient(
                customer=contact.customer,
                contact=contact,
                email=contact.email,
                status=status,
                detail=detail,
            )
        )
    return _create_batch(
        acting_user=acting_user,
        channel=Channel.MAIL,
        subject=subject,
        body=body,
        recipients=recipients,
        deal_id=deal_id,
        attachment=attachment,
    )


def _fax_recipient(customer: Customer, domain: str) -> MailRecipient:
    number = customer.fax.strip()
    status, detail, address = MailRecipient.Status.PENDING, "", ""
    if not number:
        status, detail = MailRecipient.Status.SKIPPED, "No fax number"
    else:
        try:
            fax_number_validator(number)
        except ValidationError:
            status, detail = MailRecipient.Status.SKIPPED, "The fax number is not valid"
        else:
            address = fax_address(number, domain)
    return MailRecipient(
        customer=customer, contact=None, email=address, fax=number, status=status, detail=detail
    )


@transaction.atomic
def compose_fax(
    *,
    acting_user: User,
    customers: QuerySet[Customer],
    subject: str,
    body: str,
    attachment: Attachment | None,
    deal_id: int | None = None,
) -> MailBatch:
    """Prepare a fax of a document to customers (already narrowed to what the user sees).

    Refused while no gateway is configured. Customers without a (valid) fax number are
    recorded as skipped with the reason, one row each: reported, never dropped.
    """
    require_module_perm(acting_user, "customers", "view")
    domain = fax_gateway_domain()
    if not domain:
        raise NoFaxGateway()
    customers = list(customers.order_by("name", "pk"))
    _check_message(
        subject,
        body,
        recipients=customers,
        field="customers",
        empty=_("Select at least one customer."),
    )
    if attachment is None:
        raise ValidationError({"document": _("Choose the document to fax (a PDF).")})
    return _create_batch(
        acting_user=acting_user,
        channel=Channel.FAX,
        subject=subject,
        body=body,
        recipients=[_fax_recipient(customer, domain) for customer in customers],
        deal_id=deal_id,
        attachment=attachment,
    )


# --- sending ------------------------------------------------------------------------------


def may_handle_batch(user: User, batch: MailBatch) -> bool:
    """Who may open and send a batch: its sender, and the administrators."""
    return batch.sender_id == user.pk or visibility.is_administrator(user)


def _check_sender(batch: MailBatch, acting_user: User) -> None:
    if not may_handle_batch(acting_user, batch):
        raise PermissionDenied(_("Only the sender can send this message."))


def _skip_reason(batch: MailBatch, recipient: MailRecipient) -> str:
    """Why a claimed copy must not go out after all (things may change after composing)."""
    if batch.channel == Channel.MAIL:
        if Contact.all_objects.filter(pk=recipient.contact_id, do_not_email=True).exists():
            return "Do not email"
    return ""


def _message(batch: MailBatch, address: str, connection, acting_user: User) -> mail.EmailMessage:
    message = mail.EmailMessage(
        batch.subject,
        batch.body,
        to=[address],
        connection=connection,
        reply_to=[acting_user.email] if acting_user.email else None,
    )
    if batch.attachment_name and batch.attachment is not None:
        message.attach(batch.attachment_name, bytes(batch.attachment), batch.attachment_type)
    return message


def send_mail_batch(batch: MailBatch, *, acting_user: User) -> dict[str, int]:
    """Send each pending copy through Django's email backend, one status per recipient.

    Each recipient is claimed with an atomic UPDATE (pending → sent) so that a double click or
    a second worker never sends the same copy twice; a failure puts the row to "failed". A fax
    goes to the gateway configured at sending time; with none, its copies fail, saying why.
    """
    _check_sender(batch, acting_user)
    domain = fax_gateway_domain() if batch.channel == Channel.FAX else ""
    connection = mail.get_connection()
    for recipient in batch.recipients.filter(status=MailRecipient.Status.PENDING):
        claimed = MailRecipient.objects.filter(
            pk=recipient.pk, status=MailRecipient.Status.PENDING
        ).update(status=MailRecipient.Status.SENT, sent_at=timezone.now())
        if not claimed:
            continue
        rows = MailRecipient.objects.filter(pk=recipient.pk)
        if reason := _skip_reason(batch, recipient):
            rows.update(status=MailRecipient.Status.SKIPPED, detail=reason, sent_at=None)
            continue
        address = recipient.email
        if batch.channel == Channel.FAX:
            if not domain:
                rows.update(
                    status=MailRecipient.Status.FAILED,
                    detail="No fax gateway is configured",
                    sent_at=None,
                )
                continue
            address = fax_address(recipient.fax, domain)
            if address != recipient.email:
                rows.update(email=address)
        try:
            _message(batch, address, connection, acting_user).send()
        except Exception as exc:  # the backend's errors are many; record, don't stop the batch
            rows.update(status=MailRecipient.Status.FAILED, detail=str(exc)[:255], sent_at=None)
    with transaction.atomic():
        finished = MailBatch.objects.filter(pk=batch.pk, sent_at__isnull=True).update(
            sent_at=timezone.now()
        )
        counts = dict.fromkeys(MailRecipient.Status.values, 0)
        for status in batch.recipients.values_list("status", flat=True):
            counts[status] += 1
        if finished:  # once, even when two workers finish the same batch
            _record_sent(batch, acting_user, counts)
    batch.refresh_from_db()
    return counts


def _record_sent(batch: MailBatch, acting_user: User, counts: dict[str, int]) -> None:
    faxed = batch.channel == Channel.FAX
    audit.record(acting_user, f"{batch.channel}.sent", batch, changes=audit.added(counts))
    reached = Customer.all_objects.filter(
        mail_recipients__batch=batch, mail_recipients__status=MailRecipient.Status.SENT
    ).distinct()
    for customer in reached:
        audit.record(
            acting_user,
            "customer.faxed" if faxed else "customer.mailed",
            customer,
            message=batch.subject,
        )
    if batch.deal_id and batch.deal is not None:
        audit.record(
            acting_user, "deal.faxed" if faxed else "deal.mailed", batch.deal, message=batch.subject
        )


#: Batches with at most this many copies to send go out inside the request (the sender sees
#: the result at once); larger ones are queued for the worker, so no request waits on SMTP.
MAIL_SEND_NOW_LIMIT = 25


def send_or_queue_mail_batch(batch: MailBatch, *, acting_user: User) -> dict[str, int] | None:
    """Send a small batch now (returns the counts) or queue a large one (returns None).

    A fax batch is refused while no gateway is configured (nothing is claimed or queued)."""
    _check_sender(batch, acting_user)
    if batch.channel == Channel.FAX and not fax_gateway_domain():
        raise NoFaxGateway()
    pending = batch.recipients.filter(status=MailRecipient.Status.PENDING).count()
    if pending <= MAIL_SEND_NOW_LIMIT:
        return send_mail_batch(batch, acting_user=acting_user)
    with transaction.atomic():
        queued = MailBatch.objects.filter(
            pk=batch.pk, queued_at__isnull=True, sent_at__isnull=True
        ).update(queued_at=timezone.now())
        if queued:
            audit.record(
                acting_user,
                f"{batch.channel}.queued",
                batch,
                changes=audit.added({"pending": pending}),
            )
    batch.refresh_from_db()
    return None


def send_queued_mail(*, limit: int = 5) -> int:
    """Worker job: send the queued batches of both channels (per-recipient claims make two
    workers safe)."""
    sent = 0
    queued = MailBatch.objects.filter(queued_at__isnull=False, sent_at__isnull=True)
    for batch in queued.select_related("sender").order_by("queued_at")[:limit]:
        send_mail_batch(batch, acting_user=batch.sender)
        sent += 1
    return sent
