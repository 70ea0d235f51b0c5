from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import inspect

from infra.db.engine import create_database
from infra.db.migrate import downgrade, head_revisions, upgrade
from infra.db.tables import Base
from tests.conftest import PostgresServer


async def _tables(url: str) -> set[str]:
    database = create_database(url)
    try:
        async with database.engine.connect() as connection:
            names = await connection.run_sync(lambda sync: inspect(sync).get_table_names())
    finally:
        await database.dispose()
    return set(names) - {"alembic_version"}


def _round_trip(url: str) -> None:
    expected = {table.name for table in Base.metadata.sorted_tables}
    upgrade(url)
    assert asyncio.run(_tables(url)) == expected
    downgrade(url, "base")
    assert asyncio.run(_tables(url)) == set()
    upgrade(url)
    assert asyncio.run(_tables(url)) == expected


def test_upgrade_downgrade_upgrade_on_sqlite(tmp_path: Path) -> None:
    _round_trip(f"sqlite+aiosqlite:///{tmp_path / 'round-trip.db'}")


def test_upgrade_downgrade_upgrade_on_postgres(postgres_server: PostgresServer) -> None:
    _round_trip(postgres_server.url)
    upgrade(postgres_server.url)


def test_every_feature_branch_has_one_head() -> None:
    heads = head_revisions()
    assert len(heads) == len(set(heads)) >= 1
