-- 001: feeds and their health, articles with relevance, stories, entities, aliases and mentions.
-- Applied by `nkru migrate` inside one transaction; recorded in schema_migrations.

-- One row per configured feed. Health columns are what `nkru feeds` shows.
CREATE TABLE feeds (
    id                   serial PRIMARY KEY,
    name                 text NOT NULL UNIQUE,
    url                  text NOT NULL,
    language             text,
    enabled              boolean NOT NULL DEFAULT true,      -- false once removed from nkru.yaml (history kept)
    etag                 text,                               -- conditional GET validators from the last 200
    last_modified        text,
    last_fetched_at      timestamptz,
    last_status          text,                               -- 'ok', 'not_modified', or an error kind
    last_http_status     integer,
    last_error           text,                               -- the last failure in words
    consecutive_failures integer NOT NULL DEFAULT 0,
    failing_since        timestamptz,
    last_success_at      timestamptz,
    last_new_item_at     timestamptz,
    next_due_at          timestamptz NOT NULL DEFAULT now(), -- exponential back-off while failing
    created_at           timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE feeds IS 'Configured feeds and their health (last status, last error, back-off).';

-- Every fetch attempt, so a failure always has a recorded reason and coverage can be judged per source.
CREATE TABLE fetch_log (
    id            bigserial PRIMARY KEY,
    feed_id       integer NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    fetched_at    timestamptz NOT NULL,
    run_id        text,                      -- Airflow run id or 'cli:<timestamp>'
    status        text NOT NULL,             -- 'ok', 'not_modified', 'http_error', 'timeout', ...
    http_status   integer,
    error         text,
    elapsed_ms    integer,
    bytes         integer,
    items_found   integer NOT NULL DEFAULT 0,
    items_new     integer NOT NULL DEFAULT 0,
    items_skipped integer NOT NULL DEFAULT 0,
    skip_reasons  jsonb NOT NULL DEFAULT '{}'::jsonb,   -- {"no link": 2, "date in the future": 1}
    UNIQUE (feed_id, run_id)
);
CREATE INDEX fetch_log_feed_time ON fetch_log (feed_id, fetched_at DESC);
COMMENT ON TABLE fetch_log IS 'One row per feed per run: outcome, error in words, items found/new/skipped with reasons.';

-- A story groups the articles that report the same thing (syndicated wire copies, edited headlines).
CREATE TABLE stories (
    id            bigserial PRIMARY KEY,
    title         text NOT NULL,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz NOT NULL
);
CREATE INDEX stories_published ON stories (published_at DESC);
COMMENT ON TABLE stories IS 'Near-duplicate articles grouped into one story; alerts go out per story.';

-- One row per canonical URL, however many feeds carried it. Relevance is stored for every item.
CREATE TABLE articles (
    id            bigserial PRIMARY KEY,
    url           text NOT NULL UNIQUE,      -- canonical: no tracking parameters, no fragment
    guid          text,
    title         text NOT NULL,
    summary       text NOT NULL DEFAULT '',
    language      text,
    published_at  timestamptz NOT NULL,      -- UTC; the fetch time when the feed gave none
    fetched_at    timestamptz NOT NULL,
    feed_id       integer NOT NULL REFERENCES feeds(id),   -- the first feed that carried it
    score         real NOT NULL,
    relevant      boolean NOT NULL,
    matched_terms text[] NOT NULL DEFAULT '{}',
    reason        text NOT NULL DEFAULT '',
    scored_at     timestamptz NOT NULL DEFAULT now(),
    extracted_at  timestamptz,               -- entities extracted and alerts queued (relevant items only)
    story_id      bigint REFERENCES stories(id)
);
CREATE INDEX articles_published ON articles (published_at DESC);
CREATE INDEX articles_relevant_published ON articles (published_at DESC) WHERE relevant;
CREATE INDEX articles_pending_extraction ON articles (id) WHERE relevant AND extracted_at IS NULL;
CREATE INDEX articles_story ON articles (story_id);
CREATE INDEX articles_feed_published ON articles (feed_id, published_at);
COMMENT ON TABLE articles IS 'Feed items, one per canonical URL, with relevance score, matched terms and reason.';

-- Which feeds carried an article (the same wire copy often appears in several).
CREATE TABLE article_feeds (
    article_id    bigint NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    feed_id       integer NOT NULL REFERENCES feeds(id) ON DELETE CASCADE,
    guid          text,
    first_seen_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (article_id, feed_id)
);
CREATE INDEX article_feeds_feed ON article_feeds (feed_id, first_seen_at);
CREATE INDEX article_feeds_guid ON article_feeds (feed_id, guid);

-- Canonical entities: one row per person, body or place, under one name.
CREATE TABLE entities (
    id    serial PRIMARY KEY,
    name  text NOT NULL,
    label text NOT NULL,            -- PERSON, ORG, GPE, LOC, NORP, FAC, EVENT, PRODUCT
    UNIQUE (name, label)
);
COMMENT ON TABLE entities IS 'Canonical entities (gazetteer names or cleaned NER surface forms).';

-- Every spelling that leads to an entity: "Kim Jong-un", "Ким Чен Ын", "김정은" -> Kim Jong Un.
CREATE TABLE entity_aliases (
    alias_key text NOT NULL,        -- lower-cased, accents and punctuation folded (see nkru.entities.alias_key)
    alias     text NOT NULL,
    entity_id integer NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    PRIMARY KEY (alias_key, entity_id)
);
CREATE INDEX entity_aliases_entity ON entity_aliases (entity_id);

-- How often each entity is mentioned in each article.
CREATE TABLE mentions (
    article_id bigint NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    entity_id  integer NOT NULL REFERENCES entities(id) ON DELETE CASCADE,
    count      integer NOT NULL CHECK (count > 0),
    PRIMARY KEY (article_id, entity_id)
);
CREATE INDEX mentions_entity ON mentions (entity_id, article_id);

-- Convenience view for psql users: relevant articles with their source and entities.
CREATE VIEW relevant_articles AS
SELECT a.id, a.published_at, f.name AS source, a.title, a.url, a.score, a.matched_terms, a.reason,
       a.story_id,
       coalesce((SELECT array_agg(e.name ORDER BY m.count DESC, e.name)
                 FROM mentions m JOIN entities e ON e.id = m.entity_id
                 WHERE m.article_id = a.id), '{}') AS entities
FROM articles a JOIN feeds f ON f.id = a.feed_id
WHERE a.relevant;
COMMENT ON VIEW relevant_articles IS 'Relevant articles, newest first when ordered by published_at, with source and entities.';
