"""Customer and deal records: models."""
