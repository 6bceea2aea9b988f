-- entity_trend: one entity's coverage over time, with empty days/weeks shown as zeros.
-- Parameters:
--   %(entity_id)s  integer  entities.id (find it by any spelling with find_entity.sql)
--   %(since)s      date     first day (UTC), inclusive
--   %(until)s      date     last day (UTC), inclusive
--   %(bucket)s     text     'day' or 'week' (weeks start on Monday)
-- Columns: period (date), articles (relevant articles mentioning it), mentions (summed mention counts)
WITH periods AS (
    SELECT g::date AS period
    FROM generate_series(date_trunc(%(bucket)s, %(since)s::date::timestamp),
                         date_trunc(%(bucket)s, %(until)s::date::timestamp),
                         ('1 ' || %(bucket)s)::interval) AS g
)
SELECT p.period,
       coalesce(sum(d.articles), 0)::integer AS articles,
       coalesce(sum(d.mentions), 0)::integer AS mentions
FROM periods p
LEFT JOIN entity_daily d
       ON d.entity_id = %(entity_id)s
      AND d.day BETWEEN %(since)s::date AND %(until)s::date
      AND date_trunc(%(bucket)s, d.day::timestamp)::date = p.period
GROUP BY p.period
ORDER BY p.period;
