"""The Wagtail admin in Chinese: Wagtail's own words are not overridden by ours, the site has a
name, avatars are served locally."""

from pathlib import Path

import polib
import pytest
import wagtail
from django.conf import settings
from django.contrib.staticfiles import finders
from wagtail.models import Site

WAGTAIL_CATALOGUES = sorted(Path(wagtail.__file__).parent.rglob("zh_Hans/LC_MESSAGES/django.po"))
OUR_CATALOGUES = sorted(Path(settings.BASE_DIR).glob("portal/*/locale/zh_Hans/LC_MESSAGES/*.po"))
# Words whose meaning on Wagtail's screens ours would change ("Pages" → 分页, "Move" → 调整阶段):
# ours carry a context (`{% translate "Pages" context "pagination" %}`).
AMBIGUOUS = {
    "Pages",
    "Page",
    "Previous",
    "Next",
    "Move",
    "From",
    "Deleted",
    "Created",
    "Code",
    "Number",
    "Order",
    "Owner",
}
# Catalogues still to be given contexts; this set only shrinks.
NOT_YET: set[tuple[str, str]] = set()


def wagtail_translations() -> dict[str, str]:
    found = {}
    for path in WAGTAIL_CATALOGUES:
        for entry in polib.pofile(str(path)):
            if entry.msgstr and not entry.msgctxt:
                found.setdefault(entry.msgid, entry.msgstr)
    return found


def test_our_catalogues_do_not_override_wagtails_ambiguous_words():
    wagtail_words = wagtail_translations()
    assert wagtail_words["Pages"] == "页面"
    overrides = set()
    for path in OUR_CATALOGUES:
        app = path.parts[-5]
        for entry in polib.pofile(str(path)):
            if entry.msgctxt or entry.msgid not in AMBIGUOUS:
                continue
            if entry.msgid in wagtail_words and entry.msgstr != wagtail_words[entry.msgid]:
                overrides.add((app, entry.msgid))
    assert overrides <= NOT_YET, f"context-free override of Wagtail's words: {overrides - NOT_YET}"


@pytest.mark.django_db
def test_seed_names_the_site_after_the_configured_site_name(settings):
    from portal.knowledge import setup

    settings.WAGTAIL_SITE_NAME = "Agora Test"
    site = Site.objects.get(is_default_site=True)
    site.site_name = ""
    site.save()
    setup.ensure_site_name()
    assert Site.objects.get(is_default_site=True).site_name == "Agora Test"
    site.site_name = "Chosen by an editor"
    site.save()
    setup.ensure_site_name()  # an editor's choice stays
    assert Site.objects.get(is_default_site=True).site_name == "Chosen by an editor"


def test_avatars_are_served_from_our_own_static_files():
    from wagtail.users.utils import get_gravatar_url

    assert settings.WAGTAIL_GRAVATAR_PROVIDER_URL is None
    assert get_gravatar_url("sales1@agora.test") is None  # Wagtail falls back to its default
    assert finders.find("wagtailadmin/images/default-user-avatar.png")


@pytest.mark.django_db
def test_the_admin_shows_the_local_avatar(client, people):
    client.force_login(people["admin"])
    html = client.get("/cms/").content.decode()
    assert "gravatar" not in html
    assert "default-user-avatar" in html
