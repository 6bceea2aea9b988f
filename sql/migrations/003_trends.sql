-- 003: daily pre-aggregates for the trend queries, the function that refreshes them, and the triggers that
-- record which days changed. The aggregates are derived data: `SELECT nkru_refresh_daily(NULL, NULL)` brings
-- them up to date, `SELECT nkru_refresh_daily('2023-01-01', current_date)` rebuilds a range. See
-- plugins/nkru/trends/__init__.py for why the trend layer reads these tables rather than `mentions`.
-- Days are UTC calendar days of articles.published_at (stories.published_at for story counts).

-- The UTC calendar day of a timestamp, whatever the session's time zone.
CREATE FUNCTION nkru_day(ts timestamptz) RETURNS date
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (ts AT TIME ZONE 'UTC')::date;

-- The first instant of a UTC day, for index-friendly range conditions on timestamptz columns.
CREATE FUNCTION nkru_day_start(d date) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN d::timestamp AT TIME ZONE 'UTC';

-- Items per feed per day: an article counts for every feed that carried it (articles.feed_id or article_feeds).
CREATE TABLE volume_daily (
    day               date    NOT NULL,
    feed_id           integer NOT NULL,
    articles          integer NOT NULL,
    relevant_articles integer NOT NULL,
    PRIMARY KEY (feed_id, day)
);
CREATE INDEX volume_daily_day ON volume_daily (day);
COMMENT ON TABLE volume_daily IS 'Articles and relevant articles per feed per UTC day (derived; see nkru_refresh_daily).';

-- Whole-database totals per day: an article carried by three feeds counts once here.
CREATE TABLE volume_total_daily (
    day               date PRIMARY KEY,
    articles          integer NOT NULL,
    relevant_articles integer NOT NULL,
    stories           integer NOT NULL    -- stories first published that day with at least one relevant article
);
COMMENT ON TABLE volume_total_daily IS 'Articles, relevant articles and new stories per UTC day (derived).';

-- Relevant articles mentioning each entity per day (and the summed mention counts).
CREATE TABLE entity_daily (
    day       date    NOT NULL,
    entity_id integer NOT NULL,
    articles  integer NOT NULL,
    mentions  integer NOT NULL,
    PRIMARY KEY (entity_id, day)
);
CREATE INDEX entity_daily_day ON entity_daily (day) INCLUDE (entity_id, articles, mentions);
COMMENT ON TABLE entity_daily IS 'Relevant articles (and mention counts) per entity per UTC day (derived).';

-- entity_daily summed per calendar month, so a window of many months reads one row per entity per month.
CREATE TABLE entity_monthly (
    month     date    NOT NULL,    -- the first day of the month
    entity_id integer NOT NULL,
    articles  integer NOT NULL,
    mentions  integer NOT NULL,
    PRIMARY KEY (month, entity_id) INCLUDE (articles, mentions)
);
COMMENT ON TABLE entity_monthly IS 'entity_daily summed per month (derived; see nkru_refresh_daily).';

