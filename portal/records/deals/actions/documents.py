"""Documents on a deal: upload checks and versioned uploads."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.core import audit, uploads
from portal.records.deals.models import Deal, DealDocument, DocumentVersion

from .common import _publish, _require_edit

# What may be attached to a deal (checked by portal.core.uploads).
DOCUMENT_EXTENSIONS = (
    "pdf", "png", "jpg", "jpeg", "doc", "xls", "docx", "xlsx", "pptx", "odt", "ods", "txt", "csv",
)  # fmt: skip


def max_document_bytes() -> int:
    return int(getattr(settings, "DEAL_DOCUMENT_MAX_BYTES", 10 * 1024 * 1024))


def check_upload(upload: UploadedFile) -> tuple[str, str]:
    """(safe file name, content type) of an acceptable deal document."""
    checked = uploads.check_upload(
        upload,
        allowed=DOCUMENT_EXTENSIONS,
        max_bytes=max_document_bytes(),
        field="file",
        check_declared=True,
    )
    return checked.name, checked.content_type


@transaction.atomic
def upload_document(
    deal: Deal,
    *,
    acting_user: User,
    file: UploadedFile,
    title: str = "",
    kind: str = DealDocument.Kind.OTHER,
    document: DealDocument | None = None,
    note: str = "",
) -> DocumentVersion:
    """Attach a file to a deal, or a new version of an existing document."""
    _require_edit(acting_user, deal)
    if file is None:
        raise ValidationError({"file": _("Choose a file to upload.")})
    filename, content_type = check_upload(file)
    if document is None:
        if kind not in DealDocument.Kind.values:
            raise ValidationError({"kind": _("Unknown kind of document.")})
        document = DealDocument.objects.create(
            deal=deal,
            title=(title or "").strip()[:200] or filename,
            kind=kind,
            created_by=acting_user,
        )
        number = 1
    else:
        if document.deal_id != deal.pk:
            raise ValidationError({"document": _("That document belongs to another deal.")})
        last = document.versions.order_by("-number").values_list("number", flat=True).first()
        number = (last or 0) + 1
        document.save(update_fields=["updated_at"])
    version = DocumentVersion(
        document=document,
        number=number,
        filename=filename,
        size=file.size,
        content_type=content_type,
        note=(note or "").strip()[:255],
        uploaded_by=acting_user,
    )
    version.file.save(filename, file, save=False)
    version.save()
    audit.record(
        acting_user,
        "deal.document_uploaded",
        deal,
        changes=audit.added({"document": document.title, "version": number, "file": filename}),
    )
    _publish(
        "records.deal_document_uploaded", deal, acting_user, document_id=document.pk, version=number
    )
    return version
