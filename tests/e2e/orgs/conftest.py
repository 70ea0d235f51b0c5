"""The auth e2e fixtures (apps on SQLite and PostgreSQL with a shared fake clock)."""

from tests.e2e.auth.conftest import app, apps, database_env

__all__ = ["app", "apps", "database_env"]
