-- latest_stories: the newest stories, each with its first article, how many outlets carried it and its entities.
-- Parameters:
--   %(limit)s  integer  stories
-- Columns: story_id, title, published_at, url (the earliest relevant article's link), source (its feed),
--          outlets (feeds that carried the story), entities (text[]: canonical names, most articles first, at most 8),
--          languages (text[]), reports (json: each relevant article, first first, with outlet, language, time, and
--          joined_by / why from story_members: the rule and the shared entities, kind, time gap, similarity)
SELECT s.id AS story_id, s.title, s.published_at, first.url, first.source, first.outlet,
       (SELECT count(DISTINCT c.feed_id)::integer
        FROM articles a
        JOIN LATERAL (SELECT a.feed_id UNION SELECT af.feed_id FROM article_feeds af WHERE af.article_id = a.id)
             AS c(feed_id) ON true
        WHERE a.story_id = s.id AND a.relevant) AS outlets,
       ARRAY(SELECT e.name
             FROM articles a JOIN mentions m ON m.article_id = a.id JOIN entities e ON e.id = m.entity_id
             WHERE a.story_id = s.id AND a.relevant
             GROUP BY e.id, e.name
             ORDER BY count(*) DESC, sum(m.count) DESC, e.name
             LIMIT 8) AS entities,
       ARRAY(SELECT DISTINCT a.language FROM articles a
             WHERE a.story_id = s.id AND a.relevant AND a.language IS NOT NULL ORDER BY a.language) AS languages,
       (SELECT coalesce(json_agg(json_build_object(
                   'outlet', f.outlet, 'language', a.language, 'published_at', a.published_at, 'title', a.title,
                   'joined_by', m.rule, 'why', m.reason) ORDER BY a.published_at, a.id), '[]'::json)
        FROM articles a JOIN feeds f ON f.id = a.feed_id LEFT JOIN story_members m ON m.article_id = a.id
        WHERE a.story_id = s.id AND a.relevant) AS reports
FROM stories s
JOIN LATERAL (SELECT a.url, f.name AS source, f.outlet
              FROM articles a JOIN feeds f ON f.id = a.feed_id
              WHERE a.story_id = s.id AND a.relevant
              ORDER BY a.published_at, a.id
              LIMIT 1) AS first ON true
ORDER BY s.published_at DESC, s.id DESC
LIMIT %(limit)s;
