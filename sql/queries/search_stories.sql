-- search_stories: stories with at least one relevant article matching every filter given, newest first, a page
-- at a time (the UI's Stories page). A filter left NULL (or an empty entity list) is not applied.
-- Parameters:
--   %(query)s       text       words in web-search syntax (`bridge tumen`, `"rail link"`, `shoigu -kursk`), searched
--                              in title and summary with each article's own language configuration
--                              (nkru_search_query, migration 013), and in the full text when stored
--   %(tsquery)s     tsquery    the same words as a text search query in every language: nkru_search_query(%(query)s)
--   %(pattern)s     text       ILIKE pattern of the same words ('%%나리시킨%%'): substring match for the languages
--                              searched with the 'simple' configuration (ko, ja, zh, ...)
--   %(query_key)s   text       the query folded by nkru.aliases.alias_key: a spelling of an entity ("шойгу") finds
--                              the articles naming that entity in any language
--   %(query_key_words)s  text  LIKE pattern of query_key as whole words ('%% шойгу %%'): "Naryshkin" also finds
--                              the entity whose alias is "Sergei Naryshkin" (only for keys of 4 characters or more)
--   %(entity_ids)s  integer[]  only articles naming one of these entities (find them with find_entity.sql)
--   %(source)s      text       feeds.name of a feed that carried the article
--   %(language)s    text       articles.language (ISO 639-1)
--   %(since)s       timestamptz  published at or after
--   %(until)s       timestamptz  published before
--   %(min_score)s   real       relevance score at least
--   %(rule)s        text       an alert rule that queued the story (alert_outbox.rule)
--   %(limit)s, %(offset)s  integer  the page
-- Columns: story_id, title, published_at (its first article), source (the feed of its first article), url (that
--          article's link), languages (text[]), outlets (feeds that carried any of its articles), articles,
--          score (highest), total (stories matching, for paging)
WITH text_hits AS (
    SELECT h.id
    FROM articles h
    WHERE %(query)s::text IS NOT NULL AND h.relevant
      AND nkru_search_vector(h.language, h.title, h.summary) @@ %(tsquery)s::tsquery
    UNION
    SELECT h.id
    FROM articles h
    WHERE %(pattern)s::text IS NOT NULL AND h.relevant
      AND nkru_search_config(h.language) = 'simple'::regconfig
      AND (h.title || ' ' || h.summary) ILIKE %(pattern)s::text
    UNION
    SELECT m.article_id
    FROM entity_aliases ea JOIN mentions m ON m.entity_id = ea.entity_id
    WHERE ea.alias_key = %(query_key)s::text
       OR (length(%(query_key)s::text) >= 4 AND ' ' || ea.alias_key || ' ' LIKE %(query_key_words)s::text)
    UNION
    SELECT nkru_fulltext_hits(%(tsquery)s::tsquery)
), candidates AS (  -- the text's hits when there is a query (fetched by id), else every article
    SELECT a.id, a.story_id, a.feed_id, a.language, a.published_at, a.score, a.relevant
    FROM articles a
    WHERE %(query)s::text IS NOT NULL AND a.id = ANY (ARRAY(SELECT id FROM text_hits))
    UNION ALL
    SELECT a.id, a.story_id, a.feed_id, a.language, a.published_at, a.score, a.relevant
    FROM articles a
    WHERE %(query)s::text IS NULL
), matched AS (
    SELECT DISTINCT a.story_id
    FROM candidates a
    WHERE a.relevant AND a.story_id IS NOT NULL
      AND (cardinality(%(entity_ids)s::integer[]) = 0
           OR EXISTS (SELECT 1 FROM mentions m WHERE m.article_id = a.id AND m.entity_id = ANY (%(entity_ids)s::integer[])))
      AND (%(source)s::text IS NULL
           OR EXISTS (SELECT 1 FROM feeds f
                      WHERE f.name = %(source)s::text
                        AND (f.id = a.feed_id
                             OR EXISTS (SELECT 1 FROM article_feeds af WHERE af.article_id = a.id AND af.feed_id = f.id))))
      AND (%(language)s::text IS NULL OR a.language = %(language)s::text)
      AND (%(since)s::timestamptz IS NULL OR a.published_at >= %(since)s::timestamptz)
      AND (%(until)s::timestamptz IS NULL OR a.published_at < %(until)s::timestamptz)
      AND (%(min_score)s::real IS NULL OR a.score >= %(min_score)s::real)
      AND (%(rule)s::text IS NULL
           OR EXISTS (SELECT 1 FROM alert_outbox o WHERE o.rule = %(rule)s::text AND o.story_id = a.story_id))
), page AS (
    SELECT s.id, s.title, s.published_at, count(*) OVER () AS total
    FROM matched JOIN stories s ON s.id = matched.story_id
    ORDER BY s.published_at DESC, s.id DESC
    LIMIT %(limit)s OFFSET %(offset)s
)
SELECT p.id AS story_id, p.title, p.published_at, first.source, first.outlet, first.url,
       ARRAY(SELECT DISTINCT a.language FROM articles a
             WHERE a.story_id = p.id AND a.relevant AND a.language IS NOT NULL ORDER BY 1) AS languages,
       (SELECT count(DISTINCT c.feed_id)::integer
        FROM articles a
        JOIN LATERAL (SELECT a.feed_id UNION SELECT af.feed_id FROM article_feeds af WHERE af.article_id = a.id)
             AS c(feed_id) ON true
        WHERE a.story_id = p.id AND a.relevant) AS outlets,
       (SELECT count(*)::integer FROM articles a WHERE a.story_id = p.id AND a.relevant) AS articles,
       (SELECT max(a.score)::float8 FROM articles a WHERE a.story_id = p.id AND a.relevant) AS score,
       p.total::integer AS total
FROM page p
JOIN LATERAL (SELECT a.url, f.name AS source, f.outlet
              FROM articles a JOIN feeds f ON f.id = a.feed_id
              WHERE a.story_id = p.id AND a.relevant
              ORDER BY a.published_at, a.id
              LIMIT 1) AS first ON true
ORDER BY p.published_at DESC, p.id DESC;
