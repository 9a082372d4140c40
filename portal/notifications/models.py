"""Notifications: the durable store, follows and keyword interests, preferences, reminders."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from portal.core.models import ChoiceLabels, CreatedModel

from . import messages


class Kind(models.TextChoices):
    """What a notification is about; preferences and unsubscribe links are per kind."""

    MENTION = "mention", _("Mentions")
    REPLY = "reply", _("Replies in discussions I follow")
    TOPIC = "topic", _("New discussions")
    KNOWLEDGE = "knowledge", _("Knowledge pages")
    DEAL = "deal", _("Deals")
    CUSTOMER = "customer", _("Customers")
    SERVICE = "service", _("Service cases")
    REMINDER = "reminder", _("Reminders")
    ANNOUNCEMENT = "announcement", _("Announcements")


class Level(models.IntegerChoices):
    """Discourse's notification levels; muted wins over every other reason to notify."""

    MUTED = 0, _("Muted")
    NORMAL = 1, _("Normal")
    WATCHING_FIRST_POST = 2, _("Watching first post")
    WATCHING = 3, _("Watching")


class UserSequence(models.Model):
    """The last notification number handed to a user, and how many of their notifications are
    unread. Allocating takes this row's lock until commit, so a user's notifications commit in
    the order of their numbers (ADR 0500); every write that makes a notification unread or
    read, or removes one, changes `unread` in the same transaction (ADR 0713)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+"
    )
    last = models.BigIntegerField(default=0)
    # Equal to the user's Notification rows with read_at NULL: the badge and every live frame
    # read it here (one primary-key row) instead of counting rows.
    unread = models.IntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.last} ({self.unread} unread)"


class Notification(ChoiceLabels):
    class EmailState(models.TextChoices):
        NONE = "none", _("No email")
        IMMEDIATE = "immediate", _("Email pending")
        DIGEST = "digest", _("In the next digest")
        SENT = "sent", _("Emailed")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    seq = models.BigIntegerField(_("number"), help_text=_("Increasing per recipient."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    # What is shown is rendered from `message` + `params` in the reader's language at display
    # time (ADR 0611); `title` / `body` keep the text as first written for the recipient, for
    # the admin, database searches, and as the fallback of a message no longer registered.
    message = models.CharField(_("message"), max_length=80, default=messages.TEXT)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    title = models.CharField(_("title"), max_length=255)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    dedupe_key = models.CharField(max_length=200)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    email_state = models.CharField(
        max_length=10, choices=EmailState.choices, default=EmailState.NONE
    )
    email_due_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-seq"]
        constraints = [
            models.UniqueConstraint(fields=["user", "seq"], name="notification_user_seq"),
            models.UniqueConstraint(fields=["user", "dedupe_key"], name="notification_once"),
        ]
        indexes = [
            models.Index(
                fields=["user", "seq"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(fields=["email_state", "email_due_at"], name="notification_email"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def render(self, language: str | None = None) -> tuple[str, str]:
        """(title, body) in `language` (the active language when None)."""
        return messages.render(
            self.message, {"title": self.title, "body": self.body, **self.params}, language
        )

    @cached_property
    def _shown(self) -> dict[str, tuple[str, str]]:
        return {}

    def _in_active_language(self) -> tuple[str, str]:
        language = get_language() or settings.LANGUAGE_CODE
        if language not in self._shown:
            self._shown[language] = self.render(language)
        return self._shown[language]

    @property
    def shown_title(self) -> str:
        """The title in the active (the reader's) language: what templates and the API show."""
        return self._in_active_language()[0]

    @property
    def shown_body(self) -> str:
        return self._in_active_language()[1]

    def frame(
        self, language: str | None = None, *, text: tuple[str, str] | None = None
    ) -> dict[str, object]:
        """The WebSocket frame `{"type": "notification", ...}` in `language` (by default the
        recipient's own), or with `text` (title, body) already rendered; `id` is the per-user
        number."""
        title, body = text or self.render(language or self.user.language or settings.LANGUAGE_CODE)
        return {
            "type": "notification",
            "id": self.seq,
            "kind": self.kind,
            "title": title,
            "body": body,
            "url": self.url,
            "created_at": self.created_at.isoformat(),
        }


class Follow(CreatedModel):
    """A user's level for one followable thing, addressed as kind + key so that any model
    (a forum category page, a customer, a deal) or a plain value (a tag) can be followed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="follows"
    )
    target_kind = models.CharField(_("kind of thing"), max_length=60)
    target_key = models.CharField(_("key"), max_length=100)
    label = models.CharField(_("name"), max_length=255, blank=True)
    url = models.CharField(max_length=500, blank=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)

    class Meta:
        verbose_name = _("follow")
        verbose_name_plural = _("follows")
        ordering = ["target_kind", "label"]
        constraints = [
            models.UniqueConstraint(
                fields=["user", "target_kind", "target_key"], name="follow_once"
            )
        ]
        indexes = [models.Index(fields=["target_kind", "target_key"], name="follow_target")]

    def __str__(self) -> str:
        return self.label or f"{self.target_kind}:{self.target_key}"


class CategoryDefault(ChoiceLabels):
    """An administrator's default level for a followable thing, applied to new people."""

    target_kind = models.CharField(_("kind of thing"), max_length=60)
    target_key = models.CharField(_("key"), max_length=100)
    label = models.CharField(_("name"), max_length=255, blank=True)
    level = models.PositiveSmallIntegerField(_("level"), choices=Level.choices)
    department = models.ForeignKey(
        "accounts.Department",
        verbose_name=_("only for department"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
    )

    class Meta:
        verbose_name = _("default follow")
        verbose_name_plural = _("default follows")
        constraints = [
            models.UniqueConstraint(
                fields=["target_kind", "target_key", "department"], name="default_follow_once"
            )
        ]

    def __str__(self) -> str:
        return self.label or f"{self.target_kind}:{self.target_key}"


class KeywordInterest(CreatedModel):
    """A keyword or phrase a user wants to hear about (matched with the search analysis)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="keyword_interests"
    )
    query = models.CharField(_("keyword or phrase"), max_length=200)
    level = models.PositiveSmallIntegerField(
        _("level"), choices=Level.choices, default=Level.WATCHING
    )

    class Meta:
        verbose_name = _("keyword interest")
        verbose_name_plural = _("keyword interests")
        ordering = ["query"]
        constraints = [
            models.UniqueConstraint(fields=["user", "query"], name="keyword_interest_once")
        ]

    def __str__(self) -> str:
        return self.query


class EmailMode(models.TextChoices):
    NEVER = "never", _("Never")
    IMMEDIATE = "immediate", _("Immediately")
    DAILY = "daily", _("Daily digest")
    WEEKLY = "weekly", _("Weekly digest")


class DeliverySettings(ChoiceLabels):
    """A user's delivery preferences: email mode, quiet hours, and per-kind channels."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="notification_settings",
    )
    email_mode = models.CharField(
        _("email me when I am away"),
        max_length=10,
        choices=EmailMode.choices,
        default=EmailMode.IMMEDIATE,
    )
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    # {"<kind>": {"web": bool, "email": bool}}; a missing kind means both on.
    channels = models.JSONField(default=dict, blank=True)
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("notification settings")
        verbose_name_plural = _("notification settings")

    def __str__(self) -> str:
        return str(self.user_id)

    def wants(self, kind: str, channel: str) -> bool:
        return bool(self.channels.get(kind, {}).get(channel, True))


class Presence(models.Model):
    """One row per open notification socket; a heartbeat keeps it fresh so that a crashed
    server's sockets stop counting once `seen_at` is older than the expiry."""

    channel_name = models.CharField(max_length=200, primary_key=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.channel_name


class Reminder(CreatedModel):
    """A scheduled item: at `due_at` the worker turns it into a notification, exactly once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("for"),
        on_delete=models.CASCADE,
        related_name="reminders",
    )
    due_at = models.DateTimeField(_("due"))
    # As on Notification: shown from `message` + `params` in the reader's language; `subject`
    # and `body` are the text as written (and the whole notice for messages.TEXT).
    message = models.CharField(_("message"), max_length=80, default=messages.TEXT)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("text"), blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.REMINDER)
    source = models.CharField(max_length=100, blank=True, help_text="app_label.model:id")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    delivered_at = models.DateTimeField(_("delivered"), null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["due_at"]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=models.Q(delivered_at__isnull=True),
                name="reminder_due",
            )
        ]

    def __str__(self) -> str:
        return self.subject

    def render(self, language: str | None = None) -> tuple[str, str]:
        """(subject, body) in `language` (the active language when None)."""
        return messages.render(
            self.message, {"title": self.subject, "body": self.body, **self.params}, language
        )
