"""Demo data for search: index everything the other apps seeded, and a few stored interests
are left to the notifications app (it owns interest profiles)."""

from .rebuild import rebuild


def seed() -> str:
    """(Re)build the index from the seeded data; idempotent."""
    total = rebuild()
    return f"indexed {total} documents"
