"""The knowledge policies (decision 0140): adapters over `knowledge.permissions`.

Knowledge pages carry their keys on the base page row; a page with no keys is hidden (never
open): one rule for knowledge, forum references and search."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.http import Http404
from wagtail.models import Page

from portal.core import visibility
from portal.core.policy import AccessPolicy, register

from . import permissions
from .models import LEAF_MODELS

if TYPE_CHECKING:
    from portal.accounts.models import User


class KnowledgePagePolicy(AccessPolicy):
    """Live knowledge pages (every leaf type) through their base page row's keys."""

    model = Page
    module = None  # every signed-in person reads the knowledge base; the keys decide

    def live_queryset(self) -> models.QuerySet:
        from django.contrib.contenttypes.models import ContentType

        from .models import LEAF_MODELS

        types = ContentType.objects.get_for_models(*LEAF_MODELS).values()
        return Page.objects.live().filter(content_type__in=list(types))

    def visible_to(self, user: User) -> models.QuerySet:
        return permissions.pages_visible_to(user, self.live_queryset())

    def access(self, user: User, pk, *, select=()) -> Page:
        return permissions.access_page(user, pk)

    def is_visible(self, user: User, obj) -> bool:
        return (
            permissions.can_read_page(user, obj) and self.live_queryset().filter(pk=obj.pk).exists()
        )

    def key_object(self, obj) -> Page:
        return Page(pk=obj.pk)

    def keys(self, obj) -> set[str]:
        return visibility.object_keys(Page(pk=obj.pk))

    def can_edit(self, user: User, obj=None) -> bool:
        return permissions.is_knowledge_editor(user)


class KnowledgeDocumentPolicy(AccessPolicy):
    """A Wagtail document is readable through a standard document page the reader may read."""

    module = None

    @property
    def model(self):
        from wagtail.documents import get_document_model

        return get_document_model()

    def visible_to(self, user: User) -> models.QuerySet:
        from .models import StandardDocumentPage

        if not user.is_authenticated or not user.is_active:
            return self.model.objects.none()
        guarded = StandardDocumentPage.objects.exclude(document=None).values("document_id")
        readable = permissions.pages_visible_to(
            user, StandardDocumentPage.objects.live().exclude(document=None)
        ).values("document_id")
        return self.model.objects.filter(models.Q(pk__in=readable) | ~models.Q(pk__in=guarded))

    def is_visible(self, user: User, obj) -> bool:
        return permissions.can_download(user, obj)

    def access(self, user: User, pk, *, select=()):
        obj = self.model.objects.filter(pk=pk).first() if str(pk).isdigit() else None
        if obj is None or not self.is_visible(user, obj):
            raise Http404("No such document.")
        return obj

    def who_can_see(self, obj, among=None) -> set[int]:
        from portal.core.policy import holders_of_keys

        from .models import StandardDocumentPage

        pages = StandardDocumentPage.objects.live().filter(document=obj)
        if not StandardDocumentPage.objects.filter(document=obj).exists():
            return holders_of_keys({visibility.STAFF}, among)
        readers: set[int] = set()
        for page in pages:
            readers |= knowledge_page_policy.who_can_see(page, among)
        return readers


knowledge_page_policy = KnowledgePagePolicy()
for _model in LEAF_MODELS:
    register(_model, knowledge_page_policy)
document_policy = KnowledgeDocumentPolicy()
register("wagtaildocs.document", document_policy)
