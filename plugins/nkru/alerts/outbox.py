"""The outbox: alert rows written with the article, delivered once over SMTP.

`queue_for_article` runs in the article's transaction and writes one row per (rule, story, recipient); the
unique constraint makes a later copy of the story, a re-run or a retried task add nothing. `send_pending`
claims rows one at a time with `FOR UPDATE SKIP LOCKED`, hands each to the mail server and marks it sent in
the same transaction only after the server accepted it. If a crash lands between acceptance and the mark,
the row is sent again with the same Message-ID, which mail clients use to drop the duplicate.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from nkru.alerts.render import render_alert
from nkru.alerts.rules import ArticleFacts, entity_key, matches, rule_terms
from nkru.alerts.smtp import DeliveryError, MailServerUnavailable, SmtpSession, SmtpTarget
from nkru.config import Settings
from nkru.store import Connection, Cursor
from nkru.store import alerts as alert_store
from nkru.store.articles import StoredArticle

log = logging.getLogger(__name__)

Mention = tuple[str, str, int]  # (canonical name, label, count)


def message_id(*parts: object) -> str:
    """A Message-ID that depends only on `parts`: the same alert always carries the same id."""
    digest = hashlib.sha256("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:32]
    return f"<{digest}@nkru>"


def alert_message_id(rule: str, story_id: int, recipient: str, kind: str = "first") -> str:
    if kind == "first":
        return message_id(rule, story_id, recipient.casefold())
    return message_id(rule, story_id, recipient.casefold(), kind)


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


def _facts(cur: Cursor, article: StoredArticle, mentions: Iterable[Mention]) -> ArticleFacts:
    keys = {entity_key(name) for name, _label, _count in mentions}
    keys.update(alert_store.article_entity_keys(cur, article.id))
    sources = {article.feed_name, *alert_store.article_sources(cur, article.id)}
    return ArticleFacts(
        score=article.score,
        text=f"{article.title}\n{article.summary}",
        matched_terms=frozenset(t.casefold() for t in article.matched_terms),
        entity_keys=frozenset(keys),
        sources=frozenset(sources),
        language=article.language,
    )


def with_coverage(cur: Cursor, item: alert_store.StoryItem) -> alert_store.StoryItem:
    """The item with its story's coverage line: who reported it first and when, how many followed, in what languages."""
    from nkru import stories

    return replace(item, coverage=stories.coverage(alert_store.story_reports(cur, item.story_id)))


def update_kinds() -> frozenset[str]:
    """Kinds that make a later report an update of its story (config/events/kinds.yaml `update`)."""
    from nkru import events

    return events.load_cues().rules.update


def queue_for_article(
    cur: Cursor,
    settings: Settings,
    article: StoredArticle,
    story_id: int,
    mentions: Iterable[Mention],
    *,
    now: datetime | None = None,
    new_kinds: Iterable[str] = (),
) -> int:
    """Write outbox rows for every rule the article matches (in the caller's transaction); returns rows added.

    A story first seen or published more than `max_story_age_hours` ago never alerts (e.g. after a rescore
    over history); a story that already alerted a rule's recipient is skipped by the unique constraint: later
    reports of the same event do not alert again (the story's e-mails and `nkru stories` list them).

    The update rule: a later report that adds to the story a kind listed as `update` in
    config/events/kinds.yaml (`new_kinds`, from `StoryIndex.assign`: the visit → an agreement signed at it)
    and matches the rule alerts once more, as an update, when the story's first alert to that recipient has
    already gone out (if it has not, that e-mail will list the report anyway). At most one update per
    (rule, story, recipient): the unique constraint keeps it so.
    """
    now = now or datetime.now(UTC)
    rules = settings.alerts.rules
    if not rules:
        return 0
    first_seen, published = alert_store.story_times(cur, story_id)
    if now - min(first_seen, published) > timedelta(hours=settings.alerts.max_story_age_hours):
        return 0
    facts = _facts(cur, article, mentions)
    updates = set(new_kinds) & update_kinds()
    added = 0
    for rule in rules:
        if not matches(rule, facts):
            continue
        for recipient in rule.recipients:
            if updates and alert_store.story_alerted(cur, story_id, rule.name, recipient):
                added += alert_store.queue_alert(
                    cur,
                    rule=rule.name,
                    story_id=story_id,
                    recipient=recipient,
                    mode=rule.mode,
                    article_id=article.id,
                    message_id=alert_message_id(rule.name, story_id, recipient, "update"),
                    now=now,
                    kind="update",
                )
                continue
            added += alert_store.queue_alert(
                cur,
                rule=rule.name,
                story_id=story_id,
                recipient=recipient,
                mode=rule.mode,
                article_id=article.id,
                message_id=alert_message_id(rule.name, story_id, recipient),
                now=now,
            )
    return added


def send_pending(
    conn: Connection, settings: Settings, target: SmtpTarget, *, now: datetime | None = None
) -> SendReport:
    """Deliver every pending instant alert; each row is marked sent only after the server accepted it.

    A refused recipient or a dropped connection counts an attempt on that row and the run goes on with the
    next; at `max_attempts` the row becomes 'failed' (logged as an error). A server that cannot be reached at
    all stops the run without counting attempts: an outage is not the message's fault, and every row stays
    pending for the next run.
    """
    report = SendReport()
    terms = {rule.name: rule_terms(rule) for rule in settings.alerts.rules}
    after_id = 0
    with SmtpSession(target) as session:
        while True:
            with conn, conn.cursor() as cur:
                row = alert_store.claim_next_instant(cur, after_id)
                if row is None:
                    break
                after_id = row.id
                if not _deliver(cur, session, settings, row, terms.get(row.rule, []), now, report):
                    break
    with conn, conn.cursor() as cur:
        report.pending = alert_store.count_pending(cur, "instant")
    if report.errors:
        log.warning("alerts: %d sent, %d pending, errors: %s", report.sent, report.pending, "; ".join(report.errors))
    else:
        log.info("alerts: %d sent, %d pending", report.sent, report.pending)
    return report


def _deliver(
    cur: Cursor,
    session: SmtpSession,
    settings: Settings,
    row: alert_store.OutboxRow,
    terms: list[str],
    now: datetime | None,
    report: SendReport,
) -> bool:
    """Send one claimed row and record the outcome; False when the mail server is unreachable."""
    moment = now or datetime.now(UTC)
    try:
        msg = render_alert(
            with_coverage(cur, alert_store.story_item(cur, row.id)),
            rule=row.rule,
            terms=terms,
            sender=settings.alerts.sender,
            recipient=row.recipient,
            message_id=row.message_id,
            now=moment,
        )
        session.send(msg, settings.alerts.sender, row.recipient)
    except MailServerUnavailable as exc:
        alert_store.note_error(cur, row.id, str(exc), moment)
        report.errors.append(str(exc))
        return False
    except (DeliveryError, ValueError, TypeError) as exc:  # ValueError/TypeError: a message we cannot build
        status = alert_store.record_failure(cur, row.id, str(exc), moment, settings.alerts.max_attempts)
        report.errors.append(f"alert {row.id} ({row.rule} → {row.recipient}): {exc}")
        if status == "failed":
            report.failed += 1
            log.error(
                "ALERT FAILED for good after %d attempts: rule %s, story %d, to %s: %s "
                "(listed by `nkru alerts --failed`)",
                row.attempts + 1,
                row.rule,
                row.story_id,
                row.recipient,
                exc,
            )
        else:
            report.retrying += 1
        return True
    alert_store.mark_sent(cur, row.id, moment)
    report.sent += 1
    return True
