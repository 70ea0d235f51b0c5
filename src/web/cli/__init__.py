"""The `bulkhead` command: a Litestar CLI group with the project's own commands."""

from web.cli.main import bulkhead, main

__all__ = ["bulkhead", "main"]
