"""A test-only app: the real app plus a probe that says how often the fake model was called.

Run as a module it serves the app on a free loopback port and prints that port first:

    python -m tests.e2e.ai._app      (settings from the environment)
"""

from __future__ import annotations

import socket
import sys

import uvicorn
from litestar import Controller, Litestar, get

from core.settings import Settings
from infra.container import Container
from infra.llm import FakeLLMProvider
from infra.llm.install import LLMAdapters
from web.app import create_app
from web.features import load_app_settings


class ProviderProbe(Controller):
    path = "/api/test/llm"

    @get("/calls")
    async def calls(self, container: Container) -> dict[str, int]:
        provider = container.services.get(LLMAdapters).provider
        return {"calls": provider.calls if isinstance(provider, FakeLLMProvider) else -1}


def build_app(settings: Settings, container: Container | None = None) -> Litestar:
    return create_app(settings, container=container, route_handlers=[ProviderProbe])


if __name__ == "__main__":
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    print(listener.getsockname()[1], flush=True)
    config = uvicorn.Config(
        build_app(load_app_settings(env_file=None)), log_config=None, access_log=False
    )
    uvicorn.Server(config).run(sockets=[listener])
    sys.exit(0)
