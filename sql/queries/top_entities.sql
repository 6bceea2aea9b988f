-- top_entities: the entities mentioned in the most relevant articles in a window, ranked within each label.
-- Parameters:
--   %(since)s  date     first day (UTC), inclusive
--   %(until)s  date     last day (UTC), inclusive
--   %(label)s  text     PERSON, ORG, GPE, ... or NULL for every label
--   %(limit)s  integer  entities per label
-- Columns: label, rank (1 = most articles), entity (canonical name), articles, mentions
-- Counts articles, not tokens: an article naming Putin five times counts once. The whole calendar months inside
-- the window are the difference of two months of entity_cumulative (running totals per entity, kept for the
-- months already over), whatever the window's length; entity_monthly gives any whole month not summed there yet
-- and entity_daily the days around the whole months.
-- first_month .. end_month (exclusive) are the whole months: first_month is the first 1st-of-a-month on or
-- after since, end_month the first 1st-of-a-month after until; summed_end is the first month not in
-- entity_cumulative.
WITH bounds AS MATERIALIZED (
    SELECT w.first_month, w.end_month,
           least(w.end_month, greatest(w.first_month, s.summed_end)) AS summed_end
    FROM (SELECT (date_trunc('month', (%(since)s::date - 1)::timestamp) + interval '1 month')::date AS first_month,
                 date_trunc('month', (%(until)s::date + 1)::timestamp)::date AS end_month) w,
         (SELECT coalesce((max(month) + interval '1 month')::date, '-infinity'::date) AS summed_end
          FROM entity_cumulative) s
), counts AS (
    SELECT c.entity_id, c.articles, c.mentions  -- the running totals at the last whole month summed ...
    FROM bounds b JOIN entity_cumulative c ON c.month = (b.summed_end - interval '1 month')::date
    WHERE b.first_month < b.summed_end
    UNION ALL
    SELECT c.entity_id, -c.articles, -c.mentions  -- ... less those before the first whole month
    FROM bounds b JOIN entity_cumulative c ON c.month = (b.first_month - interval '1 month')::date
    WHERE b.first_month < b.summed_end
    UNION ALL
    SELECT m.entity_id, m.articles, m.mentions  -- whole months not summed yet
    FROM bounds b JOIN entity_monthly m ON m.month >= b.summed_end AND m.month < b.end_month
    UNION ALL
    SELECT d.entity_id, d.articles, d.mentions  -- the days before the first whole month
    FROM entity_daily d
    WHERE d.day >= %(since)s::date
      AND d.day < least((date_trunc('month', (%(since)s::date - 1)::timestamp) + interval '1 month')::date,
                        %(until)s::date + 1)
    UNION ALL
    SELECT d.entity_id, d.articles, d.mentions  -- the days after the last whole month
    FROM entity_daily d
    WHERE d.day >= greatest(date_trunc('month', (%(until)s::date + 1)::timestamp)::date,
                            (date_trunc('month', (%(since)s::date - 1)::timestamp) + interval '1 month')::date,
                            %(since)s::date)
      AND d.day <= %(until)s::date
), totals AS (  -- the label joined before summing: a hash join over the window's rows, not a lookup per entity
    SELECT c.entity_id, e.label, sum(c.articles)::integer AS articles, sum(c.mentions)::integer AS mentions
    FROM counts c JOIN entities e ON e.id = c.entity_id
    WHERE %(label)s::text IS NULL OR e.label = %(label)s::text
    GROUP BY c.entity_id, e.label
    HAVING sum(c.articles) > 0  -- an entity named before the window but not in it
), contenders AS (  -- by count alone first (ties kept): names are compared only for the few that can rank
    SELECT t.entity_id, t.label, t.articles, t.mentions,
           rank() OVER (PARTITION BY t.label COLLATE "C" ORDER BY t.articles DESC) AS by_count
    FROM totals t
), ranked AS (
    SELECT c.label, e.name AS entity, c.articles, c.mentions,
           row_number() OVER (PARTITION BY c.label ORDER BY c.articles DESC, e.name) AS rank
    FROM contenders c JOIN entities e ON e.id = c.entity_id
    WHERE c.by_count <= %(limit)s
)
SELECT r.label, r.rank::integer, r.entity, r.articles, r.mentions
FROM ranked r
WHERE r.rank <= %(limit)s
ORDER BY r.label, r.rank;
