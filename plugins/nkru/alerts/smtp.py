"""Where alert e-mail goes and how one message is handed over: `SmtpTarget` and `SmtpSession` (smtplib).

The mail server is NKRU_SMTP_URL (`smtp://[user:pass@]host:port`, `smtps://` for implicit TLS,
`?starttls=true`) outside Airflow and the Airflow connection `nkru_smtp` inside it. The connection is read
through the SMTP provider's `SmtpHook`, so its fields and TLS extras (`disable_ssl`, `disable_tls`,
`ssl_context`, `timeout`) mean what they mean everywhere else in Airflow. We send with smtplib ourselves
because the hook's `send_email_smtp` builds its own HTML-only message: we need multipart/alternative,
a fixed Message-ID and the server's per-recipient verdict.
"""

from __future__ import annotations

import os
import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from typing import Literal
from urllib.parse import parse_qs, unquote, urlsplit

from nkru.redact import mask_url

SMTP_URL_ENV = "NKRU_SMTP_URL"
SMTP_CONN_ID = "nkru_smtp"
Security = Literal["none", "starttls", "ssl"]


class SmtpNotConfigured(RuntimeError):
    """Neither NKRU_SMTP_URL nor the Airflow connection `nkru_smtp` says where to send mail."""


MailNotConfigured = SmtpNotConfigured  # the earlier name, kept for callers that use it


class MailServerUnavailable(ConnectionError):
    """The mail server could not be reached or refused the session (connect, TLS, login)."""


class MailLoginFailed(MailServerUnavailable):
    """The mail server did not accept our user name and password (or gave up on them); nothing was sent."""


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


def smtp_target_from_airflow(conn_id: str = SMTP_CONN_ID) -> SmtpTarget:
    """The Airflow connection `conn_id`, read by the SMTP provider's hook (call inside a task only)."""
    from airflow.providers.smtp.hooks.smtp import SmtpHook

    hook = SmtpHook(smtp_conn_id=conn_id)
    hook.smtp_connection = hook.get_connection(conn_id)
    security: Security = "ssl" if hook.use_ssl else ("starttls" if hook.smtp_starttls else "none")
    return SmtpTarget(
        host=hook.host or "localhost",
        port=hook.port or (465 if security == "ssl" else 25),
        username=hook.smtp_user or None,
        password=hook.smtp_password or None,
        security=security,
        timeout=float(hook.timeout),
        verify_tls=hook.ssl_context != "none",
    )


def smtp_target() -> SmtpTarget:
    """NKRU_SMTP_URL if set, else the Airflow connection `nkru_smtp` if there is one; else a clear error."""
    url = os.environ.get(SMTP_URL_ENV)
    if url:
        return smtp_target_from_url(url)
    try:
        return smtp_target_from_airflow()
    except ImportError:
        reason = "Airflow is not installed"
    except Exception as exc:  # not found, or no Airflow context: either way there is no configured server
        reason = f"{type(exc).__name__}: {exc}"
    raise SmtpNotConfigured(
        f"no mail server configured: set {SMTP_URL_ENV}=smtp://host:port (smtps:// for TLS, ?starttls=true) "
        f"or define the Airflow connection {SMTP_CONN_ID!r} ({reason}). "
        "`make run` starts a local mail catcher that stores messages under .data/mail/."
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
        t = self.target
        client: smtplib.SMTP | None = None
        try:
            if t.security == "ssl":
                client = smtplib.SMTP_SSL(t.host, t.port, timeout=t.timeout, context=self._tls_context())
            else:
                client = smtplib.SMTP(t.host, t.port, timeout=t.timeout)
            if t.security == "starttls":
                client.starttls(context=self._tls_context())
                client.ehlo()
        except (OSError, smtplib.SMTPException) as exc:
            if client is not None:
                client.close()
            raise MailServerUnavailable(f"cannot reach mail server {t.describe()}: {_describe(exc)}") from exc
        if t.username:
            self._login(client)
        return client

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


def _text(reply: bytes | str) -> str:
    return reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
