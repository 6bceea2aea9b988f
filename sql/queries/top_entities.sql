-- top_entities: the entities mentioned in the most relevant articles in a window, ranked within each label.
-- Parameters:
--   %(since)s  date     first day (UTC), inclusive
--   %(until)s  date     last day (UTC), inclusive
--   %(label)s  text     PERSON, ORG, GPE, ... or NULL for every label
--   %(limit)s  integer  entities per label
-- Columns: label, rank (1 = most articles), entity (canonical name), articles, mentions
-- Counts articles, not tokens: an article naming Putin five times counts once. Reads entity_monthly for the
-- whole calendar months inside the window and entity_daily for the days around them.
-- first_month .. end_month (exclusive) are the whole months: first_month is the first 1st-of-a-month on or
-- after since, end_month the first 1st-of-a-month after until.
WITH counts AS (
    SELECT m.entity_id, m.articles, m.mentions  -- the whole months
    FROM entity_monthly m
    WHERE m.month >= (date_trunc('month', (%(since)s::date - 1)::timestamp) + interval '1 month')::date
      AND m.month < date_trunc('month', (%(until)s::date + 1)::timestamp)::date
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
), totals AS (
    SELECT entity_id, sum(articles)::integer AS articles, sum(mentions)::integer AS mentions
    FROM counts
    GROUP BY entity_id
), ranked AS (
    SELECT e.label, e.name AS entity, t.articles, t.mentions,
           row_number() OVER (PARTITION BY e.label ORDER BY t.articles DESC, e.name) AS rank
    FROM totals t JOIN entities e ON e.id = t.entity_id
    WHERE %(label)s::text IS NULL OR e.label = %(label)s::text
)
SELECT r.label, r.rank::integer, r.entity, r.articles, r.mentions
FROM ranked r
WHERE r.rank <= %(limit)s
ORDER BY r.label, r.rank;
