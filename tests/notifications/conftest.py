"""Notification fixtures: a forum with an open category and a managers-only one."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from wagtail.models import Page, Site

from portal.accounts import roles


def add_category(index, slug, *, read=(), post=()):
    from portal.forum.models import ForumCategoryPage

    category = ForumCategoryPage(title=slug.title(), slug=slug, description="")
    index.add_child(instance=category)
    category.read_groups.set(Group.objects.filter(name__in=read))
    category.post_groups.set(Group.objects.filter(name__in=post))
    category.save()
    category.save_revision().publish()
    return ForumCategoryPage.objects.get(pk=category.pk)


@pytest.fixture
def forum(people):
    from portal.forum.models import ForumIndexPage

    # Page URLs are cached (Wagtail's site root paths, the forum's index URL); start from what
    # this test's tree says.
    Site.clear_site_root_paths_cache()
    from portal.forum.queries import forget_index_url

    forget_index_url()
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    root = site.root_page if site else Page.get_first_root_node()
    if root is None:  # transactional tests flush the tree the migrations created
        from wagtail.models import Locale

        Locale.objects.get_or_create(language_code="en")
        root = Page.add_root(instance=Page(title="Root", slug="root"))
        Site.objects.create(hostname="localhost", root_page=root, is_default_site=True)
    index = ForumIndexPage(title="Forum", slug="forum")
    root.add_child(instance=index)
    index.save_revision().publish()
    managers_only = [roles.MANAGERS, roles.ADMINISTRATORS]
    return {
        "open": add_category(index, "general"),
        "managers": add_category(index, "managers", read=managers_only, post=managers_only),
    }
