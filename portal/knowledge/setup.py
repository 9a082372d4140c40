"""Editorial setup that must exist in every installation: Wagtail admin access for editors and
administrators, the "Knowledge review" workflow, and page permissions on the knowledge home.
Run after every migrate (idempotent) and whenever a knowledge home is published."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from portal.accounts import roles

WORKFLOW_NAME = "Knowledge review"
TASK_NAME = "Review by a knowledge editor"
EDITOR_ROLES = (roles.KNOWLEDGE_EDITORS, roles.ADMINISTRATORS)
PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page", "lock_page", "unlock_page")
MODEL_PERMISSIONS = (
    ("wagtailadmin", "access_admin"),
    ("wagtaildocs", "add_document"),
    ("wagtaildocs", "change_document"),
    ("wagtaildocs", "choose_document"),
    ("wagtailimages", "add_image"),
    ("wagtailimages", "change_image"),
    ("wagtailimages", "choose_image"),
    ("knowledge", "add_qacategory"),
    ("knowledge", "change_qacategory"),
    ("knowledge", "delete_qacategory"),
    ("knowledge", "add_onboardingpath"),
    ("knowledge", "change_onboardingpath"),
    ("knowledge", "delete_onboardingpath"),
)


def editor_groups() -> list[Group]:
    return list(Group.objects.filter(name__in=EDITOR_ROLES))


def ensure_editorial_setup() -> None:
    from wagtail.models import Collection, GroupCollectionPermission

    from .models import KnowledgeHome

    groups = editor_groups()
    if not groups:
        return
    with transaction.atomic():
        permissions = [
            perm
            for app_label, codename in MODEL_PERMISSIONS
            if (
                perm := Permission.objects.filter(
                    content_type__app_label=app_label, codename=codename
                ).first()
            )
        ]
        root_collection = Collection.get_first_root_node()
        for group in groups:
            group.permissions.add(*permissions)
            if root_collection:
                for perm in permissions:
                    if perm.content_type.app_label in {"wagtaildocs", "wagtailimages"}:
                        GroupCollectionPermission.objects.get_or_create(
                            group=group, collection=root_collection, permission=perm
                        )
        ensure_workflow()
        for home in KnowledgeHome.objects.all():
            ensure_home_permissions(home)


def ensure_site_name() -> None:
    """The default site is called what the configuration calls the portal (WAGTAIL_SITE_NAME),
    not by its host name ("localhost") — unless an editor has named it."""
    from django.conf import settings
    from wagtail.models import Site

    Site.objects.filter(is_default_site=True, site_name="").update(
        site_name=settings.WAGTAIL_SITE_NAME
    )
    Site.objects.filter(is_default_site=True, site_name__isnull=True).update(
        site_name=settings.WAGTAIL_SITE_NAME
    )


def ensure_workflow():
    from wagtail.models import GroupApprovalTask, Workflow, WorkflowTask

    editors = Group.objects.filter(name=roles.KNOWLEDGE_EDITORS).first()
    if editors is None:
        return None
    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    task = GroupApprovalTask.objects.filter(name=TASK_NAME).first()
    if task is None:
        task = GroupApprovalTask.objects.create(name=TASK_NAME)
        task.groups.set([editors])
    if not WorkflowTask.objects.filter(workflow=workflow, task=task).exists():
        WorkflowTask.objects.create(workflow=workflow, task=task, sort_order=0)
    return workflow


def ensure_home_permissions(home) -> None:
    """Editors and administrators may edit, publish and (un)lock the knowledge subtree, and
    every change in it goes through the review workflow."""
    from wagtail.models import GroupPagePermission, WorkflowPage

    for group in editor_groups():
        for codename in PAGE_PERMISSIONS:
            permission = Permission.objects.filter(
                content_type__app_label="wagtailcore", codename=codename
            ).first()
            if permission:
                GroupPagePermission.objects.get_or_create(
                    group=group, page_id=home.pk, permission=permission
                )
    workflow = ensure_workflow()
    if workflow and not WorkflowPage.objects.filter(page_id=home.pk).exists():
        WorkflowPage.objects.create(page_id=home.pk, workflow=workflow)


def ensure_after_migrate(app_config, using="default", **kwargs) -> None:
    from django.contrib.auth.management import create_permissions

    # Our permissions and the roles must exist whatever order the post_migrate receivers run.
    for label in ("wagtailadmin", "wagtaildocs", "wagtailimages", "wagtailcore", "knowledge"):
        try:
            from django.apps import apps

            create_permissions(apps.get_app_config(label), verbosity=0, using=using)
        except LookupError:
            continue
    roles.ensure_roles()
    ensure_editorial_setup()
    ensure_site_name()
