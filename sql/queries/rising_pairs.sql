-- rising_pairs: pairs of entities named together in more relevant articles recently than usual.
-- Parameters:
--   %(since)s           date     first day of the recent window (UTC), inclusive
--   %(until)s           date     last day of the recent window (UTC), inclusive: usually today
--   %(baseline_since)s  date     first day of the baseline window, which ends the day before %(since)s
--   %(min_count)s       integer  least articles naming both in the recent window (e.g. 3)
--   %(limit)s           integer  rows
-- Columns: entity_a, label_a, entity_b, label_b, recent, baseline, expected, score (as in rising_entities.sql)
-- Reads pair_daily, which keeps the pairs among each day's 100 most-covered entities: a pair that only ever
-- appears in the long tail is not listed (nor worth listing).
WITH counts AS (
    SELECT d.entity_a, d.entity_b,
           coalesce(sum(d.articles) FILTER (WHERE d.day >= %(since)s::date), 0)::integer AS recent,
           coalesce(sum(d.articles) FILTER (WHERE d.day < %(since)s::date), 0)::integer AS baseline
    FROM pair_daily d
    WHERE d.day BETWEEN %(baseline_since)s::date AND %(until)s::date
    GROUP BY d.entity_a, d.entity_b
    HAVING coalesce(sum(d.articles) FILTER (WHERE d.day >= %(since)s::date), 0) >= %(min_count)s
), scaled AS (
    SELECT c.*,
           c.baseline * (%(until)s::date - %(since)s::date + 1)::float8
           / greatest(%(since)s::date - %(baseline_since)s::date, 1)::float8 AS expected
    FROM counts c
), scored AS (
    SELECT s.*, ln((s.recent + 1) / (s.expected + 1)) / ln(2.0::float8) AS score FROM scaled s
)
SELECT a.name AS entity_a, a.label AS label_a, b.name AS entity_b, b.label AS label_b,
       s.recent, s.baseline, round(s.expected::numeric, 2)::float8 AS expected,
       round(s.score::numeric, 3)::float8 AS score
FROM scored s
JOIN entities a ON a.id = s.entity_a
JOIN entities b ON b.id = s.entity_b
WHERE s.score > 0
ORDER BY s.score DESC, s.recent DESC, a.name, b.name
LIMIT %(limit)s;
