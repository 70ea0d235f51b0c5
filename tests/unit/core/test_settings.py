from __future__ import annotations

from pathlib import Path

import pytest

from core.errors import ConfigurationError
from core.settings import Settings, SettingsSection, load_settings


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


class WidgetSettings(SettingsSection, kw_only=True, frozen=True):
    widget_count: int = 3
    widget_api_base: str | None = None

    def check(self, settings: Settings) -> None:
        if settings.is_prod and self.widget_count > 10:
            raise ConfigurationError("WIDGET_COUNT: at most 10 in production")


def test_a_feature_section_reads_the_same_environment(tmp_path: Path) -> None:
    env = {"DATA_DIR": str(tmp_path), "WIDGET_COUNT": "7"}
    settings = load_settings(env, env_file=None, sections=[WidgetSettings])
    assert settings.section(WidgetSettings).widget_count == 7


@pytest.mark.parametrize(
    ("name", "value", "app_env"),
    [
        ("WIDGET_COUNT", "many", "dev"),
        ("WIDGET_API_BASE", "ftp://x", "dev"),
        ("WIDGET_COUNT", "11", "prod"),
    ],
)
def test_a_bad_section_value_is_refused_by_name(
    tmp_path: Path, name: str, value: str, app_env: str
) -> None:
    env = {
        "DATA_DIR": str(tmp_path),
        "APP_ENV": app_env,
        "JWT_SECRET": "x" * 40,
        "DATABASE_URL": "postgresql://db/x",
        name: value,
    }
    with pytest.raises(ConfigurationError, match=name):
        load_settings(env, env_file=None, sections=[WidgetSettings])


def test_a_section_nobody_loaded_is_a_clear_error(tmp_path: Path) -> None:
    settings = load_settings({"DATA_DIR": str(tmp_path)}, env_file=None)
    with pytest.raises(ConfigurationError, match="WidgetSettings was not loaded"):
        settings.section(WidgetSettings)
