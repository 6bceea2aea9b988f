-- 015: two more derived tables, so the long-window trend questions read far fewer rows than `mentions` holds.
--
-- * entity_cumulative: each entity's relevant articles and mentions from the first month on, up to and including
--   each month (one row per month for every entity seen by then). A window's whole months are then the
--   difference of two months' rows, whatever its length: top entities over 3 years reads ~2 × the entities,
--   not 36 months of entity_monthly. Kept for the months already over; the month under way is read from
--   entity_monthly (an ordinary run changes only that month, so it rewrites nothing here).
-- * article_entity_sets: each relevant article's entities (a nationality folded into its country) as one sorted
--   array, with its UTC day. Co-occurrence stays exact (every entity, not only a day's top ones as in pair_daily)
--   and reads one row per article of the window instead of joining mentions to themselves.
--
-- Both follow the tables nkru_refresh_daily rewrites, by statement-level triggers on them, in the same
-- transaction: entity_daily's days → article_entity_sets; entity_monthly's months → entity_cumulative from the
-- earliest month changed on (nothing on an ordinary run; a month once, when it is over). nkru_refresh_daily itself
-- is unchanged.
-- Applied by `nkru migrate` inside one transaction.

CREATE TABLE entity_cumulative (
    month     date    NOT NULL,    -- the first day of the month
    entity_id integer NOT NULL,
    articles  integer NOT NULL,    -- relevant articles naming the entity from the first month up to this one
    mentions  integer NOT NULL,
    PRIMARY KEY (month, entity_id) INCLUDE (articles, mentions)
);
COMMENT ON TABLE entity_cumulative IS
    'entity_monthly summed from the first month up to each month, one row per entity seen by then (derived).';

-- Months whose entity_monthly rows were deleted since entity_cumulative was last brought up to date.
CREATE TABLE entity_cumulative_dirty (month date NOT NULL);

CREATE TABLE article_entity_sets (
    article_id bigint  PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    day        date    NOT NULL,
    entity_ids integer[] NOT NULL  -- sorted, distinct; a nationality counts for its country
);
CREATE INDEX article_entity_sets_day ON article_entity_sets (day);
COMMENT ON TABLE article_entity_sets IS
    'Each relevant article''s entities (nationalities folded into their country) per UTC day (derived).';

-- entity_cumulative from month `since` on, up to the last month already over (UTC), from entity_monthly and the
-- month before `since`. The month under way is left to entity_monthly: every run changes it, and rewriting a row
-- per entity on every run would cost more than the queries save.
CREATE FUNCTION nkru_refresh_cumulative(since date) RETURNS void LANGUAGE plpgsql SET work_mem = '64MB' AS $$
DECLARE
    last date;
BEGIN
    SELECT least(max(month), (date_trunc('month', nkru_day(now())::timestamp) - interval '1 month')::date)
    INTO last FROM entity_monthly;
    DELETE FROM entity_cumulative WHERE month >= since;
    IF last IS NULL OR last < since THEN
        RETURN;
    END IF;
    INSERT INTO entity_cumulative (month, entity_id, articles, mentions)
    WITH before AS (
        SELECT entity_id, articles, mentions FROM entity_cumulative
        WHERE month = (since - interval '1 month')::date
    ), entities_seen AS (
        SELECT entity_id FROM before
        UNION
        SELECT entity_id FROM entity_monthly WHERE month >= since AND month <= last
    ), grid AS (
        SELECT g::date AS month, s.entity_id
        FROM generate_series(since, last, interval '1 month') g CROSS JOIN entities_seen s
    ), running AS (
        SELECT g.month, g.entity_id,
               coalesce(b.articles, 0)
                 + sum(coalesce(m.articles, 0)) OVER (PARTITION BY g.entity_id ORDER BY g.month) AS articles,
               coalesce(b.mentions, 0)
                 + sum(coalesce(m.mentions, 0)) OVER (PARTITION BY g.entity_id ORDER BY g.month) AS mentions
        FROM grid g
        LEFT JOIN entity_monthly m ON m.month = g.month AND m.entity_id = g.entity_id
        LEFT JOIN before b ON b.entity_id = g.entity_id
    )
    SELECT month, entity_id, articles, mentions FROM running WHERE articles > 0 OR mentions > 0;
END $$;

CREATE FUNCTION nkru_note_monthly_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO entity_cumulative_dirty SELECT DISTINCT month FROM old_rows;
    RETURN NULL;
END $$;

-- From the earliest month changed, or the first month not yet summed (a month just over), whichever is earlier.
CREATE FUNCTION nkru_follow_monthly() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    since date;
BEGIN
    WITH consumed AS (DELETE FROM entity_cumulative_dirty RETURNING month)
    SELECT min(m) INTO since
    FROM (SELECT month AS m FROM consumed
          UNION ALL SELECT month FROM new_rows
          UNION ALL SELECT coalesce((max(month) + interval '1 month')::date, (SELECT min(month) FROM entity_monthly))
                    FROM entity_cumulative) s;
    IF since IS NOT NULL
       AND since <= (date_trunc('month', nkru_day(now())::timestamp) - interval '1 month')::date THEN
        PERFORM nkru_refresh_cumulative(since);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER entity_monthly_cumulative_delete AFTER DELETE ON entity_monthly
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION nkru_note_monthly_deleted();
CREATE TRIGGER entity_monthly_cumulative_insert AFTER INSERT ON entity_monthly
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION nkru_follow_monthly();

-- article_entity_sets for the given days, from articles, mentions and the nationality links.
CREATE FUNCTION nkru_refresh_entity_sets(days date[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    lo timestamptz;
    hi timestamptz;
BEGIN
    IF cardinality(days) = 0 THEN
        RETURN;
    END IF;
    SELECT nkru_day_start(min(d)), nkru_day_start(max(d) + 1) INTO lo, hi FROM unnest(days) d;
    DELETE FROM article_entity_sets WHERE day = ANY (days);
    INSERT INTO article_entity_sets (article_id, day, entity_ids)
    SELECT a.id, nkru_day(a.published_at),
           array_agg(DISTINCT coalesce(e.country_id, m.entity_id) ORDER BY coalesce(e.country_id, m.entity_id))
    FROM articles a JOIN mentions m ON m.article_id = a.id JOIN entities e ON e.id = m.entity_id
    WHERE a.relevant AND a.published_at >= lo AND a.published_at < hi AND nkru_day(a.published_at) = ANY (days)
    GROUP BY a.id;
END $$;

CREATE FUNCTION nkru_follow_daily() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        DELETE FROM article_entity_sets WHERE day IN (SELECT DISTINCT day FROM old_rows);
    ELSE
        PERFORM nkru_refresh_entity_sets(ARRAY(SELECT DISTINCT day FROM new_rows));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER entity_daily_sets_delete AFTER DELETE ON entity_daily
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION nkru_follow_daily();
CREATE TRIGGER entity_daily_sets_insert AFTER INSERT ON entity_daily
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION nkru_follow_daily();

-- The history already aggregated.
SELECT nkru_refresh_cumulative(coalesce((SELECT min(month) FROM entity_monthly), current_date));
SELECT nkru_refresh_entity_sets(ARRAY(SELECT DISTINCT day FROM entity_daily));
