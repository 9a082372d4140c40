"""Pages: the notification centre, the interest profile, follow buttons, unsubscribe links."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.core.forms import form_errors

from . import actions, queries
from .forms import DeliverySettingsForm, FollowLevelForm, KeywordInterestForm
from .models import Kind, Level
from .templatetags.notifications import follow_context


def _back(request: HttpRequest, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


@login_required
def center(request: HttpRequest) -> HttpResponse:
    unread = request.GET.get("filter") == "unread"
    kind = request.GET.get("kind", "")
    kind = kind if kind in Kind.values else ""
    rows = queries.notifications_of(request.user, unread=unread, kind=kind)
    page = Paginator(rows, 25).get_page(request.GET.get("page"))
    return render(
        request,
        "notifications/center.html",
        {
            "page": page,
            "unread": unread,
            "kind": kind,
            "kinds": Kind.choices,
            "unread_count": queries.unread_count(request.user),
        },
    )


@login_required
@require_POST
def mark_read(request: HttpRequest, seq: int) -> HttpResponse:
    row = queries.access_notification(request.user, seq)
    actions.mark_read([row.seq], acting_user=request.user)
    if request.POST.get("open") and row.url:
        return redirect(row.url)
    return redirect(_back(request, "notifications:center"))


@login_required
def open_notification(request: HttpRequest, seq: int) -> HttpResponse:
    """Follow a notification's link, marking it read on the way (the toast links here)."""
    row = queries.access_notification(request.user, seq)
    actions.mark_read([row.seq], acting_user=request.user)
    return redirect(row.url or "notifications:center")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    kind = request.POST.get("kind", "")
    changed = actions.mark_all_read(
        kind=kind if kind in Kind.values else None, acting_user=request.user
    )
    messages.success(request, _("%(count)s notifications marked read.") % {"count": changed})
    return redirect(_back(request, "notifications:center"))


@login_required
def interests(request: HttpRequest) -> HttpResponse:
    prefs = actions.settings_for(request.user)
    keyword_form = KeywordInterestForm(prefix="kw")
    settings_form = DeliverySettingsForm(prefs=prefs, prefix="pref")
    if request.method == "POST" and "kw-query" in request.POST:
        keyword_form = KeywordInterestForm(request.POST, prefix="kw")
        if keyword_form.is_valid():
            try:
                actions.add_keyword_interest(
                    keyword_form.cleaned_data["query"],
                    level=keyword_form.cleaned_data["level"],
                    acting_user=request.user,
                )
            except ValidationError as exc:
                form_errors(keyword_form, exc)
            else:
                messages.success(
                    request,
                    _("You now follow “%(query)s”.")
                    % {"query": keyword_form.cleaned_data["query"]},
                )
                return redirect("notifications:interests")
    elif request.method == "POST":
        settings_form = DeliverySettingsForm(request.POST, prefs=prefs, prefix="pref")
        if settings_form.is_valid():
            data = settings_form.cleaned_data
            try:
                actions.update_delivery_settings(
                    email_mode=data["email_mode"],
                    quiet_start=data["quiet_start"],
                    quiet_end=data["quiet_end"],
                    channels=settings_form.channels(),
                    acting_user=request.user,
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    settings_form.add_error(
                        field if field in settings_form.fields else None, errors
                    )
            else:
                messages.success(request, _("Your notification settings were saved."))
                return redirect("notifications:interests")
    follows = [
        (
            follow,
            FollowLevelForm(initial={"level": follow.level}, prefix=f"f{follow.pk}", follow=follow),
        )
        for follow in queries.follows_of(request.user)
    ]
    return render(
        request,
        "notifications/interests.html",
        {
            "keyword_form": keyword_form,
            "settings_form": settings_form,
            "keywords": queries.interests_of(request.user),
            "follows": follows,
            "levels": Level.choices,
        },
    )


@login_required
@require_POST
def remove_interest(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        actions.remove_keyword_interest(pk, acting_user=request.user)
    except PermissionDenied as exc:
        raise Http404 from exc
    messages.success(request, _("Keyword removed."))
    return redirect("notifications:interests")


@login_required
@require_POST
def change_follows(request: HttpRequest) -> HttpResponse:
    """The interests page's one form: every follow's level, saved at once; or one removed."""
    follows = list(queries.follows_of(request.user))
    remove = request.POST.get("remove", "")
    if remove:
        follow = next((f for f in follows if str(f.pk) == remove), None)
        if follow is None:
            raise Http404
        actions.remove_follow(follow.pk, acting_user=request.user)
        messages.success(request, _("You no longer follow %(name)s.") % {"name": follow})
        return redirect("notifications:interests")
    changed = 0
    for follow in follows:
        form = FollowLevelForm(request.POST, prefix=f"f{follow.pk}")
        if not form.is_valid() or form.cleaned_data["level"] == follow.level:
            continue
        _set_level(follow, form.cleaned_data["level"], request.user)
        changed += 1
    if changed:
        messages.success(request, _("What you follow was saved."))
    return redirect("notifications:interests")


def _set_level(follow, level, user) -> None:
    actions.set_follow_level(
        target_kind=follow.target_kind,
        target_key=follow.target_key,
        label=follow.label,
        level=level,
        acting_user=user,
    )


@login_required
@require_POST
def change_follow(request: HttpRequest, pk: int) -> HttpResponse:
    follow = queries.follows_of(request.user).filter(pk=pk).first()
    if follow is None:
        raise Http404
    if request.POST.get("remove"):
        actions.remove_follow(follow.pk, acting_user=request.user)
        messages.success(request, _("You no longer follow %(name)s.") % {"name": follow})
        return redirect("notifications:interests")
    form = FollowLevelForm(request.POST, prefix=f"f{follow.pk}")
    if form.is_valid():
        _set_level(follow, form.cleaned_data["level"], request.user)
        messages.success(request, _("Level changed for %(name)s.") % {"name": follow})
    return redirect("notifications:interests")


@login_required
@require_POST
def follow(request: HttpRequest) -> HttpResponse:
    """The `{% follow_button obj %}` form: set my level for one object or tag."""
    form = FollowLevelForm(request.POST)
    if not form.is_valid():
        return HttpResponse(status=400)
    level = form.cleaned_data["level"]
    target = request.POST.get("target", "")
    if target.startswith("tag:"):
        actions.set_follow_level(
            target_kind="tag",
            target_key=target[4:],
            label=target[4:],
            level=level,
            acting_user=request.user,
        )
        obj = target[4:]
    else:
        obj = queries.followable(request.user, target)
        if obj is None:
            raise Http404
        actions.set_follow_level(obj=obj, level=level, acting_user=request.user)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "notifications/includes/follow_button.html",
            follow_context(request.user, obj, request.POST.get("next", "")),
        )
    messages.success(request, _("Your notification level was saved."))
    return redirect(_back(request, "notifications:interests"))


def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """The link in every email: confirm, then stop emails of that kind (no sign-in needed)."""
    done = False
    if request.method == "POST":
        try:
            _user_id, kind = actions.unsubscribe(token)
        except ValidationError:
            return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
        done = True
    else:
        from django.core import signing

        try:
            kind = signing.loads(token, salt=actions.UNSUBSCRIBE_SALT)["k"]
        except (signing.BadSignature, KeyError, TypeError):
            return render(request, "notifications/unsubscribe.html", {"invalid": True}, status=400)
    return render(
        request,
        "notifications/unsubscribe.html",
        {
            "done": done,
            "kind_label": dict(Kind.choices).get(kind, kind),
            "token": token,
        },
    )
