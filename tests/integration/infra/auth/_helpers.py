"""Rows the auth store tests need (a user to hang things on)."""

from __future__ import annotations

from datetime import datetime

from common.ids import new_id
from infra.auth import SqlAccountStore
from infra.db.engine import Database
from modules.auth.models import NewAccount


async def make_user(database: Database, email: str, now: datetime) -> str:
    user_id = new_id()
    created = await SqlAccountStore(database).create(
        NewAccount(id=user_id, email=email, name=None, password_hash="x", created_at=now)
    )
    assert created
    return user_id
