"""Notification fixtures: the forum tests' forum (an open category, a managers-only one)."""

from tests.forum.conftest import forum  # noqa: F401 - the forum fixture
