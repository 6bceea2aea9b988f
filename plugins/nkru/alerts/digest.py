"""Digest-mode rules: one e-mail per (rule, recipient) per UTC day listing the new matching stories.

The stories a digest lists are fixed when it is first tried (their outbox rows point at it), so a retry
sends the same list under the same Message-ID; a story that arrives after the day's digest went out waits
for the next day's. The digest row and its story rows are marked sent together, after the server accepted.
"""

from __future__ import annotations

import base64
import logging
from datetime import UTC, datetime
from email.message import EmailMessage

from nkru.alerts.outbox import SendReport, message_id, with_coverage
from nkru.alerts.render import DigestExtras, render_digest
from nkru.alerts.rules import rule_terms
from nkru.alerts.smtp import DeliveryError, MailServerUnavailable, SmtpSession, SmtpTarget
from nkru.clock import utcnow
from nkru.config import AlertRule, Settings
from nkru.store import Connection
from nkru.store import alerts as alert_store

log = logging.getLogger(__name__)


def digest_message_id(rule: str, recipient: str, day: object) -> str:
    return message_id("digest", rule, recipient.casefold(), day)


def send_digests(
    conn: Connection,
    settings: Settings,
    target: SmtpTarget,
    *,
    now: datetime | None = None,
    extras: DigestExtras | None = None,
) -> SendReport:
    """Send today's digest for every digest rule and recipient with new stories, and retry earlier ones."""
    now = now or utcnow()
    report = SendReport()
    pairs = [(rule, rcpt) for rule in settings.alerts.rules if rule.mode == "digest" for rcpt in rule.recipients]
    with SmtpSession(target) as session:
        for rule, recipient in pairs:
            if not _send_for(conn, session, settings, rule, recipient, now, extras, report):
                break  # the mail server is unreachable: everything stays pending for the next run
    with conn, conn.cursor() as cur:
        report.pending = alert_store.count_pending(cur, "digest")
    level = logging.WARNING if report.errors else logging.INFO
    log.log(level, "digests: %d sent, %d stories pending; %s", report.sent, report.pending, "; ".join(report.errors))
    return report


def _send_for(
    conn: Connection,
    session: SmtpSession,
    settings: Settings,
    rule: AlertRule,
    recipient: str,
    now: datetime,
    extras: DigestExtras | None,
    report: SendReport,
) -> bool:
    """Open today's digest for (rule, recipient) if stories wait, then send every pending digest of theirs."""
    day = now.astimezone(UTC).date()
    with conn, conn.cursor() as cur:
        alert_store.open_digest(cur, rule.name, recipient, day, digest_message_id(rule.name, recipient, day), now)
        digest_ids = alert_store.pending_digest_ids(cur, rule.name, recipient)
    for digest_id in digest_ids:
        with conn, conn.cursor() as cur:
            digest = alert_store.claim_digest(cur, digest_id)
            if digest is None:
                continue  # another sender has it, or it went out meanwhile
            if digest.day == day:
                alert_store.attach_to_digest(cur, digest)
            items = [with_coverage(cur, item) for item in alert_store.digest_items(cur, digest.id)]
            if not items:
                alert_store.delete_digest(cur, digest.id)
                continue
            try:
                msg = render_digest(
                    items,
                    rule=rule.name,
                    terms=rule_terms(rule),
                    sender=settings.alerts.sender,
                    recipient=recipient,
                    message_id=digest.message_id,
                    day=digest.day,
                    now=now,
                    extras=extras,
                )
                session.send(msg, settings.alerts.sender, recipient)
            except MailServerUnavailable as exc:
                alert_store.note_digest_error(cur, digest.id, str(exc), now)
                report.errors.append(str(exc))
                return False
            except (DeliveryError, ValueError, TypeError) as exc:
                status = alert_store.record_digest_failure(cur, digest.id, str(exc), now, settings.alerts.max_attempts)
                report.errors.append(f"digest {digest.day} ({rule.name} → {recipient}): {exc}")
                if status == "failed":
                    report.failed += 1
                    log.error(
                        "DIGEST FAILED for good after %d attempts: rule %s, %s, to %s: %s "
                        "(its stories are listed by `nkru alerts --failed`)",
                        digest.attempts + 1,
                        rule.name,
                        digest.day,
                        recipient,
                        exc,
                    )
                else:
                    report.retrying += 1
                continue
            alert_store.mark_digest_sent(cur, digest.id, now)
            report.sent += 1
    return True


def preview_digest(
    conn: Connection, settings: Settings, rule: AlertRule, *, now: datetime, extras: DigestExtras | None = None
) -> tuple[EmailMessage, int]:
    """The digest `rule`'s first recipient would get if it were sent now, and how many stories it lists.

    Sends nothing and changes nothing: the stories are those waiting for the rule's next digest.
    """
    recipient = rule.recipients[0]
    day = now.astimezone(UTC).date()
    with conn, conn.cursor() as cur:
        items = alert_store.waiting_digest_items(cur, rule.name, recipient)
    msg = render_digest(
        items,
        rule=rule.name,
        terms=rule_terms(rule),
        sender=settings.alerts.sender,
        recipient=recipient,
        message_id=digest_message_id(rule.name, recipient, day),
        day=day,
        now=now,
        extras=extras,
    )
    return msg, len(items)


def html_page(msg: EmailMessage) -> str:
    """The HTML part of an e-mail as a page a browser opens on its own: inline images become data URIs."""
    html_part = msg.get_body(preferencelist=("html",))
    if html_part is None:
        raise ValueError("the message has no HTML part")
    html = html_part.get_content()
    for part in msg.walk():
        cid = part.get("Content-ID")
        if cid and part.get_content_type().startswith("image/"):
            data = base64.b64encode(part.get_payload(decode=True)).decode("ascii")
            html = html.replace(f"cid:{cid.strip('<>')}", f"data:{part.get_content_type()};base64,{data}")
    return html
