"""Search: models."""
