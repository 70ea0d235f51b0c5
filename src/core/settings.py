"""Settings: read once from the environment (and an optional `.env`), typed with msgspec.

This is the only module that reads `os.environ`. Every field maps to the upper-cased
environment variable of the same name (`database_url` ← `DATABASE_URL`).
"""

from __future__ import annotations

import os
import re
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Literal

import msgspec
from dotenv import dotenv_values

from core.errors import ConfigurationError
from core.project import PROJECT_NAME

__all__ = ["Settings", "load_settings"]

AppEnv = Literal["dev", "test", "prod"]

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

    stripe_secret_key: str | None = None
    stripe_webhook_secret: str | None = None
    stripe_api_base: str | None = None
    stripe_price_pro: str | None = None
    stripe_price_team: str | None = None
    stripe_timeout_seconds: float = 20.0
    stripe_max_network_retries: int = 2
    public_url: str = "http://127.0.0.1:8000"
    billing_return_url: str | None = None

    smtp_url: str | None = None
    resend_api_key: str | None = None
    resend_api_url: str = "https://api.resend.com"
    email_from: str = "Bulkhead <noreply@localhost>"
    email_timeout_seconds: float = 10.0

    openai_api_key: str | None = None
    anthropic_api_key: str | None = None
    openai_base_url: str = "https://api.openai.com/v1"
    anthropic_base_url: str = "https://api.anthropic.com"
    llm_model: str | None = None
    llm_fallback_model: str | None = None
    llm_timeout_seconds: float = 30.0
    llm_deadline_seconds: float = 90.0
    llm_max_attempts: int = 3
    llm_max_tokens: int = 4096
    llm_budget_user_hourly_tokens: int = 20_000
    llm_budget_user_daily_tokens: int = 100_000
    llm_budget_org_daily_tokens: int = 1_000_000
    llm_budget_feature_daily_tokens: str = ""

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


_FIELDS = Settings.__struct_fields__
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
    "llm_max_attempts",
    "llm_max_tokens",
)
_URL_SCHEMES = {
    "database_url": ("postgres", "postgresql", "sqlite"),
    "redis_url": ("redis", "rediss", "unix"),
    "smtp_url": ("smtp", "smtps"),
    "resend_api_url": ("https", "http"),
    "openai_base_url": ("https", "http"),
    "anthropic_base_url": ("https", "http"),
    "stripe_api_base": ("https", "http"),
    "public_url": ("https", "http"),
    "billing_return_url": ("https", "http"),
}


def load_settings(
    environ: Mapping[str, str] | None = None,
    env_file: str | Path | None = ".env",
) -> Settings:
    """Build `Settings` from `environ` (default: the process environment) over `env_file`.

    Raises `ConfigurationError` naming the variable when a value is malformed, and refuses
    a production boot without a real secret and database.
    """
    raw = _collect(os.environ if environ is None else environ, env_file)
    try:
        settings = msgspec.convert(raw, Settings, strict=False)
    except msgspec.ValidationError as exc:
        raise ConfigurationError(_name_the_variable(str(exc))) from exc
    _validate(settings)
    if not settings.jwt_secret:
        settings = msgspec.structs.replace(settings, jwt_secret=_dev_secret(settings.data_path))
    return settings


def _collect(environ: Mapping[str, str], env_file: str | Path | None) -> dict[str, str]:
    from_file: dict[str, str | None] = {}
    if env_file is not None and Path(env_file).is_file():
        from_file = dotenv_values(env_file)
    raw: dict[str, str] = {}
    for field in _FIELDS:
        name = field.upper()
        value = environ.get(name, from_file.get(name))
        if value is not None and value != "":
            raw[field] = value
    return raw


def _name_the_variable(message: str) -> str:
    match = re.search(r"at `\$\.(\w+)`", message)
    if not match:
        return f"invalid settings: {message}"
    reason = message.split(" - at ", maxsplit=1)[0]
    return f"{match.group(1).upper()}: {reason}"


def _validate(settings: Settings) -> None:
    for field in _POSITIVE_FIELDS:
        if getattr(settings, field) <= 0:
            raise ConfigurationError(f"{field.upper()}: must be a positive integer")
    if settings.email_timeout_seconds <= 0:
        raise ConfigurationError("EMAIL_TIMEOUT_SECONDS: must be a positive number")
    _validate_llm(settings)
    _validate_billing(settings)
    if settings.argon2_memory_kib < 19 * 1024:
        raise ConfigurationError("ARGON2_MEMORY_KIB: must be at least 19456 (OWASP minimum)")
    for field, schemes in _URL_SCHEMES.items():
        value = getattr(settings, field)
        if value is not None and value.split(":", 1)[0].split("+", 1)[0] not in schemes:
            allowed = ", ".join(f"{scheme}://" for scheme in schemes)
            raise ConfigurationError(f"{field.upper()}: must start with one of {allowed}")
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


def _validate_billing(settings: Settings) -> None:
    if settings.stripe_timeout_seconds <= 0:
        raise ConfigurationError("STRIPE_TIMEOUT_SECONDS: must be a positive number")
    if settings.stripe_max_network_retries < 0:
        raise ConfigurationError("STRIPE_MAX_NETWORK_RETRIES: must be zero or more")
    if settings.is_prod and settings.stripe_secret_key and not settings.stripe_webhook_secret:
        raise ConfigurationError(
            "STRIPE_WEBHOOK_SECRET: APP_ENV=prod with STRIPE_SECRET_KEY needs the endpoint's "
            "signing secret (whsec_...)"
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


def _validate_llm(settings: Settings) -> None:
    for field in ("llm_timeout_seconds", "llm_deadline_seconds"):
        if getattr(settings, field) <= 0:
            raise ConfigurationError(f"{field.upper()}: must be a positive number")
    for field in (
        "llm_budget_user_hourly_tokens",
        "llm_budget_user_daily_tokens",
        "llm_budget_org_daily_tokens",
    ):
        if getattr(settings, field) < 0:
            raise ConfigurationError(f"{field.upper()}: must be zero or more")
