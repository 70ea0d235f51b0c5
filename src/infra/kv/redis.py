"""Redis key-value store: native atomic commands, one Lua script for windowed counters."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from redis.asyncio import Redis

__all__ = ["RedisKeyValueStore"]

_INCR = (Path(__file__).parent / "incr.lua").read_text()


def _millis(ttl_seconds: float | None) -> int | None:
    return None if ttl_seconds is None else max(1, int(ttl_seconds * 1000))


class RedisKeyValueStore:
    adapter = "redis"

    def __init__(self, client: Redis, prefix: str = "") -> None:
        self._client = client
        self._prefix = f"{prefix}kv:"
        self._incr: Any = client.register_script(_INCR)

    async def get(self, key: str) -> str | None:
        value = await self._client.get(self._prefix + key)
        if value is None:
            return None
        return value.decode() if isinstance(value, bytes) else str(value)

    async def set(self, key: str, value: str, ttl_seconds: float | None = None) -> None:
        await self._client.set(self._prefix + key, value, px=_millis(ttl_seconds))

    async def set_if_absent(self, key: str, value: str, ttl_seconds: float | None = None) -> bool:
        stored = await self._client.set(self._prefix + key, value, px=_millis(ttl_seconds), nx=True)
        return bool(stored)

    async def incr(self, key: str, amount: int = 1, ttl_seconds: float | None = None) -> int:
        ttl = _millis(ttl_seconds)
        total = await self._incr(
            keys=[self._prefix + key], args=[amount, "" if ttl is None else ttl]
        )
        return int(total)

    async def delete(self, key: str) -> None:
        await self._client.delete(self._prefix + key)

    async def ping(self) -> None:
        await self._client.ping()
