from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import ConfigurationError
from core.settings import load_settings


def test_defaults_boot_with_zero_config(tmp_path: Path) -> None:
    settings = load_settings({"DATA_DIR": str(tmp_path)}, env_file=None)
    assert settings.app_env == "dev"
    assert settings.database_url is None
    assert settings.jwt_secret
    assert len(settings.jwt_secret) >= 32


def test_dev_secret_is_generated_once_and_shared(tmp_path: Path) -> None:
    first = load_settings({"DATA_DIR": str(tmp_path)}, env_file=None)
    second = load_settings({"DATA_DIR": str(tmp_path)}, env_file=None)
    assert first.jwt_secret == second.jwt_secret
    assert (tmp_path / "jwt_secret").stat().st_mode & 0o777 == 0o600


def test_bad_integer_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="JOB_LEASE_SECONDS"):
        load_settings({"DATA_DIR": str(tmp_path), "JOB_LEASE_SECONDS": "soon"}, env_file=None)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("DATABASE_URL", "mysql://x"),
        ("REDIS_URL", "http://x"),
        ("SMTP_URL", "ftp://x"),
        ("JOB_LEASE_SECONDS", "0"),
        ("ARGON2_MEMORY_KIB", "1024"),
        ("APP_ENV", "staging"),
    ],
)
def test_bad_values_are_refused_by_name(tmp_path: Path, name: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=name):
        load_settings({"DATA_DIR": str(tmp_path), name: value}, env_file=None)


def test_prod_refuses_default_secret_and_sqlite(tmp_path: Path) -> None:
    base = {"DATA_DIR": str(tmp_path), "APP_ENV": "prod"}
    with pytest.raises(ConfigurationError, match="JWT_SECRET"):
        load_settings({**base, "DATABASE_URL": "postgresql://db/x"}, env_file=None)
    with pytest.raises(ConfigurationError, match="JWT_SECRET"):
        load_settings(
            {**base, "JWT_SECRET": "change-me", "DATABASE_URL": "postgresql://db/x"},
            env_file=None,
        )
    with pytest.raises(ConfigurationError, match="DATABASE_URL"):
        load_settings({**base, "JWT_SECRET": "x" * 40}, env_file=None)
    settings = load_settings(
        {**base, "JWT_SECRET": "x" * 40, "DATABASE_URL": "postgresql://db/x"}, env_file=None
    )
    assert settings.is_prod


def test_env_file_is_read_and_environment_wins(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("APP_NAME=From File\nJOB_LEASE_SECONDS=45\n")
    settings = load_settings(
        {"DATA_DIR": str(tmp_path), "JOB_LEASE_SECONDS": "60"}, env_file=env_file
    )
    assert settings.app_name == "From File"
    assert settings.job_lease_seconds == 60
