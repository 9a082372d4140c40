"""Admin screens of customer service: categories are configuration; cases are read-only here
(their steps go through the workflow pages so that every step is checked and recorded)."""

from django.contrib import admin

from portal.core.admin import ReadOnlyAdmin
from portal.records.service.models import (
    ServiceCase,
    ServiceCaseStep,
    ServiceCategory,
    ServiceRecord,
    SupportQuestion,
)


@admin.register(ServiceCategory)
class ServiceCategoryAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "name_zh", "approval_for_severe", "position"]
    list_editable = ["approval_for_severe", "position"]


class StepInline(admin.TabularInline):
    model = ServiceCaseStep
    extra = 0
    fields = ["kind", "actor", "at", "from_status", "to_status", "note", "was_overdue"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ServiceCase)
class ServiceCaseAdmin(ReadOnlyAdmin):
    list_display = ["number", "title", "customer_name", "category", "severity", "status"]
    list_filter = ["status", "severity", "category", "channel"]
    search_fields = ["number", "title", "customer_name"]
    list_select_related = ["category"]
    inlines = [StepInline]


@admin.register(SupportQuestion)
class SupportQuestionAdmin(ReadOnlyAdmin):
    list_display = ["question", "customer", "status", "answered_by", "qa_entry"]
    list_filter = ["status"]
    list_select_related = ["customer", "answered_by", "qa_entry"]


@admin.register(ServiceRecord)
class ServiceRecordAdmin(ReadOnlyAdmin):
    list_display = ["served_at", "kind", "customer", "engineer", "satisfaction"]
    list_filter = ["kind", "satisfaction"]
    list_select_related = ["customer", "engineer"]
