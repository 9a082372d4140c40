"""Import and export of customers and contacts (CSV and XLSX), checked row by row."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import ProhibitNullCharactersValidator
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from portal.accounts.models import User
from portal.records.customers.actions.contacts import CONTACT_FIELDS
from portal.records.customers.actions.customers import CUSTOMER_FIELDS
from portal.records.customers.models import Contact, Customer, CustomerCategory, ImportJob
from portal.records.customers.policy import can_edit_customer, customers_visible_to

if TYPE_CHECKING:
    from django.db.models import QuerySet

MAX_ROWS = 50_000
CHUNK_ROWS = 250  # rows checked per progress poll

# The columns of an import or export: the actions' fields in their order, with the code first
# (and the customer's owner before its tags and notes).
CUSTOMER_COLUMNS = ["code", *CUSTOMER_FIELDS[:-2], "owner", *CUSTOMER_FIELDS[-2:]]
CONTACT_COLUMNS = ["customer_code", "customer", "code", *CONTACT_FIELDS]
CHOICE_FIELDS = {
    "industry": Customer.Industry,
    "region": Customer.Region,
    "size": Customer.Size,
    "source": Customer.Source,
    "level": Customer.Level,
    "preferred_channel": Contact.Channel,
}
# The fields a row gives as they are (the rest are looked up or parsed below).
_PARSED = {*CHOICE_FIELDS, "category", "do_not_email", "birthday"}
TEXT_FIELDS = {
    "customers": [name for name in CUSTOMER_FIELDS if name not in _PARSED],
    "contacts": [name for name in CONTACT_FIELDS if name not in _PARSED],
}
# Headers people type in Chinese spreadsheets, beyond the translated field labels.
EXTRA_ALIASES = {
    "customers": {
        "客户名称": "name",
        "名称": "name",
        "公司名称": "name",
        "简称": "short_name",
        "类别": "category",
        "客户类别": "category",
        "行业": "industry",
        "地区": "region",
        "省份": "province",
        "城市": "city",
        "地址": "address",
        "邮编": "postcode",
        "电话": "phone",
        "传真": "fax",
        "邮箱": "email",
        "电子邮件": "email",
        "网站": "website",
        "规模": "size",
        "来源": "source",
        "级别": "level",
        "负责人": "owner",
        "标签": "tags",
        "备注": "notes",
        "客户编号": "code",
    },
    "contacts": {
        "客户编号": "customer_code",
        "客户": "customer",
        "姓名": "name",
        "联系人": "name",
        "部门": "department",
        "职务": "title",
        "职位": "title",
        "电话": "phone",
        "手机": "mobile",
        "邮箱": "email",
        "电子邮件": "email",
        "首选联系方式": "preferred_channel",
        "不发邮件": "do_not_email",
        "生日": "birthday",
        "备注": "notes",
    },
}
# What the forms and the API refuse in any text (Django's CharField validator: NUL, which
# PostgreSQL cannot store in text or jsonb either).
REFUSED_CHARACTERS = ProhibitNullCharactersValidator()
TRUE_WORDS = {"1", "yes", "y", "true", "x", "是", "√"}
FALSE_WORDS = {"", "0", "no", "n", "false", "否"}


def _header_aliases(kind: str) -> dict[str, str]:
    """Column headers we understand: field names and their English/Chinese labels."""
    model = Customer if kind == ImportJob.Kind.CUSTOMERS else Contact
    columns = CUSTOMER_COLUMNS if kind == ImportJob.Kind.CUSTOMERS else CONTACT_COLUMNS
    aliases: dict[str, str] = {}
    for column in columns:
        aliases[column.lower()] = column
        try:
            label = model._meta.get_field(column).verbose_name
        except Exception:  # customer_code is not a field
            label = _("customer code") if column == "customer_code" else column
        for language in ("en", "zh-hans"):
            with translation.override(language):
                aliases[str(label).strip().lower()] = column
                if column == "customer_code":
                    aliases[_("customer code").lower()] = column
    aliases.update(EXTRA_ALIASES[kind])
    return aliases


def _choice_lookup(choices: Any) -> dict[str, str]:
    lookup = {}
    for value, label in choices.choices:
        lookup[str(value).lower()] = value
        for language in ("en", "zh-hans"):
            with translation.override(language):
                lookup[str(label).lower()] = value
    return lookup


def read_table(upload: Any) -> list[dict[str, str]]:
    """Rows of an uploaded .csv (UTF-8, with or without BOM, or GBK) or .xlsx, as text."""
    name = (getattr(upload, "name", "") or "").lower()
    data = upload.read()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as exc:
            raise ValidationError({"file": _("This is not a readable Excel file.")}) from exc
        sheet = workbook.worksheets[0]
        raw_rows = [
            ["" if v is None else _cell_text(v) for v in row]
            for row in sheet.iter_rows(values_only=True)
        ]
        workbook.close()
    elif name.endswith(".csv"):
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise ValidationError({"file": _("The CSV file must be UTF-8 or GBK text.")})
        raw_rows = list(csv.reader(io.StringIO(text)))
    else:
        raise ValidationError({"file": _("Upload a .csv or .xlsx file.")})
    while raw_rows and not any(cell.strip() for cell in raw_rows[-1]):
        raw_rows.pop()
    if len(raw_rows) < 2:
        raise ValidationError({"file": _("The file has no rows below the header.")})
    if len(raw_rows) - 1 > MAX_ROWS:
        raise ValidationError({"file": _("At most %(max)s rows per file.") % {"max": MAX_ROWS}})
    header = [cell.strip() for cell in raw_rows[0]]
    return [
        {
            header[i]: (row[i] if i < len(row) else "").strip()
            for i in range(len(header))
            if header[i]
        }
        for row in raw_rows[1:]
    ]


def _cell_text(value: Any) -> str:
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def normalise_rows(kind: str, rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Map headers (field names or labels, English or Chinese) to field names."""
    aliases = _header_aliases(kind)
    known = [header for header in rows[0] if header.strip().lower() in aliases]
    if "name" not in {aliases[h.strip().lower()] for h in known}:
        raise ValidationError({"file": _("The header row needs at least a “name” column.")})
    if kind == ImportJob.Kind.CONTACTS and "customer_code" not in {
        aliases[h.strip().lower()] for h in known
    }:
        raise ValidationError({"file": _("Contacts need a “customer_code” column.")})
    return [{aliases[h.strip().lower()]: row.get(h, "") for h in known} for row in rows]


