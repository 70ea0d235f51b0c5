"""The same container as the auth use-case tests (SQLite and PostgreSQL)."""

from tests.integration.modules.auth.conftest import container, database_url

__all__ = ["container", "database_url"]
