"""Run Alembic programmatically: `bulkhead db upgrade` and boot-time upgrades use this.

Each feature keeps its migrations on its own branch (`branch_labels = ("jobs",)`, rooted at
`0001`), so removing a feature removes its branch and nothing else; `heads` upgrades them all.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory

__all__ = ["alembic_config", "downgrade", "head_revisions", "upgrade"]

_MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(url: str) -> Config:
    """An Alembic config for the async SQLAlchemy `url`, with no alembic.ini needed."""
    config = Config()
    config.set_main_option("script_location", str(_MIGRATIONS))
    config.attributes["url"] = url
    return config


def upgrade(url: str, revision: str = "heads") -> None:
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str = "-1") -> None:
    command.downgrade(alembic_config(url), revision)


def head_revisions() -> tuple[str, ...]:
    """One head per feature branch: each feature's migrations hang off `0001` on its own."""
    return tuple(ScriptDirectory.from_config(alembic_config("sqlite://")).get_heads())
