"""Notification pages under /notifications/."""

from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.center, name="center"),
    path("read-all/", views.mark_all_read, name="mark_all_read"),
    path("<int:seq>/read/", views.mark_read, name="mark_read"),
    path("<int:seq>/open/", views.open_notification, name="open"),
    path("interests/", views.interests, name="interests"),
    path("interests/<int:pk>/remove/", views.remove_interest, name="remove_interest"),
    path("follows/", views.change_follows, name="change_follows"),
    path("follows/<int:pk>/", views.change_follow, name="change_follow"),
    path("follow/", views.follow, name="follow"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
