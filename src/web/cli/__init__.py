"""The `bulkhead` command (`web.cli.main`): a Litestar CLI group with the project's own commands."""
