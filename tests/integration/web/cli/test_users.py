"""`bulkhead users create-admin`: a verified administrator who can log in."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from core.settings import Settings
from web.cli.main import bulkhead

PASSWORD = "tangerine orbit cactus 47"


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in Settings.__struct_fields__:
        monkeypatch.delenv(name.upper(), raising=False)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("APP_ENV", "test")
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("ARGON2_MEMORY_KIB", "19456")
    monkeypatch.setenv("ARGON2_TIME_COST", "1")
    return tmp_path / "var"


def create_admin(*args: str, stdin: str | None = None) -> Result:
    return CliRunner().invoke(bulkhead, ["users", "create-admin", *args], input=stdin)


def _row(data_dir: Path) -> tuple[str, int, str | None, str]:
    with sqlite3.connect(data_dir / "bulkhead.db") as connection:
        row = connection.execute(
            "SELECT email, is_admin, email_verified_at, password_hash FROM users"
        ).fetchone()
    assert row is not None
    return row  # type: ignore[no-any-return]


def test_creates_a_verified_admin_from_a_prompted_password(data_dir: Path) -> None:
    result = create_admin("--email", "Root@Example.com", stdin=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert "administrator root@example.com ready" in result.output
    email, is_admin, verified_at, password_hash = _row(data_dir)
    assert (email, is_admin) == ("root@example.com", 1)
    assert verified_at is not None
    assert password_hash.startswith("$argon2id$")


def test_refuses_weak_passwords_and_existing_accounts_unless_promoting(data_dir: Path) -> None:
    weak = create_admin("--email", "root@example.com", "--password", "password1234")
    assert weak.exit_code != 0
    assert "weak-password" in weak.output
    assert "Traceback" not in weak.output
    assert create_admin("--email", "root@example.com", "--password", PASSWORD).exit_code == 0
    again = create_admin("--email", "root@example.com", "--password", PASSWORD)
    assert again.exit_code != 0
    assert "email-taken" in again.output
    promoted = create_admin("--email", "root@example.com", "--password", "ignored", "--promote")
    assert promoted.exit_code == 0, promoted.output
