"""The user directory on SQLite and PostgreSQL: reads, renames, deletion."""

from __future__ import annotations

from infra.db.engine import Database
from infra.users import SqlUserDirectory
from tests.conftest import FakeClock
from tests.integration.infra.auth._helpers import make_user


async def test_the_directory_reads_renames_and_deletes(
    database: Database, clock: FakeClock
) -> None:
    directory = SqlUserDirectory(database)
    ann = await make_user(database, "ann@example.com", clock.now())
    bob = await make_user(database, "bob@example.com", clock.now())

    renamed = await directory.update_name(ann, "Ann", clock.now())
    assert renamed is not None
    assert renamed.name == "Ann"
    assert (await directory.get(ann)) == renamed
    assert await directory.email_of(ann) == "ann@example.com"

    assert await directory.delete(bob)
    assert not await directory.delete(bob)
    assert await directory.get(bob) is None
    assert await directory.email_of(bob) is None
    assert await directory.update_name(bob, "x", clock.now()) is None
