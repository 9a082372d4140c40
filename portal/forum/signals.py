"""The one kind of signal receiver allowed (README: one data flow): relay Wagtail's publish
signals for forum category pages, so that a read rule changed in the editor re-keys the
category's topics."""

from __future__ import annotations

from wagtail.signals import page_published, page_unpublished


def category_published(sender, instance, **kwargs) -> None:
    from .actions import sync_category_access
    from .queries import forget_index_url

    forget_index_url()
    sync_category_access(instance)


def index_changed(sender, instance, **kwargs) -> None:
    from .queries import forget_index_url

    forget_index_url()


def connect() -> None:
    from .models import ForumCategoryPage, ForumIndexPage

    page_published.connect(
        category_published, sender=ForumCategoryPage, dispatch_uid="forum.category_published"
    )
    page_published.connect(
        index_changed, sender=ForumIndexPage, dispatch_uid="forum.index_published"
    )
    page_unpublished.connect(
        index_changed, sender=ForumIndexPage, dispatch_uid="forum.index_unpublished"
    )
