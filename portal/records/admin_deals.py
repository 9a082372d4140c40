"""Admin: administrators configure deal stages (with probabilities) and contact frequencies."""

from django.contrib import admin

from .models import ContactFrequency, DealStage


@admin.register(DealStage)
class DealStageAdmin(admin.ModelAdmin):
    list_display = ["name", "name_zh", "probability", "position", "is_active"]
    list_editable = ["probability", "position", "is_active"]
    ordering = ["position", "pk"]

    def has_delete_permission(self, request, obj=None) -> bool:
        # A stage in use is protected by the database; retire it with "in use" instead.
        if obj is not None and obj.deals.exists():
            return False
        return super().has_delete_permission(request, obj)


@admin.register(ContactFrequency)
class ContactFrequencyAdmin(admin.ModelAdmin):
    list_display = ["level", "max_days"]
    list_editable = ["max_days"]
