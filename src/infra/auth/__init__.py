"""SQL adapters for the auth ports, and the bundle the container holds."""

from __future__ import annotations

from dataclasses import dataclass

from infra.auth.accounts import SqlAccountStore
from infra.auth.audit import SqlAuditLog
from infra.auth.one_time_tokens import SqlOneTimeTokenStore
from infra.auth.recovery_codes import SqlRecoveryCodeStore
from infra.auth.refresh_tokens import SqlRefreshTokenStore
from infra.db.engine import Database
from modules.auth.ports import AccountStore, OneTimeTokenStore, RecoveryCodeStore, RefreshTokenStore

__all__ = [
    "AuthStores",
    "SqlAccountStore",
    "SqlAuditLog",
    "SqlOneTimeTokenStore",
    "SqlRecoveryCodeStore",
    "SqlRefreshTokenStore",
    "build_auth_stores",
]


@dataclass(frozen=True, slots=True)
class AuthStores:
    accounts: AccountStore
    recovery_codes: RecoveryCodeStore
    refresh_tokens: RefreshTokenStore
    one_time_tokens: OneTimeTokenStore


def build_auth_stores(database: Database) -> AuthStores:
    return AuthStores(
        accounts=SqlAccountStore(database),
        recovery_codes=SqlRecoveryCodeStore(database),
        refresh_tokens=SqlRefreshTokenStore(database),
        one_time_tokens=SqlOneTimeTokenStore(database),
    )
