"""Pages of the records app (one module per area)."""
