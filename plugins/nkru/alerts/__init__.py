"""Alert e-mails: rules, the outbox, rendering, SMTP delivery and daily digests.

The ingest pipeline calls `queue_for_article` in each article's transaction, then `send_pending`;
the `nkru_digest` DAG calls `send_digests`. Where the mail server is comes from the caller (`nkru.resources`).
See the submodules for the guarantees each one keeps.
"""

from nkru.alerts.digest import digest_message_id, send_digests
from nkru.alerts.outbox import SendReport, alert_message_id, queue_for_article, send_pending
from nkru.alerts.render import DigestExtras, render_alert, render_digest
from nkru.alerts.rules import ArticleFacts, matches
from nkru.alerts.smtp import DeliveryError, MailServerUnavailable, SmtpTarget, smtp_target_from_url

__all__ = [
    "ArticleFacts",
    "DeliveryError",
    "DigestExtras",
    "MailServerUnavailable",
    "SendReport",
    "SmtpTarget",
    "alert_message_id",
    "digest_message_id",
    "matches",
    "queue_for_article",
    "render_alert",
    "render_digest",
    "send_digests",
    "send_pending",
    "smtp_target_from_url",
]
