from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from portal.core import audit

from . import actions
from .models import Department, User


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["indented_name", "manager", "parent"]
    list_select_related = ["manager", "parent"]
    search_fields = ["name"]
    autocomplete_fields = ["manager", "parent"]

    @admin.display(description=_("name"), ordering="path")
    def indented_name(self, obj: Department) -> str:
        return "— " * obj.depth + obj.name

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        audit.record(
            request.user,
            "department.changed" if change else "department.created",
            obj,
            changes={name: str(form.cleaned_data.get(name)) for name in form.changed_data},
        )


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    def save_related(self, request, form, formsets, change):
        # Roles are the set_person_roles action (audited, published), not a bare m2m save.
        wanted = list(form.cleaned_data.get("groups") or [])
        if change and "groups" in form.changed_data:
            form.cleaned_data["groups"] = list(form.instance.groups.all())
        super().save_related(request, form, formsets, change)
        if change and "groups" in form.changed_data:
            actions.set_person_roles(form.instance, groups=wanted, acting_user=request.user)

    def _say_work_left(self, request, person) -> None:
        left, url_name = actions.work_left(person)
        if left:
            messages.warning(
                request,
                format_html(
                    gettext(
                        '{person} still holds {count} open records. <a href="{url}">Hand them '
                        "over</a>."
                    ),
                    person=person,
                    count=left,
                    url=reverse(url_name),
                ),
            )

    list_display = ["username", "display_name", "department", "title", "is_active", "is_staff"]
    list_filter = ["is_active", "is_staff", "groups", "department"]
    list_select_related = ["department"]
    search_fields = ["username", "display_name", "email", "phone"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (
            _("Organisation"),
            {"fields": ("display_name", "department", "title", "phone", "language")},
        ),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "password1",
                    "password2",
                    "display_name",
                    "email",
                    "department",
                    "title",
                    "phone",
                    "groups",
                ),
            },
        ),
    )

    def save_model(self, request, obj, form, change):
        # A department change is the move_person action (it re-keys the person's customers,
        # deals and cases through accounts.person_moved), deactivating a leaver is
        # deactivate_person (their sockets are closed) — not bare field saves.
        moved = change and "department" in form.changed_data
        if moved:
            new_department = obj.department
            obj.department_id = form.initial.get("department")
        active_changed = change and "is_active" in form.changed_data
        if active_changed:
            now_active, obj.is_active = obj.is_active, not obj.is_active
        super().save_model(request, obj, form, change)
        if moved:
            actions.move_person(obj, department=new_department, acting_user=request.user)
            messages.info(
                request,
                format_html(
                    gettext(
                        "{person}'s customers, deals and cases follow them to the new "
                        "department's managers. Many records are moved by the background "
                        'worker: <a href="{url}">see its progress</a>.'
                    ),
                    person=obj,
                    url=reverse("admin:core_backgroundjob_changelist"),
                ),
            )
        if active_changed:
            if now_active:
                actions.reactivate_person(obj, acting_user=request.user)
            else:
                try:
                    actions.deactivate_person(obj, acting_user=request.user)
                except ValidationError as exc:  # oneself: kept active, and told why
                    messages.error(request, " ".join(exc.messages))
                else:
                    self._say_work_left(request, obj)
        audit.record(
            request.user,
            "person.changed" if change else "person.registered",
            obj,
            changes={
                name: str(form.cleaned_data.get(name))
                for name in form.changed_data
                if "password" not in name
            },
        )
