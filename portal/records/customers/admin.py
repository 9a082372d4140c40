"""Admin: administrators manage customer categories; customers are changed through the pages."""

from django.contrib import admin

from portal.records.customers.models import CustomerCategory


@admin.register(CustomerCategory)
class CustomerCategoryAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "name_zh", "position"]
    list_editable = ["position"]
