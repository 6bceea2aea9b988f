-- 006: one entity per person, body and place whatever the language (issue 10).
-- * A nationality (NORP) keeps its label but names its country (entities.country_id): the trend tables count
--   "North Korean troops" for North Korea, so the rising and top lists show each country once. Only
--   nkru_refresh_daily changes: entity_daily and pair_daily count a nationality's mentions for its country (an
--   article naming both counts once). The function is 009's (pairs per article) with that fold; 009 carries the
--   same text, so the result is the same whichever of the two a database applied last. The links are set from the gazetteer (config/gazetteer/nationalities.yaml)
--   on every extraction run, marking the days they change as dirty.
-- * Analysts' aliases (`nkru alias add "Kim Čong-un" "Kim Jong Un"`) are stored here and used by every later
--   extraction and by `nkru reextract`.
-- * articles.extract_notes: why anything in an article was cut or skipped during extraction.
-- Applied by `nkru migrate` inside one transaction; recorded in schema_migrations.

ALTER TABLE entities ADD COLUMN country_id integer REFERENCES entities(id) ON DELETE SET NULL;
COMMENT ON COLUMN entities.country_id IS
    'For a nationality (NORP): the country it belongs to; trend tables count its mentions for that country.';

CREATE TABLE analyst_aliases (
    alias_key  text PRIMARY KEY,     -- nkru.aliases.alias_key of the alias
    alias      text NOT NULL,
    name       text NOT NULL,        -- the canonical name it leads to
    label      text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE analyst_aliases IS
    'Spellings analysts linked to a canonical name (nkru alias add); used by extraction from the next run on.';

ALTER TABLE articles ADD COLUMN extract_notes text[] NOT NULL DEFAULT '{}';
COMMENT ON COLUMN articles.extract_notes IS
    'Why anything was cut or skipped when entities were extracted (text too long, name too long, mixed scripts).';

CREATE OR REPLACE FUNCTION nkru_refresh_daily(since_day date, until_day date, pair_top_k integer DEFAULT 100)
    RETURNS integer LANGUAGE plpgsql SET work_mem = '64MB' AS $$
DECLARE
    days date[];
    lo   timestamptz;
    hi   timestamptz;
BEGIN
    PERFORM pg_advisory_xact_lock(hashtext('nkru_refresh_daily'));
    WITH consumed AS (DELETE FROM trend_dirty_days RETURNING day)
    SELECT coalesce(array_agg(DISTINCT d ORDER BY d), '{}') INTO days
    FROM (SELECT day AS d FROM consumed
          UNION
          SELECT g::date FROM generate_series(since_day, coalesce(until_day, nkru_day(now())), interval '1 day') g
          WHERE since_day IS NOT NULL) s
    WHERE d IS NOT NULL;
    IF cardinality(days) = 0 THEN
        RETURN 0;
    END IF;
    lo := nkru_day_start(days[1]);
    hi := nkru_day_start(days[cardinality(days)] + 1);

    DELETE FROM volume_daily WHERE day = ANY (days);
    INSERT INTO volume_daily (day, feed_id, articles, relevant_articles)
    SELECT nkru_day(a.published_at), c.feed_id, count(*), count(*) FILTER (WHERE a.relevant)
    FROM articles a
    JOIN LATERAL (SELECT a.feed_id UNION SELECT af.feed_id FROM article_feeds af WHERE af.article_id = a.id)
         AS c(feed_id) ON true
    WHERE a.published_at >= lo AND a.published_at < hi AND nkru_day(a.published_at) IN (SELECT unnest(days))
    GROUP BY 1, 2;

    DELETE FROM volume_total_daily WHERE day = ANY (days);
    INSERT INTO volume_total_daily (day, articles, relevant_articles, stories)
    SELECT d, coalesce(a.articles, 0), coalesce(a.relevant_articles, 0), coalesce(s.stories, 0)
    FROM unnest(days) AS d
    LEFT JOIN (SELECT nkru_day(published_at) AS day, count(*) AS articles,
                      count(*) FILTER (WHERE relevant) AS relevant_articles
               FROM articles WHERE published_at >= lo AND published_at < hi GROUP BY 1) a ON a.day = d
    LEFT JOIN (SELECT nkru_day(st.published_at) AS day, count(*) AS stories
               FROM stories st
               WHERE st.published_at >= lo AND st.published_at < hi
                 AND EXISTS (SELECT 1 FROM articles x WHERE x.story_id = st.id AND x.relevant)
               GROUP BY 1) s ON s.day = d
    WHERE coalesce(a.articles, 0) + coalesce(s.stories, 0) > 0;

    DELETE FROM entity_daily WHERE day = ANY (days);
    INSERT INTO entity_daily (day, entity_id, articles, mentions)
    SELECT nkru_day(a.published_at), coalesce(e.country_id, m.entity_id), count(DISTINCT a.id), sum(m.count)
    FROM articles a JOIN mentions m ON m.article_id = a.id JOIN entities e ON e.id = m.entity_id  -- nationality -> country
    WHERE a.relevant AND a.published_at >= lo AND a.published_at < hi AND nkru_day(a.published_at) IN (SELECT unnest(days))
    GROUP BY 1, 2;

    DELETE FROM entity_monthly WHERE month IN (SELECT date_trunc('month', d::timestamp)::date FROM unnest(days) d);
    INSERT INTO entity_monthly (month, entity_id, articles, mentions)
    SELECT date_trunc('month', day::timestamp)::date, entity_id, sum(articles), sum(mentions)
    FROM entity_daily
    WHERE day >= date_trunc('month', days[1]::timestamp)::date
      AND day < (date_trunc('month', days[cardinality(days)]::timestamp) + interval '1 month')::date
      AND date_trunc('month', day::timestamp)::date IN (SELECT date_trunc('month', d::timestamp)::date FROM unnest(days) d)
    GROUP BY 1, 2;

    DELETE FROM pair_daily WHERE day = ANY (days);
    INSERT INTO pair_daily (day, entity_a, entity_b, articles)
    WITH top AS MATERIALIZED (
        SELECT day, entity_id
        FROM (SELECT day, entity_id,
                     row_number() OVER (PARTITION BY day ORDER BY articles DESC, entity_id) AS rank
              FROM entity_daily WHERE day = ANY (days)) ranked
        WHERE rank <= pair_top_k
    ), per_article AS MATERIALIZED (  -- each article's top entities as one sorted array
        SELECT nkru_day(a.published_at) AS day,
               array_agg(DISTINCT coalesce(e.country_id, m.entity_id) ORDER BY coalesce(e.country_id, m.entity_id)) AS ids
        FROM articles a
        JOIN mentions m ON m.article_id = a.id
        JOIN entities e ON e.id = m.entity_id  -- a nationality counts for its country
        JOIN top t ON t.day = nkru_day(a.published_at) AND t.entity_id = coalesce(e.country_id, m.entity_id)
        WHERE a.relevant AND a.published_at >= lo AND a.published_at < hi
          AND nkru_day(a.published_at) IN (SELECT unnest(days))
        GROUP BY a.id
        HAVING count(DISTINCT coalesce(e.country_id, m.entity_id)) > 1
    )
    -- Pairs are taken within each article's array, never by joining mentions to themselves: the planner
    -- cannot estimate such a self-join and chose a nested loop over every pair of mention rows.
    SELECT p.day, p.ids[i], p.ids[j], count(*)
    FROM per_article p
    CROSS JOIN LATERAL generate_subscripts(p.ids, 1) AS i
    CROSS JOIN LATERAL generate_subscripts(p.ids, 1) AS j
    WHERE i < j
    GROUP BY 1, 2, 3;

    RETURN cardinality(days);
END $$;
COMMENT ON FUNCTION nkru_refresh_daily(date, date, integer) IS
    'Recompute the daily trend aggregates for a day range plus the days marked changed; nationalities count for their country; idempotent.';
