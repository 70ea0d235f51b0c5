"""The AI e2e harness (the real app on the fake model, served for real, on SQLite)."""

from tests.e2e.ai.conftest import ai_settings, harness, sqlite_env

__all__ = ["ai_settings", "harness", "sqlite_env"]
