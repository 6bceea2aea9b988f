-- 021: the long-window trend questions without reading every entity or every article of the window (issue 15).
--
-- * entity_totals: each entity's relevant articles over the whole history, with its label. No window holds more
--   of an entity's articles than that, so top_entities.sql first counts the window exactly for the few entities
--   with the most articles ever (a floor: the limit-th best count among them), then only for the entities whose
--   articles ever reach that floor; no other entity can rank. Exact, and a few hundred entities instead of all.
-- * cooccur_heavy_days, cooccur_sums and cooccur_pending: on the days an entity is named in a large share of the
--   relevant articles (a quarter, and at least `nkru.cooccur_min_articles`, default 20), what it is named with is
--   summed per calendar month and per year, every entity of its articles counted (itself too: its own count), as
--   two aligned arrays per sum; small changes wait as rows in cooccur_pending until they are worth folding in.
--   cooccur.sql reads those sums for the years and months the window covers and each article's entity set only
--   for the other days, so co-occurrence with the most common entity over a year reads a year's and a month's sums
--   instead of most of the year's articles, and stays exact. An entity with no heavy day reads
--   article_entity_sets as before (it is in few articles, so that is cheap).
--
-- nkru_refresh_daily keeps all of them for the days it recomputes and for nothing else: entity_totals by the net
-- change of the days' entity_daily rows; the sums by taking off what the days' changed entity sets added and
-- adding what the new ones add (an unchanged day writes nothing). It now rebuilds article_entity_sets itself
-- (015's triggers on entity_daily are dropped), and the sets no longer cascade with a deleted article: deleting
-- an article marks its day, and the next refresh takes its set off the sums together with the rest of the day,
-- which a cascade would have made impossible.
-- Applied by `nkru migrate` inside one transaction.

CREATE TABLE entity_totals (
    entity_id integer PRIMARY KEY,
    label     text    NOT NULL,    -- entities.label, for the per-label ranking
    articles  integer NOT NULL     -- relevant articles naming it, every day summed (= sum of entity_daily)
);
CREATE INDEX entity_totals_label ON entity_totals (label, articles DESC) INCLUDE (entity_id);
COMMENT ON TABLE entity_totals IS
    'Relevant articles per entity over the whole history: an upper bound for any window (derived).';

CREATE TABLE cooccur_heavy_days (
    entity_id integer NOT NULL,
    day       date    NOT NULL,
    PRIMARY KEY (entity_id, day)
);
CREATE INDEX cooccur_heavy_days_day ON cooccur_heavy_days (day);
COMMENT ON TABLE cooccur_heavy_days IS
    'Days on which an entity is in a large share of the relevant articles; its co-mentions those days are in cooccur_sums (derived).';

CREATE TABLE cooccur_sums (
    entity_id integer   NOT NULL,
    period    text COLLATE "C" NOT NULL CHECK (period IN ('month', 'year')),  -- "C": a cheap key
    first_day date      NOT NULL,    -- date_trunc(period, day) of the days summed
    other_ids integer[] NOT NULL,    -- sorted; entity_id itself included (its own articles those days)
    articles  integer[] NOT NULL,    -- relevant articles of its heavy days naming both, aligned with other_ids
    PRIMARY KEY (entity_id, period, first_day)
);
COMMENT ON TABLE cooccur_sums IS
    'Per month and per year, the entities named with an entity in its articles of its heavy days, with counts (derived).';

-- Changes to cooccur_sums not folded into its arrays yet: a run that adds a few articles adds a few hundred rows
-- here instead of rewriting arrays of tens of thousands of entities; a sum's rows are folded into its arrays once
-- they pass an eighth of the array (and `nkru.cooccur_pending_rows`, default 500), so a reader never reads more
-- than ~1/8 extra. The true sum is the array plus these rows.
CREATE TABLE cooccur_pending (
    entity_id integer NOT NULL,
    period    text COLLATE "C" NOT NULL,
    first_day date    NOT NULL,
    other_id  integer NOT NULL,
    articles  integer NOT NULL,    -- signed: what to add to the array's count
    PRIMARY KEY (entity_id, period, first_day, other_id) INCLUDE (articles)
);
COMMENT ON TABLE cooccur_pending IS 'Changes to cooccur_sums still to be folded into its arrays (derived).';

ALTER TABLE article_entity_sets DROP CONSTRAINT article_entity_sets_article_id_fkey;
DROP TRIGGER entity_daily_sets_delete ON entity_daily;
DROP TRIGGER entity_daily_sets_insert ON entity_daily;
DROP FUNCTION nkru_follow_daily();

-- article_entity_sets, cooccur_heavy_days and cooccur_sums for the given days (entity_daily and
-- volume_total_daily already recomputed for them), in one statement. Only what changed is taken off and added
-- again: the sets that differ from the stored ones, and every set of an entity that became or stopped being heavy
-- on a day. An unchanged day rewrites nothing; a run that adds a few articles to today adds just theirs, as rows
-- of cooccur_pending until a sum has enough of them to be worth folding into its arrays.
CREATE OR REPLACE FUNCTION nkru_refresh_entity_sets(days date[])
    RETURNS void LANGUAGE plpgsql SET work_mem = '64MB' SET jit = off AS $$
DECLARE
    lo          timestamptz;
    hi          timestamptz;
    min_heavy   integer := coalesce(nullif(current_setting('nkru.cooccur_min_articles', true), '')::integer, 20);
    max_pending integer := coalesce(nullif(current_setting('nkru.cooccur_pending_rows', true), '')::integer, 500);
BEGIN
    IF cardinality(days) = 0 THEN
        RETURN;
    END IF;
    SELECT nkru_day_start(min(d)), nkru_day_start(max(d) + 1) INTO lo, hi FROM unnest(days) d;
    WITH fresh AS MATERIALIZED (  -- the days' entity sets from the articles as they are now
        SELECT a.id AS article_id, nkru_day(a.published_at) AS day,
               array_agg(DISTINCT coalesce(e.country_id, m.entity_id) ORDER BY coalesce(e.country_id, m.entity_id))
                   AS entity_ids
        FROM articles a JOIN mentions m ON m.article_id = a.id JOIN entities e ON e.id = m.entity_id
        WHERE a.relevant AND a.published_at >= lo AND a.published_at < hi AND nkru_day(a.published_at) = ANY (days)
        GROUP BY a.id
    ), stored AS MATERIALIZED (  -- as the last refresh left them
        SELECT s.article_id, s.day, s.entity_ids FROM article_entity_sets s WHERE s.day = ANY (days)
    ), fresh_kept AS MATERIALIZED (
        SELECT f.*, EXISTS (SELECT 1 FROM stored s WHERE (s.article_id, s.day, s.entity_ids)
                                                      = (f.article_id, f.day, f.entity_ids)) AS same
        FROM fresh f
    ), stored_kept AS MATERIALIZED (
        SELECT s.*, EXISTS (SELECT 1 FROM fresh f WHERE (f.article_id, f.day, f.entity_ids)
                                                     = (s.article_id, s.day, s.entity_ids)) AS same
        FROM stored s
    ), heavy_now AS MATERIALIZED (
        SELECT d.entity_id, d.day
        FROM entity_daily d JOIN volume_total_daily v ON v.day = d.day
        WHERE d.day = ANY (days) AND d.articles >= greatest(min_heavy, ceil(0.25 * v.relevant_articles))
    ), heavy_before AS MATERIALIZED (
        SELECT h.entity_id, h.day FROM cooccur_heavy_days h WHERE h.day = ANY (days)
    ), changed AS (  -- (heavy entity, day, set, +1 or -1) for every set whose contribution may differ
        SELECT h.entity_id, f.day, f.entity_ids, 1 AS sign
        FROM fresh_kept f
        CROSS JOIN LATERAL unnest(f.entity_ids) AS h(entity_id)
        JOIN heavy_now n ON (n.entity_id, n.day) = (h.entity_id, f.day)
        WHERE NOT f.same OR NOT EXISTS (SELECT 1 FROM heavy_before b WHERE (b.entity_id, b.day) = (h.entity_id, f.day))
        UNION ALL
        SELECT h.entity_id, s.day, s.entity_ids, -1
        FROM stored_kept s
        CROSS JOIN LATERAL unnest(s.entity_ids) AS h(entity_id)
        JOIN heavy_before b ON (b.entity_id, b.day) = (h.entity_id, s.day)
        WHERE NOT s.same OR NOT EXISTS (SELECT 1 FROM heavy_now n WHERE (n.entity_id, n.day) = (h.entity_id, s.day))
    ), day_delta AS MATERIALIZED (  -- per entity, day and entity named with it
        SELECT c.entity_id, c.day, x.other_id, sum(c.sign)::integer AS articles
        FROM changed c
        CROSS JOIN LATERAL unnest(c.entity_ids) AS x(other_id)
        GROUP BY 1, 2, 3
        HAVING sum(c.sign) <> 0
    ), delta AS MATERIALIZED (  -- per entity, month or year, and entity named with it
        SELECT d.entity_id, p.period, date_trunc(p.period, d.day::timestamp)::date AS first_day, d.other_id,
               sum(d.articles)::integer AS articles
        FROM day_delta d
        CROSS JOIN (VALUES ('month'), ('year')) AS p(period)
        GROUP BY 1, 2, 3, 4
        HAVING sum(d.articles) <> 0
    ), touched AS MATERIALIZED (  -- per sum changed: fold when its rows waiting, this change's included, pass
        SELECT k.entity_id, k.period, k.first_day,  -- an eighth of its array (and at least max_pending)
               k.rows + (SELECT count(*) FROM cooccur_pending p
                         WHERE (p.entity_id, p.period, p.first_day) = (k.entity_id, k.period, k.first_day))
               > greatest(max_pending, (SELECT cardinality(c.other_ids) / 8 FROM cooccur_sums c
                                        WHERE (c.entity_id, c.period, c.first_day)
                                              = (k.entity_id, k.period, k.first_day)))
                   AS fold
        FROM (SELECT entity_id, period, first_day, count(*) AS rows FROM delta GROUP BY 1, 2, 3) k
    ), pending_written AS (  -- a small change waits as rows
        INSERT INTO cooccur_pending AS p (entity_id, period, first_day, other_id, articles)
        SELECT d.entity_id, d.period, d.first_day, d.other_id, d.articles
        FROM delta d JOIN touched t USING (entity_id, period, first_day)
        WHERE NOT t.fold
        ON CONFLICT (entity_id, period, first_day, other_id) DO UPDATE SET articles = p.articles + excluded.articles
    ), pending_taken AS (  -- past the limit, the rows waiting are folded into the arrays with the change
        DELETE FROM cooccur_pending p USING touched t
        WHERE (p.entity_id, p.period, p.first_day) = (t.entity_id, t.period, t.first_day) AND t.fold
    ), merged AS MATERIALIZED (  -- each sum folded: the stored arrays plus the rows waiting plus this change
        SELECT k.entity_id, k.period, k.first_day, m.other_ids, m.articles
        FROM touched k
        CROSS JOIN LATERAL (
            SELECT coalesce(array_agg(s.other_id ORDER BY s.other_id), '{}') AS other_ids,
                   coalesce(array_agg(s.articles ORDER BY s.other_id), '{}') AS articles
            FROM (SELECT v.other_id, sum(v.articles)::integer AS articles
                  FROM (SELECT x.other_id, x.articles
                        FROM cooccur_sums old, unnest(old.other_ids, old.articles) AS x(other_id, articles)
                        WHERE (old.entity_id, old.period, old.first_day) = (k.entity_id, k.period, k.first_day)
                        UNION ALL
                        SELECT p.other_id, p.articles FROM cooccur_pending p
                        WHERE (p.entity_id, p.period, p.first_day) = (k.entity_id, k.period, k.first_day)
                        UNION ALL
                        SELECT d.other_id, d.articles FROM delta d
                        WHERE (d.entity_id, d.period, d.first_day) = (k.entity_id, k.period, k.first_day)) v
                  GROUP BY v.other_id
                  HAVING sum(v.articles) > 0) s
        ) m
        WHERE k.fold
    ), sums_emptied AS (
        DELETE FROM cooccur_sums c USING merged m
        WHERE (c.entity_id, c.period, c.first_day) = (m.entity_id, m.period, m.first_day)
          AND cardinality(m.other_ids) = 0
    ), sums_written AS (
        INSERT INTO cooccur_sums AS c (entity_id, period, first_day, other_ids, articles)
        SELECT entity_id, period, first_day, other_ids, articles FROM merged WHERE cardinality(other_ids) > 0
        ON CONFLICT (entity_id, period, first_day) DO UPDATE
            SET other_ids = excluded.other_ids, articles = excluded.articles
    ), sets_gone AS (
        DELETE FROM article_entity_sets a USING stored_kept s
        WHERE a.article_id = s.article_id AND NOT s.same
          AND NOT EXISTS (SELECT 1 FROM fresh f WHERE f.article_id = s.article_id)
    ), sets_written AS (
        INSERT INTO article_entity_sets AS a (article_id, day, entity_ids)
        SELECT article_id, day, entity_ids FROM fresh_kept WHERE NOT same
        ON CONFLICT (article_id) DO UPDATE SET day = excluded.day, entity_ids = excluded.entity_ids
    ), heavy_gone AS (
        DELETE FROM cooccur_heavy_days h USING heavy_before b
        WHERE (h.entity_id, h.day) = (b.entity_id, b.day)
          AND NOT EXISTS (SELECT 1 FROM heavy_now n WHERE (n.entity_id, n.day) = (b.entity_id, b.day))
    )
    INSERT INTO cooccur_heavy_days (entity_id, day)
    SELECT n.entity_id, n.day FROM heavy_now n
    WHERE NOT EXISTS (SELECT 1 FROM heavy_before b WHERE (b.entity_id, b.day) = (n.entity_id, n.day));
END $$;

-- Exact relevant articles and mentions of each given entity over [first_day, last_day], from the same running
-- totals, monthly sums and days as top_entities.sql reads (see there): a few index look-ups per entity.
CREATE FUNCTION nkru_entity_window(ids integer[], first_day date, last_day date)
    RETURNS TABLE (entity_id integer, articles bigint, mentions bigint)
    LANGUAGE sql STABLE AS $$
    WITH bounds AS MATERIALIZED (
        SELECT w.first_month, w.end_month,
               least(w.end_month, greatest(w.first_month, s.summed_end)) AS summed_end
        FROM (SELECT (date_trunc('month', (first_day - 1)::timestamp) + interval '1 month')::date AS first_month,
                     date_trunc('month', (last_day + 1)::timestamp)::date AS end_month) w,
             (SELECT coalesce((max(c.month) + interval '1 month')::date, '-infinity'::date) AS summed_end
              FROM entity_cumulative c) s
    ), wanted AS MATERIALIZED (
        SELECT DISTINCT i AS id FROM unnest(ids) AS i
    ), counts AS (
        SELECT c.entity_id, c.articles, c.mentions  -- running totals at the last whole month summed ...
        FROM bounds b CROSS JOIN wanted w
        JOIN entity_cumulative c ON c.month = (b.summed_end - interval '1 month')::date AND c.entity_id = w.id
        WHERE b.first_month < b.summed_end
        UNION ALL
        SELECT c.entity_id, -c.articles, -c.mentions  -- ... less those before the first whole month
        FROM bounds b CROSS JOIN wanted w
        JOIN entity_cumulative c ON c.month = (b.first_month - interval '1 month')::date AND c.entity_id = w.id
        WHERE b.first_month < b.summed_end
        UNION ALL
        SELECT m.entity_id, m.articles, m.mentions  -- whole months not summed yet
        FROM bounds b CROSS JOIN wanted w
        JOIN entity_monthly m ON m.month >= b.summed_end AND m.month < b.end_month AND m.entity_id = w.id
        UNION ALL
        SELECT d.entity_id, d.articles, d.mentions  -- the days before the first whole month
        FROM bounds b CROSS JOIN wanted w
        JOIN entity_daily d ON d.entity_id = w.id
        WHERE d.day >= first_day AND d.day < least(b.first_month, last_day + 1)
        UNION ALL
        SELECT d.entity_id, d.articles, d.mentions  -- the days after the last whole month
        FROM bounds b CROSS JOIN wanted w
        JOIN entity_daily d ON d.entity_id = w.id
        WHERE d.day >= greatest(b.end_month, b.first_month, first_day) AND d.day <= last_day
    )
    SELECT c.entity_id, sum(c.articles), sum(c.mentions) FROM counts c GROUP BY c.entity_id
$$;

-- The 009 refresh, now also keeping entity_totals and rebuilding the entity sets (and with them the co-mention
-- sums) of the days it recomputes; everything else is unchanged.
CREATE OR REPLACE FUNCTION nkru_refresh_daily(since_day date, until_day date, pair_top_k integer DEFAULT 100)
    RETURNS integer LANGUAGE plpgsql SET work_mem = '64MB' SET jit = off AS $$
DECLARE
    days         date[];
    lo           timestamptz;
    hi           timestamptz;
    old_entity   integer[];
    old_articles integer[];
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

    SELECT array_agg(entity_id), array_agg(articles) INTO old_entity, old_articles
    FROM entity_daily WHERE day = ANY (days);
    DELETE FROM entity_daily WHERE day = ANY (days);
    INSERT INTO entity_daily (day, entity_id, articles, mentions)
    SELECT nkru_day(a.published_at), coalesce(e.country_id, m.entity_id), count(DISTINCT a.id), sum(m.count)
    FROM articles a JOIN mentions m ON m.article_id = a.id JOIN entities e ON e.id = m.entity_id  -- nationality -> country
    WHERE a.relevant AND a.published_at >= lo AND a.published_at < hi AND nkru_day(a.published_at) IN (SELECT unnest(days))
    GROUP BY 1, 2;
    INSERT INTO entity_totals AS t (entity_id, label, articles)  -- only the totals that change are written
    SELECT c.entity_id, e.label, c.articles
    FROM (SELECT u.entity_id, sum(u.articles) AS articles
          FROM (SELECT d.entity_id, d.articles FROM entity_daily d WHERE d.day = ANY (days)
                UNION ALL
                SELECT o.entity_id, -o.articles FROM unnest(old_entity, old_articles) AS o(entity_id, articles)) u
          GROUP BY u.entity_id
          HAVING sum(u.articles) <> 0) c
    JOIN entities e ON e.id = c.entity_id
    ON CONFLICT (entity_id) DO UPDATE SET articles = t.articles + excluded.articles;
    PERFORM nkru_refresh_entity_sets(days);

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
    'Recompute the daily trend aggregates (and entity totals, entity sets, co-mention sums) for a day range plus the days marked changed; idempotent.';

-- The history already aggregated: totals from the monthly sums, heavy days and their co-mentions from the sets.
INSERT INTO entity_totals (entity_id, label, articles)
SELECT m.entity_id, e.label, sum(m.articles) FROM entity_monthly m JOIN entities e ON e.id = m.entity_id
GROUP BY m.entity_id, e.label;
INSERT INTO cooccur_heavy_days (entity_id, day)
SELECT d.entity_id, d.day
FROM entity_daily d JOIN volume_total_daily v ON v.day = d.day
WHERE d.articles >= greatest(coalesce(nullif(current_setting('nkru.cooccur_min_articles', true), '')::integer, 20),
                             ceil(0.25 * v.relevant_articles));
INSERT INTO cooccur_sums (entity_id, period, first_day, other_ids, articles)
SELECT c.entity_id, c.period, c.first_day, array_agg(c.other_id ORDER BY c.other_id),
       array_agg(c.articles ORDER BY c.other_id)
FROM (SELECT h.entity_id, p.period, date_trunc(p.period, s.day::timestamp)::date AS first_day, x.other_id,
             count(*)::integer AS articles
      FROM cooccur_heavy_days h
      JOIN article_entity_sets s ON s.day = h.day AND s.entity_ids @> ARRAY[h.entity_id]
      CROSS JOIN LATERAL unnest(s.entity_ids) AS x(other_id)
      CROSS JOIN (VALUES ('month'), ('year')) AS p(period)
      GROUP BY 1, 2, 3, 4) c
GROUP BY c.entity_id, c.period, c.first_day;
