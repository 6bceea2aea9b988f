-- volume_by_feed: coverage per source over time, with empty days/weeks shown as zeros. An article carried by
-- several feeds counts for each of them.
-- Parameters:
--   %(since)s   date  first day (UTC), inclusive
--   %(until)s   date  last day (UTC), inclusive
--   %(bucket)s  text  'day' or 'week' (weeks start on Monday)
-- Columns: feed (name), period (date), articles, relevant_articles
-- Lists enabled feeds and any feed with items in the window; reads volume_daily.
WITH periods AS (
    SELECT g::date AS period
    FROM generate_series(date_trunc(%(bucket)s, %(since)s::date::timestamp),
                         date_trunc(%(bucket)s, %(until)s::date::timestamp),
                         ('1 ' || %(bucket)s)::interval) AS g
), window_counts AS (
    SELECT feed_id, date_trunc(%(bucket)s, day::timestamp)::date AS period,
           sum(articles) AS articles, sum(relevant_articles) AS relevant_articles
    FROM volume_daily
    WHERE day BETWEEN %(since)s::date AND %(until)s::date
    GROUP BY 1, 2
), shown AS (
    SELECT id, name FROM feeds
    WHERE enabled OR id IN (SELECT feed_id FROM window_counts)
)
SELECT f.name AS feed, p.period,
       coalesce(c.articles, 0)::integer          AS articles,
       coalesce(c.relevant_articles, 0)::integer AS relevant_articles
FROM shown f
CROSS JOIN periods p
LEFT JOIN window_counts c ON c.feed_id = f.id AND c.period = p.period
ORDER BY f.name, p.period;
