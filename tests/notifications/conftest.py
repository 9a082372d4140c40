"""Notification fixtures: the forum tests' forum (an open category, a managers-only one), and
real daphne processes on the test database."""

import pytest

from portal.core.testing import free_port, server_env, start_daphne, stop_daphne
from tests.forum.conftest import forum  # noqa: F401 - the forum fixture


@pytest.fixture
def serve_portal(transactional_db):
    """`serve_portal(module="daphne", **env)` starts a daphne serving the portal on the test
    database (`portal.core.testing.server_env`, `env` added) and gives (port, process); each
    one started is stopped after the test, before the database is emptied."""
    started = []

    def start(*, module: str = "daphne", **env: str):
        port = free_port()
        started.append(start_daphne(port, server_env(**env), module=module))
        return port, started[-1]

    yield start
    for process in started:
        stop_daphne(process)
