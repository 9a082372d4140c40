"""People, departments and the module permissions roles carry."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core.models import ChoiceLabels

from .modules import MODULE_PERMISSIONS


class Department(models.Model):
    """A node in the organisation tree; `path` ("/1/4/9/") makes subtree queries one LIKE."""

    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent department"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    manager = models.ForeignKey(
        "accounts.User",
        verbose_name=_("manager"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="managed_departments",
    )
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs) -> None:
        super().save(*args, **kwargs)
        expected = f"{self.parent.path if self.parent_id else '/'}{self.pk}/"
        if self.path != expected:
            self.path = expected
            super().save(update_fields=["path"])

    def ancestor_ids(self, *, include_self: bool = False) -> list[int]:
        ids = [int(part) for part in self.path.strip("/").split("/") if part]
        return ids if include_self else ids[:-1]

    @property
    def depth(self) -> int:
        return max(len(self.ancestor_ids(include_self=True)) - 1, 0)


class User(ChoiceLabels, AbstractUser):
    display_name = models.CharField(_("display name"), max_length=100, blank=True)
    department = models.ForeignKey(
        Department,
        verbose_name=_("department"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="members",
    )
    title = models.CharField(_("job title"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    language = models.CharField(
        _("interface language"),
        max_length=10,
        blank=True,
        choices=[("en", "English"), ("zh-hans", "简体中文")],
        help_text=_("Leave empty to follow the browser."),
    )

    class Meta(AbstractUser.Meta):
        verbose_name = _("person")
        verbose_name_plural = _("people")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    @property
    def name(self) -> str:
        return str(self)


class ModuleAccess(models.Model):
    """Holds the module permissions (customers_register, deals_urge, …); no table."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = MODULE_PERMISSIONS
        verbose_name = _("module permission")
        verbose_name_plural = _("module permissions")

    def __str__(self) -> str:
        return str(self._meta.verbose_name)
