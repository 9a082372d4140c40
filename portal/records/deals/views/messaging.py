"""Mail and fax about a deal: the deal page's "Mail and fax" panel and its compose form, sent
through the customers' bulk mail machinery (decision 1004)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.core import uploads
from portal.core.dashboard import Panel
from portal.core.forms import form_errors
from portal.records.customers import actions as customer_actions
from portal.records.customers.models import Channel, MailBatch, MailRecipient
from portal.records.customers.policy import contacts_visible_to, customers_visible_to
from portal.records.deals.actions.documents import DOCUMENT_EXTENSIONS
from portal.records.deals.forms import DealMessageForm
from portal.records.deals.models import Deal
from portal.records.deals.policy import access_deal, can_edit_deal, deals_visible_to

from .common import _detail_context

LOG_ROWS = 10


def _documents(deal: Deal) -> list[tuple[int, str]]:
    """The deal's documents for the form's choices (their latest version is read on sending)."""
    return list(deal.documents.order_by("title", "pk").values_list("pk", "title"))


def deal_messages_panel(request: HttpRequest, deal: Deal) -> Panel | None:
    """The mail and faxes sent about a deal, read through the deal policy, and the form."""
    user = request.user
    about = deals_visible_to(user).filter(pk=deal.pk).values("pk")
    sent = MailRecipient.Status.SENT
    batches = list(
        MailBatch.objects.filter(deal__in=about)
        .defer("attachment", "body")
        .select_related("sender")
        .annotate(
            copies=Count("recipients"),
            sent_copies=Count("recipients", filter=Q(recipients__status=sent)),
        )
        .order_by("-created_at", "-pk")[:LOG_ROWS]
    )
    may_send = can_edit_deal(user, deal)
    return Panel(
        "records/includes/deal_messages_panel.html",
        {
            "deal": deal,
            "batches": batches,
            "may_send": may_send,
            "fax_ready": bool(customer_actions.fax_gateway_domain()) if may_send else False,
            # After a refused compose, the deal page shows the form as it was sent, with errors.
            "message_form": (
                getattr(request, "deal_message_form", None)
                or DealMessageForm(documents=_documents(deal))
            )
            if may_send
            else None,
        },
        order=35,
    )


def _attachment(deal: Deal, data: dict, channel: str) -> customer_actions.Attachment | None:
    """The chosen deal document's latest version, or the upload, checked for the channel."""
    if data["document"]:
        document = deal.documents.filter(pk=data["document"]).first()
        version = document.versions.order_by("-number").first() if document else None
        if version is None:
            raise ValidationError({"document": _("Choose a document of this deal.")})
        if channel == Channel.FAX and version.content_type != "application/pdf":
            raise ValidationError({"document": _("Only a PDF can be faxed.")})
        if version.size > customer_actions.attachment_max_bytes():
            raise ValidationError({"document": _("This document is too large to send.")})
        try:
            with version.file.open("rb") as handle:
                content = handle.read()
        except FileNotFoundError:
            raise ValidationError(
                {"document": _("The file of this document is missing; upload it again.")}
            ) from None
        return customer_actions.Attachment(version.filename, content, version.content_type)
    upload = data["upload"]
    if channel == Channel.FAX:
        return customer_actions.checked_fax_upload(upload, field="upload")
    if upload is None:
        return None
    checked = uploads.check_upload(
        upload,
        allowed=DOCUMENT_EXTENSIONS,
        max_bytes=customer_actions.attachment_max_bytes(),
        field="upload",
    )
    return customer_actions.Attachment(checked.name, upload.read(), checked.content_type)


def _compose(request: HttpRequest, deal: Deal, data: dict) -> MailBatch:
    channel = data["channel"]
    user = request.user
    if channel == Channel.FAX and not customer_actions.fax_gateway_domain():
        raise customer_actions.NoFaxGateway()
    attachment = _attachment(deal, data, channel)
    if channel == Channel.FAX:
        return customer_actions.compose_fax(
            acting_user=user,
            customers=customers_visible_to(user).filter(pk=deal.customer_id),
            subject=data["subject"],
            body=data["body"],
            attachment=attachment,
            deal_id=deal.pk,
        )
    contacts = contacts_visible_to(user).filter(customer_id=deal.customer_id)
    if deal.contacts.exists():
        contacts = contacts.filter(pk__in=deal.contacts.values("pk"))
    return customer_actions.compose_mail(
        acting_user=user,
        contacts=contacts,
        subject=data["subject"],
        body=data["body"],
        deal_id=deal.pk,
        attachment=attachment,
    )


@login_required
@require_POST
def deal_message(request: HttpRequest, pk: int) -> HttpResponse:
    """Compose mail or a fax about the deal; the batch page previews it before sending."""
    deal = access_deal(request.user, pk)
    if not can_edit_deal(request.user, deal):
        raise PermissionDenied(_("Only the people working on this deal write about it."))
    form = DealMessageForm(request.POST, request.FILES, documents=_documents(deal))
    if form.is_valid():
        try:
            batch = _compose(request, deal, form.cleaned_data)
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            return redirect("records:mail_batch", pk=batch.pk)
    request.deal_message_form = form  # the panel shows it with its errors
    context = _detail_context(request, deal)
    context["failed_form"] = "message_form"
    return render(request, "records/deal_detail.html", context, status=400)
