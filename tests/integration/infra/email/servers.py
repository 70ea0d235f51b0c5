"""Local stand-ins for the mail providers: a real SMTP server and an HTTP server speaking
Resend's wire format. Nothing leaves the loopback interface."""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

SMTP_USER = "mailer"
SMTP_PASSWORD = "p@ss word"  # a test credential that needs URL-quoting


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class SmtpInbox:
    """aiosmtpd handler: keeps every accepted envelope; replies can be scripted per recipient."""

    def __init__(self) -> None:
        self.envelopes: list[Envelope] = []
        self.refuse_rcpt: dict[str, str] = {}
        self.refuse_data: str | None = None

    async def handle_RCPT(
        self,
        server: SMTP,
        session: Session,
        envelope: Envelope,
        address: str,
        rcpt_options: list[str],
    ) -> str:
        if address in self.refuse_rcpt:
            return self.refuse_rcpt[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refuse_data is not None:
            return self.refuse_data
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"


def _authenticator(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: Any
) -> AuthResult:
    ok = (
        isinstance(auth_data, LoginPassword)
        and auth_data.login == SMTP_USER.encode()
        and auth_data.password == SMTP_PASSWORD.encode()
    )
    return AuthResult(success=ok, handled=False)


@dataclass
class SmtpTestServer:
    port: int
    inbox: SmtpInbox

    def url(self, *, password: str = SMTP_PASSWORD, query: str = "") -> str:
        from urllib.parse import quote

        suffix = f"?{query}" if query else ""
        return f"smtp://{SMTP_USER}:{quote(password, safe='')}@127.0.0.1:{self.port}{suffix}"


async def start_smtp_server() -> tuple[SmtpTestServer, asyncio.Server]:
    """A real SMTP server (aiosmtpd) on the running loop, with AUTH over plain text."""
    loop = asyncio.get_running_loop()
    inbox = SmtpInbox()
    server = await loop.create_server(
        lambda: SMTP(
            inbox,
            hostname="localhost",
            authenticator=_authenticator,
            auth_require_tls=False,
            loop=loop,
        ),
        "127.0.0.1",
        0,
    )
    port = server.sockets[0].getsockname()[1]
    return SmtpTestServer(port=port, inbox=inbox), server


@dataclass
class ResendRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class ResendTestServer:
    """Answers like api.resend.com: `POST /emails` → 200 `{"id": ...}`, or a scripted reply."""

    url: str
    requests: list[ResendRequest] = field(default_factory=list)
    issued_ids: list[str] = field(default_factory=list)
    reply: tuple[int, bytes] | None = None
    hold: threading.Event | None = None
    """When set, every request waits for this event before answering (timeout tests)."""


@contextmanager
def resend_server() -> Iterator[ResendTestServer]:
    state: ResendTestServer

    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            state.requests.append(
                ResendRequest(
                    method=self.command,
                    path=self.path,
                    headers={key.lower(): value for key, value in self.headers.items()},
                    body=body,
                )
            )
            if state.hold is not None:
                state.hold.wait(timeout=10)
            if state.reply is not None:
                status, payload = state.reply
            elif self.command == "POST" and self.path == "/emails":
                message_id = str(uuid.uuid4())
                state.issued_ids.append(message_id)
                status, payload = 200, json.dumps({"id": message_id}).encode()
            else:
                status = 404
                payload = json.dumps(
                    {"statusCode": 404, "message": "Not found", "name": "not_found"}
                ).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _serve  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:
            return None

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    state = ResendTestServer(url=f"http://127.0.0.1:{httpd.server_address[1]}")
    thread = threading.Thread(
        target=httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield state
    finally:
        if state.hold is not None:
            state.hold.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(timeout=5)
