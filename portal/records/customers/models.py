"""Customers, their contacts, sharing, and the records of imports, bulk mail and fax."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from portal.core.models import ChoiceLabels, CreatedModel, TimeStampedModel


class LiveQuerySet(models.QuerySet):
    """Querysets of soft-deletable rows; the default manager hides what is in the recycle bin."""

    def live(self) -> LiveQuerySet:
        return self.filter(deleted_at__isnull=True)

    def in_bin(self) -> LiveQuerySet:
        return self.filter(deleted_at__isnull=False)


class LiveManager(models.Manager.from_queryset(LiveQuerySet)):
    def get_queryset(self) -> LiveQuerySet:
        return super().get_queryset().filter(deleted_at__isnull=True)


AllManager = models.Manager.from_queryset(LiveQuerySet)


#: A fax number as people write it: digits with spaces, dashes, dots, brackets, a leading "+"
#: or an extension slash, 5 to 20 digits in all (the gateway dials the digits).
fax_number_validator = RegexValidator(
    r"^\+?(?=(?:\D*\d){5,20}\D*$)[0-9(][0-9 ()./-]*$",
    _("Enter a fax number: 5 to 20 digits, with spaces, dashes or a leading + if you like."),
    code="fax",
)


def fax_digits(number: str) -> str:
    """The digits of a fax number: what goes before the @ of the gateway address."""
    return "".join(char for char in number if char.isdigit())


class CustomerCategory(models.Model):
    """Current, potential, partner, agent — administrators may add more (admin site)."""

    key = models.SlugField(_("key"), max_length=40, unique=True)
    name = models.CharField(_("name"), max_length=60)
    name_zh = models.CharField(_("Chinese name"), max_length=60, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        verbose_name = _("customer category")
        verbose_name_plural = _("customer categories")
        ordering = ["position", "key"]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        if self.name_zh and (get_language() or "").startswith("zh"):
            return self.name_zh
        return self.name


class Customer(TimeStampedModel):
    """One company (or person) the firm sells to or works with: the customer file."""

    class Region(models.TextChoices):
        EAST = "east", _("East China")
        NORTH = "north", _("North China")
        SOUTH = "south", _("South China")
        CENTRAL = "central", _("Central China")
        SOUTHWEST = "southwest", _("Southwest China")
        NORTHWEST = "northwest", _("Northwest China")
        NORTHEAST = "northeast", _("Northeast China")
        OVERSEAS = "overseas", _("Overseas")

    class Industry(models.TextChoices):
        MACHINERY = "machinery", _("Machinery")
        ELECTRONICS = "electronics", _("Electronics")
        AUTOMOTIVE = "automotive", _("Automotive")
        CHEMICALS = "chemicals", _("Chemicals")
        ENERGY = "energy", _("Energy")
        HEALTHCARE = "healthcare", _("Healthcare")
        RETAIL = "retail", _("Retail")
        LOGISTICS = "logistics", _("Logistics")
        FINANCE = "finance", _("Finance")
        GOVERNMENT = "government", _("Government")
        EDUCATION = "education", _("Education")
        OTHER = "other", _("Other")

    class Size(models.TextChoices):
        MICRO = "micro", _("1–9 staff")
        SMALL = "small", _("10–99 staff")
        MEDIUM = "medium", _("100–999 staff")
        LARGE = "large", _("1,000+ staff")

    class Source(models.TextChoices):
        REFERRAL = "referral", _("Referral")
        EXHIBITION = "exhibition", _("Trade fair")
        WEBSITE = "website", _("Website")
        COLD_CALL = "cold_call", _("Cold call")
        PARTNER = "partner", _("Partner")
        TENDER = "tender", _("Public tender")
        OTHER = "other", _("Other")

    class Level(models.TextChoices):
        KEY = "A", _("A – key account")
        IMPORTANT = "B", _("B – important")
        NORMAL = "C", _("C – normal")
        LOW = "D", _("D – low priority")

    code = models.CharField(_("code"), max_length=40, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=200)
    short_name = models.CharField(_("short name"), max_length=60, blank=True)
    category = models.ForeignKey(
        CustomerCategory,
        verbose_name=_("category"),
        on_delete=models.PROTECT,
        related_name="customers",
    )
    industry = models.CharField(_("industry"), max_length=20, choices=Industry.choices, blank=True)
    region = models.CharField(_("region"), max_length=20, choices=Region.choices, blank=True)
    province = models.CharField(_("province"), max_length=40, blank=True)
    city = models.CharField(_("city"), max_length=40, blank=True)
    address = models.CharField(_("address"), max_length=255, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True, db_index=True)
    fax = models.CharField(_("fax"), max_length=40, blank=True, validators=[fax_number_validator])
    email = models.EmailField(_("email"), blank=True, db_index=True)
    website = models.URLField(_("website"), blank=True)
    size = models.CharField(_("size"), max_length=10, choices=Size.choices, blank=True)
    source = models.CharField(_("source"), max_length=20, choices=Source.choices, blank=True)
    level = models.CharField(_("level"), max_length=1, choices=Level.choices, default=Level.NORMAL)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_customers",
    )
    # The owner's department when the customer was last assigned (for lists and reports).
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customers",
    )
    tags = models.CharField(
        _("tags"), max_length=255, blank=True, help_text=_("Separate tags with commas.")
    )
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("deleted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    # Customer protection (ADR 1002): the facts the protection state is computed from, kept
    # on the row so lists and the worker filter without a query per customer.
    last_activity_on = models.DateField(_("last activity"), null=True, blank=True, editable=False)
    has_open_deal = models.BooleanField(_("has an open deal"), default=False, editable=False)
    in_pool = models.BooleanField(_("in the public pool"), default=False, editable=False)
    pooled_at = models.DateTimeField(_("moved to the pool"), null=True, blank=True, editable=False)
    claimed_at = models.DateTimeField(
        _("claimed from the pool"), null=True, blank=True, editable=False
    )
    # The protected-until date the owner was last warned about (one warning per lapse date).
    lapse_warned_for = models.DateField(null=True, blank=True, editable=False)

    objects = LiveManager()
    all_objects = AllManager()

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["name", "id"]
        base_manager_name = "all_objects"
        # Keyset pagination walks these (sort column, id) pairs. Partial indexes hold only
        # live rows, so "live, in order, first 26" is an index walk on SQLite and PostgreSQL.
        indexes = [
            models.Index(
                fields=["name", "id"],
                name="records_cust_live_name",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(
                fields=["updated_at", "id"],
                name="records_cust_live_updated",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(
                fields=["created_at", "id"],
                name="records_cust_live_created",
                condition=Q(deleted_at__isnull=True),
            ),
            models.Index(fields=["owner", "name"], name="records_cust_owner"),
            # The recycle bin: a tiny index of binned rows, so "not a binned customer's deal"
            # (records.deals.policy.live_deals) reads a handful of ids, not the table.
            models.Index(
                fields=["deleted_at"],
                name="records_cust_binned",
                condition=Q(deleted_at__isnull=False),
            ),
            models.Index(
                fields=["in_pool", "pooled_at", "id"],
                name="records_cust_pool",
                condition=Q(deleted_at__isnull=True, in_pool=True),
            ),
            # No (region|industry|category, name) indexes on purpose: those filters keep an
            # eighth of the rows or more, so walking the sort index finds a page sooner than
            # an index on the filter followed by a sort (decision 0101).
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("records:customer_detail", args=[self.pk])

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def tag_list(self) -> list[str]:
        return [tag.strip() for tag in self.tags.split(",") if tag.strip()]


class Contact(TimeStampedModel):
    """A person at a customer; unlimited per customer."""

    class Channel(models.TextChoices):
        PHONE = "phone", _("Phone")
        MOBILE = "mobile", _("Mobile")
        EMAIL = "email", _("Email")
        WECHAT = "wechat", _("WeChat")
        VISIT = "visit", _("Visit")

    customer = models.ForeignKey(
        Customer, verbose_name=_("customer"), on_delete=models.PROTECT, related_name="contacts"
    )
    code = models.CharField(_("code"), max_length=40, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    department = models.CharField(_("department"), max_length=100, blank=True)
    title = models.CharField(_("job title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    mobile = models.CharField(_("mobile"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    preferred_channel = models.CharField(
        _("preferred channel"), max_length=10, choices=Channel.choices, blank=True
    )
    do_not_email = models.BooleanField(_("do not email"), default=False)
    birthday = models.DateField(_("birthday"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deleted_at = models.DateTimeField(_("deleted"), null=True, blank=True, editable=False)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    objects = LiveManager()
    all_objects = AllManager()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["customer", "name", "id"]
        base_manager_name = "all_objects"

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("records:customer_detail", args=[self.customer_id]) + f"#contact-{self.pk}"

    @property
    def may_email(self) -> bool:
        return bool(self.email) and not self.do_not_email


class CustomerShare(models.Model):
    """The owner shared a customer with a colleague or a whole department (read or edit)."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="shares")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("colleague"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
    )
    can_edit = models.BooleanField(_("may edit"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("customer share")
        verbose_name_plural = _("customer shares")
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False, department__isnull=True)
                | Q(user__isnull=True, department__isnull=False),
                name="records_share_one_target",
            ),
            models.UniqueConstraint(
                fields=["customer", "user"],
                name="records_share_user",
                condition=Q(user__isnull=False),
            ),
            models.UniqueConstraint(
                fields=["customer", "department"],
                name="records_share_department",
                condition=Q(department__isnull=False),
            ),
        ]

    def __str__(self) -> str:
        return str(self.user or self.department)


