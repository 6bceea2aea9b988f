-- 011: stories per event, not per wording (issue 16): why each article joined its story, the features the
-- event index is rebuilt from, and one possible update alert per story after its first.
-- Applied by `nkru migrate` inside one transaction.

-- One row per grouped article: the decision and what it was made on (see nkru.stories for the one-event rule).
CREATE TABLE story_members (
    article_id   bigint PRIMARY KEY REFERENCES articles(id) ON DELETE CASCADE,
    story_id     bigint NOT NULL REFERENCES stories(id) ON DELETE CASCADE,
    rule         text NOT NULL,                    -- new | near-copy | same-event | same-kind-and-time
    reason       jsonb NOT NULL DEFAULT '{}',      -- shared entities, kind, time gap, similarity, score, or why new
    entities     jsonb NOT NULL DEFAULT '{}',      -- canonical name (or #figure) -> weight in "who"
    kinds        text[] NOT NULL DEFAULT '{}',     -- kinds of happening its text cues (config/events)
    headline_kinds text[] NOT NULL DEFAULT '{}',   -- the kinds its headline alone cues
    headline_places text[] NOT NULL DEFAULT '{}',  -- places (beyond the two sides' capitals) its headline names
    step         text,                             -- treaty step its headline names, if any
    event_date   date,                             -- the day the text gives for the happening, if any
    published_at timestamptz NOT NULL,
    seen_at      timestamptz NOT NULL,             -- when it was grouped; the index window is over this
    seq          bigint GENERATED ALWAYS AS IDENTITY UNIQUE  -- insertion order: what another process added since
);
CREATE INDEX story_members_seen ON story_members (seen_at);
CREATE INDEX story_members_story ON story_members (story_id, published_at);
COMMENT ON TABLE story_members IS
    'Why each article joined its story (rule, reason) and the who/what/when it was matched on (nkru.stories).';

-- A story's kinds so far (what its reports say happened); an update alert goes out when a later report adds one
-- of the kinds listed as `update` in config/events/kinds.yaml.
ALTER TABLE stories ADD COLUMN kinds text[] NOT NULL DEFAULT '{}';
COMMENT ON COLUMN stories.kinds IS 'Kinds of happening cued by the story''s reports so far (config/events/kinds.yaml).';

-- A story merged into an older one when a later report showed them to be one event; its articles moved there.
ALTER TABLE stories ADD COLUMN merged_into bigint REFERENCES stories(id);
COMMENT ON COLUMN stories.merged_into IS 'The older story this one was merged into (its articles and alerts moved there).';

-- At most one first alert and one update alert per (rule, story, recipient).
ALTER TABLE alert_outbox ADD COLUMN kind text NOT NULL DEFAULT 'first' CHECK (kind IN ('first', 'update'));
ALTER TABLE alert_outbox DROP CONSTRAINT alert_outbox_rule_story_id_recipient_key;
ALTER TABLE alert_outbox ADD CONSTRAINT alert_outbox_rule_story_recipient_kind UNIQUE (rule, story_id, recipient, kind);
COMMENT ON COLUMN alert_outbox.kind IS
    'first: the story''s alert; update: the one later alert when a report changes the picture (a new kind).';
