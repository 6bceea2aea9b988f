-- cooccur: the entities named in the same relevant articles as one entity, most often first.
-- Parameters:
--   %(entity_id)s  integer  entities.id (find it by any spelling with find_entity.sql)
--   %(since)s      date     first day (UTC), inclusive
--   %(until)s      date     last day (UTC), inclusive
--   %(limit)s      integer  rows
-- Columns: entity, label, articles (articles naming both), share (articles / the entity's own articles in the
--          window, 0..1), entity_articles (the entity's own articles in the window)
-- Exact, from mentions: the entity's articles in the window, then everything else those articles name. A
-- nationality counts for its country (entities.country_id), as in the trend tables.
WITH target AS (
    SELECT DISTINCT m.article_id
    FROM mentions m JOIN articles a ON a.id = m.article_id JOIN entities e ON e.id = m.entity_id
    WHERE coalesce(e.country_id, m.entity_id) = %(entity_id)s
      AND a.relevant
      AND a.published_at >= nkru_day_start(%(since)s::date)
      AND a.published_at < nkru_day_start(%(until)s::date + 1)
), together AS (
    SELECT coalesce(e.country_id, m.entity_id) AS entity_id, count(DISTINCT m.article_id)::integer AS articles
    FROM target t JOIN mentions m ON m.article_id = t.article_id JOIN entities e ON e.id = m.entity_id
    WHERE coalesce(e.country_id, m.entity_id) <> %(entity_id)s
    GROUP BY 1
)
SELECT e.name AS entity, e.label, c.articles,
       round(c.articles::numeric / (SELECT count(*) FROM target), 3)::float8 AS share,
       (SELECT count(*) FROM target)::integer AS entity_articles
FROM together c JOIN entities e ON e.id = c.entity_id
ORDER BY c.articles DESC, e.name
LIMIT %(limit)s;
