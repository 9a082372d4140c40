from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
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
        # deals and cases through accounts.person_moved), not a bare field save.
        moved = change and "department" in form.changed_data
        if moved:
            new_department = obj.department
            obj.department_id = form.initial.get("department")
        super().save_model(request, obj, form, change)
        if moved:
            actions.move_person(obj, department=new_department, acting_user=request.user)
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
