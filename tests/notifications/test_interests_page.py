"""The interests page: every control is named, and what I follow is saved with one form."""

import re

from django.urls import reverse

from portal.notifications import actions, queries
from portal.notifications.models import Level


def _follow_tags(user, *tags):
    for tag in tags:
        actions.set_follow_level(
            target_kind="tag", target_key=tag, label=tag, level=Level.WATCHING, acting_user=user
        )
    return {f.target_key: f for f in queries.follows_of(user)}


def test_every_checkbox_and_select_has_a_name(people, client_for):
    user = people["sales1"]
    _follow_tags(user, "robots", "pricing")
    page = client_for(user).get(reverse("notifications:interests")).content.decode()

    checkboxes = re.findall(r'<input type="checkbox"[^>]*id="([^"]+)"', page)
    assert len(checkboxes) >= 18
    for box in checkboxes:
        assert f'<label class="visually-hidden" for="{box}">' in page, box
    assert "Mentions: in Agora" in page or ": in Agora" in page
    selects = re.findall(r"<select[^>]*>", page)
    level_selects = [s for s in selects if 'name="f' in s]
    assert len(level_selects) == 2
    assert all('aria-label="Level for ' in s for s in level_selects)
    # one Save for the list, not one per row
    assert page.count('id="follows-form"') == 1
    assert page.count(">Save levels<") == 1


def test_one_save_changes_every_level_and_remove_takes_one_away(people, client_for):
    user = people["sales1"]
    follows = _follow_tags(user, "robots", "pricing")
    robots, pricing = follows["robots"], follows["pricing"]
    client = client_for(user)
    response = client.post(
        reverse("notifications:change_follows"),
        {f"f{robots.pk}-level": Level.MUTED, f"f{pricing.pk}-level": Level.WATCHING_FIRST_POST},
    )
    assert response.status_code == 302
    levels = {f.target_key: f.level for f in queries.follows_of(user)}
    assert levels == {"robots": Level.MUTED, "pricing": Level.WATCHING_FIRST_POST}

    client.post(reverse("notifications:change_follows"), {"remove": str(robots.pk)})
    assert {f.target_key for f in queries.follows_of(user)} == {"pricing"}


def test_nobody_changes_or_removes_someone_elses_follow(people, client_for):
    theirs = _follow_tags(people["sales2"], "robots")["robots"]
    client = client_for(people["sales1"])
    response = client.post(reverse("notifications:change_follows"), {"remove": str(theirs.pk)})
    assert response.status_code == 404
    client.post(reverse("notifications:change_follows"), {f"f{theirs.pk}-level": Level.MUTED})
    assert [(f.pk, f.level) for f in queries.follows_of(people["sales2"])] == [
        (theirs.pk, Level.WATCHING)
    ]


def test_the_page_reads_in_chinese(people, client_for):
    user = people["sales1"]
    user.language = "zh-hans"
    user.save(update_fields=["language"])
    _follow_tags(user, "robots")
    page = client_for(user).get(reverse("notifications:interests")).content.decode()
    assert "保存关注级别" in page
    assert "：站内" in page and "：邮件" in page
    assert "Save levels" not in page
