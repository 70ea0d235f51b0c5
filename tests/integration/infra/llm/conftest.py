from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.integration.infra.llm._wire import WireServer, serve


@pytest.fixture
async def wire() -> AsyncIterator[tuple[WireServer, str]]:
    app = WireServer()
    async with serve(app) as base_url:
        yield app, base_url
