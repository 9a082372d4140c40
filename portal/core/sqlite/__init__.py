"""Django's SQLite backend with a pool of open connections per process (ADR 0426)."""
