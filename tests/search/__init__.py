"""Search tests."""
