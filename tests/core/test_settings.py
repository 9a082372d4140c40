"""Configuration from the environment; production refuses to start unsafely."""

import os
import subprocess
import sys

import pytest
from django.conf import settings

from portal.settings.base import email_settings


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=settings.BASE_DIR,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize("secret", ["", "django-insecure-" + "x" * 60, "short"])
def test_production_refuses_to_start_without_a_real_secret_key(secret):
    result = run_python(
        "import portal.settings.production", SECRET_KEY=secret, ALLOWED_HOSTS="agora.example.com"
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_passes_check_deploy():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        env={
            **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
            "DJANGO_SETTINGS_MODULE": "portal.settings.production",
            "SECRET_KEY": "k" * 30 + "Zq8#vT2!pL0@xR5$wN7%yM3^bC9&dF4",
            "ALLOWED_HOSTS": "agora.example.com",
        },
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_email_url_selects_the_backend():
    assert email_settings("")["EMAIL_BACKEND"].endswith("console.EmailBackend")
    smtp = email_settings("smtp://agora%40corp:p%40ss@mail.corp:587?tls=1")
    assert smtp["EMAIL_HOST"] == "mail.corp" and smtp["EMAIL_PORT"] == 587
    assert smtp["EMAIL_HOST_USER"] == "agora@corp" and smtp["EMAIL_HOST_PASSWORD"] == "p@ss"
    assert smtp["EMAIL_USE_TLS"] is True
    assert email_settings("file:///tmp/mail")["EMAIL_FILE_PATH"] == "/tmp/mail"
    with pytest.raises(ValueError):
        email_settings("carrier-pigeon://coop")


def test_database_and_channel_layer_follow_the_environment():
    result = run_python(
        "import portal.settings.dev as s; print(s.DATABASES['default']['ENGINE']);"
        "print(s.CHANNEL_LAYERS['default']['BACKEND']); print(s.CACHES['default']['BACKEND'])",
        DATABASE_URL="postgres://agora@db:5432/agora",
        REDIS_URL="redis://cache:6379/0",
    )
    assert result.returncode == 0, result.stderr
    engine, layer, cache = result.stdout.split()
    assert engine == "django.db.backends.postgresql"
    assert layer == "channels_redis.core.RedisChannelLayer"
    assert cache == "django.core.cache.backends.redis.RedisCache"
    embedded = run_python(
        "import portal.settings.dev as s; print(s.DATABASES['default']['ENGINE']);"
        "print(s.DATABASES['default']['OPTIONS']['init_command'])",
        DATABASE_URL="",
        REDIS_URL="",
    )
    assert "portal.core.sqlite" in embedded.stdout and "journal_mode=WAL" in embedded.stdout


def test_the_served_application_collects_garbage_rarely_and_has_frozen_its_start_up():
    """ADR 0714: default thresholds ran five ≈ 50 ms full collections in a 1,000-socket
    fan-out run; the application loaded by daphne raises them and freezes what start-up
    loaded."""
    result = run_python(
        "import gc; before = gc.get_threshold(); import portal.asgi; "
        "print(before, gc.get_threshold(), gc.get_freeze_count() > 0)",
        DJANGO_SETTINGS_MODULE="portal.settings.test",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split("\n")[-2] == "(700, 10, 10) (10000, 10, 10) True"