class ImportJob(ChoiceLabels):
    """An uploaded import file, validated in chunks (for the progress bar), then committed."""

    class Kind(models.TextChoices):
        CUSTOMERS = "customers", _("Customers")
        CONTACTS = "contacts", _("Contacts")

    class Status(models.TextChoices):
        VALIDATING = "validating", _("Checking")
        READY = "ready", _("Ready to import")
        INVALID = "invalid", _("Has errors")
        DONE = "done", _("Imported")

    kind = models.CharField(max_length=10, choices=Kind.choices)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.VALIDATING)
    filename = models.CharField(max_length=255)
    # Parsed rows as a list of {column: text} (line numbers are index + 2: header is line 1).
    rows = models.JSONField(default=list)
    errors = models.JSONField(default=list)  # [{"line": 3, "field": "name", "message": "…"}]
    processed = models.PositiveIntegerField(default=0)
    imported = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.filename

    @property
    def total(self) -> int:
        return len(self.rows)

    @property
    def percent(self) -> int:
        return 100 if not self.rows else int(self.processed * 100 / len(self.rows))


class Channel(models.TextChoices):
    """How a batch goes out: e-mail to contacts, or fax to customers through the gateway."""

    MAIL = "mail", _("E-mail")
    FAX = "fax", _("Fax")


