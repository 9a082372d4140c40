"""Knowledge pages past their review-by date, for My tasks (the owner's, or every one for the
editors), read through `queries.overdue_pages_for` like the dashboard's review panel."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext as _

from portal.core.tasks import SOURCE_LIMIT, Task, TaskAction, register_source

from . import queries

if TYPE_CHECKING:
    from portal.accounts.models import User


@register_source("knowledge.reviews")
def review_tasks(user: User) -> list[Task]:
    may_edit = user.has_perm("wagtailadmin.access_admin")
    tasks = []
    for page in queries.overdue_pages_for(user, limit=SOURCE_LIMIT):
        actions = [TaskAction(_("Read the page"), page.url or "")]
        if may_edit:
            actions.insert(
                0,
                TaskAction(
                    _("Review and edit"), reverse("wagtailadmin_pages:edit", args=[page.pk])
                ),
            )
        tasks.append(
            Task(
                kind="knowledge.review",
                title=_("Review “%(title)s”") % {"title": page.title},
                detail=_("Its review-by date has passed."),
                url=page.url or "",
                due=page.review_by,
                actions=tuple(actions),
                object_id=page.pk,
            )
        )
    return tasks
