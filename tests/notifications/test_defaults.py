"""Sensible defaults for new people: administrators' default follows, and the pages of the
onboarding path a new hire is given."""

from portal.core.models import AuditEntry
from portal.core.testing import capture_events
from portal.knowledge import actions as knowledge
from portal.knowledge.models import OnboardingPath, OnboardingStep
from portal.notifications import actions
from portal.notifications.models import CategoryDefault, Follow, Level


def test_an_onboarding_path_makes_the_new_hire_watch_its_pages(people, forum):
    newhire = people["newhire"]
    path = OnboardingPath.objects.create(title="Week 1")
    OnboardingStep.objects.create(path=path, sort_order=0, title="Read", page=forum["open"])
    # a step whose page the new hire may not open is skipped, a plain link makes no follow
    OnboardingStep.objects.create(path=path, sort_order=1, title="Hidden", page=forum["managers"])
    OnboardingStep.objects.create(path=path, sort_order=2, title="Say hello", url="/forum/")
    with capture_events():
        knowledge.assign_onboarding_path(path.pk, newhire.pk, acting_user=people["editor"])
    follows = list(Follow.objects.filter(user=newhire).values_list("target_key", "level"))
    assert follows == [(str(forum["open"].pk), Level.WATCHING)]
    assert AuditEntry.objects.filter(action="notifications.onboarding_follows").count() == 1


def test_an_own_choice_is_kept_when_a_path_is_assigned(people, forum):
    newhire = people["newhire"]
    actions.set_follow_level(obj=forum["open"], level=Level.MUTED, acting_user=newhire)
    path = OnboardingPath.objects.create(title="Week 1")
    OnboardingStep.objects.create(path=path, sort_order=0, title="Read", page=forum["open"])
    with capture_events():
        knowledge.assign_onboarding_path(path.pk, newhire.pk, acting_user=people["editor"])
    assert Follow.objects.get(user=newhire).level == Level.MUTED


def test_administrators_defaults_reach_new_people_of_the_department(people, forum):
    newhire = people["newhire"]
    CategoryDefault.objects.create(
        target_kind="wagtailcore.page",
        target_key=str(forum["open"].pk),
        label="General",
        level=Level.WATCHING_FIRST_POST,
    )
    assert actions.apply_default_follows(newhire) == 1
    assert Follow.objects.get(user=newhire).level == Level.WATCHING_FIRST_POST
    assert actions.apply_default_follows(newhire) == 0  # once
