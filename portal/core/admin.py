from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import AuditEntry, BackgroundJob, NumberingRule, NumberSequence


@admin.register(NumberingRule)
class NumberingRuleAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "pattern", "reset"]
    search_fields = ["key", "name"]


@admin.register(NumberSequence)
class NumberSequenceAdmin(admin.ModelAdmin):
    list_display = ["rule", "period", "last_value"]
    list_filter = ["rule"]
    readonly_fields = ["rule", "period", "last_value"]

    def has_add_permission(self, request) -> bool:
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows only their actions write: the admin lists and shows them, never adds, edits or
    deletes."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "actor", "action", "content_type", "object_repr"]
    list_filter = ["action", "content_type"]
    search_fields = ["object_repr", "message"]
    list_select_related = ["actor", "content_type"]
    readonly_fields = [f.name for f in AuditEntry._meta.fields]


@admin.register(BackgroundJob)
class BackgroundJobAdmin(ReadOnlyAdmin):
    """What the worker is doing in chunks (re-keying a moved rep's records), and how far it
    got (ADR 0142)."""

    list_display = ["kind", "key", "progress", "requested_by", "created_at", "finished_at"]
    list_filter = ["kind", ("finished_at", admin.EmptyFieldListFilter)]
    readonly_fields = [*list_display, "total", "done", "error"]
    fields = readonly_fields

    @admin.display(description=_("progress"))
    def progress(self, job: BackgroundJob) -> str:
        return f"{job.done} / {job.total} ({job.percent} %)"
