"""The way back from a knowledge page opened as an onboarding step to the reader's path."""

from django import template
from django.urls import reverse

register = template.Library()


@register.inclusion_tag("knowledge/includes/onboarding_return.html", takes_context=True)
def onboarding_return(context) -> dict:
    """Shown when the page was opened from one of the reader's own onboarding paths
    (`?onboarding=<assignment id>`); nothing for anyone else's id."""
    from ..models import OnboardingAssignment

    request = context.get("request")
    raw = request.GET.get("onboarding", "") if request else ""
    if not raw.isdigit() or not request.user.is_authenticated:
        return {}
    assignment = (
        OnboardingAssignment.objects.filter(pk=int(raw), user=request.user)
        .select_related("path")
        .first()
    )
    if assignment is None:
        return {}
    return {
        "path_title": assignment.path.title,
        "path_url": reverse("knowledge:onboarding_detail", args=[assignment.pk]),
    }
