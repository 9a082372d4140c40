"""Admin: administrators configure deal stages (with probabilities), contact frequencies, sales
targets and commission rules."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from portal.records.deals.models import (
    CommissionRule,
    CommissionTier,
    ContactFrequency,
    DealStage,
    SalesTarget,
)


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


@admin.register(SalesTarget)
class SalesTargetAdmin(admin.ModelAdmin):
    list_display = ["__str__", "rep", "department", "period_kind", "period_start", "amount"]
    list_filter = ["period_kind", "department"]
    date_hierarchy = "period_start"
    autocomplete_fields = ["rep"]
    search_fields = ["rep__username", "rep__display_name", "department__name"]


class CommissionTierInline(admin.TabularInline):
    model = CommissionTier
    extra = 1


@admin.register(CommissionRule)
class CommissionRuleAdmin(admin.ModelAdmin):
    list_display = ["name", "product_line", "basis", "rate", "bands", "active"]
    list_filter = ["basis", "active"]
    inlines = [CommissionTierInline]

    @admin.display(description=_("bands"))
    def bands(self, rule: CommissionRule) -> str:
        return " · ".join(str(tier) for tier in rule.tiers.all()) or "—"

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related("tiers")
