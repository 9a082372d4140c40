"""Pages of the knowledge tools (/knowledge-tools/): the entry point, onboarding, reviews.
The knowledge pages themselves are Wagtail pages served under /knowledge/."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from portal.core.forms import form_errors

from . import actions, queries
from .forms import AssignPathForm
from .models import KnowledgeHome, OnboardingAssignment
from .permissions import assignments_visible_to, can_assign_paths, is_knowledge_editor


@login_required
def home(request: HttpRequest) -> HttpResponse:
    knowledge_home = KnowledgeHome.objects.live().first()
    if knowledge_home is not None and knowledge_home.url:
        return redirect(knowledge_home.url)
    return render(request, "knowledge/empty_home.html", status=200)


@login_required
def onboarding(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "knowledge/onboarding_list.html",
        {
            "rows": queries.my_assignments(request.user),
            "can_assign": can_assign_paths(request.user),
        },
    )


@login_required
def onboarding_detail(request: HttpRequest, assignment_id: int) -> HttpResponse:
    queryset = OnboardingAssignment.objects.select_related("path", "user")
    assignment = assignments_visible_to(request.user, queryset).filter(pk=assignment_id).first()
    if assignment is None and request.user.pk:
        assignment = queryset.filter(pk=assignment_id, user=request.user).first()
    if assignment is None:
        raise Http404
    steps = queries.steps_with_progress(assignment)
    done = sum(1 for row in steps if row["progress"])
    return render(
        request,
        "knowledge/onboarding_detail.html",
        {
            "assignment": assignment,
            "steps": steps,
            "done": done,
            "total": len(steps),
            "percent": round(100 * done / len(steps)) if steps else 0,
            "is_mine": assignment.user_id == request.user.pk,
        },
    )


@login_required
@require_POST
def step_done(request: HttpRequest, assignment_id: int, step_id: int) -> HttpResponse:
    try:
        if request.POST.get("undo"):
            actions.reopen_onboarding_step(assignment_id, step_id, acting_user=request.user)
        else:
            actions.complete_onboarding_step(
                assignment_id,
                step_id,
                acting_user=request.user,
                answer=request.POST.get("answer", ""),
            )
    except PermissionDenied as exc:
        raise Http404 from exc
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect(f"{_detail_url(assignment_id)}#step-{step_id}")


def _detail_url(assignment_id: int) -> str:
    from django.urls import reverse

    return reverse("knowledge:onboarding_detail", args=[assignment_id])


@login_required
def onboarding_team(request: HttpRequest) -> HttpResponse:
    if not can_assign_paths(request.user):
        raise Http404
    return render(
        request, "knowledge/onboarding_team.html", {"rows": queries.team_assignments(request.user)}
    )


@login_required
def onboarding_assign(request: HttpRequest) -> HttpResponse:
    if not can_assign_paths(request.user):
        raise Http404
    form = AssignPathForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            assignment = actions.assign_onboarding_path(
                form.cleaned_data["path"].pk,
                form.cleaned_data["user"].pk,
                acting_user=request.user,
                due_on=form.cleaned_data["due_on"],
            )
        except PermissionDenied as exc:
            form.add_error("user", str(exc))
        except ValidationError as exc:
            form_errors(form, exc)
        else:
            messages.success(
                request,
                _("%(path)s was assigned to %(name)s.")
                % {"path": assignment.path, "name": assignment.user},
            )
            return redirect("knowledge:onboarding_team")
    return render(request, "knowledge/onboarding_assign.html", {"form": form})


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    pages = queries.overdue_pages_for(request.user, limit=200)
    return render(
        request,
        "knowledge/reviews.html",
        {"pages": pages, "is_editor": is_knowledge_editor(request.user)},
    )
