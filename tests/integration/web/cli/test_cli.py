"""The `bulkhead` command: help, settings errors without tracebacks, migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from core.settings import Settings
from infra.db.tables._base import Base
from tests.integration.web.conftest import closed_port
from web.cli.main import bulkhead


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A clean process environment: no inherited settings, no `.env`, state under tmp."""
    for name in Settings.__struct_fields__:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("APP_ENV", "test")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    return tmp_path / "var"


def invoke(*args: str) -> Result:
    return CliRunner().invoke(bulkhead, list(args), catch_exceptions=True)


def flat(result: Result) -> str:
    """The output with Rich's box drawing and line wrapping removed."""
    return " ".join(result.output.replace("│", " ").split())


def assert_clean_failure(result: Result, *needles: str) -> None:
    assert result.exit_code != 0, result.output
    # A click error exits through SystemExit; anything else would be a traceback.
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    for needle in needles:
        assert needle in flat(result)


def test_help_lists_the_commands(data_dir: Path) -> None:
    result = invoke("--help")

    assert result.exit_code == 0, result.output
    for command in ("run", "db", "routes", "schema"):
        assert f" {command} " in flat(result)
    db_help = invoke("db", "--help")
    assert db_help.exit_code == 0
    assert "upgrade" in db_help.output
    assert "downgrade" in db_help.output


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("JOB_LEASE_SECONDS", "abc"),
        ("JOB_LEASE_SECONDS", "0"),
        ("DATABASE_URL", "mysql://x"),
        ("REDIS_URL", "http://cache"),
        ("APP_ENV", "staging"),
        ("LOG_JSON", "perhaps"),
        ("MAX_BODY_BYTES", "1e9x"),
    ],
)
def test_a_malformed_setting_names_the_variable(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, variable: str, value: str
) -> None:
    monkeypatch.setenv(variable, value)

    assert_clean_failure(invoke("db", "upgrade"), variable)
    assert_clean_failure(invoke("run", "--port", "0"), variable)


def test_litestar_commands_report_bad_settings_cleanly(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("JOB_LEASE_SECONDS", "abc")

    assert_clean_failure(invoke("routes"), "JOB_LEASE_SECONDS")


def test_prod_without_a_secret_refuses_to_start(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("APP_ENV", "prod")
    monkeypatch.setenv("DATABASE_URL", "postgresql://db.internal/app")

    assert_clean_failure(invoke("run"), "JWT_SECRET")


def test_a_bad_smtp_url_is_reported_before_serving(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SMTP_URL", "smtp://mail.test:notaport")

    assert_clean_failure(invoke("run", "--port", "0", "--no-migrate"), "SMTP_URL")


@pytest.mark.parametrize("command", [("db", "upgrade"), ("run", "--port", "0")])
def test_an_unreachable_database_is_a_clear_error(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch, command: tuple[str, ...]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"postgresql://postgres@127.0.0.1:{closed_port()}/app")

    result = invoke(*command)

    assert_clean_failure(result, "DATABASE_URL: cannot reach the database")
    assert result.exit_code == 1


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        return {name for (name,) in rows} - {"alembic_version"}


def test_db_upgrade_then_downgrade_base(data_dir: Path) -> None:
    upgraded = invoke("db", "upgrade")

    assert upgraded.exit_code == 0, upgraded.output
    assert "database upgraded to heads" in upgraded.output
    database = data_dir / "bulkhead.db"
    assert _tables(database) == {table.name for table in Base.metadata.sorted_tables}

    downgraded = invoke("db", "downgrade", "base")

    assert downgraded.exit_code == 0, downgraded.output
    assert _tables(database) == set()
