"""Admin: administrators manage customer categories, the fax gateway and the protection
rules; customers are changed through the pages."""

from django.contrib import admin

from portal.records.customers.actions import set_fax_gateway
from portal.records.customers.models import CustomerCategory, FaxGateway, ProtectionRules


@admin.register(CustomerCategory)
class CustomerCategoryAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "name_zh", "position"]
    list_editable = ["position"]


@admin.register(FaxGateway)
class FaxGatewayAdmin(admin.ModelAdmin):
    """One row: the gateway domain. Saving goes through the action (checked, audited)."""

    list_display = ["domain", "updated_at", "updated_by"]
    fields = ["domain"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not FaxGateway.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False  # clearing the domain switches faxing off, and is audited

    def save_model(self, request, obj, form, change):
        saved = set_fax_gateway(form.cleaned_data["domain"], acting_user=request.user)
        obj.pk = saved.pk


@admin.register(ProtectionRules)
class ProtectionRulesAdmin(admin.ModelAdmin):
    """One row: the list opens it, it cannot be added twice or deleted."""

    list_display = ["__str__", "enabled", "protection_days", "warning_days", "claim_limit"]

    def has_add_permission(self, request) -> bool:
        return not ProtectionRules.objects.exists() and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
