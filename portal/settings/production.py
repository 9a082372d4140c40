"""Production settings: refuses to start without a real SECRET_KEY; passes check --deploy."""

import os
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .base import env_bool, env_list

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if len(SECRET_KEY) < 50 or SECRET_KEY.startswith("django-insecure") or len(set(SECRET_KEY)) < 5:
    raise ImproperlyConfigured(
        "SECRET_KEY must be set to a random value of at least 50 characters in production."
    )

DEBUG = False
DEMO_DATA_ALLOWED = False
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "")
if not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must list the host names Agora is served under.")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
# nginx serves STATIC_ROOT itself (deploy/nginx/agora.conf); the systemd units point it here.
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))  # noqa: F405
# Probes and the scraper talk to daphne's loopback port over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^metrics$"]
LOGGING = {
    **LOGGING,  # noqa: F405
    "formatters": {"line": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "line"}},
}
# redis-py 8 caps an asyncio connection pool at 100 connections and then raises
# MaxConnectionsError instead of waiting: a burst of reconnecting sockets (a daphne restarted,
# its clients moving to the survivor) failed group_add beyond ~100 at once (ADR 0701). Raise
# the cap for channels_redis' pool; the fan-out work may replace this layer's settings.
for _host in CHANNEL_LAYERS["default"].get("CONFIG", {}).get("hosts", []):  # noqa: F405
    if isinstance(_host, dict):
        _host.setdefault("max_connections", int(os.environ.get("REDIS_MAX_CONNECTIONS", "1000")))