def refused_characters(row: dict[str, str]) -> dict[str, str]:
    """The cells of a row holding characters the forms refuse: field → message."""
    problems = {}
    for name, value in row.items():
        try:
            REFUSED_CHARACTERS(value)
        except ValidationError as exc:
            problems[name] = exc.messages[0]
    return problems


def _storable(value: str) -> str:
    return value.replace("\x00", "\ufffd")


def row_to_fields(
    kind: str,
    row: dict[str, str],
    user: User,
) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """Turn one row's text into action arguments; raise ValidationError naming the field."""
    errors: dict[str, str] = {}
    fields: dict[str, Any] = {}
    extra: dict[str, Any] = {}
    for name in TEXT_FIELDS["customers" if kind == "customers" else "contacts"]:
        if name in row:
            fields[name] = row[name].strip()
    for name, choices in CHOICE_FIELDS.items():
        if name in row and row[name].strip():
            if kind == "customers" and name == "preferred_channel":
                continue
            if kind == "contacts" and name != "preferred_channel":
                continue
            value = _choice_lookup(choices).get(row[name].strip().lower())
            if value is None:
                errors[name] = _("Unknown value “%(value)s”.") % {"value": row[name]}
            else:
                fields[name] = value
    if kind == "customers":
        category = row.get("category", "").strip()
        if category:
            found = CustomerCategory.objects.filter(key__iexact=category).first() or (
                CustomerCategory.objects.filter(name__iexact=category).first()
                or CustomerCategory.objects.filter(name_zh=category).first()
            )
            if found is None:
                errors["category"] = _("Unknown category “%(value)s”.") % {"value": category}
            fields["category"] = found
        owner = row.get("owner", "").strip()
        if owner and owner != user.username:
            found_owner = User.objects.filter(username=owner, is_active=True).first()
            if found_owner is None:
                errors["owner"] = _("Unknown user “%(value)s”.") % {"value": owner}
            extra["owner"] = found_owner
    else:
        code = row.get("customer_code", "").strip()
        customer = customers_visible_to(user).filter(code=code).first() if code else None
        if customer is None:
            errors["customer_code"] = _("No customer you can see has the code “%(code)s”.") % {
                "code": code
            }
        elif not can_edit_customer(user, customer):
            errors["customer_code"] = _("You may not add contacts to %(name)s.") % {
                "name": customer.name
            }
        extra["customer"] = customer
        flag = row.get("do_not_email", "").strip().lower()
        if flag in TRUE_WORDS:
            fields["do_not_email"] = True
        elif flag in FALSE_WORDS:
            fields["do_not_email"] = False
        else:
            errors["do_not_email"] = _("Write yes or no.")
        birthday = row.get("birthday", "").strip()
        if birthday:
            try:
                fields["birthday"] = datetime.date.fromisoformat(birthday)
            except ValueError:
                errors["birthday"] = _("Write the date as YYYY-MM-DD.")
    if not row.get("name", "").strip():
        errors["name"] = _("The name is missing.")
    errors.update(refused_characters(row))
    if errors:
        raise ValidationError(errors)
    return kind, fields, extra


