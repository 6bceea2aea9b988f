"""Operations: telling the operators when nkru breaks (`notices`) and retention (`retention`).

`nkru doctor`, which checks a setup, is at the edge (`nkru.edge.doctor`): it reads the environment.
"""

from nkru.ops.notices import (
    KIND_FEED,
    KIND_TASK,
    NoticeReport,
    RunReview,
    check_feeds,
    failure_detail,
    notice_message_id,
    notify,
    render_notice,
    report_task_failure,
    report_task_success,
    review_run,
)
from nkru.ops.retention import RetentionReport, apply_retention

__all__ = [
    "KIND_FEED",
    "KIND_TASK",
    "NoticeReport",
    "RetentionReport",
    "RunReview",
    "apply_retention",
    "check_feeds",
    "failure_detail",
    "notice_message_id",
    "notify",
    "render_notice",
    "report_task_failure",
    "report_task_success",
    "review_run",
]