-- Relevant articles mentioning both entities, for pairs among each day's most-mentioned entities
-- (nkru_refresh_daily's pair_top_k, 100 by default): the long tail of once-seen pairs is left out.
CREATE TABLE pair_daily (
    day      date    NOT NULL,
    entity_a integer NOT NULL,
    entity_b integer NOT NULL,
    articles integer NOT NULL,
    PRIMARY KEY (day, entity_a, entity_b),
    CHECK (entity_a < entity_b)
);
COMMENT ON TABLE pair_daily IS 'Co-mentions per day among that day''s top entities by articles (derived).';

-- Days whose aggregates are out of date. Append-only with no key, so concurrent ingest transactions never
-- wait on each other here; nkru_refresh_daily consumes (deletes) the rows it has recomputed.
CREATE TABLE trend_dirty_days (day date NOT NULL);
COMMENT ON TABLE trend_dirty_days IS 'Days changed since the last nkru_refresh_daily (filled by triggers).';

-- Triggers: statement-level with transition tables, so a batch insert adds one row per distinct day.
CREATE FUNCTION nkru_mark_article_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO trend_dirty_days SELECT DISTINCT nkru_day(published_at) FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        INSERT INTO trend_dirty_days SELECT DISTINCT nkru_day(published_at) FROM old_rows;
    ELSE  -- only changes that move a count: marking an article extracted does not
        INSERT INTO trend_dirty_days
        SELECT DISTINCT d FROM new_rows n JOIN old_rows o USING (id),
               LATERAL (VALUES (nkru_day(n.published_at)), (nkru_day(o.published_at))) AS v(d)
        WHERE (n.relevant, n.published_at, n.feed_id, n.story_id)
              IS DISTINCT FROM (o.relevant, o.published_at, o.feed_id, o.story_id);
    END IF;
    RETURN NULL;
END $$;

-- For mentions and article_feeds: the day of the article they belong to.
CREATE FUNCTION nkru_mark_child_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO trend_dirty_days
        SELECT DISTINCT nkru_day(a.published_at) FROM articles a WHERE a.id IN (SELECT article_id FROM new_rows);
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO trend_dirty_days
        SELECT DISTINCT nkru_day(a.published_at) FROM articles a WHERE a.id IN (SELECT article_id FROM old_rows);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION nkru_mark_story_days() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO trend_dirty_days SELECT DISTINCT nkru_day(published_at) FROM new_rows;
    END IF;
    IF TG_OP IN ('DELETE', 'UPDATE') THEN
        INSERT INTO trend_dirty_days SELECT DISTINCT nkru_day(published_at) FROM old_rows;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER articles_trend_insert AFTER INSERT ON articles
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION nkru_mark_article_days();
CREATE TRIGGER articles_trend_update AFTER UPDATE ON articles
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION nkru_mark_article_days();
CREATE TRIGGER articles_trend_delete AFTER DELETE ON articles
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION nkru_mark_article_days();

CREATE TRIGGER mentions_trend_insert AFTER INSERT ON mentions
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION nkru_mark_child_days();
CREATE TRIGGER mentions_trend_update AFTER UPDATE ON mentions
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION nkru_mark_child_days();
CREATE TRIGGER mentions_trend_delete AFTER DELETE ON mentions
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION nkru_mark_child_days();

CREATE TRIGGER article_feeds_trend_insert AFTER INSERT ON article_feeds
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION nkru_mark_child_days();
CREATE TRIGGER article_feeds_trend_delete AFTER DELETE ON article_feeds
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION nkru_mark_child_days();

CREATE TRIGGER stories_trend_insert AFTER INSERT ON stories
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION nkru_mark_story_days();
CREATE TRIGGER stories_trend_update AFTER UPDATE ON stories
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION nkru_mark_story_days();
CREATE TRIGGER stories_trend_delete AFTER DELETE ON stories
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION nkru_mark_story_days();

-- Recompute the aggregates for the days from since_day to until_day (inclusive; NULL since_day: none) plus
-- every day the triggers marked as changed. Idempotent: each day is deleted and re-inserted in this
-- transaction, and a transaction-level advisory lock makes concurrent refreshes take turns.
-- Returns the number of days recomputed.
CREATE FUNCTION nkru_refresh_daily(since_day date, until_day date, pair_top_k integer DEFAULT 100)
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
    SELECT nkru_day(a.published_at), m.entity_id, count(*), sum(m.count)
    FROM articles a JOIN mentions m ON m.article_id = a.id
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
    ), day_mentions AS MATERIALIZED (  -- articles first, then their mentions by primary key
        SELECT nkru_day(a.published_at) AS day, m.article_id, m.entity_id
        FROM articles a JOIN mentions m ON m.article_id = a.id
        WHERE a.relevant AND a.published_at >= lo AND a.published_at < hi
          AND nkru_day(a.published_at) IN (SELECT unnest(days))
    ), top_mentions AS MATERIALIZED (
        SELECT dm.day, dm.article_id, dm.entity_id FROM day_mentions dm JOIN top t USING (day, entity_id)
    )
    SELECT x.day, x.entity_id, y.entity_id, count(*)
    FROM top_mentions x JOIN top_mentions y ON y.article_id = x.article_id AND x.entity_id < y.entity_id
    GROUP BY 1, 2, 3;

    RETURN cardinality(days);
END $$;
COMMENT ON FUNCTION nkru_refresh_daily(date, date, integer) IS
    'Recompute the daily trend aggregates for a day range plus the days marked changed; idempotent.';
