-- 016: the title a feed gives itself, shown instead of its configured name (a slug such as "tass-en") where
-- people read outlets: the alert and digest e-mails. Applied by `nkru migrate` inside one transaction.
--
-- It is the feed's channel <title> as last fetched (untrusted: stored stripped of control characters and cut,
-- shown escaped), NULL until a fetch found one; a fetch without a title keeps the one seen before.
ALTER TABLE feeds ADD COLUMN title text;
COMMENT ON COLUMN feeds.title IS
    'The title the feed gives itself (its channel <title>) as last fetched; e-mails show it instead of the name.';
