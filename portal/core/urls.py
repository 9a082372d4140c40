from django.urls import path

from . import task_views, views

app_name = "core"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("tasks/", task_views.task_list, name="tasks"),
    path("tasks/count/", task_views.task_count_json, name="task_count"),
]
