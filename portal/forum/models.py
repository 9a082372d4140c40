"""Discussion forum: models."""
