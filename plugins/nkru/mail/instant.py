"""Instant alerts: one e-mail per queued (rule, story, recipient) row of `alert_outbox`, sent by the one
delivery loop (`nkru.mail.delivery`). What is queued, and when, is decided by `nkru.alerts`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import datetime
from email.message import EmailMessage

from nkru.config import Settings
from nkru.mail.delivery import SendReport, deliver
from nkru.mail.render import render_alert, rule_terms
from nkru.mail.smtp import SmtpTarget
from nkru.store import Connection, Cursor
from nkru.store import feeds as feed_store
from nkru.store import outbox as outbox_store
from nkru.store import stories as story_store
from nkru.store.outbox import StoryItem
from nkru.stories.coverage import coverage


def with_coverage(cur: Cursor, item: StoryItem) -> StoryItem:
    """The item with its story's coverage line: who reported it first and when, how many outlets followed, in
    what languages; outlets by their display names."""
    reports = story_store.story_reports(cur, item.story_id)
    titles = feed_store.outlet_names(cur, sorted({r.outlet for r in reports}))
    reports = [replace(r, outlet=titles.get(r.outlet, r.outlet)) for r in reports]
    return replace(item, coverage=coverage(reports))


@dataclass(frozen=True)
class InstantAlerts:
    """The instant rows of `alert_outbox`, for `deliver`."""

    settings: Settings
    queue = outbox_store.ALERTS
    noun = "alert"
    failed_hint = "listed by `nkru alerts --failed`"

    def waiting(self, conn: Connection) -> Iterable[str]:
        with conn, conn.cursor() as cur:
            return outbox_store.waiting_instant(cur)

    def build(self, cur: Cursor, row: outbox_store.Claimed, now: datetime) -> EmailMessage:
        rule_name, item = outbox_store.instant_alert(cur, row.message_id)
        rule = next((r for r in self.settings.alerts.rules if r.name == rule_name), None)
        return render_alert(
            with_coverage(cur, item),
            rule=rule_name,
            terms=rule_terms(rule) if rule else [],
            sender=self.settings.alerts.sender,
            recipient=row.recipient,
            message_id=row.message_id,
            now=now,
            ui_base_url=self.settings.alerts.ui_base_url,
        )

    def pending(self, cur: Cursor) -> int:
        return outbox_store.count_pending(cur, "instant")


def send_pending(
    conn: Connection, settings: Settings, target: SmtpTarget, *, now: datetime | None = None
) -> SendReport:
    """Deliver every pending instant alert (the outage policy is `nkru.mail.delivery`'s)."""
    return deliver(
        conn,
        target,
        InstantAlerts(settings),
        sender=settings.alerts.sender,
        max_attempts=settings.alerts.max_attempts,
        now=now,
    )
