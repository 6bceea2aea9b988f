-- 013: searching stories from the analyst's workspace (the UI's Stories page, sql/queries/search_stories.sql).
-- Applied by `nkru migrate` inside one transaction; recorded in schema_migrations.
--
-- Each relevant article is indexed for PostgreSQL full-text search with the text search configuration of its own
-- stored language (articles.language, ISO 639-1), so "мосты" finds "мост" in Russian and "bridges" finds "bridge"
-- in English. Languages PostgreSQL has no stemmer for (Korean, Japanese, Chinese, Persian, Vietnamese, Ukrainian,
-- Polish, Czech, ...) get the 'simple' configuration, plus a substring match sped up by a pg_trgm trigram index
-- where the server has pg_trgm (Korean and Japanese words carry particles, Chinese has no spaces at all).
-- A name in another script ("Шойгу" for an English article about Shoigu) is found through entity_aliases,
-- not through the text.
--
-- To add a language that PostgreSQL has a configuration for: add its code to nkru_search_config in a new
-- migration (CREATE OR REPLACE), then REINDEX INDEX articles_search_vector.

-- The text search configuration for a stored language code. IMMUTABLE so that an index can use it.
CREATE OR REPLACE FUNCTION nkru_search_config(language text) RETURNS regconfig
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE lower(coalesce(language, ''))
        WHEN 'en' THEN 'english'
        WHEN 'ru' THEN 'russian'
        WHEN 'de' THEN 'german'
        WHEN 'fr' THEN 'french'
        WHEN 'es' THEN 'spanish'
        WHEN 'pt' THEN 'portuguese'
        WHEN 'it' THEN 'italian'
        WHEN 'nl' THEN 'dutch'
        WHEN 'hu' THEN 'hungarian'
        WHEN 'ro' THEN 'romanian'
        WHEN 'tr' THEN 'turkish'
        WHEN 'lt' THEN 'lithuanian'
        WHEN 'sv' THEN 'swedish'
        WHEN 'da' THEN 'danish'
        WHEN 'no' THEN 'norwegian'
        WHEN 'nb' THEN 'norwegian'
        WHEN 'fi' THEN 'finnish'
        WHEN 'el' THEN 'greek'
        WHEN 'id' THEN 'indonesian'
        WHEN 'ms' THEN 'indonesian'   -- Malay and Indonesian share their affixes
        WHEN 'ca' THEN 'catalan'
        WHEN 'ga' THEN 'irish'
        WHEN 'sr' THEN 'serbian'
        ELSE 'simple'                 -- ko, ja, zh, ar, fa, hi, vi, uk, bg, pl, cs, sk, lv, et, and unknown
    END::regconfig
$$;
COMMENT ON FUNCTION nkru_search_config(text) IS
    'Text search configuration for an ISO 639-1 language code; simple when PostgreSQL has no stemmer for it.';

-- What is searched: title and summary, in the article's own configuration.
CREATE OR REPLACE FUNCTION nkru_search_vector(language text, title text, summary text) RETURNS tsvector
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT setweight(to_tsvector(nkru_search_config(language), coalesce(title, '')), 'A')
        || setweight(to_tsvector(nkru_search_config(language), coalesce(summary, '')), 'B')
$$;

-- What the user typed (web-search syntax: words, "a phrase", or, -not), read in every configuration in use, OR-ed:
-- the query's language is not known, and each article's vector only matches the reading of its own language.
CREATE OR REPLACE FUNCTION nkru_search_query(query text) RETURNS tsquery
LANGUAGE plpgsql STABLE PARALLEL SAFE AS $$
DECLARE
    config regconfig;
    reading tsquery;
    seen text[] := '{}';
    result tsquery;
BEGIN
    FOR config IN
        SELECT DISTINCT nkru_search_config(code)
        FROM unnest(ARRAY['en', 'ru', 'de', 'fr', 'es', 'pt', 'it', 'nl', 'hu', 'ro', 'tr', 'lt', 'sv', 'da', 'no',
                          'fi', 'el', 'id', 'ca', 'ga', 'sr', 'ko']) AS code
    LOOP
        reading := websearch_to_tsquery(config, query);
        CONTINUE WHEN reading::text = ANY (seen);  -- most configurations read most words alike
        seen := seen || reading::text;
        result := CASE WHEN result IS NULL THEN reading ELSE result || reading END;
    END LOOP;
    RETURN result;
END
$$;
COMMENT ON FUNCTION nkru_search_query(text) IS
    'A web-search style query read in every configuration nkru_search_config uses, OR-ed together.';

CREATE INDEX articles_search_vector ON articles USING gin (nkru_search_vector(language, title, summary))
    WHERE relevant;

-- Substring search for the languages without a stemmer: a trigram index when the server has pg_trgm (the
-- embedded server of `make run` does not; the search then reads those articles one by one, still correct).
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'pg_trgm') THEN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
        EXECUTE 'CREATE INDEX articles_search_trigram ON articles USING gin ((title || '' '' || summary) gin_trgm_ops)'
                ' WHERE relevant AND nkru_search_config(language) = ''simple''::regconfig';
    ELSE
        RAISE NOTICE 'pg_trgm is not available: substring search in ko/ja/zh/... runs without an index';
    END IF;
END
$$;

-- Full text of articles (migration 012 stores the page behind a candidate item in article_texts): searched when
-- present, through this function, so that the search query need not change with the full-text schema. It reads
-- the first of article_texts / article_fulltext that exists, and its first column named text, body or content.
-- Only candidates get a full text, so these rows are few; they are matched in each article's own language.
CREATE OR REPLACE FUNCTION nkru_fulltext_hits(query tsquery) RETURNS SETOF bigint
LANGUAGE plpgsql STABLE ROWS 10 AS $$
DECLARE
    text_table text;
    text_column text;
BEGIN
    IF query IS NULL THEN
        RETURN;
    END IF;
    SELECT t INTO text_table FROM unnest(ARRAY['article_texts', 'article_fulltext']) WITH ORDINALITY AS u(t, n)
    WHERE to_regclass(t) IS NOT NULL ORDER BY n LIMIT 1;
    IF text_table IS NULL THEN
        RETURN;
    END IF;
    SELECT c.column_name INTO text_column
    FROM information_schema.columns c
    WHERE c.table_name = text_table AND c.table_schema = current_schema()
      AND c.column_name IN ('text', 'body', 'content', 'full_text', 'fulltext')
    ORDER BY array_position(ARRAY['text', 'body', 'content', 'full_text', 'fulltext']::text[], c.column_name::text)
    LIMIT 1;
    IF text_column IS NULL THEN
        RETURN;
    END IF;
    RETURN QUERY EXECUTE format(
        'SELECT ft.article_id::bigint FROM %I ft JOIN articles a ON a.id = ft.article_id'
        ' WHERE a.relevant AND ft.%I IS NOT NULL'
        ' AND to_tsvector(nkru_search_config(a.language), ft.%I) @@ $1',
        text_table, text_column, text_column) USING query;
END
$$;
COMMENT ON FUNCTION nkru_fulltext_hits(tsquery) IS
    'Relevant articles whose full text (article_texts, from migration 012, when it exists) matches the query.';

-- Filters of the Stories page that had no index: alert rule per story, articles per language and score.
CREATE INDEX alert_outbox_rule_story ON alert_outbox (rule, story_id);
CREATE INDEX articles_story_published ON articles (story_id, published_at) WHERE relevant;
