"""A real SMTP server on 127.0.0.1 that captures what is sent, for tests (aiosmtpd, no mocks).

    from tests.smtpserver import CaptureServer, smtp_server_fixture  # noqa: F401  (provides `smtp_server`)

    def test_x(smtp_server):
        ...send to smtp_server.url / smtp_server.target...
        assert [m["Subject"] for m in smtp_server.messages] == [...]

It can misbehave the ways real servers do: refuse a recipient with 550 (`refuse`), drop the connection in the
middle of DATA after N accepted messages (`drop_after`), answer DATA slowly (`delay`), and go away and come
back on the same port (`stop()`, `start()`). With `login=(user, password)` it offers SMTP AUTH (PLAIN and
LOGIN, without TLS), refuses other credentials with 535, and with `login_delay` answers a wrong password only
after that many seconds, as servers that slow down password guessing do.
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, Session

from nkru.mail.smtp import SmtpTarget


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class CaptureServer:
    """An aiosmtpd server in a background thread; `messages` holds every accepted message, in order."""

    def __init__(
        self,
        port: int | None = None,
        timeout: float = 5.0,
        login: tuple[str, str] | None = None,
        login_delay: float = 0.0,
    ):
        self.host = "127.0.0.1"
        self.port = port or free_port()
        self.timeout = timeout  # the client timeout in `url` / `target`
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []  # (mail from, rcpt tos) per accepted message
        self.refuse: set[str] = set()
        self.drop_after: int | None = None
        self.delay: float = 0.0
        self.login = login
        self.login_delay = login_delay
        self._lock = threading.Lock()
        self._controller: Controller | None = None

    # -- lifecycle

    def start(self) -> CaptureServer:
        if self._controller is None:
            auth = {"authenticator": self._authenticate, "auth_require_tls": False}
            self._controller = Controller(self, hostname=self.host, port=self.port, **(auth if self.login else {}))
            self._controller.start()
        return self

    def stop(self) -> None:
        """Stop listening (an outage); `start()` brings the server back on the same port."""
        controller, self._controller = self._controller, None
        if controller is not None:
            controller.stop()

    def __enter__(self) -> CaptureServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        return self._controller is not None

    # -- where clients send

    @property
    def url(self) -> str:
        return f"smtp://{self.host}:{self.port}?timeout={self.timeout}"

    @property
    def target(self) -> SmtpTarget:
        return SmtpTarget(host=self.host, port=self.port, timeout=self.timeout)

    # -- what arrived

    def to(self, recipient: str) -> list[EmailMessage]:
        with self._lock:
            return [m for m, (_, rcpts) in zip(self.messages, self.envelopes, strict=True) if recipient in rcpts]

    def message_ids(self) -> list[str]:
        with self._lock:
            return [m["Message-ID"] for m in self.messages]

    def wait_for(self, count: int, timeout: float = 30.0) -> list[EmailMessage]:
        """Wait until at least `count` messages arrived (for senders in other processes)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        raise AssertionError(f"expected {count} messages, got {len(self.messages)} within {timeout}s")

    # -- aiosmtpd handler hooks

    def _authenticate(self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data) -> AuthResult:
        given = (getattr(data, "login", b""), getattr(data, "password", b""))
        if self.login is not None and given == tuple(part.encode() for part in self.login):
            return AuthResult(success=True)
        time.sleep(self.login_delay)  # blocks this server's own event loop only, like a tarpit
        return AuthResult(success=False, handled=False)

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address.casefold() in {r.casefold() for r in self.refuse}:
            return "550 5.1.1 No such user here"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
            if server.transport is None or server.transport.is_closing():
                return "421 4.4.2 Client gave up"  # the client timed out: nothing was delivered
        with self._lock:
            if self.drop_after is not None and len(self.messages) >= self.drop_after:
                server.transport.close()  # the connection drops before the server answers DATA
                return "421 4.3.0 Connection lost"
            msg = message_from_bytes(envelope.original_content or envelope.content, policy=policy.default)
            self.messages.append(msg)
            self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


SmtpCapture = CaptureServer  # `with SmtpCapture() as smtp: ...` starts it and stops it


@pytest.fixture(name="smtp_server")
def smtp_server_fixture() -> Iterator[CaptureServer]:
    """A running capture server on a free loopback port, stopped after the test (`smtp_server` or `mail`)."""
    server = CaptureServer().start()
    try:
        yield server
    finally:
        server.stop()
