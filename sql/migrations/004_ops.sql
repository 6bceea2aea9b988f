-- 004: operations: failure episodes (a failing task, a feed failing for too long) and the operator notices
-- about them, once per episode and recipient; the index retention uses to find old non-relevant articles.
-- Applied by `nkru migrate` inside one transaction; recorded in schema_migrations.

-- A failure episode: from the first failure seen to the recovery. At most one is open per (kind, subject);
-- closed ones are kept as history (`SELECT * FROM ops_episodes ORDER BY opened_at DESC`).
CREATE TABLE ops_episodes (
    id           bigserial PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('task', 'feed')),
    subject      text NOT NULL,               -- 'nkru_ingest.process' (dag.task) or a feed name
    opened_at    timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    occurrences  integer NOT NULL DEFAULT 1,  -- failing runs seen during the episode
    last_run_id  text,                        -- the run that last reported it (a run counts once)
    detail       text NOT NULL DEFAULT '',    -- the latest failure in words
    closed_at    timestamptz,
    closed_why   text
);
CREATE UNIQUE INDEX ops_episodes_open ON ops_episodes (kind, subject) WHERE closed_at IS NULL;
CREATE INDEX ops_episodes_closed ON ops_episodes (closed_at DESC) WHERE closed_at IS NOT NULL;
COMMENT ON TABLE ops_episodes IS 'Failure episodes of tasks and feeds; operators are e-mailed once when one opens and once when it closes.';

-- One e-mail per (episode, event, operator): 'failing' when the episode opens, 'recovered' when it closes
-- (only to those who were told it was failing). Claimed with FOR UPDATE SKIP LOCKED, so never sent twice.
CREATE TABLE ops_notices (
    episode_id      bigint NOT NULL REFERENCES ops_episodes(id) ON DELETE CASCADE,
    event           text NOT NULL CHECK (event IN ('failing', 'recovered')),
    recipient       text NOT NULL,
    message_id      text NOT NULL UNIQUE,
    status          text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sent', 'failed', 'cancelled')),
    attempts        integer NOT NULL DEFAULT 0,
    last_error      text,
    last_attempt_at timestamptz,
    created_at      timestamptz NOT NULL,
    sent_at         timestamptz,
    PRIMARY KEY (episode_id, event, recipient)
);
CREATE INDEX ops_notices_pending ON ops_notices (created_at) WHERE status = 'pending';
COMMENT ON TABLE ops_notices IS 'Operator e-mails about failure episodes: one per episode, event and recipient.';

-- Retention deletes non-relevant articles never processed as relevant, oldest first.
CREATE INDEX articles_retention ON articles (fetched_at) WHERE NOT relevant AND extracted_at IS NULL;
