-- cooccur: the entities named in the same relevant articles as one entity, most often first.
-- Parameters:
--   %(entity_id)s  integer  entities.id (find it by any spelling with find_entity.sql)
--   %(since)s      date     first day (UTC), inclusive
--   %(until)s      date     last day (UTC), inclusive
--   %(limit)s      integer  rows
-- Columns: entity, label, articles (articles naming both), share (articles / the entity's own articles in the
--          window, 0..1), entity_articles (the entity's own articles in the window)
-- Exact, every entity of the entity's articles counted (a nationality for its country). On the days the entity
-- is in a large share of the articles (cooccur_heavy_days) what it is named with is summed per month
-- (cooccur_monthly); a month is read from those sums when more of its heavy days fall inside the window than
-- outside, the ones outside taken off again from their articles' entity sets (article_entity_sets). Every other
-- day of the window is read from the entity sets of its articles that name the entity.
WITH heavy AS MATERIALIZED (  -- the entity's heavy days in the months the window touches
    SELECT h.day, date_trunc('month', h.day::timestamp)::date AS month,
           h.day >= %(since)s::date AND h.day <= %(until)s::date AS inside
    FROM cooccur_heavy_days h
    WHERE h.entity_id = %(entity_id)s
      AND h.day >= date_trunc('month', %(since)s::date::timestamp)::date
      AND h.day < (date_trunc('month', %(until)s::date::timestamp) + interval '1 month')::date
), summed AS MATERIALIZED (  -- the months read from cooccur_monthly
    SELECT month FROM heavy GROUP BY month
    HAVING count(*) FILTER (WHERE inside) > count(*) FILTER (WHERE NOT inside)
), set_days AS MATERIALIZED (  -- +1: the window's days not in those sums; -1: days in them outside the window
    SELECT g::date AS day, 1 AS sign
    FROM generate_series(%(since)s::date, %(until)s::date, interval '1 day') AS g
    WHERE g::date NOT IN (SELECT h.day FROM heavy h JOIN summed s USING (month))
    UNION ALL
    SELECT h.day, -1 FROM heavy h JOIN summed s USING (month) WHERE NOT h.inside
), together AS MATERIALIZED (  -- every entity of the entity's articles, itself included (its own count)
    SELECT t.entity_id, sum(t.articles)::integer AS articles
    FROM (SELECT x.entity_id, x.articles
          FROM summed s
          JOIN cooccur_monthly c ON c.entity_id = %(entity_id)s AND c.month = s.month
          CROSS JOIN LATERAL unnest(c.other_ids, c.articles) AS x(entity_id, articles)
          UNION ALL
          SELECT x.entity_id, d.sign
          FROM set_days d
          JOIN article_entity_sets a ON a.day = d.day AND a.entity_ids @> ARRAY[%(entity_id)s::integer]
          CROSS JOIN LATERAL unnest(a.entity_ids) AS x(entity_id)) t
    GROUP BY 1
    HAVING sum(t.articles) > 0
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
