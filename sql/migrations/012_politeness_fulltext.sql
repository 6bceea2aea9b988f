-- 012: fetching like a good citizen (per-host waits, adaptive intervals, stale validators) and the full text of
-- the articles whose feed item says too little. Applied by `nkru migrate` inside one transaction.

-- Adaptive polling: how often this feed is fetched now, between fetch.min_interval_minutes and
-- fetch.max_interval_hours (NULL: fetch.interval_minutes, the starting point).
ALTER TABLE feeds ADD COLUMN poll_minutes real;
COMMENT ON COLUMN feeds.poll_minutes IS 'Minutes between fetches of this healthy feed, adapted to how often fetches bring new items.';

-- Stale validators: once a day a feed is fetched without If-None-Match / If-Modified-Since. When that finds
-- items a 304 had hidden, the feed's validators are not sent again.
ALTER TABLE feeds ADD COLUMN validators_checked_at timestamptz;
ALTER TABLE feeds ADD COLUMN validators_ignored_since timestamptz;
ALTER TABLE feeds ADD COLUMN validators_note text;
COMMENT ON COLUMN feeds.validators_ignored_since IS 'Set when a fetch without validators found items a 304 had hidden: validators are no longer sent.';

-- The host a feed lives on, as urlsplit().hostname spells it (lower case, no port, no brackets).
ALTER TABLE feeds ADD COLUMN host text GENERATED ALWAYS AS (
    lower(trim(both '[]' from substring(url from '^[A-Za-z][A-Za-z0-9+.-]*://(?:[^@/?#]*@)?(\[[^]]*\]|[^:/?#]*)')))
) STORED;
CREATE INDEX feeds_host ON feeds (host);

-- One row per host the monitor has talked to: a Retry-After it must honour, and its robots.txt (cached a day).
CREATE TABLE fetch_hosts (
    host              text PRIMARY KEY,
    wait_until        timestamptz,          -- 429/503 with Retry-After: no request to this host before then
    wait_reason       text,
    robots_status     text,                 -- 'ok', 'missing' (4xx: all allowed), 'unavailable' (5xx, too large, ...)
    robots_txt        text,                 -- bounded
    robots_note       text,
    robots_fetched_at timestamptz
);
COMMENT ON TABLE fetch_hosts IS 'Per-host politeness state: Retry-After waits and the cached robots.txt.';

-- The article page behind a feed item, fetched for candidates only (see nkru.fulltext).
CREATE TABLE article_texts (
    article_id  bigint PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    status      text NOT NULL CHECK (status IN ('pending', 'ok', 'paywalled', 'blocked', 'robots', 'not_html',
                                                'too_large', 'timeout', 'error')),
    why         text NOT NULL DEFAULT '',   -- why the page was wanted (candidate rule)
    reason      text,                       -- for anything but 'ok'/'pending': what went wrong, in words
    http_status integer,
    final_url   text,
    text        text,                       -- extracted main text, bounded (fulltext.max_text_chars)
    chars       integer,
    before_score real,                      -- the feed-only score, to see what the body added
    added       text,                       -- what the body added to the verdict, in words
    requested_at timestamptz NOT NULL DEFAULT now(),
    fetched_at  timestamptz
);
CREATE INDEX article_texts_pending ON article_texts (requested_at) WHERE status = 'pending';
COMMENT ON TABLE article_texts IS 'Full text of candidate articles: status (ok, paywalled, blocked, robots, not_html, too_large, timeout, error), bounded text, what it added to the score.';
