"""Forum demo content: the forum index at /forum/, bilingual categories and discussions (some
solved, some linked to customers and competitors, one in a managers-only category)."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from wagtail.models import Page, Site

from portal.accounts import roles
from portal.accounts.models import User
from portal.core import demo_data

from . import actions, references
from .models import ForumCategoryPage, ForumIndexPage

# The forum index, its categories (read and post roles named as in accounts.roles) and the
# discussions: author, tags, a linked customer or competitor, replies and the accepted one.
FORUM = demo_data.load(__file__, "forum")
TOPICS = demo_data.load(__file__, "topics")


def _groups(role_names: list[str]):
    return Group.objects.filter(name__in=[getattr(roles, name) for name in role_names])


def _page_root() -> Page:
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    return site.root_page if site else Page.get_first_root_node()


def seed() -> str:
    if ForumIndexPage.objects.exists():
        return ""
    admin = User.objects.filter(username="admin").first()
    if admin is None:
        return "skipped: no admin user"
    people = {user.username: user for user in User.objects.filter(is_active=True)}

    index = ForumIndexPage(**FORUM["index"])
    _page_root().add_child(instance=index)
    index.save_revision(user=admin).publish(user=admin)

    _editor_permissions(index)

    categories: dict[str, ForumCategoryPage] = {}
    for spec in FORUM["categories"]:
        slug = spec["slug"]
        category = ForumCategoryPage(
            title=spec["title"], slug=slug, description=spec["description"]
        )
        index.add_child(instance=category)
        category.read_groups.set(_groups(spec["read_roles"]))
        category.post_groups.set(_groups(spec["post_roles"]))
        category.save()
        # Publishing relays to sync_category_access, which keys the category page.
        category.save_revision(user=admin).publish(user=admin)
        categories[slug] = category

    links = _demo_links(people)
    created = 0
    for spec in TOPICS:
        author = people.get(spec["author"]) or admin
        link, accepted = spec["link"], spec["accepted_reply"]
        refs = []
        if link and links.get(link):
            kind, obj, owner = links[link]
            refs = [(kind, obj.pk)]
            author = owner or author
        topic = actions.create_topic(
            category=categories[spec["category"]],
            title=spec["title"],
            body=spec["body"],
            tags=spec["tags"],
            refs=refs,
            acting_user=author,
        )
        posts = []
        for answer in spec["replies"]:
            replier = people.get(answer["author"]) or admin
            try:
                posts.append(actions.reply(topic, body=answer["body"], acting_user=replier))
            except PermissionDenied:  # a person who may not see a linked record stays out
                continue
        if accepted is not None and len(posts) >= accepted:
            actions.accept_answer(posts[accepted - 1], acting_user=author)
        created += 1
    return f"{created} topics in {len(categories)} categories"


EDITOR_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")


def _editor_permissions(index: ForumIndexPage) -> None:
    """Knowledge editors arrange the forum's categories in the CMS, like the knowledge base."""
    from django.contrib.auth.models import Permission
    from wagtail.models import GroupPagePermission

    permissions = Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=EDITOR_PAGE_PERMISSIONS
    )
    for group in Group.objects.filter(name__in=[roles.KNOWLEDGE_EDITORS, roles.ADMINISTRATORS]):
        for permission in permissions:
            GroupPagePermission.objects.get_or_create(
                group=group, page=index, permission=permission
            )


def _demo_links(people: dict[str, User]) -> dict[str, tuple[str, object, User | None]]:
    """A competitor page and one of sales1's customers, when their demos made them."""
    links: dict[str, tuple[str, object, User | None]] = {}
    page = references.KINDS["competitor"].base_queryset().order_by("path").first()
    if page is not None:
        links["competitor"] = ("competitor", page, None)
    customer = references.KINDS["customer"]
    if "sales1" in people:
        sales1 = people["sales1"]
        obj = customer.visible_queryset(sales1).order_by("id").first()
        if obj is not None:
            links["customer"] = ("customer", obj, sales1)
    return links
