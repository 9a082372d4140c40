"""Profile pages and the language switcher."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from . import actions
from .forms import ProfileForm


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        actions.update_profile(
            request.user,
            acting_user=request.user,
            **{name: form.cleaned_data[name] for name in form.changed_data},
        )
        messages.success(request, _("Your profile was saved."))
        return redirect("accounts:profile")
    # Other apps add sections about the person (the calendar feed, say) through core's
    # related-panel registry, as on a record's page.
    return render(request, "accounts/profile.html", {"form": form, "person": request.user})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's set_language, remembered on the profile of a signed-in person."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    if request.user.is_authenticated and language in {"en", "zh-hans"}:
        actions.set_language(language, acting_user=request.user)
    return response


@login_required
def role_matrix(request: HttpRequest) -> HttpResponse:
    """Administrators see and edit which role holds which module permission."""
    from django.contrib.auth.models import Group
    from django.core.exceptions import PermissionDenied

    from .modules import MODULES, VERBS, codename
    from .roles import ROLE_LABELS

    if not actions._may_administer_people(request.user):
        raise PermissionDenied
    groups = list(Group.objects.order_by("name").prefetch_related("permissions"))
    if request.method == "POST":
        for group in groups:
            granted = {
                (module, verb)
                for module in MODULES
                for verb in VERBS
                if request.POST.get(f"{group.pk}:{codename(module, verb)}")
            }
            actions.set_role_permissions(group, granted=granted, acting_user=request.user)
        messages.success(request, _("Role permissions were saved."))
        return redirect("accounts:roles")
    held = {group.pk: {perm.codename for perm in group.permissions.all()} for group in groups}
    rows = [
        {
            "module": label,
            "verbs": [
                {
                    "label": verb_label,
                    "cells": [
                        {
                            "name": f"{group.pk}:{codename(module, verb)}",
                            "checked": codename(module, verb) in held[group.pk],
                        }
                        for group in groups
                    ],
                }
                for verb, verb_label in VERBS.items()
            ],
        }
        for module, label in MODULES.items()
    ]
    columns = [ROLE_LABELS.get(group.name, group.name) for group in groups]
    return render(request, "accounts/role_matrix.html", {"rows": rows, "columns": columns})
