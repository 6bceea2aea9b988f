"""Alert e-mails: rules, the outbox, rendering, SMTP delivery and daily digests.

The ingest pipeline calls `queue_for_article` in each article's transaction, then `send_pending`;
the `nkru_digest` DAG calls `send_digests`. See the submodules for the guarantees each one keeps.
"""

from nkru.alerts.digest import daily_digest, digest_message_id, send_digests
from nkru.alerts.outbox import SendReport, alert_message_id, queue_for_article, send_pending
from nkru.alerts.render import DigestExtras, render_alert, render_digest
from nkru.alerts.rules import ArticleFacts, matches
from nkru.alerts.smtp import (
    DeliveryError,
    MailNotConfigured,
    MailServerUnavailable,
    SmtpNotConfigured,
    SmtpTarget,
    smtp_target,
    smtp_target_from_airflow,
    smtp_target_from_url,
)

__all__ = [
    "ArticleFacts",
    "DeliveryError",
    "DigestExtras",
    "MailNotConfigured",
    "SmtpNotConfigured",
    "MailServerUnavailable",
    "SendReport",
    "SmtpTarget",
    "alert_message_id",
    "daily_digest",
    "digest_message_id",
    "matches",
    "queue_for_article",
    "render_alert",
    "render_digest",
    "send_digests",
    "send_pending",
    "smtp_target",
    "smtp_target_from_airflow",
    "smtp_target_from_url",
]
