"""The zh-hans catalogues are complete and compiled for every app that has strings."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils import translation

CATALOGUES = sorted(Path(settings.BASE_DIR).glob("portal/*/locale/zh_Hans/LC_MESSAGES/*.po"))


def test_core_and_accounts_have_catalogues():
    apps = {path.parts[-5] for path in CATALOGUES}
    assert {"core", "accounts"} <= apps


@pytest.mark.parametrize("po_path", CATALOGUES, ids=lambda p: f"{p.parts[-5]}/{p.name}")
def test_catalogue_is_fully_translated_and_compiled(po_path):
    po = polib.pofile(str(po_path))
    assert [e.msgid for e in po.untranslated_entries()] == []
    assert [e.msgid for e in po.fuzzy_entries()] == []
    mo_path = po_path.with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run scripts/messages.py"
    compiled = {(e.msgctxt, e.msgid): e.msgstr for e in polib.mofile(str(mo_path))}
    for entry in po.translated_entries():
        assert compiled.get((entry.msgctxt, entry.msgid)) == entry.msgstr, (
            f"{mo_path} is stale for {entry.msgid!r}: run scripts/messages.py"
        )


def test_chinese_is_active_when_asked_for():
    with translation.override("zh-hans"):
        assert translation.gettext("Dashboard") == "工作台"
        assert translation.gettext("Customer records") == "客户档案"
