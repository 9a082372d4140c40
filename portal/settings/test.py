"""Test settings: fast hashing, mail kept in memory, subscriber errors raised."""

import os

from .base import *  # noqa: F403
from .base import VAR_DIR

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
EVENTS_RAISE_ERRORS = True
EVENTS_CHECK = "raise"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
MEDIA_ROOT = VAR_DIR / "test-media" / str(os.getpid())
ALLOWED_HOSTS = ["*"]

if DATABASES["default"]["ENGINE"] == "portal.core.sqlite":  # noqa: F405
    # A file, not shared-cache memory: concurrency tests need SQLite's real locking (WAL,
    # BEGIN IMMEDIATE), which the in-memory shared cache does not give.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{os.getpid()}.sqlite3")}  # noqa: F405

if "NOTIFICATIONS_CATCHUP_SECONDS" in os.environ:
    # A server a test starts (tests/notifications/test_browser.py) can turn the socket's
    # periodic look at the store off, so that only the live path can deliver.
    NOTIFICATIONS_CATCHUP_SECONDS = float(os.environ["NOTIFICATIONS_CATCHUP_SECONDS"])
