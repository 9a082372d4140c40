"""Admin: administrators manage customer categories and the protection rules; customers are
changed through the pages."""

from django.contrib import admin

from portal.records.customers.models import CustomerCategory, ProtectionRules


@admin.register(CustomerCategory)
class CustomerCategoryAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "name_zh", "position"]
    list_editable = ["position"]


@admin.register(ProtectionRules)
class ProtectionRulesAdmin(admin.ModelAdmin):
    """One row: the list opens it, it cannot be added twice or deleted."""

    list_display = ["__str__", "enabled", "protection_days", "warning_days", "claim_limit"]

    def has_add_permission(self, request) -> bool:
        return not ProtectionRules.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
