"""Deal pages, one module per area."""
