"""Onboarding paths: assignment, steps with check questions, and managers' view."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from portal.knowledge import actions, queries
from portal.knowledge.models import (
    OnboardingAssignment,
    OnboardingPath,
    OnboardingStep,
    StepProgress,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def path(kb):
    path = OnboardingPath.objects.create(title="Sales week 1")
    OnboardingStep.objects.create(path=path, sort_order=0, title="Read S1", page=kb["s1"])
    OnboardingStep.objects.create(
        path=path,
        sort_order=1,
        title="Warranty",
        page=kb["qa"],
        check_question="How many years?",
        check_choices="1\n2\n3",
        check_answer="3",
    )
    OnboardingStep.objects.create(path=path, sort_order=2, title="Say hello", url="/forum/")
    return path


def test_editor_assigns_and_newhire_completes_the_path(path, people, events):
    newhire = people["newhire"]
    assignment = actions.assign_onboarding_path(path.pk, newhire.pk, acting_user=people["editor"])
    first, check, last = path.steps.order_by("sort_order")
    actions.complete_onboarding_step(assignment.pk, first.pk, acting_user=newhire)
    # a wrong answer to the check question is refused and records nothing
    with pytest.raises(ValidationError):
        actions.complete_onboarding_step(assignment.pk, check.pk, acting_user=newhire, answer="2")
    assert not StepProgress.objects.filter(assignment=assignment, step=check).exists()
    actions.complete_onboarding_step(assignment.pk, check.pk, acting_user=newhire, answer=" 3 ")
    actions.complete_onboarding_step(assignment.pk, last.pk, acting_user=newhire)
    assignment.refresh_from_db()
    assert assignment.completed_at is not None
    assert events.named("knowledge.step_done")[-1]["path_completed"] is True
    assert queries.my_assignments(newhire)[0]["percent"] == 100


def test_sales_cannot_assign_and_nothing_changes(path, people):
    with pytest.raises(PermissionDenied):
        actions.assign_onboarding_path(path.pk, people["newhire"].pk, acting_user=people["sales1"])
    assert not OnboardingAssignment.objects.exists()


def test_manager_assigns_only_inside_their_departments(path, people, make_user):
    outsider = make_user("marketer", None, "marketing")
    with pytest.raises(PermissionDenied):
        actions.assign_onboarding_path(path.pk, outsider.pk, acting_user=people["manager"])
    assert not OnboardingAssignment.objects.exists()
    actions.assign_onboarding_path(path.pk, people["newhire"].pk, acting_user=people["manager"])
    assert OnboardingAssignment.objects.filter(user=people["newhire"]).exists()


def test_someone_else_cannot_tick_a_newhires_step(path, people):
    assignment = actions.assign_onboarding_path(
        path.pk, people["newhire"].pk, acting_user=people["editor"]
    )
    step = path.steps.first()
    with pytest.raises(PermissionDenied):
        actions.complete_onboarding_step(assignment.pk, step.pk, acting_user=people["sales1"])
    assert not StepProgress.objects.exists()


def test_manager_sees_progress_colleagues_do_not(path, people, client_for):
    newhire = people["newhire"]
    assignment = actions.assign_onboarding_path(path.pk, newhire.pk, acting_user=people["editor"])
    actions.complete_onboarding_step(assignment.pk, path.steps.first().pk, acting_user=newhire)
    detail = reverse("knowledge:onboarding_detail", args=[assignment.pk])
    # the Sales manager (newhire is in Sales East, below Sales) sees 1 of 3
    client = client_for(people["manager"])
    team = client.get(reverse("knowledge:onboarding_team"))
    assert team.status_code == 200
    assert "Newhire" in team.content.decode() and "1 of 3 steps (33%)" in team.content.decode()
    assert client.get(detail).status_code == 200
    # a colleague in another team does not
    assert client_for(people["sales2"]).get(detail).status_code == 404


def test_newhire_marks_a_step_done_in_the_page(path, people, client_for):
    newhire = people["newhire"]
    assignment = actions.assign_onboarding_path(path.pk, newhire.pk, acting_user=people["editor"])
    check = path.steps.get(sort_order=1)
    client = client_for(newhire)
    url = reverse("knowledge:step_done", args=[assignment.pk, check.pk])
    wrong = client.post(url, {"answer": "1"}, follow=True)
    assert "That is not the expected answer" in wrong.content.decode()
    client.post(url, {"answer": "3"})
    assert StepProgress.objects.filter(assignment=assignment, step=check, answer="3").exists()
