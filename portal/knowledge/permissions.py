"""Who may read which knowledge page, document and onboarding assignment (one access rule).

Knowledge pages carry their visibility keys on the *base* `wagtailcore.Page` row (content type
wagtailcore.page, object id = page id), whatever their specific type, so one query filters a
mixed list of pages and search can index every page type the same way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.http import Http404
from wagtail.models import Page

from portal.accounts import roles
from portal.accounts.permissions import has_module_perm
from portal.accounts.tree import is_manager
from portal.core import visibility
from portal.core.models import ObjectAccess

if TYPE_CHECKING:
    from wagtail.documents.models import Document

    from portal.accounts.models import User


def page_content_type() -> ContentType:
    return ContentType.objects.get_for_model(Page)


def editor_group_key() -> str | None:
    group_id = (
        Group.objects.filter(name=roles.KNOWLEDGE_EDITORS).values_list("id", flat=True).first()
    )
    return visibility.group_key(group_id) if group_id else None


def is_knowledge_editor(user: User) -> bool:
    return visibility.is_administrator(user) or has_module_perm(user, "knowledge", "manage")


def editor_ids() -> set[int]:
    """Active people who manage the knowledge base (set-based, for notices)."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Permission

    from portal.accounts.modules import codename

    permission = Permission.objects.filter(
        content_type__app_label="accounts", codename=codename("knowledge", "manage")
    ).first()
    if permission is None:
        return set()
    return set(
        get_user_model()
        .objects.filter(is_active=True, is_superuser=False)
        .filter(models.Q(groups__permissions=permission) | models.Q(user_permissions=permission))
        .values_list("pk", flat=True)
    )


def page_keys(page: Page) -> set[str]:
    """The keys a knowledge page should carry: everyone on staff, unless it is a restricted
    standard document — then its allowed roles and departments, its owner and the editors."""
    if not getattr(page, "restricted", False):
        return {visibility.STAFF}
    # .all() rather than values_list: an unsaved cluster's relations live in memory.
    keys = {visibility.group_key(group.pk) for group in page.allowed_groups.all()}
    keys |= {visibility.department_key(dept.pk) for dept in page.allowed_departments.all()}
    if page.owner_id:
        keys.add(visibility.user_key(page.owner_id))
    if editors := editor_group_key():
        keys.add(editors)
    return keys


def visible_page_ids(user: User) -> models.QuerySet:
    """A subquery of the ids of pages the user may read (not valid for administrators)."""
    return ObjectAccess.objects.filter(
        content_type=page_content_type(), key__in=visibility.user_keys(user)
    ).values("object_id")


def pages_visible_to(user: User, queryset: models.QuerySet) -> models.QuerySet:
    """Narrow any queryset of pages (base or specific) to those the user may read."""
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    if visibility.is_administrator(user):
        return queryset
    return queryset.filter(pk__in=visible_page_ids(user))


def can_read_page(user: User, page: Page) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    if visibility.is_administrator(user):
        return True
    return ObjectAccess.objects.filter(
        content_type=page_content_type(),
        object_id=page.pk,
        key__in=visibility.user_keys(user),
    ).exists()


def access_page(user: User, pk: int) -> Page:
    """The live knowledge page `pk` as its specific type; 404 for missing and forbidden alike."""
    from .models import LEAF_MODELS

    page = pages_visible_to(user, Page.objects.live().filter(pk=pk)).specific().first()
    if page is None or not isinstance(page, tuple(LEAF_MODELS)):
        raise Http404
    return page


def can_download(user: User, document: Document) -> bool:
    """A file attached to standard document pages is readable only through one of them that
    the user may read; any other file only needs a signed-in person."""
    from .models import StandardDocumentPage

    if not user.is_authenticated or not user.is_active:
        return False
    page_ids = list(
        StandardDocumentPage.objects.filter(document=document).values_list("pk", flat=True)
    )
    if not page_ids:
        return True
    return pages_visible_to(user, Page.objects.filter(pk__in=page_ids)).exists()


def assignments_visible_to(user: User, queryset: models.QuerySet) -> models.QuerySet:
    return visibility.filter_visible(queryset, user)


def can_assign_paths(user: User) -> bool:
    """Editors assign paths to anyone; managers to the people of the departments they manage."""
    return is_knowledge_editor(user) or is_manager(user)


def products_visible_to(user: User) -> models.QuerySet:
    """Live product pages the user may read (for records' deal forms and panels)."""
    from .models import ProductPage

    return pages_visible_to(user, ProductPage.objects.live().order_by("title"))


def competitors_visible_to(user: User) -> models.QuerySet:
    """Live competitor pages the user may read (for records' competitor entries)."""
    from .models import CompetitorPage

    return pages_visible_to(user, CompetitorPage.objects.live().order_by("title"))
