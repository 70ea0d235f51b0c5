"""SQLAlchemy engine, tables and Alembic migrations."""

from infra.db.engine import Database, create_database, database_url_for
from infra.db.tables import Base

__all__ = ["Base", "Database", "create_database", "database_url_for"]
