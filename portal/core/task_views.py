"""My tasks: the page, the navigation count, the dashboard panel and `GET /api/v1/tasks/`."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated

from .api import StandardPagination
from .dashboard import Panel, register_panel
from .tasks import task_count, tasks_for

PAGE_SIZE = 25
PANEL_SIZE = 6


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    page = Paginator(tasks_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "core/tasks.html", {"page": page, "tasks": page.object_list})


@login_required
def task_count_json(request: HttpRequest) -> JsonResponse:
    """The navigation badge reads this after the page has loaded, so no other page pays for
    counting tasks while it renders."""
    return JsonResponse({"count": task_count(request.user)})


@register_panel
def my_tasks_panel(request: HttpRequest) -> Panel | None:
    if not request.user.is_authenticated:
        return None
    tasks = tasks_for(request.user)
    return Panel(
        "core/includes/panel_tasks.html",
        {"tasks": tasks[:PANEL_SIZE], "total": len(tasks), "more": len(tasks) > PANEL_SIZE},
        order=1,
    )


class TaskActionSerializer(serializers.Serializer):
    label = serializers.CharField()
    url = serializers.CharField()
    method = serializers.ChoiceField(choices=["get", "post"])


class TaskSerializer(serializers.Serializer):
    kind = serializers.CharField(help_text="<domain>.<what>, e.g. service.pre_approval")
    title = serializers.CharField()
    detail = serializers.CharField()
    url = serializers.CharField(help_text="The record the task is about.")
    due = serializers.DateField(allow_null=True)
    overdue = serializers.BooleanField()
    object_id = serializers.IntegerField(allow_null=True)
    actions = TaskActionSerializer(many=True)


class TaskListView(GenericAPIView):
    """Everything that waits on the caller, most urgent first: approvals, complaint steps,
    urges, activities and reminders due, payments due, contracts ending, reviews due."""

    permission_classes = [IsAuthenticated]
    pagination_class = StandardPagination
    serializer_class = TaskSerializer

    @extend_schema(
        operation_id="tasks_list",
        responses={200: TaskSerializer(many=True)},
        tags=["tasks"],
    )
    def get(self, request):
        page = self.paginate_queryset(tasks_for(request.user))
        return self.get_paginated_response(TaskSerializer(page, many=True).data)
