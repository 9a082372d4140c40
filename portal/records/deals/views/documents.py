"""Deal documents: upload, new version, and the file itself (served after the visibility check)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.records.deals import actions
from portal.records.deals.forms import (
    DocumentForm,
    NewVersionForm,
)
from portal.records.deals.models import Deal, DocumentVersion
from portal.records.deals.policy import (
    access_deal,
)

from .common import _handle


@login_required
@require_POST
def document_upload(request: HttpRequest, pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        actions.upload_document(
            deal,
            acting_user=request.user,
            file=data["file"],
            title=data["title"],
            kind=data["kind"],
            note=data["note"],
        )

    return _handle(
        request, pk, DocumentForm, "document_form", run, _("The file was uploaded."),
        anchor="documents",
    )  # fmt: skip


@login_required
@require_POST
def document_version(request: HttpRequest, pk: int, document_pk: int) -> HttpResponse:
    def run(deal: Deal, data: dict[str, Any]) -> None:
        document = get_object_or_404(deal.documents, pk=document_pk)
        actions.upload_document(
            deal, acting_user=request.user, file=data["file"], document=document, note=data["note"]
        )

    return _handle(
        request, pk, NewVersionForm, "version_form", run, _("A new version was uploaded."),
        anchor="documents",
    )  # fmt: skip


@login_required
def document_file(request: HttpRequest, pk: int, version_pk: int) -> FileResponse:
    """Serve a deal file to people who may see the deal (404 alike otherwise)."""
    deal = access_deal(request.user, pk)
    version = get_object_or_404(
        DocumentVersion.objects.select_related("document"), pk=version_pk, document__deal=deal
    )
    try:
        handle = version.file.open("rb")
    except FileNotFoundError:
        raise Http404("No such file.") from None
    inline = version.content_type in {"application/pdf", "image/png", "image/jpeg"}
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=version.filename,
        content_type=version.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
