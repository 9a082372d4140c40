"""One check for every uploaded file (deal documents, complaint attachments, forum posts):
an allow-listed extension, a size limit, and leading bytes that match the extension — a renamed
HTML page is not a PDF. The type a file is served with comes from here, never from the browser."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

OLE = b"\xd0\xcf\x11\xe0"
ZIP = b"PK\x03\x04"


@dataclass(frozen=True)
class FileKind:
    content_type: str
    #: Leading bytes one of which the file must start with; None for text (no NUL bytes);
    #: () for formats without a fixed start (checked by extension and size only).
    signatures: tuple[bytes, ...] | None
    #: Other types browsers declare for this extension.
    also_declared: frozenset[str] = frozenset()

    def declared_ok(self, declared: str) -> bool:
        return (
            declared in GENERIC_TYPES
            or declared == self.content_type
            or (declared in self.also_declared)
        )


# Browsers send these when they do not know the type; the leading bytes decide then.
GENERIC_TYPES = frozenset({"", "application/octet-stream"})


KINDS: dict[str, FileKind] = {
    "pdf": FileKind("application/pdf", (b"%PDF",)),
    "png": FileKind("image/png", (b"\x89PNG",)),
    "jpg": FileKind("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": FileKind("image/jpeg", (b"\xff\xd8\xff",)),
    "gif": FileKind("image/gif", (b"GIF8",)),
    "webp": FileKind("image/webp", (b"RIFF",)),
    "doc": FileKind("application/msword", (OLE,)),
    "xls": FileKind("application/vnd.ms-excel", (OLE,)),
    "ppt": FileKind("application/vnd.ms-powerpoint", (OLE,)),
    "docx": FileKind(
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", (ZIP,)
    ),
    "xlsx": FileKind("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", (ZIP,)),
    "pptx": FileKind(
        "application/vnd.openxmlformats-officedocument.presentationml.presentation", (ZIP,)
    ),
    "odt": FileKind("application/vnd.oasis.opendocument.text", (ZIP,)),
    "ods": FileKind("application/vnd.oasis.opendocument.spreadsheet", (ZIP,)),
    "zip": FileKind("application/zip", (ZIP,)),
    "mp3": FileKind("audio/mpeg", ()),
    "m4a": FileKind("audio/mp4", ()),
    "txt": FileKind("text/plain", None),
    "csv": FileKind("text/csv", None, frozenset({"text/plain", "application/vnd.ms-excel"})),
}


def content_type_for(name: str) -> str:
    """The type to serve an (already checked) file with, from its extension."""
    kind = KINDS.get(PurePath(name).suffix.lower().lstrip("."))
    return kind.content_type if kind else "application/octet-stream"


@dataclass(frozen=True)
class CheckedUpload:
    name: str  # a safe file name to store and offer for download
    content_type: str  # what to serve it with


def check_upload(
    upload: UploadedFile,
    *,
    allowed: Iterable[str],
    max_bytes: int,
    field: str,
    check_declared: bool = False,
) -> CheckedUpload:
    """Refuse, under `field`, a file whose extension is not allowed, that is empty or too large,
    or whose content does not match its extension; with `check_declared`, also one whose
    browser-declared type contradicts its name."""
    allowed = sorted(allowed)
    name = PurePath((upload.name or "").replace("\\", "/")).name
    extension = PurePath(name).suffix.lower().lstrip(".")
    if extension not in allowed or extension not in KINDS:
        raise ValidationError(
            {
                field: _("%(name)s: files of this type cannot be attached. Allowed: %(types)s.")
                % {"name": name, "types": ", ".join(allowed)}
            }
        )
    if not upload.size:
        raise ValidationError({field: _("%(name)s is empty.") % {"name": name}})
    if upload.size > max_bytes:
        raise ValidationError(
            {
                field: _("%(name)s is too large (%(size)s MB); the limit is %(limit)s MB.")
                % {
                    "name": name,
                    "size": round(upload.size / 1048576, 1),
                    "limit": round(max_bytes / 1048576, 1),
                }
            }
        )
    kind = KINDS[extension]
    declared = (getattr(upload, "content_type", "") or "").split(";")[0].strip().lower()
    if check_declared and not kind.declared_ok(declared):
        raise ValidationError(
            {
                field: _("%(name)s says it is %(type)s, which does not match its name.")
                % {"name": name, "type": declared}
            }
        )
    upload.seek(0)
    head = upload.read(2048)
    upload.seek(0)
    if kind.signatures is None:
        looks_right = b"\x00" not in head
    else:
        looks_right = not kind.signatures or head.startswith(kind.signatures)
    if not looks_right:
        raise ValidationError(
            {
                field: _("%(name)s does not look like a %(kind)s file.")
                % {"name": name, "kind": extension.upper()}
            }
        )
    safe = get_valid_filename(name) if name else ""
    return CheckedUpload(safe[-150:] or f"file.{extension}", kind.content_type)
