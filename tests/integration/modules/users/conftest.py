"""The same SQLite-backed container as the auth use-case tests."""

from tests.integration.modules.auth.conftest import container

__all__ = ["container"]
