"""Knowledge base: models."""
