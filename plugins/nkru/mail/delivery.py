"""The one delivery loop of every queued e-mail: instant alerts, daily digests and operator notices.

claim → render → send → mark, each row in its own transaction holding the row's lock (`nkru.store.outbox`):
a row is marked sent only after the server accepted it, and if a crash lands between the two it is sent again
with the same Message-ID, which mail clients use to drop the duplicate. Two senders at once never send one row.

The outage policy, the same for all three:

* **The mail server cannot be reached** (connect, TLS or login fails: `MailServerUnavailable`): the loop
  stops. The row in hand gets the reason as its last error, no attempt is counted on any row (an outage is
  not the message's fault), and everything stays pending for the next run. Going on would only knock on a
  closed door once per row.
* **The server does not take one message** (a refused recipient, rejected data, the connection lost in the
  middle of a message: `DeliveryError`), or the message cannot be built (`ValueError`, `TypeError`): that row
  counts an attempt and the loop goes on with the next; at `max_attempts` the row is 'failed' for good
  (logged as an error) and never retried.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from typing import Protocol

from nkru.clock import utcnow
from nkru.mail.smtp import DeliveryError, MailServerUnavailable, SmtpSession, SmtpTarget
from nkru.store import Connection, Cursor
from nkru.store import outbox as outbox_store

log = logging.getLogger(__name__)


@dataclass
class SendReport:
    """What one delivery run did. `pending` counts what is left for the next run."""

    sent: int = 0
    failed: int = 0  # rows that reached max_attempts in this run
    retrying: int = 0  # rows that failed this run and stay pending
    pending: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        """One line for logs and the CLI, e.g. '3 sent, 1 failed, 2 pending (retried next run)'."""
        text = f"{self.sent} sent, {self.failed} failed, {self.pending} pending"
        if self.pending:
            text += " (retried next run)"
        if self.errors:
            text += f"; last error: {self.errors[-1]}"
        return text


class Outbox(Protocol):
    """One kind of queued e-mail: which rows wait, how one becomes a message, how many are left."""

    queue: outbox_store.Queue
    noun: str  # "alert", "digest", "operator notice": names a row in errors and logs
    failed_hint: str  # where a row failed for good is listed

    def waiting(self, conn: Connection) -> Iterable[str]:
        """Message-IDs to try, in order. May be lazy and use `conn` between rows (never inside one)."""

    def build(self, cur: Cursor, row: outbox_store.Claimed, now: datetime) -> EmailMessage | None:
        """The message for a claimed row, or None when there is nothing to send any more (the row is gone)."""

    def pending(self, cur: Cursor) -> int:
        """How many rows (or the stories they carry) are still pending, for the report."""


def deliver(
    conn: Connection,
    target: SmtpTarget,
    outbox: Outbox,
    *,
    sender: str,
    max_attempts: int,
    now: datetime | None = None,
    report: SendReport | None = None,
) -> SendReport:
    """Send every waiting row of `outbox` through one SMTP session, following the outage policy above.

    The session opens on the first message, so a run with nothing to send never contacts the server.
    """
    report = report if report is not None else SendReport()
    with SmtpSession(target) as session:
        for message_id in outbox.waiting(conn):
            if not _deliver_one(conn, session, outbox, message_id, sender, max_attempts, now, report):
                break  # the mail server is unreachable: the rest stays pending for the next run
    with conn, conn.cursor() as cur:
        report.pending = outbox.pending(cur)
    if report.errors:
        log.warning("%ss: %s", outbox.noun, report.summary())
    else:
        log.info("%ss: %d sent, %d pending", outbox.noun, report.sent, report.pending)
    return report


def _deliver_one(
    conn: Connection,
    session: SmtpSession,
    outbox: Outbox,
    message_id: str,
    sender: str,
    max_attempts: int,
    now: datetime | None,
    report: SendReport,
) -> bool:
    """Claim, build, send and mark one row in one transaction; False when the mail server is unreachable."""
    moment = now or utcnow()
    queue = outbox.queue
    with conn, conn.cursor() as cur:
        row = outbox_store.claim(cur, queue, message_id)
        if row is None:
            return True  # sent, failed or cancelled meanwhile, or another sender holds it
        try:
            msg = outbox.build(cur, row, moment)
            if msg is None:
                return True
            session.send(msg, sender, row.recipient)
        except MailServerUnavailable as exc:
            outbox_store.note_error(cur, queue, row.message_id, str(exc), moment)
            report.errors.append(str(exc))
            return False
        except (DeliveryError, ValueError, TypeError) as exc:  # ValueError/TypeError: a message we cannot build
            status = outbox_store.record_failure(cur, queue, row.message_id, str(exc), moment, max_attempts)
            report.errors.append(f"{outbox.noun} ({row.label} → {row.recipient}): {exc}")
            if status == "failed":
                report.failed += 1
                log.error(
                    "%s FAILED for good after %d attempts: %s, to %s: %s (%s)",
                    outbox.noun.upper(),
                    row.attempts + 1,
                    row.label,
                    row.recipient,
                    exc,
                    outbox.failed_hint,
                )
            else:
                report.retrying += 1
            return True
        outbox_store.mark_sent(cur, queue, row.message_id, moment)
        report.sent += 1
    return True
