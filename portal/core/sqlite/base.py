"""Django's SQLite backend, keeping closed connections open for the next request (ADR 0426).

Django closes its connection at the end of every request, and under ASGI each request runs
in a thread of its own, so a per-thread persistent connection (CONN_MAX_AGE) is never reused
there. A new SQLite connection parses the whole schema again and starts with an empty page
cache, which cost more than a list page's own statements. As Django's PostgreSQL pool does,
`close()` hands the connection back to a small per-process pool instead, and the next
`connect()` takes it: same file, same pragmas, rolled back, foreign keys on. Only one thread
uses a connection at a time (Django opens SQLite connections shareable between threads and
guards them itself). In-memory databases are never pooled. OPTIONS["pool_size"] (default 8)
caps the idle connections kept; 0 turns the pool off.
"""

from __future__ import annotations

import threading

from django.db.backends.sqlite3 import base, creation

DEFAULT_POOL_SIZE = 8


class Pool:
    """The idle connections of one database file in this process."""

    def __init__(self, size: int) -> None:
        self.size = size
        self.idle: list = []
        self.lock = threading.Lock()

    def take(self):
        with self.lock:
            return self.idle.pop() if self.idle else None

    def give(self, connection) -> bool:
        with self.lock:
            if len(self.idle) < self.size:
                self.idle.append(connection)
                return True
        return False

    def clear(self) -> None:
        with self.lock:
            idle, self.idle = self.idle, []
        for connection in idle:
            connection.close()


_pools: dict[str, Pool] = {}
_pools_lock = threading.Lock()


def pool_for(name: str, size: int) -> Pool:
    with _pools_lock:
        if name not in _pools:
            _pools[name] = Pool(size)
        return _pools[name]


def clear_pools() -> None:
    """Close every idle connection (a test database is about to be created or removed)."""
    with _pools_lock:
        pools = list(_pools.values())
    for pool in pools:
        pool.clear()


class DatabaseCreation(creation.DatabaseCreation):
    """Test databases are files created and deleted by name: no idle connection may outlive
    the file it was opened on."""

    def _create_test_db(self, *args, **kwargs):
        clear_pools()
        return super()._create_test_db(*args, **kwargs)

    def _destroy_test_db(self, *args, **kwargs):
        clear_pools()
        return super()._destroy_test_db(*args, **kwargs)


class DatabaseWrapper(base.DatabaseWrapper):
    creation_class = DatabaseCreation

    def get_connection_params(self):
        options = self.settings_dict["OPTIONS"]
        self.pool_size = int(options.get("pool_size", DEFAULT_POOL_SIZE))
        params = super().get_connection_params()
        params.pop("pool_size", None)
        return params

    @property
    def pool(self) -> Pool | None:
        if getattr(self, "pool_size", 0) <= 0 or self.is_in_memory_db():
            return None
        return pool_for(str(self.settings_dict["NAME"]), self.pool_size)

    def get_new_connection(self, conn_params):
        pool = self.pool
        connection = pool.take() if pool is not None else None
        return connection if connection is not None else super().get_new_connection(conn_params)

    def _close(self):
        pool, connection = self.pool, self.connection
        if pool is not None and connection is not None:
            try:
                if connection.in_transaction:
                    connection.rollback()
                # As get_new_connection leaves it (loaddata and migrations turn it off).
                connection.execute("PRAGMA foreign_keys = ON")
            except self.Database.Error:
                pass
            else:
                if pool.give(connection):
                    return
        super()._close()
