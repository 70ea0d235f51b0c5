"""`Idempotency-Key` over HTTP: replay, mismatch, in flight, expiry, release, scoping."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from prometheus_client import REGISTRY
from structlog.testing import capture_logs

from core.ports.idempotency import Claim, IdempotencyRecord
from tests.conftest import issue_access_token
from tests.e2e.idempotency.conftest import CLIENT_IP, KEY, Harness

PROBLEM = "application/problem+json"


def _problem(response: httpx.Response, status: int, slug: str) -> None:
    assert response.status_code == status
    assert response.headers["content-type"].startswith(PROBLEM)
    assert response.json()["type"].endswith(f"/{slug}")


def _outcome(outcome: str) -> float:
    value = REGISTRY.get_sample_value("bulkhead_idempotency_requests_total", {"outcome": outcome})
    return value or 0.0


async def _order(
    harness: Harness, key: str, item: str = "book", headers: dict[str, str] | None = None
) -> httpx.Response:
    return await harness.client.post(
        "/api/test/orders", json={"item": item}, headers=headers or {KEY: key}
    )


async def _until_effects(harness: Harness, count: int) -> None:
    deadline = asyncio.get_running_loop().time() + 10
    while await harness.effects() < count:
        assert asyncio.get_running_loop().time() < deadline, "the handler never ran"
        await asyncio.sleep(0.01)


async def test_a_repeat_gets_the_stored_response_and_causes_nothing(harness: Harness) -> None:
    first = await _order(harness, "k-1")
    assert first.status_code == 201
    assert "idempotent-replayed" not in first.headers
    again = await _order(harness, "k-1")
    assert again.status_code == 201
    assert again.content == first.content
    assert again.headers["location"] == first.headers["location"] == "/api/test/order-1"
    assert again.headers["content-type"] == first.headers["content-type"]
    assert again.headers["idempotent-replayed"] == "true"
    assert again.headers["x-request-id"] != first.headers["x-request-id"]
    assert await harness.effects() == 1


async def test_different_keys_and_no_key_run_every_time(harness: Harness) -> None:
    await _order(harness, "k-1")
    await _order(harness, "k-2")
    for _ in range(2):
        response = await harness.client.post("/api/test/orders", json={"item": "book"})
        assert response.status_code == 201
    assert await harness.effects() == 4


@pytest.mark.parametrize(
    ("path", "body"),
    [
        ("/api/test/orders", {"item": "pen"}),
        ("/api/test/orders?coupon=1", {"item": "book"}),
        ("/api/test/strict", None),
    ],
)
async def test_the_same_key_on_another_request_is_refused(
    harness: Harness, path: str, body: dict[str, str] | None
) -> None:
    assert (await _order(harness, "k-1")).status_code == 201
    before = _outcome("mismatch")
    response = await harness.client.post(path, json=body, headers={KEY: "k-1"})
    _problem(response, 422, "idempotency-key-reused")
    assert _outcome("mismatch") == before + 1
    assert await harness.effects() == 1


async def test_a_repeat_while_the_first_runs_is_told_to_retry(harness: Harness) -> None:
    first = asyncio.create_task(harness.client.post("/api/test/gated", headers={KEY: "k-1"}))
    await _until_effects(harness, 1)
    before = _outcome("in_flight")
    repeat = await harness.client.post("/api/test/gated", headers={KEY: "k-1"})
    _problem(repeat, 409, "idempotency-key-in-flight")
    assert 1 <= int(repeat.headers["retry-after"]) <= 5
    assert _outcome("in_flight") == before + 1
    await harness.client.post("/api/test/gate")
    assert (await first).status_code == 201
    replay = await harness.client.post("/api/test/gated", headers={KEY: "k-1"})
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == (await first).json()
    assert await harness.effects() == 1


async def test_stored_responses_expire_after_the_ttl(any_harness: Harness) -> None:
    harness = any_harness
    await _order(harness, "k-1")
    harness.clock.advance(harness.settings.idempotency_ttl_seconds - 1)
    assert (await _order(harness, "k-1")).headers.get("idempotent-replayed") == "true"
    harness.clock.advance(1)
    fresh = await _order(harness, "k-1", item="pen")
    assert fresh.status_code == 201
    assert "idempotent-replayed" not in fresh.headers
    assert fresh.json()["item"] == "pen"
    assert await harness.effects() == 2


async def test_a_crashed_request_frees_its_key_once_the_lease_lapses(harness: Harness) -> None:
    claim = await harness.container.idempotency.try_claim(
        f"http:ip:{CLIENT_IP}:k-1", "left by a dead process", 3600, 60
    )
    assert claim.token is not None
    _problem(await _order(harness, "k-1"), 422, "idempotency-key-reused")
    harness.clock.advance(harness.settings.idempotency_lease_seconds)
    assert (await _order(harness, "k-1")).status_code == 201
    assert await harness.effects() == 1


@pytest.mark.parametrize(
    ("path", "status"), [("/api/test/fail", 500), ("/api/test/unavailable", 503)]
)
async def test_a_server_error_releases_the_key(harness: Harness, path: str, status: int) -> None:
    before = _outcome("released")
    for attempt in (1, 2):
        response = await harness.client.post(path, headers={KEY: "k-1"})
        assert response.status_code == status
        assert "idempotent-replayed" not in response.headers
        assert await harness.effects() == attempt
    assert _outcome("released") == before + 2


async def test_a_rate_limited_answer_is_not_stored(harness: Harness) -> None:
    for _ in range(2):
        response = await harness.client.post("/api/test/throttled", headers={KEY: "k-1"})
        assert response.status_code == 429
        assert "idempotent-replayed" not in response.headers
    assert await harness.effects() == 2


async def test_keys_belong_to_their_caller(harness: Harness) -> None:
    alice = issue_access_token(harness.settings, "alice", now=harness.clock.now())
    bob = issue_access_token(harness.settings, "bob", now=harness.clock.now())

    async def mine(token: str | None) -> httpx.Response:
        headers = {KEY: "shared"}
        if token is not None:
            headers["authorization"] = f"Bearer {token}"
        return await harness.client.post("/api/test/mine", headers=headers)

    first = await mine(alice)
    assert first.json() == {"user_id": "alice", "effect": 1}
    from_bob = await mine(bob)
    assert "idempotent-replayed" not in from_bob.headers
    assert from_bob.json() == {"user_id": "bob", "effect": 2}
    replay = await mine(alice)
    assert replay.headers["idempotent-replayed"] == "true"
    assert replay.json() == first.json()
    anonymous = await mine(None)
    _problem(anonymous, 401, "unauthenticated")
    assert "idempotent-replayed" not in anonymous.headers
    forged = await mine(alice[:-4] + "AAAA")
    assert forged.headers.get("idempotent-replayed") == "true"
    assert forged.status_code == 401
    assert await harness.effects() == 2


@pytest.mark.parametrize(
    "key",
    [b"", b" ", b"x" * 256, "naïve".encode("latin-1"), b"tab\there"],
    ids=["empty", "blank", "too-long", "non-ascii", "control"],
)
async def test_invalid_keys_are_refused(harness: Harness, key: bytes) -> None:
    response = await harness.client.post(
        "/api/test/orders", json={"item": "book"}, headers=[(KEY.encode(), key)]
    )
    _problem(response, 400, "idempotency-key-invalid")
    assert await harness.effects() == 0


async def test_two_key_headers_are_refused(harness: Harness) -> None:
    response = await harness.client.post(
        "/api/test/orders", json={"item": "book"}, headers=[(KEY, "a"), (KEY, "b")]
    )
    _problem(response, 400, "idempotency-key-invalid")


async def test_the_longest_key_and_printable_punctuation_are_accepted(harness: Harness) -> None:
    for key in ("x" * 255, "a b:c/d?e=f~{}"):
        assert (await _order(harness, key)).status_code == 201
        assert (await _order(harness, key)).headers["idempotent-replayed"] == "true"


async def test_a_route_can_require_the_key(harness: Harness) -> None:
    _problem(await harness.client.post("/api/test/strict"), 400, "idempotency-key-required")
    assert await harness.effects() == 0
    assert (await harness.client.post("/api/test/strict", headers={KEY: "k"})).status_code == 201


async def test_deletes_are_guarded_and_replayed_without_a_body(harness: Harness) -> None:
    first = await harness.client.delete("/api/test/orders/o1", headers={KEY: "k-1"})
    again = await harness.client.delete("/api/test/orders/o1", headers={KEY: "k-1"})
    assert first.status_code == again.status_code == 204
    assert again.headers["idempotent-replayed"] == "true"
    assert again.content == b""
    assert await harness.effects() == 1


async def test_reads_and_webhooks_are_not_guarded(harness: Harness) -> None:
    for _ in range(2):
        read = await harness.client.get("/api/test/orders", headers={KEY: "k-1"})
        assert "idempotent-replayed" not in read.headers
        hook = await harness.client.post("/webhooks/test", headers={KEY: "k-1"})
        assert "idempotent-replayed" not in hook.headers
    assert await harness.effects() == 2


async def test_a_replay_is_logged_with_the_original_request_id(harness: Harness) -> None:
    first = await _order(harness, "k-1", headers={KEY: "k-1", "x-request-id": "original-1"})
    assert first.headers["x-request-id"] == "original-1"
    with capture_logs() as logs:
        await _order(harness, "k-1")
    replays = [log for log in logs if log["event"] == "idempotency.replay"]
    assert len(replays) == 1
    assert replays[0]["original_request_id"] == "original-1"
    assert replays[0]["status"] == 201


async def test_replays_show_in_metrics(harness: Harness) -> None:
    await _order(harness, "k-1")
    before = _outcome("replayed")
    await _order(harness, "k-1")
    assert _outcome("replayed") == before + 1
    metrics = (await harness.client.get("/metrics")).text
    assert f'bulkhead_idempotency_requests_total{{outcome="replayed"}} {before + 1}' in metrics
    assert 'bulkhead_idempotency_requests_total{outcome="mismatch"}' in metrics
    assert 'bulkhead_idempotency_requests_total{outcome="in_flight"}' in metrics


class _BrokenStore:
    adapter = "broken"

    async def try_claim(self, key: str, fingerprint: str, ttl: float, lease: float) -> Claim:
        raise ConnectionError("store down")

    async def complete(self, key: str, response: bytes, *, token: str) -> bool:
        raise ConnectionError("store down")

    async def release(self, key: str, *, token: str) -> bool:
        raise ConnectionError("store down")

    async def get(self, key: str) -> IdempotencyRecord | None:
        raise ConnectionError("store down")

    async def ping(self) -> None:
        raise ConnectionError("store down")


async def test_an_unreachable_store_fails_closed(harness: Harness) -> None:
    harness.container.idempotency = _BrokenStore()
    _problem(await _order(harness, "k-1"), 503, "service-unavailable")
    assert await harness.effects() == 0


async def test_a_store_failure_after_the_work_still_answers(harness: Harness) -> None:
    real = harness.container.idempotency

    class FailsOnComplete(_BrokenStore):
        async def try_claim(self, key: str, fingerprint: str, ttl: float, lease: float) -> Claim:
            return await real.try_claim(key, fingerprint, ttl, lease)

    harness.container.idempotency = FailsOnComplete()
    assert (await _order(harness, "k-1")).status_code == 201
    harness.container.idempotency = real
    _problem(await _order(harness, "k-1"), 409, "idempotency-key-in-flight")
    assert await harness.effects() == 1


async def test_the_replayed_body_is_read_once_then_the_real_receive_answers() -> None:
    from web.idempotency.middleware import _replayed

    async def real() -> dict[str, object]:
        return {"type": "http.disconnect"}

    receive = _replayed(b"body", real)
    assert await receive() == {"type": "http.request", "body": b"body", "more_body": False}
    assert await receive() == {"type": "http.disconnect"}