def check_row(kind: str, row: dict[str, str], user: User) -> list[tuple[str, str]]:
    """Validate one row as the action would, without writing (a rolled-back savepoint)."""
    from portal.records.customers import actions

    problems: list[tuple[str, str]] = []
    try:
        with transaction.atomic():
            _, fields, extra = row_to_fields(kind, row, user)
            if kind == "customers":
                actions.create_customer(acting_user=user, owner=extra.get("owner"), **fields)
            else:
                actions.create_contact(extra["customer"], acting_user=user, **fields)
            transaction.set_rollback(True)
    except (ValidationError, PermissionDenied) as exc:
        problems = actions.importing.error_items(exc)
    return problems


def start_import(*, kind: str, upload: Any, user: User) -> ImportJob:
    from portal.accounts.permissions import require_module_perm

    require_module_perm(user, "customers", "register")
    if kind not in ImportJob.Kind.values:
        raise ValidationError({"kind": _("Choose customers or contacts.")})
    rows = normalise_rows(kind, read_table(upload))
    # Refused characters are reported here, row by row, and kept out of the stored rows (a
    # jsonb column cannot hold NUL): the job can then never become ready to import.
    errors = [
        {"line": index + 2, "field": field, "message": message}
        for index, row in enumerate(rows)
        for field, message in refused_characters(row).items()
    ]
    rows = [{name: _storable(value) for name, value in row.items()} for row in rows]
    return ImportJob.objects.create(
        kind=kind,
        filename=_storable(getattr(upload, "name", "upload"))[:255],
        rows=rows,
        errors=errors,
        created_by=user,
    )


def check_next_chunk(job: ImportJob, user: User) -> ImportJob:
    """Check the next CHUNK_ROWS rows (one progress step); duplicates inside the file too."""
    if job.status != ImportJob.Status.VALIDATING:
        return job
    start, end = job.processed, min(job.processed + CHUNK_ROWS, len(job.rows))
    seen = {row.get("name", "").strip().lower() for row in job.rows[:start]}
    errors = list(job.errors)
    for index in range(start, end):
        row = job.rows[index]
        line = index + 2
        problems = check_row(job.kind, row, user)
        name = row.get("name", "").strip().lower()
        if job.kind == "customers" and name and name in seen:
            problems.append(("name", _("The same name appears earlier in the file.")))
        seen.add(name)
        errors += [
            {"line": line, "field": field, "message": message} for field, message in problems
        ]
    job.processed = end
    job.errors = errors
    if end >= len(job.rows):
        errors.sort(key=lambda error: error["line"])  # those found on upload among the rest
        job.status = ImportJob.Status.INVALID if errors else ImportJob.Status.READY
    job.save(update_fields=["processed", "errors", "status"])
    return job


# --- export -----------------------------------------------------------------------------


def customer_row(customer: Customer) -> list[str]:
    return [
        customer.code,
        customer.name,
        customer.short_name,
        customer.category.key,
        customer.industry,
        customer.region,
        customer.province,
        customer.city,
        customer.address,
        customer.postcode,
        customer.phone,
        customer.fax,
        customer.email,
        customer.website,
        customer.size,
        customer.source,
        customer.level,
        customer.owner.username,
        customer.tags,
        customer.notes,
    ]


def export_rows(customers: QuerySet[Customer]) -> Iterator[list[str]]:
    """Header + one row per customer; `customers` is already narrowed to what the user sees."""
    yield CUSTOMER_COLUMNS
    for customer in customers.select_related("category", "owner").iterator(chunk_size=2000):
        yield customer_row(customer)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_stream(rows: Iterator[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    yield "\ufeff"  # Excel opens UTF-8 CSV correctly only with a BOM
    for row in rows:
        yield writer.writerow([_safe_cell(v) for v in row])


def _safe_cell(value: str) -> str:
    # Cells starting with = + - @ would be formulas in a spreadsheet (CSV injection).
    text = str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@") else text


def xlsx_bytes(rows: Iterator[list[str]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(_("Customers"))
    for row in rows:
        sheet.append([_safe_cell(v) for v in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
