"""Sign-in throttling with django-axes (ADR 0800): the username it counts failures against,
and token authentication counted and locked like a password sign-in."""

from __future__ import annotations

from axes.handlers.proxy import AxesProxyHandler
from django.contrib.auth.signals import user_login_failed
from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication, get_authorization_header

#: Failures of token authentication are recorded under this name, so that they lock the
#: address (not an account) and show as such to administrators.
LOCKED_MESSAGE = gettext_noop("Too many failed sign-ins from this address; try again later.")
TOKEN_USERNAME = "(api token)"  # noqa: S105 - a label, not a secret


def attempted_username(request, credentials: dict | None) -> str:
    """The username a sign-in attempt counts against: as typed, case-folded (Alice and alice
    are one account's failures), without NUL characters the database refuses, and no longer
    than a username may be."""
    source = credentials if credentials else getattr(request, "POST", {})
    raw = source.get("username") or ""
    return str(raw).replace("\x00", "").strip().casefold()[:150]


def lockout_response(request, original_response=None, credentials=None) -> HttpResponse:
    """What a locked-out sign-in gets (429): JSON under /api/, the translated page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": _(LOCKED_MESSAGE)}, status=429)
    return render(request, "registration/locked_out.html", status=429)


class ThrottledTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refused with 429 while the address is locked, and each
    wrong token counted as a failed sign-in of that address."""

    def authenticate(self, request):
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() != self.keyword.lower().encode():
            return None
        django_request = request._request
        credentials = {"username": TOKEN_USERNAME}
        if AxesProxyHandler.is_locked(django_request, credentials):
            raise exceptions.Throttled(detail=_(LOCKED_MESSAGE))
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            user_login_failed.send(
                sender=type(self), credentials=credentials, request=django_request
            )
            raise
