"""The kinds of business record a topic can be about, and how to find, show and key them.

Records are referenced generically (content type + object id), so a new kind plugs in by
being listed here, with no change to the forum's models.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.apps import apps
from django.db import models
from django.utils.translation import gettext_lazy as _

from portal.core import visibility

if TYPE_CHECKING:
    from portal.accounts.models import User


@dataclass(frozen=True)
class ReferenceKind:
    name: str
    model_label: str
    label: str
    code_field: str | None = None  # written as #<code> in text ("C202600001")
    is_page: bool = False  # Wagtail page (its url is the page's)

    @property
    def model(self) -> type[models.Model]:
        return apps.get_model(self.model_label)

    @property
    def policy(self):
        from portal.core.policy import policy_for

        return policy_for(self.model_label)

    def base_queryset(self) -> models.QuerySet:
        """Records that can be referenced at all (the policy's live rows: the recycle bin, and
        deals of a binned customer, are out)."""
        return self.model._default_manager.filter(pk__in=self.policy.live_queryset().values("pk"))

    def visible_queryset(self, user: User) -> models.QuerySet:
        """The records of this kind the user may open: the kind's policy decides."""
        return self.base_queryset().filter(pk__in=self.policy.visible_to(user).values("pk"))

    def keys_of(self, obj: models.Model) -> set[str]:
        """The stored visibility keys of one record (a record without keys is hidden, for
        pages as for records: one rule)."""
        return visibility.object_keys(self.policy.key_object(obj))

    def code_of(self, obj: models.Model) -> str:
        return str(getattr(obj, self.code_field)) if self.code_field else ""

    def url_of(self, obj: models.Model) -> str:
        if self.is_page:
            return obj.url or ""
        return obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""


KINDS: dict[str, ReferenceKind] = {
    kind.name: kind
    for kind in [
        ReferenceKind("customer", "records.customer", _("Customer"), code_field="code"),
        ReferenceKind("deal", "records.deal", _("Deal"), code_field="number"),
        ReferenceKind("product", "knowledge.productpage", _("Product"), is_page=True),
        ReferenceKind("competitor", "knowledge.competitorpage", _("Competitor"), is_page=True),
    ]
}  # fmt: skip


def available_kinds() -> list[ReferenceKind]:
    return list(KINDS.values())


def kind_for_model(model: type[models.Model]) -> ReferenceKind | None:
    label = model._meta.label_lower
    return next((k for k in available_kinds() if k.model_label == label), None)


def find_by_codes(
    codes: Iterable[str], user: User | None
) -> dict[str, tuple[ReferenceKind, models.Model]]:
    """{code: (kind, record)} for the codes naming a record; with a user, only those they may
    see (so a code of a record they may not open stays plain text)."""
    codes = set(codes)
    found: dict[str, tuple[ReferenceKind, models.Model]] = {}
    if not codes:
        return found
    for kind in available_kinds():
        if not kind.code_field:
            continue
        queryset = kind.visible_queryset(user) if user is not None else kind.base_queryset()
        for obj in queryset.filter(**{f"{kind.code_field}__in": codes}):
            found[kind.code_of(obj)] = (kind, obj)
    return found


def reference_links(codes: Iterable[str], user: User) -> dict[str, tuple[str, str]]:
    """{code: (url, title)} for the records the reader may see."""
    return {
        code: (kind.url_of(obj), str(obj))
        for code, (kind, obj) in find_by_codes(codes, user).items()
    }


def resolve(kind_name: str, object_id: int) -> tuple[ReferenceKind, models.Model] | None:
    kind = KINDS.get(kind_name)
    if kind is None:
        return None
    obj = kind.base_queryset().filter(pk=object_id).first()
    return (kind, obj) if obj is not None else None
