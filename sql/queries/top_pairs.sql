-- top_pairs: the pairs of entities named together in the most relevant articles in a window.
-- Parameters:
--   %(since)s  date     first day (UTC), inclusive
--   %(until)s  date     last day (UTC), inclusive
--   %(limit)s  integer  rows
-- Columns: entity_a, label_a, entity_b, label_b, articles
-- Reads pair_daily (pairs among each day's 100 most-covered entities).
SELECT a.name AS entity_a, a.label AS label_a, b.name AS entity_b, b.label AS label_b, p.articles
FROM (SELECT entity_a, entity_b, sum(articles)::integer AS articles
      FROM pair_daily
      WHERE day BETWEEN %(since)s::date AND %(until)s::date
      GROUP BY entity_a, entity_b
      ORDER BY articles DESC, entity_a, entity_b
      LIMIT %(limit)s) p
JOIN entities a ON a.id = p.entity_a
JOIN entities b ON b.id = p.entity_b
ORDER BY p.articles DESC, a.name, b.name;
