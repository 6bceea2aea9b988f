"""Where nkru's e-mail goes and how one message is handed over: `SmtpTarget`, `SmtpSession` (smtplib), `probe`.

A target is parsed from a URL here (`smtp://[user:pass@]host:port`, `smtps://` for implicit TLS,
`?starttls=true`); which URL or Airflow connection applies is decided at the edge, by `nkru.edge.resources`.
We send with smtplib ourselves because the SMTP provider's `send_email_smtp` builds its own HTML-only message:
we need multipart/alternative, a fixed Message-ID and the server's per-recipient verdict.

The session tells the two kinds of failure apart, which is what the delivery loop's outage policy rests on:
`MailServerUnavailable` (connect, TLS or login failed: nothing can be sent now) and `DeliveryError` (the
server did not take this one message). `probe` opens a session the same way and sends no mail: `nkru doctor`
uses it.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

from nkru.redact import mask_url

SMTP_URL_ENV = "NKRU_SMTP_URL"  # named in the messages about a malformed URL
Security = Literal["none", "starttls", "ssl"]


class MailServerUnavailable(ConnectionError):
    """The mail server could not be reached or refused the session; `step` says where (connect, STARTTLS,
    login) and `__cause__` holds smtplib's or ssl's own exception."""

    def __init__(self, message: str, step: str = "connect"):
        super().__init__(message)
        self.step = step


class MailLoginFailed(MailServerUnavailable):
    """The mail server did not accept our user name and password (or gave up on them); nothing was sent."""

    def __init__(self, message: str):
        super().__init__(message, step="login")


class DeliveryError(Exception):
    """The server did not accept one message (refused recipient, rejected data, connection lost mid-send)."""


@dataclass(frozen=True)
class SmtpTarget:
    """A mail server and how to talk to it."""

    host: str
    port: int
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    security: Security = "none"
    timeout: float = 30.0
    verify_tls: bool = True

    def describe(self) -> str:
        return f"{self.host}:{self.port} ({self.security})"


def _flag(query: dict[str, list[str]], name: str, default: bool) -> bool:
    values = query.get(name)
    return default if not values else values[-1].strip().lower() in ("1", "true", "yes", "on")


def smtp_target_from_url(url: str) -> SmtpTarget:
    """Parse `smtp://[user:pass@]host[:port][?starttls=true&timeout=30&verify=false]` or `smtps://...`."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise ValueError(
            f"{SMTP_URL_ENV} must look like smtp://[user:pass@]host:port or smtps://..., not {mask_url(url)!r}"
        )
    query = parse_qs(parts.query)
    if parts.scheme == "smtps":
        security: Security = "ssl"
    else:
        security = "starttls" if _flag(query, "starttls", False) else "none"
    try:
        port = parts.port or (465 if security == "ssl" else 25)
        timeout = float(query.get("timeout", ["30"])[-1])
    except ValueError as exc:
        raise ValueError(f"{SMTP_URL_ENV}: {exc}") from None
    return SmtpTarget(
        host=parts.hostname,
        port=port,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        security=security,
        timeout=timeout,
        verify_tls=_flag(query, "verify", True),
    )


class SmtpSession:
    """One SMTP connection, opened on first use and reopened after it drops; use as a context manager."""

    def __init__(self, target: SmtpTarget):
        self.target = target
        self._client: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpSession:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        client, self._client = self._client, None
        if client is None:
            return
        try:
            client.quit()
        except (OSError, smtplib.SMTPException):
            client.close()

    def _tls_context(self) -> ssl.SSLContext:
        context = ssl.create_default_context()
        if not self.target.verify_tls:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        return context

    def _connect(self) -> smtplib.SMTP:
        """Connect, start TLS as configured and log in when a user is set."""
        t = self.target
        client: smtplib.SMTP | None = None
        step = "connect"
        try:
            if t.security == "ssl":
                client = smtplib.SMTP_SSL(t.host, t.port, timeout=t.timeout, context=self._tls_context())
            else:
                client = smtplib.SMTP(t.host, t.port, timeout=t.timeout)
            if t.security == "starttls":
                step = "STARTTLS"
                client.starttls(context=self._tls_context())
                client.ehlo()
        except (OSError, smtplib.SMTPException) as exc:
            if client is not None:
                client.close()
            raise MailServerUnavailable(
                f"cannot reach mail server {t.describe()}: {_describe(exc)}", step=step
            ) from exc
        if t.username:
            self._login(client)
        return client

    def noop(self) -> tuple[int, bytes]:
        """Open the session (connect, TLS, login) if it is not open, and say NOOP: a probe that sends no mail."""
        if self._client is None:
            self._client = self._connect()
        return self._client.noop()

    def _login(self, client: smtplib.SMTP) -> None:
        """Log in, naming a refused login as such. Servers often answer a wrong password only after a delay
        (or not at all), so a time-out during login is reported as a login failure, not as an outage."""
        t = self.target
        hint = "check the user name and password of the mail server"
        try:
            client.login(t.username or "", t.password or "")
        except smtplib.SMTPAuthenticationError as exc:
            client.close()
            raise MailLoginFailed(
                f"mail server {t.describe()} refused the login: {exc.smtp_code} {_text(exc.smtp_error)}; {hint}"
            ) from exc
        except smtplib.SMTPNotSupportedError as exc:
            client.close()
            raise MailLoginFailed(
                f"mail server {t.describe()} does not offer a login (no SMTP AUTH"
                f"{'' if t.security != 'none' else ' without TLS: try ?starttls=true or smtps://'})"
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:
            client.close()
            raise MailLoginFailed(
                f"mail server {t.describe()} did not complete the login: {_describe(exc)}; {hint} "
                "(a wrong password is often answered slowly or not at all)"
            ) from exc

    def send(self, msg: EmailMessage, sender: str, recipient: str) -> None:
        """Hand one message for one recipient to the server; returns only when the server accepted it."""
        if self._client is None:
            self._client = self._connect()
        try:
            self._client.send_message(msg, from_addr=sender, to_addrs=[recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = exc.recipients.get(recipient, (None, b"refused"))
            raise DeliveryError(f"recipient refused by the mail server: {code} {_text(reply)}") from exc
        except smtplib.SMTPResponseException as exc:  # sender refused, data rejected (the session stays usable)
            if exc.smtp_code == 421:
                self._drop()
            raise DeliveryError(
                f"message rejected by the mail server: {exc.smtp_code} {_text(exc.smtp_error)}"
            ) from exc
        except (OSError, smtplib.SMTPException) as exc:  # disconnected, timed out: nothing was accepted
            self._drop()
            raise DeliveryError(f"connection to the mail server lost while sending: {_describe(exc)}") from exc

    def _drop(self) -> None:
        client, self._client = self._client, None
        if client is not None:
            client.close()


def probe(target: SmtpTarget) -> tuple[int, bytes]:
    """Connect, start TLS and log in exactly as a delivery run does, say NOOP and QUIT; no mail is sent.

    Returns the NOOP reply; raises `MailServerUnavailable` (or `MailLoginFailed`) when the session cannot be
    opened, with smtplib's or ssl's exception as its cause, and smtplib's own errors when NOOP itself fails.
    """
    with SmtpSession(target) as session:
        return session.noop()


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
