-- 007: outlets edit headlines after publication. `title` follows the edit (the latest headline the outlet's feed
-- gives); `first_title` keeps the headline as first stored, for the record.
-- Applied by `nkru migrate` inside one transaction; recorded in schema_migrations.

ALTER TABLE articles ADD COLUMN first_title text;
UPDATE articles SET first_title = title;
COMMENT ON COLUMN articles.title IS 'The latest headline the first feed that carried the article gave it (outlets edit headlines).';
COMMENT ON COLUMN articles.first_title IS 'The headline as first stored; differs from title when the outlet edited it later.';
