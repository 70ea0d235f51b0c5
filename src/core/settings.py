"""Settings: read once from the environment (and an optional `.env`), typed with msgspec.

This is the only module that reads `os.environ`. Every field maps to the upper-cased
environment variable of the same name (`database_url` ← `DATABASE_URL`).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, TypeVar

import msgspec
from dotenv import dotenv_values

from core.errors import ConfigurationError
from core.project import PROJECT_NAME

__all__ = ["Settings", "SettingsSection", "load_settings", "positive"]

AppEnv = Literal["dev", "test", "prod"]

StructT = TypeVar("StructT", bound=msgspec.Struct)

_PLACEHOLDER_SECRETS = frozenset({"", "change-me", "changeme", "secret", "dev"})
_MIN_PROD_SECRET_LENGTH = 32
_DEV_SECRET_FILE = "jwt_secret"


class Settings(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    app_env: AppEnv = "dev"
    app_name: str = PROJECT_NAME
    data_dir: str = "var"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    log_json: bool = True

    database_url: str | None = None
    redis_url: str | None = None
    redis_key_prefix: str = "bulkhead:"
    redis_max_connections: int = 64
    redis_pool_timeout_seconds: float = 5.0

    jwt_secret: str | None = None
    jwt_issuer: str = "bulkhead"
    jwt_audience: str = "bulkhead-api"
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_seconds: int = 30 * 24 * 3600

    argon2_memory_kib: int = 65536
    argon2_time_cost: int = 3
    argon2_parallelism: int = 1
    auth_refresh_cookie: bool = False
    """Also send the refresh token as an HttpOnly, Secure, SameSite=Strict cookie (browsers)."""

    max_body_bytes: int = 1024 * 1024
    idempotency_ttl_seconds: int = 24 * 3600
    idempotency_lease_seconds: int = 120
    processed_retention_seconds: int = 30 * 24 * 3600
    job_lease_seconds: int = 30
    job_concurrency: int = 4
    job_drain_seconds: int = 30
    """SIGTERM grace: in-flight jobs get this long to finish before they are released."""
    job_poll_ms: int = 500
    job_timeout_seconds: int = 300
    """Default per-attempt limit (a handler may set its own)."""
    job_backoff_base_ms: int = 250
    job_backoff_cap_seconds: int = 30

    public_url: str = "http://127.0.0.1:8000"

    smtp_url: str | None = None
    resend_api_key: str | None = None
    resend_api_url: str = "https://api.resend.com"
    email_from: str = "Bulkhead <noreply@localhost>"
    email_timeout_seconds: float = 10.0

    sections: dict[type[Any], Any] = msgspec.field(default_factory=dict)
    """Each feature's own `SettingsSection`, read from the same environment (see `section`)."""

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    @property
    def is_prod(self) -> bool:
        return self.app_env == "prod"

    @property
    def secret(self) -> str:
        """The resolved signing secret; `load_settings` guarantees it is set."""
        if not self.jwt_secret:
            raise ConfigurationError("JWT_SECRET is not set")
        return self.jwt_secret

    def section(self, kind: type[SectionT]) -> SectionT:
        """The feature settings `kind`, as `load_settings` read them."""
        try:
            value: SectionT = self.sections[kind]
        except KeyError:
            raise ConfigurationError(
                f"{kind.__name__} was not loaded: pass it to load_settings(sections=...)"
            ) from None
        return value


