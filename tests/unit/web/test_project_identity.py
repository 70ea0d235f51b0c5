"""The project's name (core.project, rendered by the template) reaches settings, OpenAPI and CLI."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import CliRunner

from core.project import PROJECT_NAME
from core.settings import Settings
from web.app import create_app
from web.cli.main import bulkhead


def test_the_app_name_defaults_to_the_project_name(make_settings: Callable[..., Settings]) -> None:
    assert make_settings().app_name == PROJECT_NAME
    assert make_settings(APP_NAME="Renamed").app_name == "Renamed"


def test_the_openapi_title_is_the_app_name(make_settings: Callable[..., Settings]) -> None:
    app = create_app(make_settings())
    assert app.openapi_schema.info.title == PROJECT_NAME


def test_the_cli_help_names_the_project() -> None:
    result = CliRunner().invoke(bulkhead, ["--help"])
    assert result.exit_code == 0
    flat = "".join(result.output.replace("\u2502", "").split())
    assert "".join(f"{PROJECT_NAME}: the API".split()) in flat