class FaxGateway(models.Model):
    """The fax gateway (one row, set by administrators): a fax to 0215551234 is an e-mail to
    0215551234@<domain>, which the gateway turns into a fax."""

    domain = models.CharField(
        _("gateway domain"),
        max_length=200,
        blank=True,
        validators=[
            RegexValidator(
                r"^(?=.{1,200}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$",
                _("Enter a domain name such as fax.example.com."),
                code="domain",
            )
        ],
        help_text=_(
            "A fax to 021-5555 0102 goes out as e-mail to 02155550102@ this domain."
            " Empty: faxing is off."
        ),
    )
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("updated by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("fax gateway")
        verbose_name_plural = _("fax gateway")

    def __str__(self) -> str:
        return self.domain or str(_("(no fax gateway)"))


class MailBatch(CreatedModel):
    """One message composed for many contacts (e-mail) or customers (fax)."""

    channel = models.CharField(
        _("channel"), max_length=5, choices=Channel.choices, default=Channel.MAIL
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sender"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Set when the sender asks for a batch too large to send inside the request; the worker
    # sends it (records.send_queued_mail) and sets sent_at.
    queued_at = models.DateTimeField(_("queued"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    # The deal the message is about (its page shows the log); by name, not import: customers
    # import nothing of deals (decision 0600).
    deal = models.ForeignKey(
        "records.Deal",
        verbose_name=_("deal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mail_batches",
    )
    # The document sent with every copy, kept in the database so that a worker on another
    # machine sends the same bytes (decision 1004); bounded by ATTACHMENT_MAX_BYTES.
    attachment = models.BinaryField(_("attachment"), null=True, blank=True, editable=False)
    attachment_name = models.CharField(_("attachment"), max_length=200, blank=True)
    attachment_type = models.CharField(max_length=100, blank=True)

    class Meta:
        verbose_name = _("bulk mail")
        verbose_name_plural = _("bulk mails")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.subject


#: Why a copy was skipped or failed, stored in English (the message id) and shown in the
#: reader's language; other details (a mail server's error) are shown as they came.
RECIPIENT_REASONS = {
    "Do not email": _("Do not email"),
    "No email address": _("No email address"),
    "No fax number": _("No fax number"),
    "The fax number is not valid": _("The fax number is not valid"),
    "No fax gateway is configured": _("No fax gateway is configured"),
}


class MailRecipient(ChoiceLabels):
    """What happened to one contact's copy of a bulk mail, or one customer's fax."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SENT = "sent", _("Sent")
        SKIPPED = "skipped", _("Skipped")
        FAILED = "failed", _("Failed")

    batch = models.ForeignKey(MailBatch, on_delete=models.CASCADE, related_name="recipients")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="mail_recipients")
    # A fax goes to the customer's number, so a fax recipient has no contact.
    contact = models.ForeignKey(
        Contact, null=True, blank=True, on_delete=models.PROTECT, related_name="mail_recipients"
    )
    # The address the copy goes to: the contact's e-mail, or <fax digits>@<gateway domain>.
    email = models.CharField(_("email"), max_length=254, blank=True)
    fax = models.CharField(_("fax"), max_length=40, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    detail = models.CharField(_("detail"), max_length=255, blank=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        ordering = ["batch", "id"]
        constraints = [
            models.UniqueConstraint(fields=["batch", "contact"], name="records_mail_once"),
            models.UniqueConstraint(
                fields=["batch", "customer"],
                name="records_fax_once",
                condition=Q(contact__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.status})"

    @property
    def detail_display(self) -> str:
        return RECIPIENT_REASONS.get(self.detail, self.detail)


class ProtectionRules(models.Model):
    """Customer protection as administrators configure it (one row, edited in the admin site;
    ADR 1002): how long a rep's customer stays theirs after the last activity, when the owner
    is warned, and how many customers a rep may hold from the public pool."""

    enabled = models.BooleanField(
        _("protection enabled"),
        default=True,
        help_text=_("When off, no customer lapses into the public pool."),
    )
    protection_days = models.PositiveSmallIntegerField(
        _("days protected after the last activity"),
        default=90,
        validators=[MinValueValidator(1), MaxValueValidator(3650)],
    )
    warning_days = models.PositiveSmallIntegerField(
        _("days of warning before protection lapses"),
        default=14,
        validators=[MinValueValidator(0), MaxValueValidator(365)],
    )
    claim_limit = models.PositiveSmallIntegerField(
        _("customers a rep may hold from the pool"),
        default=20,
        validators=[MinValueValidator(0), MaxValueValidator(10000)],
    )

    class Meta:
        verbose_name = _("customer protection rules")
        verbose_name_plural = _("customer protection rules")

    def __str__(self) -> str:
        return str(_("Customer protection rules"))

    def save(self, *args, **kwargs) -> None:
        self.pk = 1  # one row: the rules
        super().save(*args, **kwargs)

    def clean(self) -> None:
        if self.warning_days >= self.protection_days:
            raise ValidationError(
                {"warning_days": _("The warning must come before protection lapses.")}
            )

    @classmethod
    def current(cls) -> ProtectionRules:
        """The saved rules, or the defaults until an administrator saves them (one query,
        never a write: reading the rules is part of read-only pages)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)


class CustomerRollup(models.Model):
    """Live customers counted by what the customer analysis groups and filters on (decision
    1003): one row per grouping × manager key × owner × department × the grouping's
    dimensions × registration month. Kept by the customer actions in their own transaction
    (`customers.rollup`); read by the analysis for readers who see whole departments.

    `grouping` names the dimensions a row keeps ("category_id+region", "level", "" — owner
    and department are always kept); the others hold 0 or "". `reach` is the customer's
    manager-chain visibility key as stored (m:<department id>, "" when it has none): a
    reader holding that key sees every customer of the row, so the row may be counted for
    them as it is."""

    grouping = models.CharField(max_length=40)
    reach = models.CharField(max_length=40)
    owner_id = models.IntegerField()
    department_id = models.IntegerField()  # 0: no department
    category_id = models.IntegerField()
    region = models.CharField(max_length=20)
    industry = models.CharField(max_length=20)
    level = models.CharField(max_length=1)
    month = models.DateField()  # the first day of the local month the customer was registered
    customers = models.IntegerField(default=0)

    class Meta:
        verbose_name = _("customer roll-up row")
        verbose_name_plural = _("customer roll-up rows")
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "grouping",
                    "reach",
                    "owner_id",
                    "department_id",
                    "category_id",
                    "region",
                    "industry",
                    "level",
                    "month",
                ],
                name="records_custrollup_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.grouping or '-'} {self.reach} {self.month:%Y-%m}: {self.customers}"
