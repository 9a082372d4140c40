"""Access tests reuse the records and forum fixtures (a customer of sales1, a forum)."""

from tests.forum.conftest import forum  # noqa: F401
from tests.knowledge.conftest import kb  # noqa: F401
from tests.records.conftest import customer, sales3  # noqa: F401
