-- 020: one answer to "what is this outlet called" for every place people read it (e-mails, `nkru stories`, the
-- workspace). Applied by `nkru migrate` inside one transaction.
--
-- `display_name` is the analyst's name for the feed in the settings file (`feeds[].display_name`, trusted, copied
-- on every run); `title` (016) is the feed's own channel <title> (untrusted, shown escaped); `outlet` is the one
-- shown: the display name, else the feed's own title, else its configured name (a slug such as "tass-en").
ALTER TABLE feeds ADD COLUMN display_name text;
ALTER TABLE feeds ADD COLUMN outlet text
    GENERATED ALWAYS AS (coalesce(nullif(display_name, ''), nullif(title, ''), name)) STORED;
COMMENT ON COLUMN feeds.display_name IS 'The display name given in the settings file (feeds[].display_name), if any.';
COMMENT ON COLUMN feeds.outlet IS 'How the outlet is shown: display_name, else the feed''s own title, else name.';
