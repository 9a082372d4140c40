"""Template context every page's shell needs."""

from django.conf import settings
from django.http import HttpRequest


def shell(request: HttpRequest) -> dict:
    return {
        "SITE_NAME": settings.WAGTAIL_SITE_NAME,
        "LANGUAGES": settings.LANGUAGES,
    }
