"""Printable address and phone lists of customers as PDF (reportlab), Chinese text embedded
with the labels' font."""

from __future__ import annotations

import io
from dataclasses import dataclass
from xml.sax.saxutils import escape

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import LongTable, Paragraph, SimpleDocTemplate, Spacer, TableStyle

from portal.records.customers.labels import font_name
from portal.records.customers.models import Customer

#: At most this many customers per printed list: a PDF of thousands of pages helps nobody and
#: takes the server seconds to lay out; the page asks to narrow the filter instead.
LIST_MAX_CUSTOMERS = 1000
#: Contacts printed under one customer on the phone list.
CONTACTS_PER_CUSTOMER = 10
STRIPE = colors.HexColor("#f1f3f5")


class Indented(str):
    """A cell printed indented: a contact under its customer on the phone list."""


@dataclass(frozen=True)
class ListKind:
    key: str
    title: str


KINDS = {
    "address": ListKind("address", gettext_lazy("Address list")),
    "phone": ListKind("phone", gettext_lazy("Phone list")),
}


def _styles() -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    font = font_name()
    cell = ParagraphStyle("cell", fontName=font, fontSize=8.5, leading=10.5, wordWrap="CJK")
    head = ParagraphStyle("head", parent=cell, fontSize=8.5, textColor=colors.white)
    title = ParagraphStyle("title", fontName=font, fontSize=14, leading=18)
    return cell, head, title


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    if isinstance(text, Indented):
        style = ParagraphStyle("indented", parent=style, leftIndent=10)
    return Paragraph(escape(text or ""), style)


def _first_contact(customer: Customer):
    return min(customer.contacts.all(), key=lambda contact: contact.pk, default=None)


def address_rows(customers: list[Customer]) -> tuple[list[str], list[list[str]], list[float]]:
    header = [
        _("Customer"),
        pgettext("record number", "Code"),
        _("Addressee"),
        _("Address"),
        _("Postcode"),
        _("Phone"),
    ]
    rows = []
    for customer in customers:
        contact = _first_contact(customer)
        addressee = (
            " ".join(part for part in (contact.department, contact.name) if part) if contact else ""
        )
        place = " ".join(p for p in (customer.province, customer.city, customer.address) if p)
        rows.append(
            [customer.name, customer.code, addressee, place, customer.postcode, customer.phone]
        )
    return header, rows, [60 * mm, 30 * mm, 35 * mm, 90 * mm, 20 * mm, 32 * mm]


def phone_rows(customers: list[Customer]) -> tuple[list[str], list[list[str]], list[float]]:
    header = [
        _("Customer / contact"),
        _("Job title"),
        _("Phone"),
        _("Mobile"),
        _("Fax"),
        _("Email"),
    ]
    rows = []
    for customer in customers:
        rows.append([customer.name, "", customer.phone, "", customer.fax, customer.email])
        contacts = sorted(customer.contacts.all(), key=lambda contact: contact.pk)
        for contact in contacts[:CONTACTS_PER_CUSTOMER]:
            rows.append(
                [
                    Indented(contact.name),
                    contact.title,
                    contact.phone,
                    contact.mobile,
                    "",
                    contact.email,
                ]
            )
    return header, rows, [70 * mm, 35 * mm, 35 * mm, 35 * mm, 32 * mm, 60 * mm]


def render_pdf(kind: str, customers: list[Customer]) -> bytes:
    """The list as a landscape A4 PDF with a header row repeated on every page."""
    list_kind = KINDS[kind]
    cell, head, title_style = _styles()
    header, rows, widths = (address_rows if kind == "address" else phone_rows)(customers)
    buffer = io.BytesIO()
    title = str(list_kind.title)
    document = SimpleDocTemplate(
        buffer,
        pagesize=landscape(A4),
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=title,
    )
    stamp = date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")
    subtitle = _("%(count)s customers · printed %(when)s") % {
        "count": len(customers),
        "when": stamp,
    }
    story = [_p(title, title_style), _p(subtitle, cell), Spacer(1, 4 * mm)]
    if not rows:
        story.append(_p(_("No customers selected."), cell))
    else:
        data = [[_p(text, head) for text in header]]
        data += [[_p(text, cell) for text in row] for row in rows]
        table = LongTable(data, colWidths=widths, repeatRows=1)
        table.setStyle(
            TableStyle(
                [
                    ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#495057")),
                    ("VALIGN", (0, 0), (-1, -1), "TOP"),
                    ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#adb5bd")),
                    (
                        "ROWBACKGROUNDS",
                        (0, 1),
                        (-1, -1),
                        [colors.white, colors.HexColor("#f1f3f5")],
                    ),
                ]
            )
        )
        story.append(table)
    document.build(story)
    return buffer.getvalue()
