-- cooccur: the entities named in the same relevant articles as one entity, most often first.
-- Parameters:
--   %(entity_id)s  integer  entities.id (find it by any spelling with find_entity.sql)
--   %(since)s      date     first day (UTC), inclusive
--   %(until)s      date     last day (UTC), inclusive
--   %(limit)s      integer  rows
-- Columns: entity, label, articles (articles naming both), share (articles / the entity's own articles in the
--          window, 0..1), entity_articles (the entity's own articles in the window)
-- Exact, from article_entity_sets (each relevant article's entities, a nationality counted for its country, kept
-- by the trend refresh): one row per article of the window that names the entity, every entity of it counted —
-- not only a day's top entities as in pair_daily.
WITH together AS MATERIALIZED (  -- every entity of the entity's articles, itself included (its own count)
    SELECT x.entity_id, count(*)::integer AS articles
    FROM article_entity_sets s CROSS JOIN LATERAL unnest(s.entity_ids) AS x(entity_id)
    WHERE s.day >= %(since)s::date AND s.day <= %(until)s::date
      AND s.entity_ids @> ARRAY[%(entity_id)s::integer]
    GROUP BY 1
), own AS (
    SELECT coalesce(max(articles), 0) AS articles FROM together WHERE entity_id = %(entity_id)s
), cut AS (  -- the limit-th highest count: only entities at or above it need their names for the ranking
    SELECT coalesce(min(articles), 0) AS articles
    FROM (SELECT articles FROM together WHERE entity_id <> %(entity_id)s ORDER BY articles DESC LIMIT %(limit)s) t
)
SELECT e.name AS entity, e.label, c.articles,
       round(c.articles::numeric / own.articles, 3)::float8 AS share,
       own.articles::integer AS entity_articles
FROM together c JOIN entities e ON e.id = c.entity_id CROSS JOIN own
WHERE c.entity_id <> %(entity_id)s AND c.articles >= (SELECT articles FROM cut)
ORDER BY c.articles DESC, e.name
LIMIT %(limit)s;