class SettingsSection(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """A feature's settings: its fields map to environment variables like `Settings`' do.

    A feature declares its section so that removing the feature removes its settings too;
    `check` adds rules that need the core settings (production, the secret).
    """

    def check(self, settings: Settings) -> None:
        """Raise `ConfigurationError` naming the variable when a value is unusable."""


SectionT = TypeVar("SectionT", bound=SettingsSection)


_FIELDS = tuple(name for name in Settings.__struct_fields__ if name != "sections")
_POSITIVE_FIELDS = (
    "access_token_ttl_seconds",
    "refresh_token_ttl_seconds",
    "argon2_time_cost",
    "argon2_parallelism",
    "max_body_bytes",
    "idempotency_ttl_seconds",
    "idempotency_lease_seconds",
    "processed_retention_seconds",
    "job_lease_seconds",
    "job_concurrency",
    "job_drain_seconds",
    "job_poll_ms",
    "job_timeout_seconds",
    "job_backoff_base_ms",
    "job_backoff_cap_seconds",
    "redis_max_connections",
    "redis_pool_timeout_seconds",
)
_URL_SCHEMES = {  # any other `*_url` / `*_api_base` setting must be http(s)
    "database_url": ("postgres", "postgresql", "sqlite"),
    "redis_url": ("redis", "rediss", "unix"),
    "smtp_url": ("smtp", "smtps"),
}


def load_settings(
    environ: Mapping[str, str] | None = None,
    env_file: str | Path | None = ".env",
    sections: Iterable[type[SettingsSection]] = (),
) -> Settings:
    """Build `Settings` from `environ` (default: the process environment) over `env_file`.

    `sections` are the features' own settings, read from the same variables. Raises
    `ConfigurationError` naming the variable when a value is malformed, and refuses a
    production boot without a real secret and database.
    """
    environ = os.environ if environ is None else environ
    from_file: Mapping[str, str | None] = {}
    if env_file is not None and Path(env_file).is_file():
        from_file = dotenv_values(env_file)
    settings = _convert(_collect(_FIELDS, environ, from_file), Settings)
    _validate(settings)
    if not settings.jwt_secret:
        settings = msgspec.structs.replace(settings, jwt_secret=_dev_secret(settings.data_path))
    loaded: dict[type[Any], Any] = {}
    for kind in sections:
        section = _convert(_collect(kind.__struct_fields__, environ, from_file), kind)
        _check_urls(section)
        section.check(settings)
        loaded[kind] = section
    return msgspec.structs.replace(settings, sections=loaded)


def _convert(raw: dict[str, str], kind: type[StructT]) -> StructT:
    try:
        return msgspec.convert(raw, kind, strict=False)
    except msgspec.ValidationError as exc:
        raise ConfigurationError(_name_the_variable(str(exc))) from exc


def _collect(
    fields: Iterable[str], environ: Mapping[str, str], from_file: Mapping[str, str | None]
) -> dict[str, str]:
    raw: dict[str, str] = {}
    for field in fields:
        name = field.upper()
        value = environ.get(name, from_file.get(name))
        if value is not None and value != "":
            raw[field] = value
    return raw


def _check_urls(settings: msgspec.Struct) -> None:
    """Every `*_url` / `*_api_base` setting uses an allowed scheme: its own, or http(s)."""
    for field in settings.__struct_fields__:
        schemes = _URL_SCHEMES.get(field)
        if schemes is None and field.endswith(("_url", "_api_base")):
            schemes = ("https", "http")
        value = getattr(settings, field)
        if schemes and value is not None and value.split(":", 1)[0].split("+", 1)[0] not in schemes:
            allowed = ", ".join(f"{scheme}://" for scheme in schemes)
            raise ConfigurationError(f"{field.upper()}: must start with one of {allowed}")


def _name_the_variable(message: str) -> str:
    match = re.search(r"at `\$\.(\w+)`", message)
    if not match:
        return f"invalid settings: {message}"
    reason = message.split(" - at ", maxsplit=1)[0]
    return f"{match.group(1).upper()}: {reason}"


def _validate(settings: Settings) -> None:
    positive(settings, *_POSITIVE_FIELDS, "email_timeout_seconds")
    if settings.argon2_memory_kib < 19 * 1024:
        raise ConfigurationError("ARGON2_MEMORY_KIB: must be at least 19456 (OWASP minimum)")
    _check_urls(settings)
    if settings.is_prod:
        secret = settings.jwt_secret or ""
        if secret.lower() in _PLACEHOLDER_SECRETS or len(secret) < _MIN_PROD_SECRET_LENGTH:
            raise ConfigurationError(
                "JWT_SECRET: APP_ENV=prod needs a random secret of at least 32 characters"
            )
        if not settings.database_url or settings.database_url.startswith("sqlite"):
            raise ConfigurationError("DATABASE_URL: APP_ENV=prod needs a PostgreSQL database")
        # OWASP: m=19 MiB needs t>=2; t=1 is enough only from m=46 MiB up.
        if settings.argon2_time_cost < 2 and settings.argon2_memory_kib < 46 * 1024:
            raise ConfigurationError(
                "ARGON2_TIME_COST: APP_ENV=prod needs at least 2 below 47104 KiB of memory (OWASP)"
            )


def _dev_secret(data_dir: Path) -> str:
    """Return the dev signing secret, creating it once so restarts and processes agree.

    The secret is written to a private temp file and hard-linked into place: the link is
    atomic and fails if another process won, so nobody ever reads a half-written file.
    """
    path = data_dir / _DEV_SECRET_FILE
    data_dir.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        tmp = data_dir / f".{_DEV_SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}"
        tmp.write_text(secrets.token_urlsafe(48))
        tmp.chmod(0o600)
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    value = path.read_text().strip()
    if not value:
        raise ConfigurationError(f"JWT_SECRET: dev secret file {path} is empty")
    return value


def positive(section: msgspec.Struct, *fields: str) -> None:
    """Refuse zero or negative values of `fields`, naming the variable."""
    for field in fields:
        if getattr(section, field) <= 0:
            raise ConfigurationError(f"{field.upper()}: must be a positive number")
