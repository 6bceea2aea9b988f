-- cooccur: the entities named in the same relevant articles as one entity, most often first.
-- Parameters:
--   %(entity_id)s  integer  entities.id (find it by any spelling with find_entity.sql)
--   %(since)s      date     first day (UTC), inclusive
--   %(until)s      date     last day (UTC), inclusive
--   %(limit)s      integer  rows
-- Columns: entity, label, articles (articles naming both), share (articles / the entity's own articles in the
--          window, 0..1), entity_articles (the entity's own articles in the window)
-- Exact, every entity of the entity's articles counted (a nationality for its country). On the days the entity
-- is in a large share of the articles (cooccur_heavy_days) what it is named with is summed per month and per year
-- (cooccur_sums, and its recent changes in cooccur_pending). A year is read from its sum when at most 15 of its
-- heavy days are outside the window, else each of its months with more heavy days inside than outside; the heavy
-- days outside are taken off again from their articles' entity sets (article_entity_sets). Every other day of the
-- window is read from the entity sets of its articles that name the entity.
WITH heavy AS MATERIALIZED (  -- the entity's heavy days in the years the window touches
    SELECT h.day, date_trunc('month', h.day::timestamp)::date AS month,
           date_trunc('year', h.day::timestamp)::date AS year,
           h.day >= %(since)s::date AND h.day <= %(until)s::date AS inside
    FROM cooccur_heavy_days h
    WHERE h.entity_id = %(entity_id)s
      AND h.day >= date_trunc('year', %(since)s::date::timestamp)::date
      AND h.day < (date_trunc('year', %(until)s::date::timestamp) + interval '1 year')::date
), years AS MATERIALIZED (  -- years read from their sums: no more than half a month's heavy days to take off
    SELECT year AS first_day FROM heavy GROUP BY year
    HAVING count(*) FILTER (WHERE NOT inside) <= 15 AND count(*) FILTER (WHERE inside) > 15
), months AS MATERIALIZED (  -- months of the other years read from their sums
    SELECT month AS first_day FROM heavy
    WHERE year NOT IN (SELECT first_day FROM years)
    GROUP BY month
    HAVING count(*) FILTER (WHERE inside) > count(*) FILTER (WHERE NOT inside)
), summed AS MATERIALIZED (  -- the heavy days those sums hold
    SELECT h.day, h.inside FROM heavy h
    WHERE h.year IN (SELECT first_day FROM years) OR h.month IN (SELECT first_day FROM months)
), set_days AS MATERIALIZED (  -- +1: the window's days not in those sums; -1: days in them outside the window
    SELECT g::date AS day, 1 AS sign
    FROM generate_series(%(since)s::date, %(until)s::date, interval '1 day') AS g
    WHERE g::date NOT IN (SELECT day FROM summed)
    UNION ALL
    SELECT day, -1 FROM summed WHERE NOT inside
), together AS MATERIALIZED (  -- every entity of the entity's articles, itself included (its own count)
    SELECT t.entity_id, sum(t.articles)::integer AS articles
    FROM (SELECT x.entity_id, x.articles
          FROM cooccur_sums c CROSS JOIN LATERAL unnest(c.other_ids, c.articles) AS x(entity_id, articles)
          WHERE c.entity_id = %(entity_id)s
            AND ((c.period = 'year' AND c.first_day IN (SELECT first_day FROM years))
                 OR (c.period = 'month' AND c.first_day IN (SELECT first_day FROM months)))
          UNION ALL
          SELECT p.other_id, p.articles  -- changes to those sums not folded into their arrays yet
          FROM cooccur_pending p
          WHERE p.entity_id = %(entity_id)s
            AND ((p.period = 'year' AND p.first_day IN (SELECT first_day FROM years))
                 OR (p.period = 'month' AND p.first_day IN (SELECT first_day FROM months)))
          UNION ALL
          SELECT x.entity_id, d.sign
          FROM article_entity_sets a
          JOIN set_days d ON d.day = a.day
          CROSS JOIN LATERAL unnest(a.entity_ids) AS x(entity_id)
          WHERE a.day = ANY (ARRAY(SELECT day FROM set_days)) AND a.entity_ids @> ARRAY[%(entity_id)s::integer]) t
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
