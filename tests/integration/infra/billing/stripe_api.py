"""A local HTTP server that plays the part of Stripe's API, for the real SDK to talk to.

It keeps just enough state (customers, prices, sessions, subscriptions), honours
`Idempotency-Key` like Stripe (same key, same response), records every request, and can be
told to fail or stall the next requests to exercise the SDK's retries and timeouts.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, str]


@dataclass
class StripeApiState:
    requests: list[Recorded] = field(default_factory=list)
    customers: dict[str, dict[str, Any]] = field(default_factory=dict)
    prices: dict[str, dict[str, Any]] = field(default_factory=dict)
    subscriptions: dict[str, dict[str, Any]] = field(default_factory=dict)
    idempotent: dict[str, tuple[int, bytes]] = field(default_factory=dict)
    fail_next: list[int] = field(default_factory=list)
    """Statuses to answer the next requests with (then back to normal)."""
    stall_seconds: float = 0.0
    counter: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def next_id(self, prefix: str) -> str:
        with self.lock:
            self.counter += 1
            return f"{prefix}_test_{self.counter:06d}"

    def posts(self, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == "POST" and r.path == path]


def _error(status: int, message: str, code: str = "resource_missing") -> tuple[int, Any]:
    kind = "invalid_request_error" if status < 500 else "api_error"
    return status, {"error": {"type": kind, "code": code, "message": message}}


def _metadata(form: dict[str, str], prefix: str = "metadata") -> dict[str, str]:
    start = f"{prefix}["
    return {k[len(start) : -1]: v for k, v in form.items() if k.startswith(start)}


class _Api:
    def __init__(self, state: StripeApiState) -> None:
        self.state = state

    def route(self, method: str, path: str, form: dict[str, str]) -> tuple[int, Any]:
        parts = path.strip("/").split("/")
        s = self.state
        if method == "GET" and path == "/v1/balance":
            return 200, {"object": "balance", "available": [], "pending": [], "livemode": False}
        if method == "POST" and path == "/v1/customers":
            customer = {
                "id": s.next_id("cus"),
                "object": "customer",
                "email": form.get("email"),
                "metadata": _metadata(form),
            }
            s.customers[customer["id"]] = customer
            return 200, customer
        if method == "POST" and parts[:2] == ["v1", "customers"] and len(parts) == 3:
            customer = s.customers.get(parts[2])
            if customer is None:
                return _error(404, "No such customer")
            customer.update({k: v for k, v in form.items() if k == "email"})
            return 200, customer
        if method == "POST" and path == "/v1/checkout/sessions":
            if form.get("line_items[0][price]") not in s.prices:
                return _error(400, "No such price", code="resource_missing")
            session_id = s.next_id("cs")
            return 200, {
                "id": session_id,
                "object": "checkout.session",
                "url": f"https://checkout.stripe.test/c/pay/{session_id}",
                "customer": form.get("customer"),
                "client_reference_id": form.get("client_reference_id"),
                "metadata": _metadata(form),
            }
        if method == "POST" and path == "/v1/billing_portal/sessions":
            if form.get("customer") not in s.customers:
                return _error(400, "No such customer")
            return 200, {
                "id": s.next_id("bps"),
                "object": "billing_portal.session",
                "url": f"https://billing.stripe.test/p/session/{form['customer']}",
                "return_url": form.get("return_url"),
            }
        if method == "GET" and parts[:2] == ["v1", "subscriptions"] and len(parts) == 3:
            subscription = s.subscriptions.get(parts[2])
            if subscription is None:
                return _error(404, "No such subscription")
            return 200, subscription
        if method == "GET" and path == "/v1/prices":
            keys = {v for k, v in form.items() if k.startswith("lookup_keys[")}
            data = [p for p in s.prices.values() if p.get("lookup_key") in keys and p["active"]]
            return 200, {"object": "list", "data": data, "has_more": False, "url": "/v1/prices"}
        if method == "GET" and parts[:2] == ["v1", "prices"] and len(parts) == 3:
            price = s.prices.get(parts[2])
            return (200, price) if price else _error(404, "No such price")
        if method == "POST" and path == "/v1/prices":
            price = {
                "id": s.next_id("price"),
                "object": "price",
                "active": True,
                "currency": form["currency"],
                "unit_amount": int(form["unit_amount"]),
                "recurring": {"interval": form["recurring[interval]"]},
                "lookup_key": form.get("lookup_key"),
                "metadata": _metadata(form),
                "product": s.next_id("prod"),
                "product_name": form.get("product_data[name]"),
            }
            s.prices[price["id"]] = price
            return 200, price
        return _error(404, f"Unrecognized request URL ({method}: {path})", code="not_found")


def _handler(state: StripeApiState) -> type[BaseHTTPRequestHandler]:
    api = _Api(state)

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            return None

        def _handle(self, method: str) -> None:
            split = urlsplit(self.path)
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            form = dict(parse_qsl(body or split.query, keep_blank_values=True))
            headers = {k.lower(): v for k, v in self.headers.items()}
            with state.lock:
                state.requests.append(Recorded(method, split.path, headers, form))
                failure = state.fail_next.pop(0) if state.fail_next else None
                stall = state.stall_seconds
            if stall:
                time.sleep(stall)
            key = headers.get("idempotency-key")
            if failure is not None:
                status, payload = _error(failure, "injected failure", code="api_error")
                raw = json.dumps(payload).encode()
            elif method == "POST" and key and key in state.idempotent:
                status, raw = state.idempotent[key]
            else:
                status, payload = api.route(method, split.path, form)
                raw = json.dumps(payload).encode()
                if method == "POST" and key and status < 500:
                    state.idempotent[key] = (status, raw)
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.send_header("Request-Id", "req_test")
                self.end_headers()
                self.wfile.write(raw)
            except (BrokenPipeError, ConnectionResetError):
                return  # the client gave up (a timeout test)

        def do_GET(self) -> None:
            self._handle("GET")

        def do_POST(self) -> None:
            self._handle("POST")

        def do_DELETE(self) -> None:
            self._handle("DELETE")

    return Handler


@dataclass
class StripeApi:
    url: str
    state: StripeApiState


@contextmanager
def stripe_api() -> Iterator[StripeApi]:
    state = StripeApiState()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(state))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield StripeApi(url=f"http://127.0.0.1:{server.server_address[1]}", state=state)
    finally:
        server.shutdown()
        server.server_close()
