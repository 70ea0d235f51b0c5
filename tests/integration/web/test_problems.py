"""Every error leaves as RFC 9457 problem+json with a slug-terminated `type`."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from litestar import Litestar
from litestar.testing import AsyncTestClient

from tests.conftest import PostgresServer, issue_access_token
from tests.integration.web.conftest import LEAKED_SECRET

PROBLEM = "application/problem+json"


def assert_problem(response: httpx.Response, status: int, slug: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].split(";")[0] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["type"].endswith(f"/{slug}")
    assert body["status"] == status
    assert body["title"]
    assert body["detail"]
    return body


VALID = {"gadget": {"name": "sprocket", "count": 2}}


async def test_valid_body_passes(client: AsyncTestClient[Litestar]) -> None:
    response = await client.post("/test/orders", json=VALID)

    assert response.status_code == 201
    assert response.json() == {**VALID, "quantities": []}


@pytest.mark.parametrize("raw", [b"{bad", b'{"gadget": ', b"\xff\xfe", b"[1, 2,]"])
async def test_malformed_json_is_400(client: AsyncTestClient[Litestar], raw: bytes) -> None:
    response = await client.post(
        "/test/orders", content=raw, headers={"content-type": "application/json"}
    )

    body = assert_problem(response, 400, "malformed-json")
    assert "errors" not in body


@pytest.mark.parametrize(
    ("payload", "errors"),
    [
        (
            {"gadget": {"name": 7, "count": "two"}},
            [{"field": "gadget.name", "message": "Expected `str`, got `int`"}],
        ),
        (
            {"gadget": {"name": "a", "count": 1}, "quantities": [1, "x"]},
            [{"field": "quantities[1]", "message": "Expected `int`, got `str`"}],
        ),
        (
            {"gadget": {"name": "a", "count": 1}, "coupon": "FREE"},
            [{"field": "coupon", "message": "Object contains unknown field `coupon`"}],
        ),
        (
            {"gadget": {"name": "a", "count": 1, "colour": "red"}},
            [{"field": "gadget.colour", "message": "Object contains unknown field `colour`"}],
        ),
        (
            {"gadget": {"name": "a"}},
            [{"field": "gadget.count", "message": "Object missing required field `count`"}],
        ),
        ([VALID], [{"field": "body", "message": "Expected `object`, got `array`"}]),
    ],
)
async def test_schema_violations_are_400_with_field_errors(
    client: AsyncTestClient[Litestar], payload: Any, errors: list[dict[str, str]]
) -> None:
    response = await client.post("/test/orders", json=payload)

    body = assert_problem(response, 400, "validation-error")
    assert body["errors"] == errors


async def test_missing_body_is_400(client: AsyncTestClient[Litestar]) -> None:
    response = await client.post("/test/orders")

    body = assert_problem(response, 400, "validation-error")
    assert body["errors"] == [{"field": "body", "message": "A JSON body is required"}]


async def test_bad_and_missing_query_parameters_are_400(
    client: AsyncTestClient[Litestar],
) -> None:
    missing = assert_problem(await client.get("/test/log"), 400, "validation-error")

    assert missing["errors"] == [{"field": "marker", "message": "Missing required query parameter"}]


async def test_unknown_route_is_404(client: AsyncTestClient[Litestar]) -> None:
    body = assert_problem(await client.get("/no/such/route"), 404, "not-found")

    assert body["instance"] == "/no/such/route"


async def test_wrong_method_is_405(client: AsyncTestClient[Litestar]) -> None:
    assert_problem(await client.delete("/test/orders"), 405, "method-not-allowed")


@pytest.fixture
async def small_client(
    make_app: Callable[..., Litestar], sqlite_url: str
) -> AsyncIterator[AsyncTestClient[Litestar]]:
    async with AsyncTestClient(make_app(DATABASE_URL=sqlite_url, MAX_BODY_BYTES="64")) as c:
        yield c


async def test_oversize_body_is_413(small_client: AsyncTestClient[Litestar]) -> None:
    big = {"gadget": {"name": "x" * 100, "count": 1}}

    assert_problem(await small_client.post("/test/orders", json=big), 413, "payload-too-large")
    fits = {"gadget": {"name": "x", "count": 1}}
    assert (await small_client.post("/test/orders", json=fits)).status_code == 201


async def test_oversize_streamed_body_without_length_is_413(
    make_app: Callable[..., Litestar], sqlite_url: str
) -> None:
    """Chunked upload with no Content-Length, driven over raw ASGI: the limit still holds."""
    app = make_app(DATABASE_URL=sqlite_url, MAX_BODY_BYTES="64")
    chunks = [b'{"gadget": {"name": "', *([b"x" * 16] * 10), b'", "count": 1}}']
    messages: list[dict[str, Any]] = [
        {"type": "http.request", "body": chunk, "more_body": n < len(chunks) - 1}
        for n, chunk in enumerate(chunks)
    ]
    sent: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "POST",
        "scheme": "http",
        "path": "/test/orders",
        "raw_path": b"/test/orders",
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"test"), (b"content-type", b"application/json")],
        "client": ("127.0.0.1", 1234),
        "server": ("127.0.0.1", 80),
        "state": {},
    }
    await app(scope, receive, send)  # type: ignore[arg-type]

    start = next(message for message in sent if message["type"] == "http.response.start")
    body = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    assert start["status"] == 413
    assert (b"content-type", PROBLEM.encode()) in start["headers"]
    assert json.loads(body)["type"].endswith("/payload-too-large")


async def test_unexpected_exception_is_an_opaque_500(client: AsyncTestClient[Litestar]) -> None:
    response = await client.get("/test/boom")

    body = assert_problem(response, 500, "internal-error")
    assert LEAKED_SECRET not in response.text
    assert "RuntimeError" not in response.text
    assert "Traceback" not in response.text
    assert body["detail"] == "An unexpected error occurred"


@pytest.mark.parametrize(
    ("kind", "status", "slug", "headers", "errors"),
    [
        ("input", 400, "validation-error", {}, [{"field": "email", "message": "not an address"}]),
        (
            "locked",
            429,
            "too-many-attempts",
            {"retry-after": "7", "ratelimit-remaining": "0", "ratelimit-reset": "7"},
            None,
        ),
        ("unauthenticated", 401, "unauthenticated", {"www-authenticate": "Bearer"}, None),
        ("missing", 404, "not-found", {}, None),
        ("in-flight", 409, "idempotency-key-in-flight", {"retry-after": "1"}, None),
    ],
)
async def test_domain_errors_map_to_their_status_and_slug(
    client: AsyncTestClient[Litestar],
    kind: str,
    status: int,
    slug: str,
    headers: dict[str, str],
    errors: list[dict[str, str]] | None,
) -> None:
    response = await client.get(f"/test/raise/{kind}")

    body = assert_problem(response, status, slug)
    for name, value in headers.items():
        assert response.headers[name] == value
    assert body.get("errors") == errors


@pytest.mark.parametrize(("kind", "status"), [("config", 500), ("http-503", 503)])
async def test_server_side_errors_say_nothing_of_their_cause(
    client: AsyncTestClient[Litestar], kind: str, status: int
) -> None:
    response = await client.get(f"/test/raise/{kind}")

    body = assert_problem(
        response, status, "internal-error" if status == 500 else "service-unavailable"
    )
    assert body["detail"] == "An unexpected error occurred"
    assert LEAKED_SECRET not in response.text


async def test_an_unreachable_redis_is_a_retryable_503(
    make_app: Callable[..., Litestar], sqlite_url: str
) -> None:
    app = make_app(DATABASE_URL=sqlite_url, REDIS_URL="redis://127.0.0.1:1/0")
    async with AsyncTestClient(app) as client:
        response = await client.post(
            "/api/v1/auth/login", json={"email": "a@example.com", "password": "x" * 12}
        )

    assert_problem(response, 503, "service-unavailable")
    assert response.headers["retry-after"] == "2"
    assert "127.0.0.1:1" not in response.text
    assert "Connection" not in response.text


async def test_nul_in_text_that_reaches_postgresql_is_a_400(
    make_app: Callable[..., Litestar], postgres_server: PostgresServer
) -> None:
    """PostgreSQL refuses NUL in text; whatever route lets one through answers 400, not 500."""
    app = make_app(DATABASE_URL=postgres_server.url)
    settings = app.state.container.settings
    headers = {"Authorization": f"Bearer {issue_access_token(settings, 'user-nul')}"}
    async with AsyncTestClient(app) as client:
        response = await client.get("/api/v1/tasks/a%00b", headers=headers)

    assert_problem(response, 400, "invalid-text")
