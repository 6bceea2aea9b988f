-- top_entities: the entities mentioned in the most relevant articles in a window, ranked within each label.
-- Parameters:
--   %(since)s  date     first day (UTC), inclusive
--   %(until)s  date     last day (UTC), inclusive
--   %(label)s  text     PERSON, ORG, GPE, ... or NULL for every label
--   %(limit)s  integer  entities per label
-- Columns: label, rank (1 = most articles), entity (canonical name), articles, mentions
-- Counts articles, not tokens: an article naming Putin five times counts once. Exact, without counting every
-- entity: no window holds more of an entity's articles than its whole history (entity_totals), so the window is
-- counted first for the entities with the most articles ever, the limit-th best of those counts per label is a
-- floor, and then only the entities whose articles ever reach that floor are counted: no other can rank.
-- nkru_entity_window counts a window for given entities from running totals per month (entity_cumulative), the
-- months not summed yet (entity_monthly) and the days around the whole months (entity_daily).
WITH RECURSIVE labels AS (  -- the labels asked for, one index look-up each
    SELECT min(t.label) AS label FROM entity_totals t WHERE %(label)s::text IS NULL OR t.label = %(label)s::text
    UNION ALL
    SELECT (SELECT min(t.label) FROM entity_totals t WHERE t.label > l.label AND %(label)s::text IS NULL)
    FROM labels l
    WHERE l.label IS NOT NULL
), first_pass AS MATERIALIZED (  -- per label, three times `limit` entities with the most articles ever
    SELECT l.label, f.entity_id
    FROM labels l
    CROSS JOIN LATERAL (SELECT t.entity_id FROM entity_totals t WHERE t.label = l.label
                        ORDER BY t.articles DESC LIMIT 3 * %(limit)s) f
    WHERE l.label IS NOT NULL
), floors AS MATERIALIZED (  -- per label, the limit-th best window count among them (at least 1)
    SELECT l.label,
           greatest(1, (array_agg(w.articles ORDER BY w.articles DESC) FILTER (WHERE w.articles > 0))[%(limit)s])
               AS articles
    FROM labels l
    LEFT JOIN first_pass f ON f.label = l.label
    LEFT JOIN nkru_entity_window(ARRAY(SELECT entity_id FROM first_pass), %(since)s::date, %(until)s::date) w
           ON w.entity_id = f.entity_id
    WHERE l.label IS NOT NULL
    GROUP BY l.label
), candidates AS MATERIALIZED (  -- every entity that could reach its label's floor
    SELECT c.entity_id, f.label
    FROM floors f
    CROSS JOIN LATERAL (SELECT t.entity_id FROM entity_totals t  -- ORDER BY: an index range scan per label
                        WHERE t.label = f.label AND t.articles >= f.articles ORDER BY t.articles DESC) c
), totals AS (
    SELECT c.entity_id, c.label, w.articles::integer AS articles, w.mentions::integer AS mentions
    FROM nkru_entity_window(ARRAY(SELECT entity_id FROM candidates), %(since)s::date, %(until)s::date) w
    JOIN candidates c ON c.entity_id = w.entity_id
    WHERE w.articles > 0  -- an entity named before the window but not in it
), contenders AS (  -- by count alone first (ties kept): names are compared only for the few that can rank
    SELECT t.entity_id, t.label, t.articles, t.mentions,
           rank() OVER (PARTITION BY t.label COLLATE "C" ORDER BY t.articles DESC) AS by_count
    FROM totals t
), ranked AS (
    SELECT n.label, n.entity, n.articles, n.mentions,
           row_number() OVER (PARTITION BY n.label ORDER BY n.articles DESC, n.entity) AS rank
    FROM (SELECT c.label, c.articles, c.mentions,
                 (SELECT e.name FROM entities e WHERE e.id = c.entity_id) AS entity  -- a look-up per contender
          FROM contenders c
          WHERE c.by_count <= %(limit)s) n
)
SELECT r.label, r.rank::integer, r.entity, r.articles, r.mentions
FROM ranked r
WHERE r.rank <= %(limit)s
ORDER BY r.label, r.rank;
