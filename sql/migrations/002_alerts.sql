-- 002: story signatures (near-duplicate grouping) and the alert outbox (exactly-once e-mail).
-- Applied by `nkru migrate` inside one transaction; recorded in schema_migrations.

-- The MinHash signature of each grouped article, so a later run finds the story a new copy belongs to.
CREATE TABLE story_signatures (
    article_id   bigint PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    story_id     bigint NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    method       text NOT NULL,            -- shingling + MinHash parameters; other methods' rows are ignored
    title_key    text NOT NULL,            -- normalised title, for the exact-title shortcut
    minhash      bytea NOT NULL,           -- the MinHash hash values (numpy uint32, little-endian)
    published_at timestamptz NOT NULL,
    seen_at      timestamptz NOT NULL      -- when the article was grouped; the index window is over this
);
CREATE INDEX story_signatures_seen ON story_signatures (seen_at);
CREATE INDEX story_signatures_story ON story_signatures (story_id);
COMMENT ON TABLE story_signatures IS 'MinHash signature of each article grouped into a story (see nkru.stories).';

-- One digest e-mail per (rule, recipient, UTC day); the stories it lists point at it from alert_outbox.
CREATE TABLE alert_digests (
    id              bigserial PRIMARY KEY,
    rule            text NOT NULL,
    recipient       text NOT NULL,
    day             date NOT NULL,
    message_id      text NOT NULL UNIQUE,  -- deterministic: a duplicate after a crash is dropped by mail clients
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text,
    last_attempt_at timestamptz,
    created_at      timestamptz NOT NULL,
    sent_at         timestamptz,
    UNIQUE (rule, recipient, day)
);
COMMENT ON TABLE alert_digests IS 'Digest e-mails: one per rule, recipient and UTC day.';

-- One row per (rule, story, recipient), written in the same transaction as the article that matched.
CREATE TABLE alert_outbox (
    id              bigserial PRIMARY KEY,
    rule            text NOT NULL,
    story_id        bigint NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    recipient       text NOT NULL,
    mode            text NOT NULL CHECK (mode IN ('instant', 'digest')),
    article_id      bigint NOT NULL REFERENCES articles(id) ON DELETE CASCADE,  -- the article that matched
    message_id      text NOT NULL UNIQUE,  -- deterministic per (rule, story, recipient)
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed')),
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text,
    last_attempt_at timestamptz,
    created_at      timestamptz NOT NULL,
    sent_at         timestamptz,
    digest_id       bigint REFERENCES alert_digests(id) ON DELETE SET NULL,
    UNIQUE (rule, story_id, recipient)
);
CREATE INDEX alert_outbox_pending ON alert_outbox (mode, id) WHERE status = 'pending';
CREATE INDEX alert_outbox_digest ON alert_outbox (digest_id);
CREATE INDEX alert_outbox_created ON alert_outbox (created_at DESC);
COMMENT ON TABLE alert_outbox IS 'Alert e-mails to send, one per rule, story and recipient; status pending/sent/failed.';
