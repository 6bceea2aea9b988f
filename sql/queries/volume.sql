-- volume: relevant coverage over time, all sources together, with empty days/weeks shown as zeros.
-- Parameters:
--   %(since)s   date  first day (UTC), inclusive
--   %(until)s   date  last day (UTC), inclusive
--   %(bucket)s  text  'day' or 'week' (weeks start on Monday)
-- Columns: period (date: the day, or the Monday of the week), articles (every stored item), relevant_articles,
--          stories (new stories with at least one relevant article)
-- Reads volume_total_daily (kept current by nkru_refresh_daily).
WITH periods AS (
    SELECT g::date AS period
    FROM generate_series(date_trunc(%(bucket)s, %(since)s::date::timestamp),
                         date_trunc(%(bucket)s, %(until)s::date::timestamp),
                         ('1 ' || %(bucket)s)::interval) AS g
)
SELECT p.period,
       coalesce(sum(v.articles), 0)::integer          AS articles,
       coalesce(sum(v.relevant_articles), 0)::integer AS relevant_articles,
       coalesce(sum(v.stories), 0)::integer           AS stories
FROM periods p
LEFT JOIN volume_total_daily v
       ON v.day BETWEEN %(since)s::date AND %(until)s::date
      AND date_trunc(%(bucket)s, v.day::timestamp)::date = p.period
GROUP BY p.period
ORDER BY p.period;
