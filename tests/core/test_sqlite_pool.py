"""SQLite connections are pooled per process, not opened per request (ADR 0426)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections
from django.test import Client

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the SQLite engine's own pool (PostgreSQL: ADR 0421)"
)


def raw(alias: str = "default"):
    connections[alias].ensure_connection()
    return connections[alias].connection


@pytest.mark.django_db(transaction=True)
def test_a_closed_connection_is_the_next_one_opened_in_another_thread():
    first = raw()
    connection.close()
    seen = []

    def request_in_its_own_thread():  # as ASGI runs every request
        seen.append(raw())
        connections["default"].close()

    thread = threading.Thread(target=request_in_its_own_thread)
    thread.start()
    thread.join()
    assert seen == [first]


@pytest.mark.django_db(transaction=True)
def test_a_pooled_connection_comes_back_rolled_back_with_foreign_keys_on():
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE pool_probe (n integer)")
    try:
        conn = raw()
        conn.execute("BEGIN")
        conn.execute("INSERT INTO pool_probe VALUES (1)")
        conn.execute("PRAGMA foreign_keys = OFF")  # refused inside a transaction: stays on
        connection.close()  # an unfinished transaction handed back
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pool_probe")
            assert cursor.fetchone()[0] == 0
            cursor.execute("PRAGMA foreign_keys")
            assert cursor.fetchone()[0] == 1
        assert raw() is conn
    finally:
        with connection.cursor() as cursor:
            cursor.execute("DROP TABLE pool_probe")


@pytest.mark.django_db(transaction=True)
def test_requests_reuse_the_pooled_connection(people):
    client = Client()
    client.force_login(people["sales1"])
    client.get("/records/customers/")
    before = raw()
    connection.close()
    for _ in range(3):
        assert client.get("/records/customers/").status_code == 200
    assert raw() is before


def test_the_pool_keeps_at_most_its_size():
    from portal.core.sqlite.base import Pool

    class Fake:
        closed = False

        def close(self):
            self.closed = True

    pool = Pool(2)
    kept = [Fake(), Fake(), Fake()]
    assert [pool.give(c) for c in kept] == [True, True, False]
    pool.clear()
    assert kept[0].closed and kept[1].closed and pool.take() is None
