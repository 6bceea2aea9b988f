-- 005: the language of an article is detected from its own text (nkru.language); the feed's declared language
-- is kept beside it as the hint it is. `nkru rescore` detects the language of stored history again.
-- Applied by `nkru migrate` inside one transaction; recorded in schema_migrations.

ALTER TABLE articles ADD COLUMN declared_language text;
UPDATE articles SET declared_language = language;
COMMENT ON COLUMN articles.language IS 'ISO 639-1 code detected from the title and summary (the declared one when the text is too short).';
COMMENT ON COLUMN articles.declared_language IS 'The language the feed declared for the item, if any: a hint, often wrong.';
CREATE INDEX articles_language_published ON articles (language, published_at DESC) WHERE relevant;

CREATE OR REPLACE VIEW relevant_articles AS
SELECT a.id, a.published_at, f.name AS source, a.title, a.url, a.score, a.matched_terms, a.reason,
       a.story_id,
       coalesce((SELECT array_agg(e.name ORDER BY m.count DESC, e.name)
                 FROM mentions m JOIN entities e ON e.id = m.entity_id
                 WHERE m.article_id = a.id), '{}') AS entities,
       a.language
FROM articles a JOIN feeds f ON f.id = a.feed_id
WHERE a.relevant;
COMMENT ON VIEW relevant_articles IS 'Relevant articles, newest first when ordered by published_at, with source, entities and detected language.';
