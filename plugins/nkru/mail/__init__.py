"""Mail: everything nkru sends, and how. The SMTP session and its probe (`smtp`), building a message safely
(`message`: headers from untrusted text, RFC 2047 neutralised), the alert and digest e-mails (`render`), and the
one delivery loop (`delivery`: claim → render → send → mark, one outage policy) that sends instant alerts
(`instant`), daily digests (`digests`) and, for `nkru.ops`, operator notices.

Which alerts are queued is decided by `nkru.alerts`; where the mail server is, by the edge (`nkru.edge.resources`).
This package imports neither: the caller passes the settings and the `SmtpTarget`.
"""

from nkru.mail.delivery import SendReport, deliver
from nkru.mail.digests import digest_message_id, preview_digest, send_digests
from nkru.mail.instant import send_pending
from nkru.mail.render import html_page, render_alert, render_digest
from nkru.mail.smtp import (
    DeliveryError,
    MailLoginFailed,
    MailServerUnavailable,
    SmtpSession,
    SmtpTarget,
    probe,
    smtp_target_from_url,
)

__all__ = [
    "DeliveryError",
    "MailLoginFailed",
    "MailServerUnavailable",
    "SendReport",
    "SmtpSession",
    "SmtpTarget",
    "deliver",
    "digest_message_id",
    "html_page",
    "preview_digest",
    "probe",
    "render_alert",
    "render_digest",
    "send_digests",
    "send_pending",
    "smtp_target_from_url",
]
