"""PostgreSQL connections come from a per-process psycopg pool (ADR 0421), sized from the
environment; tests get the test database through it."""

import pytest
from django.db import connection
from django.test import Client

from tests.core.test_settings import run_python

SHOW = (
    "import portal.settings.dev as s; d = s.DATABASES['default'];"
    "print(d.get('OPTIONS', {}).get('pool')); print(d['CONN_MAX_AGE'], d.get('CONN_HEALTH_CHECKS'))"
)


def test_postgres_gets_a_pool_sized_from_the_environment():
    result = run_python(
        SHOW, DATABASE_URL="postgres://agora@db:5432/agora", DB_POOL_MIN="3", DB_POOL_MAX="12"
    )
    assert result.returncode == 0, result.stderr
    pool, persistence = result.stdout.splitlines()
    assert "'min_size': 3" in pool and "'max_size': 12" in pool and "'timeout': 10.0" in pool
    # A pool hands connections back at the end of each request: no persistent connections
    # (Django refuses both at once), and a dead pooled connection is checked before use.
    assert persistence == "0 True"


def test_pool_off_keeps_persistent_connections_with_health_checks():
    result = run_python(
        SHOW, DATABASE_URL="postgres://agora@db:5432/agora", DB_POOL_MAX="0", DB_CONN_MAX_AGE="120"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["None", "120 True"]


def test_sqlite_has_no_pool():
    result = run_python(SHOW, DATABASE_URL="")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["None", "0 False"]


@pytest.mark.postgres
@pytest.mark.django_db
def test_tests_use_the_test_database_through_the_pool():
    # The pool is created lazily with the settings of its first use: had it been made before
    # the test database existed, every test would write into the real database.
    assert connection.pool is not None
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_database()")
        name = cursor.fetchone()[0]
    assert name == connection.settings_dict["NAME"]
    assert name.startswith("test_")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_requests_reuse_pooled_connections(people):
    client = Client()
    client.force_login(people["sales1"])
    connection.close()
    client.get("/api/v1/search/", {"q": "price"})
    opened = connection.pool.get_stats().get("connections_num", 0)
    for _ in range(5):
        assert client.get("/api/v1/search/", {"q": "price"}).status_code == 200
    # Each request closed Django's connection (ASGI/WSGI request_finished) and the pool kept
    # the server connection: no new connection was opened for the five requests.
    assert connection.pool.get_stats().get("connections_num", 0) == opened


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_worker_recovers_when_its_connection_is_cut(caplog):
    import io

    from django.core.management import call_command

    connection.ensure_connection()
    connection.connection.close()  # what a database restart does to an idle connection
    call_command("run_worker", "--once", stdout=io.StringIO())
    assert "failed" not in caplog.text
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        assert cursor.fetchone() == (1,)
