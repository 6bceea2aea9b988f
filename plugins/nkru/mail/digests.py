"""Daily digests: one e-mail per (rule, recipient) per UTC day listing the new matching stories, sent by the one
delivery loop (`nkru.mail.delivery`).

The stories a digest lists are fixed when it is first tried (their outbox rows point at it), so a retry
sends the same list under the same Message-ID; a story that arrives after the day's digest went out waits
for the next day's. The digest row and its story rows are marked sent together, after the server accepted.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from email.message import EmailMessage

from nkru.clock import utcnow
from nkru.config import AlertRule, Settings
from nkru.mail.delivery import SendReport, deliver
from nkru.mail.instant import with_coverage
from nkru.mail.render import render_digest, rule_terms
from nkru.mail.smtp import SmtpTarget
from nkru.store import Connection, Cursor
from nkru.store import outbox as outbox_store
from nkru.store.outbox import DigestExtras


def digest_message_id(rule: str, recipient: str, day: object) -> str:
    return outbox_store.message_id("digest", rule, recipient.casefold(), day)


@dataclass(frozen=True)
class Digests:
    """The digests of every digest rule and recipient, for `deliver`: today's is opened when stories wait."""

    settings: Settings
    day: date
    now: datetime
    extras: DigestExtras | None
    queue = outbox_store.DIGESTS
    noun = "digest"
    failed_hint = "its stories are listed by `nkru alerts --failed`"

    def rules(self) -> dict[str, AlertRule]:
        return {rule.name: rule for rule in self.settings.alerts.rules if rule.mode == "digest"}

    def waiting(self, conn: Connection) -> Iterator[str]:
        """Per (rule, recipient): open today's digest if stories wait, then its pending digests, oldest first.
        Lazy, so that a run stopped by an outage opens no more digests."""
        for rule in self.rules().values():
            for recipient in rule.recipients:
                with conn, conn.cursor() as cur:
                    message_id = digest_message_id(rule.name, recipient, self.day)
                    outbox_store.open_digest(cur, rule.name, recipient, self.day, message_id, self.now)
                    waiting = outbox_store.waiting_digests(cur, rule.name, recipient)
                yield from waiting

    def build(self, cur: Cursor, row: outbox_store.Claimed, now: datetime) -> EmailMessage | None:
        digest = outbox_store.digest(cur, row.message_id)
        if digest.day == self.day:
            outbox_store.attach_to_digest(cur, digest)
        items = [with_coverage(cur, item) for item in outbox_store.digest_items(cur, digest.id)]
        if not items:
            outbox_store.delete_digest(cur, digest.id)
            return None
        rule = self.rules().get(digest.rule)
        return render_digest(
            items,
            rule=digest.rule,
            terms=rule_terms(rule) if rule else [],
            sender=self.settings.alerts.sender,
            recipient=row.recipient,
            message_id=row.message_id,
            day=digest.day,
            now=self.now,
            extras=self.extras,
            ui_base_url=self.settings.alerts.ui_base_url,
        )

    def pending(self, cur: Cursor) -> int:
        return outbox_store.count_pending(cur, "digest")


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
    digests = Digests(settings, now.astimezone(UTC).date(), now, extras)
    return deliver(
        conn, target, digests, sender=settings.alerts.sender, max_attempts=settings.alerts.max_attempts, now=now
    )


def preview_digest(
    conn: Connection, settings: Settings, rule: AlertRule, *, now: datetime, extras: DigestExtras | None = None
) -> tuple[EmailMessage, int]:
    """The digest `rule`'s first recipient would get if it were sent now, and how many stories it lists.

    Sends nothing and changes nothing: the stories are those waiting for the rule's next digest.
    """
    recipient = rule.recipients[0]
    day = now.astimezone(UTC).date()
    with conn, conn.cursor() as cur:
        items = [with_coverage(cur, item) for item in outbox_store.waiting_digest_items(cur, rule.name, recipient)]
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
        ui_base_url=settings.alerts.ui_base_url,
    )
    return msg, len(items)
