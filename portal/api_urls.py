"""The v1 REST API: each app registers its viewsets and may add plain routes."""

from importlib import import_module

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from portal.core.task_views import TaskListView

API_APPS = ["accounts", "records", "knowledge", "forum", "search", "notifications"]

router = DefaultRouter()
# My tasks gathers every app's sources (portal.core.tasks): a plain route of its own.
extra_patterns = [path("tasks/", TaskListView.as_view(), name="api-tasks")]
for app in API_APPS:
    module = import_module(f"portal.{app}.api")
    module.register(router)
    extra_patterns += getattr(module, "urlpatterns", [])

urlpatterns = [*extra_patterns, path("", include(router.urls))]
