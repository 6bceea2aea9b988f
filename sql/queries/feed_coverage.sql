-- feed_coverage: each feed's health and its items per day against its own usual rate, so a feed that has gone
-- quiet stands out, and a quiet feed that is really failing says so.
-- Parameters:
--   %(since)s           date  first day of the recent window (UTC), inclusive
--   %(until)s           date  last day of the recent window (UTC), inclusive: usually today
--   %(baseline_since)s  date  first day of the baseline window ("usual rate"), which ends the day before %(since)s
-- Columns: feed, url, enabled, last_status, last_http_status, last_error, consecutive_failures, failing_since,
--          last_fetched_at, last_success_at, last_new_item_at, next_due_at,
--          poll_minutes (the adaptive interval: minutes between fetches while healthy; NULL before the first fetch),
--          validators_ignored_since (stale ETag/Last-Modified caught: no longer sent), host_wait_until (the feed's
--          host asked us to wait until then: 429/503 with Retry-After),
--          recent_items, recent_per_day, usual_per_day, expected_items (usual rate × recent days),
--          status, daily (int[]: items per day from since to until)
-- status: 'disabled' (removed from nkru.yaml), 'failing' (its last fetches failed: see last_error),
--         'silent' (no items although about 5 or more were expected), 'quiet' (under a quarter of its usual rate,
--         with 5 or more expected), 'new' (no items before the window), 'no items' (none ever), else 'ok'.
-- "Expected 5 or more" keeps a feed that posts once a week from being flagged after a quiet week: with 5
-- expected, seeing none by chance happens less than once in a hundred.
WITH counts AS (
    SELECT f.id,
           coalesce(sum(v.articles) FILTER (WHERE v.day >= %(since)s::date), 0)::integer AS recent_items,
           coalesce(sum(v.articles) FILTER (WHERE v.day < %(since)s::date), 0)::integer AS baseline_items,
           (%(until)s::date - %(since)s::date + 1)::float8 AS recent_days,
           greatest(%(since)s::date - %(baseline_since)s::date, 1)::float8 AS baseline_days
    FROM feeds f
    LEFT JOIN volume_daily v ON v.feed_id = f.id AND v.day BETWEEN %(baseline_since)s::date AND %(until)s::date
    GROUP BY f.id
), rated AS (
    SELECT c.*, c.recent_items / c.recent_days AS recent_per_day, c.baseline_items / c.baseline_days AS usual_per_day,
           c.baseline_items / c.baseline_days * c.recent_days AS expected_items,
           EXISTS (SELECT 1 FROM volume_daily v WHERE v.feed_id = c.id AND v.day < %(since)s::date) AS seen_before
    FROM counts c
)
SELECT f.name AS feed, f.url, f.enabled, f.last_status, f.last_http_status, f.last_error, f.consecutive_failures,
       f.failing_since, f.last_fetched_at, f.last_success_at, f.last_new_item_at, f.next_due_at,
       f.poll_minutes::float8 AS poll_minutes, f.validators_ignored_since,
       (SELECT h.wait_until FROM fetch_hosts h WHERE h.host = f.host AND h.wait_until > now()) AS host_wait_until,
       r.recent_items, round(r.recent_per_day::numeric, 2)::float8 AS recent_per_day,
       round(r.usual_per_day::numeric, 2)::float8 AS usual_per_day,
       round(r.expected_items::numeric, 1)::float8 AS expected_items,
       CASE
           WHEN NOT f.enabled THEN 'disabled'
           WHEN f.consecutive_failures > 0 THEN 'failing'
           WHEN r.recent_items = 0 AND r.expected_items >= 5 THEN 'silent'
           WHEN r.expected_items >= 5 AND r.recent_per_day < r.usual_per_day / 4 THEN 'quiet'
           WHEN r.recent_items = 0 AND NOT r.seen_before THEN 'no items'
           WHEN NOT r.seen_before THEN 'new'
           ELSE 'ok'
       END AS status,
       ARRAY(SELECT coalesce(v.articles, 0)
             FROM generate_series(%(since)s::date, %(until)s::date, interval '1 day') AS g
             LEFT JOIN volume_daily v ON v.feed_id = f.id AND v.day = g::date
             ORDER BY g) AS daily
FROM feeds f JOIN rated r ON r.id = f.id
ORDER BY f.enabled DESC, f.name;
