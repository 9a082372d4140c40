"""Admin: administrators manage customer categories; customers are changed through the pages."""

from django.contrib import admin

from . import (
    admin_deals,  # noqa: F401 (deal stages and contact frequencies)
    admin_service,  # noqa: F401 (service categories, read-only cases)
    admin_targets,  # noqa: F401 (sales targets and commission rules)
)
from .models import CustomerCategory


@admin.register(CustomerCategory)
class CustomerCategoryAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "name_zh", "position"]
    list_editable = ["position"]
