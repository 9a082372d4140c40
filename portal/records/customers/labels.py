"""Address labels as a PDF (reportlab) on standard label sheets, with Chinese text embedded."""

from __future__ import annotations

import io
import os
from dataclasses import dataclass

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from reportlab.lib.pagesizes import A4
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen import canvas

from portal.records.customers.models import Contact, Customer

CJK_FONT_PATHS = [
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
]


@dataclass(frozen=True)
class Sheet:
    key: str
    label: str
    columns: int
    rows: int
    width: float  # label size, points
    height: float
    left: float  # page margins, points
    top: float
    gap_x: float = 0
    gap_y: float = 0


SHEETS = {
    sheet.key: sheet
    for sheet in [
        Sheet(
            "a4-3x8", gettext_lazy("A4, 3 × 8 (70 × 37 mm)"), 3, 8, 70 * mm, 37 * mm, 0, 0.5 * mm
        ),
        Sheet(
            "a4-2x7",
            gettext_lazy("A4, 2 × 7 (99.1 × 38.1 mm, L7163)"),
            2,
            7,
            99.1 * mm,
            38.1 * mm,
            4.65 * mm,
            15.15 * mm,
            2.5 * mm,
            0,
        ),
        Sheet(
            "a4-2x4",
            gettext_lazy("A4, 2 × 4 (99.1 × 67.7 mm, L7165)"),
            2,
            4,
            99.1 * mm,
            67.7 * mm,
            4.65 * mm,
            13.1 * mm,
            2.5 * mm,
            0,
        ),
    ]
}


@dataclass(frozen=True)
class Label:
    postcode: str
    address: str
    customer: str
    department: str
    contact: str


_font_name: str | None = None


def font_name() -> str:
    """Embed WenQuanYi Zen Hei when installed; else reportlab's built-in CID font."""
    global _font_name
    if _font_name:
        return _font_name
    from reportlab.pdfbase.ttfonts import TTFont

    for path in CJK_FONT_PATHS:
        if os.path.exists(path):
            try:
                pdfmetrics.registerFont(TTFont("AgoraCJK", path, subfontIndex=0))
                _font_name = "AgoraCJK"
                return _font_name
            except Exception:  # a broken font file: try the next one  # noqa: S112
                continue
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont

    pdfmetrics.registerFont(UnicodeCIDFont("STSong-Light"))
    _font_name = "STSong-Light"
    return _font_name


def labels_for(customers: list[Customer], contacts: list[Contact]) -> list[Label]:
    """One label per selected contact; a selected customer without a selected contact gets
    one label addressed to its first contact (or to the company)."""
    labels = []
    covered = set()
    for contact in contacts:
        customer = contact.customer
        covered.add(customer.pk)
        labels.append(
            Label(
                customer.postcode, customer.address, customer.name, contact.department, contact.name
            )
        )
    for customer in customers:
        if customer.pk in covered:
            continue
        # The first contact registered is the usual addressee.
        first = min(customer.contacts.all(), key=lambda contact: contact.pk, default=None)
        labels.append(
            Label(
                customer.postcode,
                customer.address,
                customer.name,
                first.department if first else "",
                first.name if first else "",
            )
        )
    return labels


def _fit(text: str, font: str, size: float, width: float) -> list[str]:
    """Break text into lines that fit `width` (character by character: works for Chinese)."""
    lines, current = [], ""
    for char in text:
        if pdfmetrics.stringWidth(current + char, font, size) > width and current:
            lines.append(current)
            current = char
        else:
            current += char
    if current:
        lines.append(current)
    return lines or [""]


def render_pdf(labels: list[Label], sheet_key: str = "a4-3x8") -> bytes:
    sheet = SHEETS.get(sheet_key, SHEETS["a4-3x8"])
    font = font_name()
    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    pdf.setTitle(_("Address labels"))
    page_width, page_height = A4
    per_page = sheet.columns * sheet.rows
    padding = 4 * mm
    for index, label in enumerate(labels):
        if index and index % per_page == 0:
            pdf.showPage()
        slot = index % per_page
        column, row = slot % sheet.columns, slot // sheet.columns
        x = sheet.left + column * (sheet.width + sheet.gap_x) + padding
        top = page_height - sheet.top - row * (sheet.height + sheet.gap_y) - padding
        inner = sheet.width - 2 * padding
        y = top - 9
        pdf.setFont(font, 9)
        if label.postcode:
            pdf.drawString(x, y, label.postcode)
            y -= 11
        for line in _fit(label.address, font, 8.5, inner)[:2]:
            pdf.setFont(font, 8.5)
            pdf.drawString(x, y, line)
            y -= 10.5
        pdf.setFont(font, 10.5)
        for line in _fit(label.customer, font, 10.5, inner)[:2]:
            pdf.drawString(x, y, line)
            y -= 12.5
        addressee = " ".join(part for part in (label.department, label.contact) if part)
        if addressee:
            pdf.setFont(font, 10)
            text = _("%(addressee)s (attn.)") % {"addressee": addressee}
            pdf.drawString(x, y, _fit(text, font, 10, inner)[0])
    if not labels:
        pdf.setFont(font, 12)
        pdf.drawString(20 * mm, page_height - 30 * mm, _("No labels selected."))
    pdf.showPage()
    pdf.save()
    return buffer.getvalue()
