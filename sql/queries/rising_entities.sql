-- rising_entities: entities covered more in the recent window than their usual level in the baseline before it.
-- Parameters:
--   %(since)s           date     first day of the recent window (UTC), inclusive
--   %(until)s           date     last day of the recent window (UTC), inclusive: usually today
--   %(baseline_since)s  date     first day of the baseline window, which ends the day before %(since)s
--   %(min_count)s       integer  least relevant articles in the recent window to be listed (e.g. 3)
--   %(label)s           text     PERSON, ORG, GPE, ... or NULL for every label
--   %(limit)s           integer  rows
-- Columns: entity, label, recent (articles in the recent window), baseline (articles in the baseline window),
--          expected (baseline scaled to the recent window's length), score, daily (int[]: articles per day from
--          baseline_since to until, for a sparkline)
-- score = log2((recent + 1) / (expected + 1)): a smoothed log-ratio. The +1 keeps small numbers small: an entity
-- seen twice instead of once scores ~0.6, a first-ever visit covered by 8 articles scores 3.2, a staple going
-- from 100 to 200 scores 1.0. Only entities with score > 0 are listed, highest first.
WITH counts AS (
    SELECT d.entity_id,
           coalesce(sum(d.articles) FILTER (WHERE d.day >= %(since)s::date), 0)::integer AS recent,
           coalesce(sum(d.articles) FILTER (WHERE d.day < %(since)s::date), 0)::integer AS baseline
    FROM entity_daily d
    WHERE d.day BETWEEN %(baseline_since)s::date AND %(until)s::date
    GROUP BY d.entity_id
    HAVING coalesce(sum(d.articles) FILTER (WHERE d.day >= %(since)s::date), 0) >= %(min_count)s
), scaled AS (
    SELECT c.*,
           c.baseline * (%(until)s::date - %(since)s::date + 1)::float8
           / greatest(%(since)s::date - %(baseline_since)s::date, 1)::float8 AS expected
    FROM counts c
), ranked AS (
    SELECT e.id AS entity_id, e.name AS entity, e.label, s.recent, s.baseline, s.expected,
           ln((s.recent + 1) / (s.expected + 1)) / ln(2.0::float8) AS score
    FROM scaled s JOIN entities e ON e.id = s.entity_id
    WHERE %(label)s::text IS NULL OR e.label = %(label)s::text
)
SELECT r.entity, r.label, r.recent, r.baseline, round(r.expected::numeric, 2)::float8 AS expected,
       round(r.score::numeric, 3)::float8 AS score,
       ARRAY(SELECT coalesce(d.articles, 0)
             FROM generate_series(%(baseline_since)s::date, %(until)s::date, interval '1 day') AS g
             LEFT JOIN entity_daily d ON d.entity_id = r.entity_id AND d.day = g::date
             ORDER BY g) AS daily
FROM ranked r
WHERE r.score > 0
ORDER BY r.score DESC, r.recent DESC, r.entity
LIMIT %(limit)s;
