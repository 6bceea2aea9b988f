"""Alerts: the rules (`rules`: does a story's article interest a rule?) and what to queue (`outbox`: one row per
rule, story and recipient, written in the article's transaction).

The ingest pipeline calls `queue_for_article` in each article's transaction. Sending what is queued (instant
alerts, daily digests) is `nkru.mail`'s job; `nkru.edge.catcher` is the local mail catcher of `make run`.
"""
