"""URLs of the knowledge tools, mounted at /knowledge-tools/."""

from django.urls import path

from . import views

app_name = "knowledge"

urlpatterns = [
    path("", views.home, name="home"),
    path("onboarding/", views.onboarding, name="onboarding"),
    path("onboarding/team/", views.onboarding_team, name="onboarding_team"),
    path("onboarding/assign/", views.onboarding_assign, name="onboarding_assign"),
    path("onboarding/<int:assignment_id>/", views.onboarding_detail, name="onboarding_detail"),
    path(
        "onboarding/<int:assignment_id>/steps/<int:step_id>/done/",
        views.step_done,
        name="step_done",
    ),
    path("reviews/", views.reviews, name="reviews"),
]
