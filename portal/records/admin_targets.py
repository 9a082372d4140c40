"""Admin screens for sales targets and commission rules (configuration, not records)."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import CommissionRule, CommissionTier, SalesTarget


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
