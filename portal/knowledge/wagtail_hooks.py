"""Wagtail hooks: guarded document downloads and the editors' snippets."""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from wagtail import hooks
from wagtail.snippets.models import register_snippet

from .models import OnboardingPath, QACategory
from .permissions import can_download

register_snippet(QACategory)
register_snippet(OnboardingPath)


@hooks.register("before_serve_document")
def guard_document(document, request):
    """Files of restricted standard documents answer 404 to outsiders, before a byte is read;
    anonymous visitors are sent to sign in."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not can_download(request.user, document):
        raise Http404
    return None
