"""Forum tools under /forum-tools/ (the topic pages themselves are served by the Wagtail pages)."""

from django.urls import path

from . import views

app_name = "forum"

urlpatterns = [
    path("", views.home, name="home"),
    path("preview/", views.preview, name="preview"),
    path("similar/", views.similar, name="similar"),
    path("records/", views.record_options, name="record_options"),
    path("queue/", views.queue, name="queue"),
    path("reports/<int:report_id>/resolve/", views.resolve_report, name="resolve_report"),
    path("posts/<int:post_id>/edit/", views.edit_post, name="edit_post"),
    path("posts/<int:post_id>/history/", views.post_history, name="post_history"),
    path("posts/<int:post_id>/<str:verb>/", views.post_action, name="post_action"),
    path("topics/<int:topic_id>/history/", views.topic_history, name="topic_history"),
    path("topics/<int:topic_id>/<str:verb>/", views.topic_action, name="topic_action"),
    path("attachments/<int:attachment_id>/", views.attachment, name="attachment"),
]
