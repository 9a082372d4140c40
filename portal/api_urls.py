"""The v1 REST API: each app registers its viewsets and may add plain routes."""

from importlib import import_module

from django.urls import include, path
from rest_framework.routers import DefaultRouter

API_APPS = ["accounts", "records", "knowledge", "forum", "search", "notifications"]

router = DefaultRouter()
extra_patterns = []
for app in API_APPS:
    module = import_module(f"portal.{app}.api")
    module.register(router)
    extra_patterns += getattr(module, "urlpatterns", [])

urlpatterns = [*extra_patterns, path("", include(router.urls))]
