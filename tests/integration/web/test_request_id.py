"""`X-Request-ID`: echoed when valid, generated otherwise, on every response and log line."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from typing import Any

import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

Logs = Callable[[], list[dict[str, Any]]]
GENERATED = re.compile(r"^[0-9a-f]{32}$")


async def test_a_valid_id_is_echoed(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/health/live", headers={"X-Request-ID": "req-42.abc:def_0"})

    assert response.headers["x-request-id"] == "req-42.abc:def_0"


async def test_an_absent_id_is_generated_fresh_per_request(
    client: AsyncTestClient[Litestar],
) -> None:
    first = (await client.get("/health/live")).headers["x-request-id"]
    second = (await client.get("/health/live")).headers["x-request-id"]

    assert GENERATED.match(first)
    assert GENERATED.match(second)
    assert first != second


@pytest.mark.parametrize(
    "incoming", ["has space", "x" * 129, '{"event":"forged"}', "a;b", "line\tbreak", ""]
)
async def test_a_malformed_id_is_replaced(client: AsyncTestClient[Litestar], incoming: str) -> None:
    response = await client.get("/health/live", headers={"X-Request-ID": incoming})

    assert GENERATED.match(response.headers["x-request-id"])


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [("get", "/nowhere", 404), ("delete", "/health/live", 405), ("get", "/test/boom", 500)],
)
async def test_errors_carry_the_id_too(
    client: AsyncTestClient[Litestar], method: str, path: str, status: int
) -> None:
    response = await client.request(method.upper(), path, headers={"X-Request-ID": "err-1"})

    assert response.status_code == status
    assert response.headers["x-request-id"] == "err-1"


async def test_every_log_line_of_a_request_carries_its_id(
    client: AsyncTestClient[Litestar], json_logs: Logs
) -> None:
    await client.get("/test/log", params={"marker": "m1"}, headers={"X-Request-ID": "rid-1"})

    lines = json_logs()
    events = [line["event"] for line in lines]
    assert events.count("test.step") == 2
    assert "stdlib line m1" in events
    assert "http.request" in events
    assert [line.get("request_id") for line in lines] == ["rid-1"] * len(lines)
    (access,) = [line for line in lines if line["event"] == "http.request"]
    assert (access["method"], access["path"], access["status"]) == ("GET", "/test/log", 200)


async def test_a_generated_id_is_the_one_logged(
    client: AsyncTestClient[Litestar], json_logs: Logs
) -> None:
    response = await client.get("/test/log", params={"marker": "m2"})

    assert {line.get("request_id") for line in json_logs()} == {response.headers["x-request-id"]}


async def test_concurrent_requests_never_mix_their_ids(
    client: AsyncTestClient[Litestar], json_logs: Logs
) -> None:
    markers = [f"c{n}" for n in range(10)]

    responses = await asyncio.gather(
        *(
            client.get("/test/log", params={"marker": m}, headers={"X-Request-ID": f"id-{m}"})
            for m in markers
        )
    )

    assert [r.headers["x-request-id"] for r in responses] == [f"id-{m}" for m in markers]
    tagged = [line for line in json_logs() if line["event"] == "test.step"]
    assert len(tagged) == 2 * len(markers)
    for line in tagged:
        assert line["request_id"] == f"id-{line['marker']}"


async def test_the_500_log_line_has_the_id_but_the_body_has_no_detail(
    client: AsyncTestClient[Litestar], json_logs: Logs
) -> None:
    await client.get("/test/boom", headers={"X-Request-ID": "boom-1"})

    (error,) = [line for line in json_logs() if line["event"] == "http.unhandled_error"]
    assert error["request_id"] == "boom-1"
    assert error["error_type"] == "RuntimeError"
