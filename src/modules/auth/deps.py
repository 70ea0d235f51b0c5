"""Everything the auth use cases need, handed in by the composition root (`web`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from core.ports.audit import AuditLog
from core.ports.clock import Clock
from core.ports.email import EmailSender
from core.ports.kv import KeyValueStore
from core.ports.unit_of_work import UnitOfWorkFactory
from core.security.encryption import SecretBox
from core.security.passwords import PasswordHasher
from core.settings import Settings
from modules.auth.ports import AccountStore, OneTimeTokenStore, RecoveryCodeStore, RefreshTokenStore

__all__ = ["TOTP_KEY_PURPOSE", "AuthConfig", "AuthDeps"]

TOTP_KEY_PURPOSE = "totp-secret"


@dataclass(frozen=True, slots=True)
class AuthConfig:
    secret: str
    issuer: str
    audience: str
    access_ttl: timedelta
    refresh_ttl: timedelta
    service_name: str

    @classmethod
    def from_settings(cls, settings: Settings) -> AuthConfig:
        return cls(
            secret=settings.secret,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            access_ttl=timedelta(seconds=settings.access_token_ttl_seconds),
            refresh_ttl=timedelta(seconds=settings.refresh_token_ttl_seconds),
            service_name=settings.app_name,
        )


@dataclass(frozen=True, slots=True)
class AuthDeps:
    config: AuthConfig
    accounts: AccountStore
    recovery_codes: RecoveryCodeStore
    refresh_tokens: RefreshTokenStore
    one_time_tokens: OneTimeTokenStore
    audit: AuditLog
    kv: KeyValueStore
    email: EmailSender
    passwords: PasswordHasher
    clock: Clock
    unit_of_work: UnitOfWorkFactory
    totp_box: SecretBox
