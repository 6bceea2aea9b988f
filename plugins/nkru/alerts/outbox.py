"""What to queue: alert rows written with the article, one per (rule, story, recipient).

`queue_for_article` runs in the article's transaction; the unique constraint makes a later copy of the story,
a re-run or a retried task add nothing. Each row carries its deterministic Message-ID. Sending the rows is
`nkru.mail.send_pending`'s job (the one delivery loop, `nkru.mail.delivery`).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

from nkru import events
from nkru.alerts.rules import ArticleFacts, entity_key, matches
from nkru.clock import utcnow
from nkru.config import Settings
from nkru.store import Cursor
from nkru.store import alerts as alert_store
from nkru.store import outbox as outbox_store
from nkru.store import stories as story_store
from nkru.store.articles import StoredArticle
from nkru.store.outbox import message_id

Mention = tuple[str, str, int]  # (canonical name, label, count)


def alert_message_id(rule: str, story_id: int, recipient: str, kind: str = "first") -> str:
    """The Message-ID of the alert to `recipient` about a story under a rule: the same on every attempt."""
    if kind == "first":
        return message_id(rule, story_id, recipient.casefold())
    return message_id(rule, story_id, recipient.casefold(), kind)


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


def update_kinds() -> frozenset[str]:
    """Kinds that make a later report an update of its story (config/events/kinds.yaml `update`)."""
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
    now = now or utcnow()
    rules = settings.alerts.rules
    if not rules:
        return 0
    first_seen, published = story_store.story_times(cur, story_id)
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
                added += outbox_store.queue_alert(
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
            added += outbox_store.queue_alert(
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
