"""Fixtures shared by every app's tests: people in their roles, API clients, events, browser."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from django.conf import settings

from portal.accounts import roles
from portal.accounts.models import Department, User
from portal.core.testing import capture_events

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: Redis (and the process's LocMem) outlive a test's
    database, and cached page paths or counts of an earlier test would point at rows that are
    gone (Wagtail's site root paths, the forum index URL, the team pipeline)."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the default language: a request as a reader whose language is
    Chinese leaves Chinese active in the test's thread (Django's locale middleware does not
    switch back), and a later test comparing English words would fail only in that order."""
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def org(db):
    """A small organisation: head office › sales › (east, north); service; marketing."""
    roles.ensure_roles()
    head = Department.objects.create(name="Head office")
    sales = Department.objects.create(name="Sales", parent=head)
    return {
        "head": head,
        "sales": sales,
        "east": Department.objects.create(name="Sales East", parent=sales),
        "north": Department.objects.create(name="Sales North", parent=sales),
        "service": Department.objects.create(name="Service", parent=head),
        "marketing": Department.objects.create(name="Marketing", parent=head),
    }


@pytest.fixture
def make_user(org):
    """make_user("sales3", roles.SALES, "east") → a person with that role and department."""

    def make(
        username: str, role: str | None = roles.SALES, department: str | None = "east", **extra
    ) -> User:
        user = User.objects.create_user(
            username=username,
            password="agora-demo",
            email=f"{username}@agora.test",
            display_name=extra.pop("display_name", username.title()),
            department=org[department] if department else None,
            **extra,
        )
        if role:
            user.groups.add(roles.Group.objects.get(name=role))
        return user

    return make


@pytest.fixture
def people(org, make_user):
    """The demo cast of DESIGN.md in their roles; `manager` manages the Sales department."""
    cast = {
        "admin": make_user("admin", roles.ADMINISTRATORS, "head", is_superuser=True, is_staff=True),
        "manager": make_user("manager", roles.MANAGERS, "sales", is_staff=True),
        "sales1": make_user("sales1", roles.SALES, "east"),
        "sales2": make_user("sales2", roles.SALES, "north"),
        "service": make_user("service", roles.SERVICE, "service"),
        "editor": make_user("editor", roles.KNOWLEDGE_EDITORS, "marketing", is_staff=True),
        "newhire": make_user("newhire", roles.NEW_HIRES, "east"),
    }
    Department.objects.filter(pk=org["sales"].pk).update(manager=cast["manager"])
    return cast


@pytest.fixture
def api_client():
    from rest_framework.test import APIClient

    return APIClient()


@pytest.fixture
def client_for(client):
    """client_for(user) → Django test client signed in as that user."""

    def login(user: User):
        client.force_login(user)
        return client

    return login


@pytest.fixture
def events():
    """Capture published events and run their subscribers as a commit would."""
    with capture_events() as captured:
        yield captured


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright; skipped (and reported) where it is missing."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}; install Debian's chromium package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="en-US")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot_dir() -> Path:
    path = Path(settings.BASE_DIR) / "screenshots"
    path.mkdir(exist_ok=True)
    return path


def pytest_collection_modifyitems(config, items):
    # Playwright's sync API keeps an event loop in the main thread once the session-scoped
    # browser starts: async tests (consumers) must run before it, so browser tests go last.
    # Django also refuses sync DB calls inside a running loop unless told they are safe.
    browser_items = [item for item in items if "browser" in item.keywords]
    if browser_items:
        os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        items[:] = [item for item in items if "browser" not in item.keywords] + browser_items
    # `postgres` tests check PostgreSQL's own plans and pool: skipped, with the reason, on
    # SQLite (CI runs the suite on both).
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        skip = pytest.mark.skip(reason="needs DATABASE_URL to point at PostgreSQL")
        for item in items:
            if "postgres" in item.keywords:
                item.add_marker(skip)


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which("chromium") is not None
