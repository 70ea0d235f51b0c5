"""Every table, one file per feature; importing this package registers them all on `Base`."""

from infra.db.tables._base import Base, UtcDateTime
from infra.db.tables.kv import KvEntry

__all__ = ["Base", "KvEntry", "UtcDateTime"]
